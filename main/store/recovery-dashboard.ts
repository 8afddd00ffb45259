/**
 * What the recovery dashboard reads from this terminal's own store: its clerks' part in collecting
 * the bills of some billing months (the same receivable-period basis as the area's recovery rate).
 * Read-only; the SQL lives here and nowhere else.
 */
import { stmt, type Db } from './db.js';

export interface ClerkCollectionRow {
  readonly operator_id: string;
  readonly name: string | null;
  /** Payments that reached a bill of the months. */
  readonly payments: number;
  readonly accounts: number;
  /** Principal paid on those bills. */
  readonly principal_fen: number;
  /** Of it, paid after the bill's due date (欠费回收): the payment's day (UTC, as bill_payments dates it) is later. */
  readonly arrears_fen: number;
  readonly late_fee_fen: number;
}

/** Completed payments by clerk, on bills of billing months [fromPeriod, toPeriod]. */
export function clerkCollections(db: Db, fromPeriod: string, toPeriod: string): ClerkCollectionRow[] {
  return stmt(
    db,
    `SELECT p.operator_id, o.name,
            COUNT(DISTINCT p.payment_id) AS payments,
            COUNT(DISTINCT p.account_no) AS accounts,
            SUM(a.principal_fen) AS principal_fen,
            SUM(CASE WHEN substr(p.created_at, 1, 10) > b.due_date THEN a.principal_fen ELSE 0 END) AS arrears_fen,
            SUM(a.late_fee_fen) AS late_fee_fen
       FROM payments p
       JOIN payment_allocations a ON a.payment_id = p.payment_id
       JOIN bills b ON b.bill_id = a.bill_id
       LEFT JOIN operators o ON o.operator_id = p.operator_id
      WHERE p.status = 'completed' AND b.period >= ? AND b.period <= ?
      GROUP BY p.operator_id
      ORDER BY p.operator_id`,
  ).all(fromPeriod, toPeriod) as ClerkCollectionRow[];
}

/** Completed voids and refunds, by the clerk who took the payment back, of payments that reached bills of the months. */
export function clerkReversals(db: Db, fromPeriod: string, toPeriod: string): { operator_id: string; reversals: number }[] {
  return stmt(
    db,
    `SELECT r.operator_id, COUNT(*) AS reversals FROM payment_reversals r
      WHERE r.state = 'completed' AND EXISTS (
        SELECT 1 FROM payment_allocations a JOIN bills b ON b.bill_id = a.bill_id
         WHERE a.payment_id = r.payment_id AND b.period >= ? AND b.period <= ?)
      GROUP BY r.operator_id`,
  ).all(fromPeriod, toPeriod) as { operator_id: string; reversals: number }[];
}
