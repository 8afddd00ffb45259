/**
 * Gathers the four ways for a day (terminal's zone) or one shift — the drawers' counts, the
 * journal, the backend's ledger (asked online; null when it cannot be reached) and the vends'
 * credits — and hands them to the pure classifier (main/domain/shift/reconciliation.ts).
 */
import { AppError, type ReconciliationView, type ShiftView } from '../../contract/index.js';
import {
  eventMoneyFen,
  reconcile,
  type AdjustmentRecord,
  type JournalRecord,
  type LedgerRecord,
  type ShiftDrawerRecord,
  type TerminalEventRecord,
  type VendRecord,
} from '../../domain/shift/index.js';
import type { Db } from '../../store/db.js';
import { journalBetween, journalSeqOf, journalSeqRange, pendingEventIds, rejectedEvents, shiftsOpenedBetween, vendAmounts, vendJournalSteps, type ShiftRow } from '../../store/shifts.js';
import type { LedgerEntry } from '../../wire/backend-wire.js';
import type { Clock } from '../clock.js';
import { stepEventId } from '../vending/vend-store.js';
import { localDayRange } from './local-day.js';
import { parsed, type ShiftService } from './shift-service.js';


export interface ReconciliationDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly shifts: ShiftService;
  /** This terminal's events the backend holds in [from, to); rejects when the backend cannot be reached. */
  readonly ledger: (fromIso: string, toIso: string) => Promise<readonly LedgerEntry[]>;
}

export interface Period {
  readonly date?: string | undefined;
  readonly shiftId?: string | undefined;
}

