/**
 * The shifts repository (migration v8): shifts, drawer movements, and the reads the shift's
 * reports and the reconciliation need (journal since a shift opened or within a period, the
 * outbox and staff-queue state of events, vends of a period). Every write runs inside the
 * service's transaction next to its journal entry and outbox event; the SQL lives here only.
 */
import { stmt, type Db } from './db.js';

export type ShiftState = 'open' | 'counted' | 'closed';

export interface ShiftRow {
  readonly shift_id: string;
  readonly terminal_id: string;
  readonly operator_id: string;
  readonly state: ShiftState;
  readonly open_seq: number;
  readonly opened_at: string;
  readonly float_fen: number;
  readonly float_counts: string;
  readonly counted_at: string | null;
  readonly counted_by: string | null;
  readonly counts: string | null;
  readonly counted_fen: number | null;
  readonly expected_fen: number | null;
  readonly difference_fen: number | null;
  readonly closed_at: string | null;
  readonly closed_by: string | null;
  readonly approved_by: string | null;
  readonly close_reason: string | null;
  readonly z_no: number | null;
}

export interface NewShift {
  readonly shiftId: string;
  readonly terminalId: string;
  readonly operatorId: string;
  readonly openSeq: number;
  readonly openedAt: string;
  readonly floatFen: number;
  readonly floatCounts: string;
}

export function insertShift(db: Db, s: NewShift): void {
  stmt(
    db,
    `INSERT INTO shifts (shift_id, terminal_id, operator_id, state, open_seq, opened_at, float_fen, float_counts)
     VALUES (?, ?, ?, 'open', ?, ?, ?, ?)`,
  ).run(s.shiftId, s.terminalId, s.operatorId, s.openSeq, s.openedAt, s.floatFen, s.floatCounts);
}

/** The terminal's shift that is not closed yet (open, or counted and waiting to close), if any. */
export function unclosedShift(db: Db, terminalId: string): ShiftRow | undefined {
  return stmt(db, "SELECT * FROM shifts WHERE terminal_id = ? AND state <> 'closed'").get(terminalId) as ShiftRow | undefined;
}

export function shiftById(db: Db, shiftId: string): ShiftRow | undefined {
  return stmt(db, 'SELECT * FROM shifts WHERE shift_id = ?').get(shiftId) as ShiftRow | undefined;
}

/** The newest closed shift of the terminal (the last Z report). */
export function lastClosedShift(db: Db, terminalId: string): ShiftRow | undefined {
  return stmt(db, "SELECT * FROM shifts WHERE terminal_id = ? AND state = 'closed' ORDER BY z_no DESC LIMIT 1").get(terminalId) as ShiftRow | undefined;
}

/** Shifts opened in [fromIso, toIso). */
export function shiftsOpenedBetween(db: Db, fromIso: string, toIso: string): ShiftRow[] {
  return stmt(db, 'SELECT * FROM shifts WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at').all(fromIso, toIso) as ShiftRow[];
}

export interface ShiftCount {
  readonly countedAt: string;
  readonly countedBy: string;
  readonly counts: string;
  readonly countedFen: number;
  readonly expectedFen: number;
  readonly differenceFen: number;
}

/** open → counted; false when the shift was no longer open (someone else counted it first). */
export function markCounted(db: Db, shiftId: string, c: ShiftCount): boolean {
  return (
    stmt(
      db,
      `UPDATE shifts SET state = 'counted', counted_at = ?, counted_by = ?, counts = ?, counted_fen = ?, expected_fen = ?, difference_fen = ?
       WHERE shift_id = ? AND state = 'open'`,
    ).run(c.countedAt, c.countedBy, c.counts, c.countedFen, c.expectedFen, c.differenceFen, shiftId).changes === 1
  );
}

export interface ShiftClose {
  readonly closedAt: string;
  readonly closedBy: string;
  readonly approvedBy: string | null;
  readonly reason: string | null;
  readonly zNo: number;
}

/** counted → closed with the next Z number; false when it was not counted (or already closed). */
export function markClosed(db: Db, shiftId: string, c: ShiftClose): boolean {
  return (
    stmt(db, "UPDATE shifts SET state = 'closed', closed_at = ?, closed_by = ?, approved_by = ?, close_reason = ?, z_no = ? WHERE shift_id = ? AND state = 'counted'")
      .run(c.closedAt, c.closedBy, c.approvedBy, c.reason, c.zNo, shiftId).changes === 1
  );
}

/** Z reports are numbered per terminal without gaps: 1, 2, 3, … */
export function nextZNo(db: Db): number {
  return ((stmt(db, 'SELECT MAX(z_no) AS z FROM shifts').get() as { z: number | null }).z ?? 0) + 1;
}

export interface MovementRow {
  readonly movement_id: string;
  readonly request_id: string;
  readonly shift_id: string;
  readonly kind: 'in' | 'out';
  readonly amount_fen: number;
  readonly reason: string;
  readonly note: string;
  readonly ref: string | null;
  readonly operator_id: string;
  readonly created_at: string;
}

