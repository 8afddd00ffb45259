/**
 * Shifts and the cash drawer. Every state change — opened, cash in, cash out, counted, closed — is
 * ONE transaction writing the shift's rows, a journal entry and an outbox event (synced to the
 * backend like payments). What the drawer should hold is read from the journal (shift-totals.ts),
 * never from a figure the clerk can see before counting: the count is blind.
 */
import type { Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import {
  AppError,
  type DrawerMovementView,
  type OperatorView,
  type PrintOutcome,
  type ShiftStatusView,
  type ShiftView,
} from '../../contract/index.js';
import { countDrawer, drawerDifference, shiftTotals, type DenominationCounts, type DrawerCount, type JournalRecord, type ShiftRules, type ShiftTotals } from '../../domain/shift/index.js';
import { formatFen } from '../../domain/money.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { uuidv7 } from '../../store/ids.js';
import { appendJournal, journalHead } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import {
  insertShift,
  journalSeqOf,
  journalSeqRange,
  lastClosedShift,
  markClosed,
  markCounted,
  movementByRequest,
  nextZNo,
  operatorName,
  shiftById,
  shiftsOpenedBetween,
  unclosedShift,
  type ShiftRow,
} from '../../store/shifts.js';
import { approve } from '../auth.js';
import { localDate, type Clock } from '../clock.js';
import { toWireError } from '../dispatch.js';
import { moneyInput } from '../money-input.js';
import { stepEventId } from '../vending/vend-store.js';
import { writeMovement } from './drawer.js';
import { shiftReport, type ReportContext } from './shift-reports.js';
import { localDayRange } from './local-day.js';

export interface ShiftServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly rules: ShiftRules;
  /** Payments and vends need an open shift (counter mode and config `shift.required`). */
  readonly required: boolean;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly defaultLocale: Locale;
  readonly receipt: { readonly header: string; readonly hotline: string };
  readonly printer: ReceiptPrinter | null;
  /** Nudges sync after a commit. */
  readonly afterCommit: () => void;
}

export class ShiftService {
  constructor(private readonly deps: ShiftServiceDeps) {}

  status(): ShiftStatusView {
    const { rules } = this.deps;
    const row = unclosedShift(this.deps.db, this.deps.terminalId);
    return {
      shift: row ? this.view(row) : null,
      rules: {
        denominations: rules.denominations.map((d) => ({ id: d.id, kind: d.kind, fen: d.fen })),
        differenceApprovalFen: rules.differenceApprovalFen,
        maxFloatFen: rules.maxFloatFen,
        maxMovementFen: rules.maxMovementFen,
      },
      required: this.deps.required,
      today: localDate(this.deps.clock(), this.deps.timeZone),
    };
  }

  /** Open a shift with a counted float. `requestId` is the shift id: a retry returns the same shift. */
  open(requestId: string, float: DenominationCounts, operator: OperatorView): ShiftView {
    const { db, clock, terminalId, rules } = this.deps;
    const again = shiftById(db, requestId);
    if (again) return this.view(again);
    const count = this.count_(float);
    if (count.totalFen > rules.maxFloatFen) throw new AppError('shift.float_too_large', { max: formatFen(rules.maxFloatFen) });
    const at = clock().toISOString();
    db.transaction(() => {
      const other = unclosedShift(db, terminalId);
      if (other) throw new AppError('shift.already_open', { shiftId: other.shift_id, operatorId: other.operator_id });
      const payload = {
        eventId: stepEventId(requestId, 'opened'),
        shiftId: requestId,
        terminalId,
        operatorId: operator.operatorId,
        floatFen: count.totalFen,
        counts: piecesOf(count),
      };
      const entry = appendJournal(db, { type: 'shift.opened', ref: requestId, actor: operator.operatorId, at, payload });
      insertShift(db, { shiftId: requestId, terminalId, operatorId: operator.operatorId, openSeq: entry.seq, openedAt: at, floatFen: count.totalFen, floatCounts: JSON.stringify(piecesOf(count)) });
      enqueueOutbox(db, { eventId: payload.eventId, type: 'shift.opened', occurredAt: at, payload });
    }).immediate();
    this.deps.afterCommit();
    return this.view(this.row(requestId));
  }

