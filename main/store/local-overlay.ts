/**
 * This terminal's voids, refunds and late-fee waivers that a backend snapshot does not hold yet,
 * laid over the snapshot by the same rule as its payments (main/store/accounts.ts): those numbered
 * above the snapshot's `appliedSeq`. Called by `cacheSnapshot` inside its transaction, after the
 * snapshot and the pending payments are written, so a refresh never "un-voids" a payment or
 * forgets a waiver, and never counts one twice.
 */
import type { AccountSnapshot } from '../wire/backend-wire.js';
import { stmt, type Db } from './db.js';

export function layOverLocalChanges(db: Db, snap: AccountSnapshot, heldThrough: number): void {
  const reversals = stmt(
    db,
    `SELECT r.payment_id AS paymentId, p.to_balance_fen AS toBalanceFen FROM payment_reversals r
     JOIN payments p ON p.payment_id = r.payment_id
     WHERE r.account_no = ? AND r.state = 'completed' AND r.event_seq > ?`,
  ).all(snap.accountNo, heldThrough) as { paymentId: string; toBalanceFen: number }[];
  for (const r of reversals) {
    // The payment's own allocations come off again (added just before if the payment is pending too).
    const allocations = stmt(db, 'SELECT bill_id AS billId, principal_fen AS principalFen, late_fee_fen AS lateFeeFen FROM payment_allocations WHERE payment_id = ?').all(
      r.paymentId,
    ) as { billId: string; principalFen: number; lateFeeFen: number }[];
    for (const a of allocations) {
      stmt(
        db,
        "UPDATE bills SET paid_fen = MAX(0, paid_fen - ?), late_fee_paid_fen = MAX(0, late_fee_paid_fen - ?), status = 'open' WHERE bill_id = ? AND account_no = ?",
      ).run(a.principalFen, a.lateFeeFen, a.billId, snap.accountNo);
    }
    if (r.toBalanceFen > 0) stmt(db, 'UPDATE accounts SET balance_fen = balance_fen - ? WHERE account_no = ?').run(r.toBalanceFen, snap.accountNo);
  }
  // A reversed payment's dated principal never lowers a late-fee base again, even while a snapshot lists it.
  stmt(
    db,
    `DELETE FROM bill_payments WHERE payment_id IN (
       SELECT payment_id FROM payments WHERE account_no = ? AND status IN ('voided', 'refunded'))`,
  ).run(snap.accountNo);
  // Waived late fees: the backend's figure plus this terminal's waivers it does not hold yet.
  for (const b of snap.bills) {
    const pending = (stmt(db, 'SELECT COALESCE(SUM(fen), 0) AS fen FROM late_fee_waivers WHERE bill_id = ? AND event_seq > ?').get(b.billId, heldThrough) as {
      fen: number;
    }).fen;
    stmt(db, 'UPDATE bills SET late_fee_waived_fen = ? WHERE bill_id = ?').run((b.lateFeeWaivedFen ?? 0) + pending, b.billId);
  }
}
