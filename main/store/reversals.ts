/**
 * Voids and refunds of payments (table payment_reversals). The reversal of the settlement itself
 * is written by the payment service through ./payments.ts (unsettleBill, dropBillPayments, …) in
 * the same transaction as the row's completion, its journal entry and its outbox event.
 */
import { stmt, type Db } from './db.js';

export interface ReversalRow {
  readonly reversal_id: string;
  readonly request_id: string;
  readonly payment_id: string;
  readonly account_no: string;
  readonly kind: 'void' | 'refund';
  readonly state: 'requested' | 'completed' | 'failed';
  readonly amount_fen: number;
  readonly reason_code: string;
  readonly note: string;
  readonly card_reference: string | null;
  readonly operator_id: string;
  readonly approved_by: string;
  readonly shift_id: string | null;
  readonly event_seq: number | null;
  readonly created_at: string;
  readonly completed_at: string | null;
}

export interface NewReversal {
  readonly reversalId: string;
  readonly requestId: string;
  readonly paymentId: string;
  readonly accountNo: string;
  readonly kind: 'void' | 'refund';
  readonly amountFen: number;
  readonly reasonCode: string;
  readonly note: string;
  readonly cardReference: string | null;
  readonly operatorId: string;
  readonly approvedBy: string;
  readonly shiftId: string | null;
  readonly createdAt: string;
}

export function insertReversal(db: Db, r: NewReversal): void {
  stmt(
    db,
    `INSERT INTO payment_reversals (reversal_id, request_id, payment_id, account_no, kind, state, amount_fen, reason_code, note,
       card_reference, operator_id, approved_by, shift_id, created_at)
     VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.reversalId, r.requestId, r.paymentId, r.accountNo, r.kind, r.amountFen, r.reasonCode, r.note, r.cardReference, r.operatorId, r.approvedBy, r.shiftId, r.createdAt);
}

export function markReversalCompleted(db: Db, reversalId: string, at: string, eventSeq: number): void {
  stmt(db, "UPDATE payment_reversals SET state = 'completed', completed_at = ?, event_seq = ? WHERE reversal_id = ?").run(at, eventSeq, reversalId);
}

export function markReversalFailed(db: Db, reversalId: string, at: string): void {
  stmt(db, "UPDATE payment_reversals SET state = 'failed', completed_at = ? WHERE reversal_id = ?").run(at, reversalId);
}

export function reversalById(db: Db, reversalId: string): ReversalRow | undefined {
  return stmt(db, 'SELECT * FROM payment_reversals WHERE reversal_id = ?').get(reversalId) as ReversalRow | undefined;
}

export function reversalByRequest(db: Db, requestId: string): ReversalRow | undefined {
  return stmt(db, 'SELECT * FROM payment_reversals WHERE request_id = ?').get(requestId) as ReversalRow | undefined;
}

/** The payment's reversal under way or done (a failed one does not count). */
export function activeReversalOf(db: Db, paymentId: string): ReversalRow | undefined {
  return stmt(db, "SELECT * FROM payment_reversals WHERE payment_id = ? AND state <> 'failed'").get(paymentId) as ReversalRow | undefined;
}

/** Reversals whose money is still being handed back through the gateway (resumed at start). */
export function requestedReversals(db: Db): ReversalRow[] {
  return stmt(db, "SELECT * FROM payment_reversals WHERE state = 'requested' ORDER BY created_at").all() as ReversalRow[];
}
