/**
 * The payments repository: every row a money movement writes (payment, allocations, bill
 * settlement, balance) and the bills read for settlement. The SQL lives here and nowhere else;
 * the payment writer (main/services/payment-writer.ts) calls these inside the caller's
 * transaction, and never opens one itself except through `commitPayment`.
 */
import type { CustomerClass } from '../wire/backend-wire.js';
import { billPaymentsOf, type CachedBill } from './accounts.js';
import { stmt, type Db } from './db.js';

export interface PaymentRow {
  readonly payment_id: string;
  readonly request_id: string;
  readonly account_no: string;
  readonly method: string;
  readonly amount_fen: number;
  readonly tendered_fen: number | null;
  readonly change_fen: number;
  readonly to_balance_fen: number;
  readonly operator_id: string;
  readonly external_ref: string | null;
  readonly created_at: string;
}

export interface NewPayment {
  readonly paymentId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly method: string;
  readonly amountFen: number;
  readonly tenderedFen: number | null;
  readonly changeFen: number;
  readonly toBalanceFen: number;
  readonly operatorId: string;
  readonly externalRef: string | null;
  readonly createdAt: string;
}

export function insertPayment(db: Db, p: NewPayment): void {
  stmt(
    db,
    `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen,
       to_balance_fen, operator_id, external_ref, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?)`,
  ).run(p.paymentId, p.requestId, p.accountNo, p.method, p.amountFen, p.tenderedFen, p.changeFen, p.toBalanceFen, p.operatorId, p.externalRef, p.createdAt);
}

export function insertAllocation(db: Db, paymentId: string, a: { billId: string; principalFen: number; lateFeeFen: number }): void {
  stmt(db, 'INSERT INTO payment_allocations (payment_id, bill_id, principal_fen, late_fee_fen) VALUES (?, ?, ?, ?)').run(
    paymentId,
    a.billId,
    a.principalFen,
    a.lateFeeFen,
  );
}

/** The outbox sequence number of a payment's event (see AccountSnapshot.appliedSeq). */
export function setPaymentEventSeq(db: Db, paymentId: string, seq: number): void {
  stmt(db, 'UPDATE payments SET event_seq = ? WHERE payment_id = ?').run(seq, paymentId);
}

/** A dated principal payment of a bill, which later late fees replay (see CachedBill.payments). */
export function recordBillPayment(db: Db, billId: string, paymentId: string, paidOn: string, principalFen: number): void {
  stmt(db, 'INSERT INTO bill_payments (bill_id, payment_id, paid_on, principal_fen) VALUES (?, ?, ?, ?)').run(billId, paymentId, paidOn, principalFen);
}

/** Principal and late fee paid on a bill; `settled` (principal and fee both paid) closes it. */
export function settleBill(db: Db, billId: string, principalFen: number, lateFeeFen: number, settled: boolean): void {
  stmt(db, 'UPDATE bills SET paid_fen = paid_fen + ?, late_fee_paid_fen = late_fee_paid_fen + ?, status = ? WHERE bill_id = ?').run(
    principalFen,
    lateFeeFen,
    settled ? 'paid' : 'open',
    billId,
  );
}

export function creditBalance(db: Db, accountNo: string, fen: number): void {
  stmt(db, 'UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = ?').run(fen, accountNo);
}

export function paymentByRequest(db: Db, requestId: string): PaymentRow | undefined {
  return stmt(db, 'SELECT * FROM payments WHERE request_id = ?').get(requestId) as PaymentRow | undefined;
}

export function paymentById(db: Db, paymentId: string): PaymentRow | undefined {
  return stmt(db, 'SELECT * FROM payments WHERE payment_id = ?').get(paymentId) as PaymentRow | undefined;
}

export function paymentAllocations(db: Db, paymentId: string): { billId: string; period: string; principalFen: number; lateFeeFen: number }[] {
  return stmt(
    db,
    `SELECT a.bill_id AS billId, COALESCE(b.period, '') AS period, a.principal_fen AS principalFen, a.late_fee_fen AS lateFeeFen
     FROM payment_allocations a LEFT JOIN bills b ON b.bill_id = a.bill_id WHERE a.payment_id = ? ORDER BY b.due_date, a.bill_id`,
  ).all(paymentId) as { billId: string; period: string; principalFen: number; lateFeeFen: number }[];
}

interface SettlementBillRow {
  bill_id: string;
  period: string;
  consumption: number;
  amount_fen: number;
  paid_fen: number;
  late_fee_paid_fen: number;
  due_date: string;
  status: 'open';
}

/**
 * The account's open bills as settlement reads them (from the cache, inside the payment's
 * transaction) with their dated principal payments, and the customer class their late fees depend
 * on; undefined for an account not in the cache.
 */
export function billsForSettlement(db: Db, accountNo: string): { customerClass: CustomerClass; bills: CachedBill[] } | undefined {
  const account = stmt(db, 'SELECT customer_class FROM accounts WHERE account_no = ?').get(accountNo) as { customer_class: CustomerClass } | undefined;
  if (!account) return undefined;
  const rows = stmt(
    db,
    `SELECT bill_id, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, due_date, status FROM bills
     WHERE account_no = ? AND status = 'open' ORDER BY due_date, period, bill_id`,
  ).all(accountNo) as SettlementBillRow[];
  const payments = billPaymentsOf(db, accountNo);
  return {
    customerClass: account.customer_class,
    bills: rows.map((b) => ({
      billId: b.bill_id,
      period: b.period,
      consumption: b.consumption,
      amountFen: b.amount_fen,
      paidFen: b.paid_fen,
      lateFeePaidFen: b.late_fee_paid_fen,
      dueDate: b.due_date,
      status: b.status,
      payments: payments.get(b.bill_id) ?? [],
    })),
  };
}