  /** Cash into or out of the open drawer with a reason; a retried `requestId` returns the first movement. */
  move(kind: 'in' | 'out', p: { requestId: string; amount: string; reason: string; note?: string | undefined }, operator: OperatorView): DrawerMovementView {
    const { db, clock, terminalId, rules } = this.deps;
    const amountFen = moneyInput(p.amount, 'amount');
    const existing = movementByRequest(db, p.requestId);
    if (existing) {
      if (existing.kind !== kind || existing.amount_fen !== amountFen) throw new AppError('shift.request_conflict', { movementId: existing.movement_id });
      return movementView(existing);
    }
    if (amountFen > rules.maxMovementFen) throw new AppError('shift.movement_too_large', { max: formatFen(rules.maxMovementFen) });
    const now = clock();
    const movementId = uuidv7(() => now);
    db.transaction(() => {
      const shift = this.openShift(unclosedShift(db, terminalId));
      if (kind === 'out') {
        const inDrawer = this.totals(shift).expectedCashFen;
        if (amountFen > inDrawer) throw new AppError('shift.drawer_insufficient', { amount: formatFen(amountFen) });
      }
      writeMovement(db, { movementId, requestId: p.requestId, shiftId: shift.shift_id, kind, amountFen, reason: p.reason, note: p.note ?? '', ref: null, operatorId: operator.operatorId, at: now.toISOString() });
    }).immediate();
    this.deps.afterCommit();
    const row = movementByRequest(db, p.requestId);
    if (!row) throw new Error(`movement ${movementId} vanished after its commit`);
    return movementView(row);
  }

  /**
   * The blind count. The expected figure is computed and revealed only now, together with the
   * difference; the shift then takes no more money. Final: a recount would no longer be blind.
   */
  count(counts: DenominationCounts, operator: OperatorView): ShiftView {
    const { db, clock, terminalId, rules } = this.deps;
    const count = this.count_(counts);
    const at = clock().toISOString();
    let shiftId = '';
    db.transaction(() => {
      const shift = this.openShift(unclosedShift(db, terminalId));
      shiftId = shift.shift_id;
      const d = drawerDifference(rules, this.totals(shift).expectedCashFen, count.totalFen);
      const ok = markCounted(db, shift.shift_id, { countedAt: at, countedBy: operator.operatorId, counts: JSON.stringify(piecesOf(count)), countedFen: d.countedFen, expectedFen: d.expectedFen, differenceFen: d.differenceFen });
      if (!ok) throw new AppError('shift.already_counted');
      const payload = {
        eventId: stepEventId(shift.shift_id, 'counted'),
        shiftId: shift.shift_id,
        countedBy: operator.operatorId,
        countedFen: d.countedFen,
        expectedFen: d.expectedFen,
        differenceFen: d.differenceFen,
        counts: piecesOf(count),
      };
      appendJournal(db, { type: 'shift.counted', ref: shift.shift_id, actor: operator.operatorId, at, payload });
      enqueueOutbox(db, { eventId: payload.eventId, type: 'shift.counted', occurredAt: at, payload });
    }).immediate();
    this.deps.afterCommit();
    return this.view(this.row(shiftId));
  }

