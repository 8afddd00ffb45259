/**
 * The reconciliation as a printed report (the receipt model: printer and screen alike) and as
 * rows for CSV and XLSX. One set of rows feeds all three, so they say the same thing. Every
 * label, cause and action comes from the locale files.
 */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { ReconciliationView } from '../../contract/index.js';
import { fenToYuanText, formatFen } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';
import { localDateTime } from '../clock.js';

export interface ReconReportContext {
  readonly t: Translate;
  readonly header: string;
  readonly terminalId: string;
  readonly timeZone: string;
}

export function periodLabel(v: ReconciliationView, t: Translate): string {
  return v.period.kind === 'day' ? t('shift.recon.periodDay', { date: v.period.date }) : t('shift.recon.periodShift', { shiftId: v.period.shiftId });
}

/** Summary rows: label, value (text), and the value in fen when it is money. */
export function summaryRows(v: ReconciliationView, t: Translate): { label: string; value: string; fen: number | null }[] {
  const s = v.summary;
  const money = (label: string, fen: number) => ({ label, value: formatFen(fen), fen });
  const count = (label: string, n: number) => ({ label, value: String(n), fen: null });
  return [
    money(t('shift.recon.row.cashExpected'), s.cashExpectedFen),
    money(t('shift.recon.row.cashCounted'), s.cashCountedFen),
    count(t('shift.recon.row.shiftsCounted'), s.shiftsCounted),
    count(t('shift.recon.row.shiftsOpen'), s.shiftsOpen),
    count(t('shift.recon.row.journalEvents'), s.journal.count),
    money(t('shift.recon.row.journalMoney'), s.journal.fen),
    s.backend === null
      ? { label: t('shift.recon.row.backendEvents'), value: t('shift.recon.backendUnavailable'), fen: null }
      : count(t('shift.recon.row.backendEvents'), s.backend.count),
    ...(s.backend === null ? [] : [money(t('shift.recon.row.backendMoney'), s.backend.fen)]),
    count(t('shift.recon.row.pending'), s.pending),
    count(t('shift.recon.row.rejected'), s.rejected),
    money(t('shift.recon.row.vendsPaid', { count: s.vendsPaid.count }), s.vendsPaid.fen),
    money(t('shift.recon.row.creditsIssued', { count: s.creditsIssued.count }), s.creditsIssued.fen),
    count(t('shift.recon.row.creditsMatched'), s.creditsMatched),
    count(t('shift.recon.row.problems'), s.problems),
    count(t('shift.recon.row.warnings'), s.warnings),
  ];
}

export const DIFFERENCE_COLUMNS = ['severity', 'way', 'cause', 'ref', 'eventType', 'amount', 'detail', 'action'] as const;

/** One row per difference, in the report's language; `amountFen` kept for numeric cells. */
export function differenceRows(v: ReconciliationView, t: Translate): { cells: Record<(typeof DIFFERENCE_COLUMNS)[number], string>; amountFen: number }[] {
  return v.differences.map((d) => ({
    amountFen: d.amountFen,
    cells: {
      severity: t(`shift.recon.severity.${d.severity}`),
      way: t(`shift.recon.way.${d.way}`),
      cause: t(`shift.recon.cause.${d.cause}`),
      ref: d.ref,
      eventType: d.eventType ?? '',
      amount: fenToYuanText(d.amountFen),
      detail: d.detail ?? '',
      action: t(`shift.recon.action.${d.cause}`),
    },
  }));
}

export function reconciliationReceipt(v: ReconciliationView, ctx: ReconReportContext): Receipt {
  const { t } = ctx;
  const lines: ReceiptLine[] = [
    { kind: 'text', text: ctx.header, align: 'center', bold: true },
    { kind: 'text', text: t('shift.recon.title'), align: 'center', bold: true, size: 2 },
    { kind: 'text', text: periodLabel(v, t), align: 'center' },
    { kind: 'rule' },
    { kind: 'pair', left: t('shift.report.terminal'), right: ctx.terminalId },
    { kind: 'pair', left: t('shift.recon.generatedAt'), right: localDateTime(new Date(v.generatedAt), ctx.timeZone) },
    { kind: 'rule' },
    ...summaryRows(v, t).map((r): ReceiptLine => ({ kind: 'pair', left: r.label, right: r.value })),
    { kind: 'rule' },
  ];
  if (v.differences.length === 0) lines.push({ kind: 'text', text: t('shift.recon.noDifferences'), align: 'center', bold: true });
  for (const d of differenceRows(v, t)) {
    lines.push(
      { kind: 'pair', left: `[${d.cells.severity}] ${d.cells.cause}`, right: formatFen(d.amountFen), bold: true },
      { kind: 'text', text: `${d.cells.way} · ${d.cells.eventType} ${d.cells.ref}`.replace(' ·  ', ' · ') },
      ...(d.cells.detail ? [{ kind: 'text', text: d.cells.detail } as const] : []),
      { kind: 'text', text: `→ ${d.cells.action}` },
    );
  }
  lines.push({ kind: 'rule' }, { kind: 'text', text: t('shift.report.signatures') }, { kind: 'feed', lines: 3 });
  return { lines };
}