export function insertMovement(db: Db, m: MovementRow): void {
  stmt(
    db,
    `INSERT INTO drawer_movements (movement_id, request_id, shift_id, kind, amount_fen, reason, note, ref, operator_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(m.movement_id, m.request_id, m.shift_id, m.kind, m.amount_fen, m.reason, m.note, m.ref, m.operator_id, m.created_at);
}

export function movementByRequest(db: Db, requestId: string): MovementRow | undefined {
  return stmt(db, 'SELECT * FROM drawer_movements WHERE request_id = ?').get(requestId) as MovementRow | undefined;
}

export function shiftMovements(db: Db, shiftId: string): MovementRow[] {
  return stmt(db, 'SELECT * FROM drawer_movements WHERE shift_id = ? ORDER BY created_at, movement_id').all(shiftId) as MovementRow[];
}

export interface RawJournalRow {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly ref: string;
  readonly actor: string;
  readonly payload: string;
}

/** Journal entries from `fromSeq` (inclusive) up to `toSeq` (inclusive), payloads unparsed. */
export function journalSeqRange(db: Db, fromSeq: number, toSeq: number = Number.MAX_SAFE_INTEGER): RawJournalRow[] {
  return stmt(db, 'SELECT seq, at, type, ref, actor, payload FROM journal WHERE seq >= ? AND seq <= ? ORDER BY seq').all(fromSeq, toSeq) as RawJournalRow[];
}

/** Journal entries written in [fromIso, toIso) (index journal_at), payloads unparsed. */
export function journalBetween(db: Db, fromIso: string, toIso: string): RawJournalRow[] {
  return stmt(db, 'SELECT seq, at, type, ref, actor, payload FROM journal WHERE at >= ? AND at < ? ORDER BY seq').all(fromIso, toIso) as RawJournalRow[];
}

/** The seq of the newest entry of `type` about `ref` (e.g. a shift's shift.closed), or null. */
export function journalSeqOf(db: Db, ref: string, type: string): number | null {
  return (stmt(db, 'SELECT MAX(seq) AS seq FROM journal WHERE ref = ? AND type = ?').get(ref, type) as { seq: number | null }).seq;
}

/** Event ids still waiting in the outbox. */
export function pendingEventIds(db: Db): Set<string> {
  return new Set((stmt(db, 'SELECT event_id FROM outbox').all() as { event_id: string }[]).map((r) => r.event_id));
}

/** Events the backend refused (the staff queue), with the reason. */
export function rejectedEvents(db: Db): Map<string, string> {
  return new Map((stmt(db, 'SELECT event_id, reason FROM sync_rejections').all() as { event_id: string; reason: string }[]).map((r) => [r.event_id, r.reason]));
}

/** Vends by id with their amount (reconciliation joins the journal's steps to them). */
export function vendAmounts(db: Db, vendIds: readonly string[]): Map<string, { amountFen: number; method: string; shiftId: string | null }> {
  const out = new Map<string, { amountFen: number; method: string; shiftId: string | null }>();
  const q = stmt(db, 'SELECT amount_fen, method, shift_id FROM vends WHERE vend_id = ?');
  for (const id of vendIds) {
    const r = q.get(id) as { amount_fen: number; method: string; shift_id: string | null } | undefined;
    if (r) out.set(id, { amountFen: r.amount_fen, method: r.method, shiftId: r.shift_id });
  }
  return out;
}

/** Names for reports (operators table, kept for names on old receipts). */
export function operatorName(db: Db, operatorId: string): string {
  return (stmt(db, 'SELECT name FROM operators WHERE operator_id = ?').get(operatorId) as { name: string } | undefined)?.name ?? '';
}
export interface VendSteps {
  readonly paid: number;
  readonly credits: number;
  readonly cardWrites: number;
  readonly reversed: boolean;
  readonly refundFen: number;
}

/** What the journal says happened to one vend (all time, index journal_ref): payments, credits, card writes, reversal. */
export function vendJournalSteps(db: Db, vendId: string): VendSteps {
  const rows = stmt(
    db,
    `SELECT type, json_extract(payload, '$.delivery') AS delivery, json_extract(payload, '$.refundFen') AS refund FROM journal
     WHERE ref = ? AND type IN ('vend.paid', 'vend.token_issued', 'vend.delivered', 'vend.reversed')`,
  ).all(vendId) as { type: string; delivery: string | null; refund: number | null }[];
  let paid = 0;
  let credits = 0;
  let cardWrites = 0;
  let reversed = false;
  let refundFen = 0;
  for (const r of rows) {
    if (r.type === 'vend.paid') paid++;
    else if (r.type === 'vend.token_issued') credits++;
    else if (r.type === 'vend.delivered' && r.delivery === 'card') cardWrites++;
    else if (r.type === 'vend.reversed') {
      reversed = true;
      refundFen += r.refund ?? 0;
    }
  }
  return { paid, credits, cardWrites, reversed, refundFen };
}