  /**
   * Close the counted shift. Over the limit, a supervisor approves with a reason (the shared
   * credential check: someone else, lockout, refusals journaled). Then the Z report prints.
   */
  async close(
    p: { reason?: string | undefined; supervisorId?: string | undefined; supervisorPin?: string | undefined; receiptLocale?: Locale | undefined },
    operator: OperatorView,
  ): Promise<ShiftView & { report: PrintOutcome }> {
    const { db, clock, terminalId, rules } = this.deps;
    const shift = unclosedShift(db, terminalId);
    if (!shift) throw new AppError('shift.not_open');
    if (shift.state !== 'counted' || shift.difference_fen === null) throw new AppError('shift.not_counted');
    // The request first, the PIN only then: nothing is tried for a close that could not happen.
    let approvedBy: string | null = null;
    if (Math.abs(shift.difference_fen) > rules.differenceApprovalFen) {
      if (p.supervisorId === undefined || p.supervisorPin === undefined || p.reason === undefined) {
        throw new AppError('shift.approval_required', { difference: formatFen(shift.difference_fen), limit: formatFen(rules.differenceApprovalFen) });
      }
      approvedBy = approve({ db, clock }, operator, { action: 'shift.close', ref: shift.shift_id, approverId: p.supervisorId, approverPin: p.supervisorPin }).operatorId;
    }
    const at = clock().toISOString();
    db.transaction(() => {
      const zNo = nextZNo(db);
      if (!markClosed(db, shift.shift_id, { closedAt: at, closedBy: operator.operatorId, approvedBy, reason: p.reason ?? null, zNo })) throw new AppError('shift.not_counted');
      const totals = this.totals(shift);
      const payload = {
        eventId: stepEventId(shift.shift_id, 'closed'),
        shiftId: shift.shift_id,
        zNo,
        closedBy: operator.operatorId,
        approvedBy,
        reason: p.reason ?? null,
        countedFen: shift.counted_fen,
        expectedFen: shift.expected_fen,
        differenceFen: shift.difference_fen,
        takingsFen: totals.takingsFen,
      };
      appendJournal(db, { type: 'shift.closed', ref: shift.shift_id, actor: operator.operatorId, at, payload });
      enqueueOutbox(db, { eventId: payload.eventId, type: 'shift.closed', occurredAt: at, payload });
    }).immediate();
    this.deps.afterCommit();
    const report = await this.print('z', shift.shift_id, p.receiptLocale, operator);
    return { ...this.view(this.row(shift.shift_id)), report };
  }

  /** The X report (the unclosed shift, now) or the Z report (a closed shift, the last by default). */
  report(kind: 'x' | 'z', shiftId: string | undefined, locale: Locale | undefined): Receipt {
    const shift = this.reportShift(kind, shiftId);
    return shiftReport(kind, this.view(shift), this.totals(shift), this.reportContext(locale), shift.counts === null ? null : this.count_(JSON.parse(shift.counts) as DenominationCounts));
  }

  /** Print a report; the outcome is journaled under the shift (like receipts), never undoing anything. */
  async print(kind: 'x' | 'z', shiftId: string | undefined, locale: Locale | undefined, operator: OperatorView): Promise<PrintOutcome> {
    const receipt = this.report(kind, shiftId, locale);
    const ref = this.reportShift(kind, shiftId).shift_id;
    let error = null;
    if (!this.deps.printer) error = toWireError(new DeviceError('device.not_found', { device: 'printer' }));
    else {
      try {
        await this.deps.printer.print(receipt);
      } catch (err) {
        error = toWireError(err);
      }
    }
    appendJournal(this.deps.db, {
      type: error ? 'shift.report_failed' : 'shift.report_printed',
      ref,
      actor: operator.operatorId,
      at: this.deps.clock().toISOString(),
      payload: error ? { kind, code: error.code } : { kind },
    });
    return { printed: error === null, error };
  }

  /** Shifts opened on a local day. */
  list(date: string): ShiftView[] {
    const { from, to } = localDayRange(date, this.deps.timeZone);
    return shiftsOpenedBetween(this.deps.db, from, to).map((s) => this.view(s));
  }

  /**
   * The shift's totals from the journal: everything from its shift.opened to its close (or now).
   * `read` — entries already parsed (a reconciliation's window) — is used when it covers that range.
   */
  totals(shift: ShiftRow, read?: readonly JournalRecord[]): ShiftTotals {
    const end = shift.state === 'closed' ? journalSeqOf(this.deps.db, shift.shift_id, 'shift.closed') ?? undefined : undefined;
    const first = read?.[0];
    const last = read?.at(-1);
    if (read && first && last && first.seq <= shift.open_seq && end !== undefined && last.seq >= end) {
      return shiftTotals(read.filter((e) => e.seq >= shift.open_seq && e.seq <= end), shift.shift_id);
    }
    return shiftTotals(parsed(journalSeqRange(this.deps.db, shift.open_seq, end)), shift.shift_id);
  }

