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

export interface NoticeOutcomeRow {
  readonly notice_id: string;
  readonly operator_id: string;
  readonly served_on: string;
  /** Bills the notice named that are not paid now. */
  readonly unpaid: number;
  /** The latest day a payment reached one of its bills (null: none dated here). */
  readonly last_paid: string | null;
}

/** Collection notices (the collection area's) naming a bill of billing months [fromPeriod, toPeriod], with what became of their bills. */
export function noticeOutcomes(db: Db, fromPeriod: string, toPeriod: string): NoticeOutcomeRow[] {
  return stmt(
    db,
    `SELECT n.notice_id, n.operator_id, n.served_on,
            (SELECT COUNT(*) FROM json_each(n.bills_json) j LEFT JOIN bills b ON b.bill_id = json_extract(j.value, '$.billId')
              WHERE b.status IS NOT 'paid') AS unpaid,
            (SELECT MAX(p.paid_on) FROM json_each(n.bills_json) j JOIN bill_payments p ON p.bill_id = json_extract(j.value, '$.billId')) AS last_paid
       FROM collection_notices n
      WHERE EXISTS (SELECT 1 FROM json_each(n.bills_json) j
                     WHERE json_extract(j.value, '$.period') >= ? AND json_extract(j.value, '$.period') <= ?)
      ORDER BY n.served_on`,
  ).all(fromPeriod, toPeriod) as NoticeOutcomeRow[];
}

export function operatorName(db: Db, operatorId: string): string {
  return (stmt(db, 'SELECT name FROM operators WHERE operator_id = ?').get(operatorId) as { name: string } | undefined)?.name ?? '';
}
