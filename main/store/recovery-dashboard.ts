/**
 * What the recovery dashboard reads from this terminal's own store: its clerks' collection work in
 * a period (payments taken, principal and arrears recovered, late fees, reversals). Read-only; the
 * SQL lives here and nowhere else.
 */
import { stmt, type Db } from './db.js';

export interface ClerkCollectionRow {
  readonly operator_id: string;
  readonly name: string | null;
  readonly payments: number;
  readonly accounts: number;
  readonly amount_fen: number;
  readonly principal_fen: number;
  /** Principal on bills already past due when paid (欠费回收). */
  readonly arrears_fen: number;
  readonly late_fee_fen: number;
}

/**
 * Completed payments by clerk with created_at in [fromIso, toIso). Principal counts as arrears
 * recovered when the payment's day (UTC, as bill_payments dates them) is after the bill's due date.
 */
export function clerkCollections(db: Db, fromIso: string, toIso: string): ClerkCollectionRow[] {
  return stmt(
    db,
    `SELECT p.operator_id, o.name,
            COUNT(*) AS payments,
            COUNT(DISTINCT p.account_no) AS accounts,
            SUM(p.amount_fen) AS amount_fen,
            COALESCE(SUM(a.principal), 0) AS principal_fen,
            COALESCE(SUM(a.arrears), 0) AS arrears_fen,
            COALESCE(SUM(a.fees), 0) AS late_fee_fen
       FROM payments p
       LEFT JOIN operators o ON o.operator_id = p.operator_id
       LEFT JOIN (
         SELECT pa.payment_id,
                SUM(pa.principal_fen) AS principal,
                SUM(pa.late_fee_fen) AS fees,
                SUM(CASE WHEN b.due_date IS NOT NULL AND substr(pp.created_at, 1, 10) > b.due_date THEN pa.principal_fen ELSE 0 END) AS arrears
           FROM payment_allocations pa
           JOIN payments pp ON pp.payment_id = pa.payment_id
           LEFT JOIN bills b ON b.bill_id = pa.bill_id
          WHERE pp.created_at >= ? AND pp.created_at < ?
          GROUP BY pa.payment_id
       ) a ON a.payment_id = p.payment_id
      WHERE p.status = 'completed' AND p.created_at >= ? AND p.created_at < ?
      GROUP BY p.operator_id
      ORDER BY p.operator_id`,
  ).all(fromIso, toIso, fromIso, toIso) as ClerkCollectionRow[];
}

/** Completed voids and refunds by the clerk who took the payment back, in [fromIso, toIso). */
export function clerkReversals(db: Db, fromIso: string, toIso: string): { operator_id: string; reversals: number; fen: number }[] {
  return stmt(
    db,
    `SELECT operator_id, COUNT(*) AS reversals, SUM(amount_fen) AS fen FROM payment_reversals
      WHERE state = 'completed' AND created_at >= ? AND created_at < ? GROUP BY operator_id`,
  ).all(fromIso, toIso) as { operator_id: string; reversals: number; fen: number }[];
}
