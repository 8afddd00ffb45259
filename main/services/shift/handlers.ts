/**
 * The shift area's handlers for the core's dispatch (core.ts spreads them into its map) and the
 * gate money-taking services consult. Rules and the printer arrive chosen by the composition root.
 */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import { layoutReceiptText } from '../../../kiosk-drivers/printer/receipt-model.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import type { OperatorView, PrintOutcome } from '../../contract/index.js';
import type { CASH_IN_REASONS, CASH_OUT_REASONS } from '../../contract/shift.js';
import type { ShiftRules } from '../../domain/shift/index.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import type { LedgerEntry } from '../../wire/backend-wire.js';
import type { Clock } from '../clock.js';
import { toWireError, type Session } from '../dispatch.js';
import { createShiftGate, type ShiftGate } from './drawer.js';
import { reconciliationCsv, reconciliationXlsx } from './reconciliation-export.js';
import { reconciliationReceipt } from './reconciliation-report.js';
import { runReconciliation, type Period } from './reconciliation.js';
import { ShiftService } from './shift-service.js';

export interface ShiftAreaDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly defaultLocale: Locale;
  readonly receipt: { readonly header: string; readonly hotline: string };
  /** Payments and vends need an open shift. */
  readonly required: boolean;
  readonly rules: ShiftRules;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
  readonly ledger: (fromIso: string, toIso: string) => Promise<readonly LedgerEntry[]>;
  readonly afterCommit: () => void;
}

function requireOperator(s: Session): OperatorView {
  if (!s.operator) throw new Error('dispatch let an anonymous session through');
  return s.operator;
}

export function createShiftArea(deps: ShiftAreaDeps): { gate: ShiftGate; service: ShiftService; handlers: ReturnType<typeof handlersFor> } {
  const service = new ShiftService(deps);
  const gate = createShiftGate(deps.db, deps.terminalId, deps.required);
  return { gate, service, handlers: handlersFor(deps, service) };
}

function handlersFor(deps: ShiftAreaDeps, shifts: ShiftService) {
  const recon = (p: Period) => runReconciliation({ db: deps.db, clock: deps.clock, timeZone: deps.timeZone, shifts, ledger: deps.ledger }, p);
  const period = (p: { date?: string | undefined; shiftId?: string | undefined }): Period => ({ date: p.date, shiftId: p.shiftId });

  const printRecon = async (p: Period & { receiptLocale?: Locale | undefined }, operator: OperatorView): Promise<PrintOutcome> => {
    const view = await recon(p);
    const receipt = reconciliationReceipt(view, { t: deps.translators[p.receiptLocale ?? deps.defaultLocale], header: deps.receipt.header, terminalId: deps.terminalId, timeZone: deps.timeZone });
    let error = null;
    if (!deps.printer) error = toWireError(new DeviceError('device.not_found', { device: 'printer' }));
    else {
      try {
        await deps.printer.print(receipt);
      } catch (err) {
        error = toWireError(err);
      }
    }
    appendJournal(deps.db, {
      type: error ? 'reconciliation.print_failed' : 'reconciliation.printed',
      ref: view.period.kind === 'day' ? view.period.date : view.period.shiftId,
      actor: operator.operatorId,
      at: deps.clock().toISOString(),
      payload: { period: view.period, problems: view.summary.problems, warnings: view.summary.warnings, ...(error ? { code: error.code } : {}) },
    });
    return { printed: error === null, error };
  };

  return {
    'shift.current': () => shifts.status(),
    'shift.open': (p: { requestId: string; float: Record<string, number> }, s: Session) => shifts.open(p.requestId, p.float, requireOperator(s)),
    'shift.cashIn': (p: { requestId: string; amount: string; reason: (typeof CASH_IN_REASONS)[number]; note?: string | undefined }, s: Session) =>
      shifts.move('in', p, requireOperator(s)),
    'shift.cashOut': (p: { requestId: string; amount: string; reason: (typeof CASH_OUT_REASONS)[number]; note?: string | undefined }, s: Session) =>
      shifts.move('out', p, requireOperator(s)),
    'shift.count': (p: { counts: Record<string, number> }, s: Session) => shifts.count(p.counts, requireOperator(s)),
    'shift.close': (
      p: { reason?: string | undefined; supervisorId?: string | undefined; supervisorPin?: string | undefined; receiptLocale?: Locale | undefined },
      s: Session,
    ) => shifts.close(p, requireOperator(s)),
    'shift.report': (p: { kind: 'x' | 'z'; shiftId?: string | undefined; receiptLocale?: Locale | undefined }) => ({
      lines: layoutReceiptText(shifts.report(p.kind, p.shiftId, p.receiptLocale)),
    }),
    'shift.printReport': (p: { kind: 'x' | 'z'; shiftId?: string | undefined; receiptLocale?: Locale | undefined }, s: Session) =>
      shifts.print(p.kind, p.shiftId, p.receiptLocale, requireOperator(s)),
    'shift.list': (p: { date: string }) => ({ items: shifts.list(p.date) }),
    'reconciliation.run': (p: { date?: string | undefined; shiftId?: string | undefined }) => recon(period(p)),
    'reconciliation.print': (p: { date?: string | undefined; shiftId?: string | undefined; receiptLocale?: Locale | undefined }, s: Session) =>
      printRecon({ ...period(p), receiptLocale: p.receiptLocale }, requireOperator(s)),
    'reconciliation.export': async (p: { date?: string | undefined; shiftId?: string | undefined; format: 'csv' | 'xlsx'; locale?: Locale | undefined }) => {
      const view = await recon(period(p));
      const t = deps.translators[p.locale ?? deps.defaultLocale];
      return p.format === 'csv' ? reconciliationCsv(view, t, deps.terminalId, deps.timeZone) : reconciliationXlsx(view, t, deps.terminalId, deps.timeZone);
    },
  } as const;
}