  view(s: ShiftRow): ShiftView {
    return {
      shiftId: s.shift_id,
      operatorId: s.operator_id,
      operatorName: operatorName(this.deps.db, s.operator_id),
      state: s.state,
      openedAt: s.opened_at,
      floatFen: s.float_fen,
      countedAt: s.counted_at,
      countedFen: s.counted_fen,
      expectedFen: s.expected_fen,
      differenceFen: s.difference_fen,
      approvalRequired: s.difference_fen === null ? null : Math.abs(s.difference_fen) > this.deps.rules.differenceApprovalFen,
      closedAt: s.closed_at,
      closedBy: s.closed_by,
      approvedBy: s.approved_by,
      closeReason: s.close_reason,
      zNo: s.z_no,
    };
  }

  row(shiftId: string): ShiftRow {
    const row = shiftById(this.deps.db, shiftId);
    if (!row) throw new AppError('shift.not_found', { shiftId });
    return row;
  }

  private reportShift(kind: 'x' | 'z', shiftId: string | undefined): ShiftRow {
    const { db, terminalId } = this.deps;
    if (kind === 'x') {
      const s = shiftId ? this.row(shiftId) : unclosedShift(db, terminalId);
      if (!s || s.state === 'closed') throw new AppError('shift.not_open');
      return s;
    }
    const s = shiftId ? this.row(shiftId) : lastClosedShift(db, terminalId);
    if (!s) throw new AppError('shift.no_report');
    if (s.state !== 'closed') throw new AppError('shift.not_counted');
    return s;
  }

  private reportContext(locale: Locale | undefined): ReportContext {
    const lng = locale ?? this.deps.defaultLocale;
    const head = journalHead(this.deps.db);
    return {
      t: this.deps.translators[lng],
      header: this.deps.receipt.header,
      terminalId: this.deps.terminalId,
      timeZone: this.deps.timeZone,
      printedAt: this.deps.clock(),
      journalHead: head,
      name: (id) => operatorName(this.deps.db, id),
    };
  }

  private openShift(s: ShiftRow | undefined): ShiftRow {
    if (!s) throw new AppError('shift.not_open');
    if (s.state !== 'open') throw new AppError('shift.already_counted');
    return s;
  }

  private count_(counts: DenominationCounts): DrawerCount {
    const r = countDrawer(this.deps.rules, counts);
    if (!r.ok) throw new AppError('shift.bad_count', { denomination: r.id, ...(r.problem === 'bad_pieces' ? { pieces: r.pieces } : {}) });
    return r;
  }
}

/** Pieces per denomination, zero lines left out (what the journal and the backend keep). */
function piecesOf(count: DrawerCount): Record<string, number> {
  return Object.fromEntries(count.lines.filter((l) => l.pieces > 0).map((l) => [l.id, l.pieces]));
}

function movementView(m: { movement_id: string; shift_id: string; kind: 'in' | 'out'; amount_fen: number; reason: string; note: string; operator_id: string; created_at: string }): DrawerMovementView {
  return { movementId: m.movement_id, shiftId: m.shift_id, kind: m.kind, amountFen: m.amount_fen, reason: m.reason, note: m.note, operatorId: m.operator_id, createdAt: m.created_at };
}

/** Raw journal rows with their payloads parsed. */
export function parsed(rows: readonly { seq: number; at: string; type: string; ref: string; actor: string; payload: string }[]): JournalRecord[] {
  return rows.map((r) => ({ seq: r.seq, at: r.at, type: r.type, ref: r.ref, actor: r.actor, payload: JSON.parse(r.payload) as unknown }));
}