/** Event types compared with the ledger whether or not the journal names their event id. */
const COMPARED = new Set([
  'payment.created',
  'vend.created',
  'vend.paid',
  'vend.token_issued',
  'vend.delivered',
  'vend.reversed',
  'vend.cancelled',
  'shift.opened',
  'shift.counted',
  'shift.closed',
  'cash.in',
  'cash.out',
]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The outbox event id of a journal entry: named in its payload (shift, drawer and later areas'
 * events), the payment id for payments, the vend step's derived id for vend steps; null when
 * the entry was never sent (receipts printed, approvals refused, …).
 */
export function eventIdOf(e: JournalRecord): string | null {
  const p = obj(e.payload);
  const named = str(p.eventId);
  if (named !== null) return named;
  if (e.type === 'payment.created') return e.ref;
  // Voids and refunds go out under their reversal id, late-fee waivers under their waiver id.
  if (e.type === 'payment.voided' || e.type === 'payment.refunded') return str(p.reversalId);
  if (e.type === 'late_fee.waived') return str(p.waiverId);
  if (e.type === 'vend.created') return stepEventId(e.ref, 'created');
  if (COMPARED.has(e.type) && e.type.startsWith('vend.')) {
    const to = str(p.to);
    return to === null ? null : stepEventId(e.ref, to);
  }
  return null;
}

/** Money a customer handed over: a bill payment (not a vend's own settlement) or a vend paid. */
function isTakings(type: string, payload: unknown): boolean {
  if (type === 'vend.paid') return true;
  if (type !== 'payment.created') return false;
  const p = obj(payload);
  const vendId = str(p.externalRef);
  return vendId === null || str(p.paymentId) !== stepEventId(vendId, 'settlement');
}

function refOf(eventId: string, payload: unknown): string {
  const p = obj(payload);
  return str(p.paymentId) ?? str(p.vendId) ?? str(p.movementId) ?? str(p.shiftId) ?? eventId;
}

export async function runReconciliation(deps: ReconciliationDeps, period: Period): Promise<ReconciliationView> {
  const { db, clock, shifts } = deps;
  if ((period.date === undefined) === (period.shiftId === undefined)) throw new AppError('reconciliation.bad_period');
  const now = clock();

  // The period, its shifts and its journal.
  let from: string;
  let to: string;
  let shiftRows: ShiftRow[];
  let entries: JournalRecord[];
  if (period.date !== undefined) {
    ({ from, to } = localDayRange(period.date, deps.timeZone));
    shiftRows = shiftsOpenedBetween(db, from, to);
    entries = parsed(journalBetween(db, from, to));
  } else {
    const shift = shifts.row(period.shiftId as string);
    shiftRows = [shift];
    const closedSeq = shift.state === 'closed' ? journalSeqOf(db, shift.shift_id, 'shift.closed') : null;
    from = shift.opened_at;
    to = new Date((shift.closed_at ? Date.parse(shift.closed_at) : now.getTime()) + 1).toISOString();
    entries = parsed(journalSeqRange(db, shift.open_seq, closedSeq ?? undefined));
  }

  // The whole window, for the drawers' totals; a shift's reconciliation keeps only what belongs to it.
  const window = entries;
  const shiftId = period.shiftId;
  let belongs: (type: string, ref: string, payload: unknown) => boolean = () => true;
  if (shiftId !== undefined) {
    const vendIds = new Set(entries.filter((e) => e.type === 'vend.created' && obj(e.payload).shiftId === shiftId).map((e) => e.ref));
    belongs = (type, ref, payload) => {
      const p = obj(payload);
      if (p.shiftId === shiftId || ref === shiftId) return true;
      const vendId = str(p.vendId) ?? (type.startsWith('vend.') ? ref : null);
      return vendId !== null && vendIds.has(vendId);
    };
    entries = entries.filter((e) => belongs(e.type, e.ref, e.payload));
  }

  // 2. The journal's events, with where each stands in sync.
  const pending = pendingEventIds(db);
  const rejected = rejectedEvents(db);
  const events: TerminalEventRecord[] = [];
  const compared = new Set(COMPARED);
  for (const e of entries) {
    const eventId = eventIdOf(e);
    if (eventId === null) continue;
    compared.add(e.type);
    events.push({
      eventId,
      type: e.type,
      ref: e.ref,
      amountFen: eventMoneyFen(e.type, e.payload),
      takings: isTakings(e.type, e.payload),
      sync: pending.has(eventId) ? 'pending' : rejected.has(eventId) ? 'rejected' : 'acknowledged',
      rejectReason: rejected.get(eventId),
    });
  }

  // 3. The backend's ledger for the same period (offline: null, the column stays empty).
  let ledger: LedgerRecord[] | null = null;
  try {
    ledger = (await deps.ledger(from, to))
      .filter((l) => compared.has(l.type) && belongs(l.type, refOf(l.eventId, l.payload), l.payload))
      .map((l) => ({ eventId: l.eventId, type: l.type, ref: refOf(l.eventId, l.payload), amountFen: eventMoneyFen(l.type, l.payload), takings: isTakings(l.type, l.payload) }));
  } catch {
    ledger = null;
  }

  // 4. Credits: every vend with a step in the period, its steps counted over the whole journal.
  const vendIds = [...new Set(entries.filter((e) => e.type.startsWith('vend.')).map((e) => e.ref))];
  const amounts = vendAmounts(db, vendIds);
  const vends: VendRecord[] = vendIds.map((vendId) => ({ vendId, amountFen: amounts.get(vendId)?.amountFen ?? 0, ...vendJournalSteps(db, vendId) }));

  // Voids, refunds and waivers the journal records in the period.
  const adjustments: AdjustmentRecord[] = [];
  for (const e of entries) {
    if (e.type.startsWith('vend.')) continue;
    const kind = /waive/.test(e.type) ? 'waived' : /(void|refund)/.test(e.type) ? 'void' : null;
    if (kind === null) continue;
    const p = obj(e.payload);
    const fen = eventMoneyFen(e.type, p) ?? (typeof p.waivedFen === 'number' ? p.waivedFen : 0);
    adjustments.push({ kind, type: e.type, ref: e.ref, amountFen: fen });
  }

  // 1. The drawers.
  const drawerRecords: ShiftDrawerRecord[] = shiftRows.map((s) => ({
    shiftId: s.shift_id,
    operatorId: s.operator_id,
    state: s.state,
    journalExpectedFen: shifts.totals(s, window).expectedCashFen,
    countedExpectedFen: s.expected_fen,
    countedFen: s.counted_fen,
  }));

  const result = reconcile({ shifts: drawerRecords, events, ledger, vends, adjustments });
  const views: ShiftView[] = shiftRows.map((s) => shifts.view(s));
  return {
    period: period.date !== undefined ? { kind: 'day', date: period.date } : { kind: 'shift', shiftId: period.shiftId as string },
    from,
    to,
    generatedAt: now.toISOString(),
    shifts: views,
    summary: result.summary,
    differences: result.differences,
  };
}
