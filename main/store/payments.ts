/**
 * The payments repository: every row a money movement writes (payment, allocations, bill
 * settlement, balance) and the bills read for settlement. The SQL lives here and nowhere else;
 * the payment writer (main/services/payment-writer.ts) calls these inside the caller's
 * transaction, and never opens one itself except through `commitPayment`.
 */
import type { BillPaidState } from '../domain/settlement.js';
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
  /** 'completed', or 'voided' / 'refunded' once reversed. */
  readonly status: string;
  readonly shift_id: string | null;
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
  /** The shift the payment belongs to (null when the terminal keeps no shifts). */
  readonly shiftId?: string | null;
}

export function insertPayment(db: Db, p: NewPayment): void {
  stmt(
    db,
    `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen,
       to_balance_fen, operator_id, shift_id, external_ref, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?)`,
  ).run(p.paymentId, p.requestId, p.accountNo, p.method, p.amountFen, p.tenderedFen, p.changeFen, p.toBalanceFen, p.operatorId, p.shiftId ?? null, p.externalRef, p.createdAt);
}

/** One tender of a payment (how the money was handed over); a split tender writes several. */
export interface TenderRow {
  readonly method: 'cash' | 'qr' | 'code' | 'card';
  readonly amountFen: number;
  readonly tenderedFen: number | null;
  readonly changeFen: number;
  /** Gateway trade number (code, qr) or bank POS reference (card). */
  readonly externalRef: string | null;
  /** Merchant order number at the gateway (code, qr): refunds go by it. */
  readonly outTradeNo: string | null;
}

export function insertTender(db: Db, paymentId: string, seq: number, t: TenderRow): void {
  stmt(
    db,
    `INSERT INTO payment_tenders (payment_id, seq, method, amount_fen, tendered_fen, change_fen, external_ref, out_trade_no)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(paymentId, seq, t.method, t.amountFen, t.tenderedFen, t.changeFen, t.externalRef, t.outTradeNo);
}

export function paymentTenders(db: Db, paymentId: string): TenderRow[] {
  return stmt(
    db,
    `SELECT method, amount_fen AS amountFen, tendered_fen AS tenderedFen, change_fen AS changeFen, external_ref AS externalRef,
       out_trade_no AS outTradeNo FROM payment_tenders WHERE payment_id = ? ORDER BY seq`,
  ).all(paymentId) as TenderRow[];
}

/** Whether a bank POS reference number is already recorded (a reference belongs to one payment). */
export function cardReferenceUsed(db: Db, reference: string): boolean {
  return stmt(db, "SELECT 1 FROM payment_tenders WHERE method = 'card' AND external_ref = ?").get(reference) !== undefined;
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

/** The paid figures and dated principal payments of cached bills (those not cached are absent). */
export function billPaidStates(db: Db, billIds: readonly string[]): BillPaidState[] {
  return billIds.flatMap((billId) => {
    const b = stmt(db, 'SELECT paid_fen, late_fee_paid_fen FROM bills WHERE bill_id = ?').get(billId) as { paid_fen: number; late_fee_paid_fen: number } | undefined;
    if (!b) return [];
    const payments = stmt(db, 'SELECT payment_id AS paymentId, paid_on AS paidOn, principal_fen AS principalFen FROM bill_payments WHERE bill_id = ? ORDER BY paid_on, payment_id').all(
      billId,
    ) as BillPaidState['payments'][number][];
    return [{ billId, paidFen: b.paid_fen, lateFeePaidFen: b.late_fee_paid_fen, payments }];
  });
}

/**
 * A bill's paid figures after a void or refund (main/domain/settlement.ts `reverseSettlement`): the
 * bill is open again, something being owed on it. Its dated payments go with `dropBillPayments`.
 */
export function setBillPaid(db: Db, billId: string, paidFen: number, lateFeePaidFen: number): void {
  stmt(db, "UPDATE bills SET paid_fen = ?, late_fee_paid_fen = ?, status = 'open' WHERE bill_id = ?").run(paidFen, lateFeePaidFen, billId);
}

/** Forget a payment's dated bill payments (a reversed payment no longer lowers any late-fee base). */
export function dropBillPayments(db: Db, paymentId: string): void {
  stmt(db, 'DELETE FROM bill_payments WHERE payment_id = ?').run(paymentId);
}

/** The cached prepaid balance of an account (null when not cached). */
export function cachedBalance(db: Db, accountNo: string): number | null {
  const row = stmt(db, 'SELECT balance_fen FROM accounts WHERE account_no = ?').get(accountNo) as { balance_fen: number } | undefined;
  return row ? row.balance_fen : null;
}

export function setPaymentStatus(db: Db, paymentId: string, status: 'completed' | 'voided' | 'refunded'): void {
  stmt(db, 'UPDATE payments SET status = ? WHERE payment_id = ?').run(status, paymentId);
}

/** This terminal's payments of an account, newest first (the clerk voids or refunds from here). */
export function recentPayments(db: Db, accountNo: string, limit: number): PaymentRow[] {
  return stmt(db, 'SELECT * FROM payments WHERE account_no = ? ORDER BY created_at DESC, payment_id DESC LIMIT ?').all(accountNo, limit) as PaymentRow[];
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
  late_fee_waived_fen: number;
  due_date: string;
  status: 'open';
}

/** A cached bill as settlement reads it, with the late fee waived on it. */
export type SettlementBill = CachedBill & { readonly lateFeeWaivedFen: number };

/**
 * The account's open bills as settlement reads them (from the cache, inside the payment's
 * transaction) with their dated principal payments, and the customer class their late fees depend
 * on; undefined for an account not in the cache.
 */
export function billsForSettlement(db: Db, accountNo: string): { customerClass: CustomerClass; bills: SettlementBill[] } | undefined {
  const account = stmt(db, 'SELECT customer_class FROM accounts WHERE account_no = ?').get(accountNo) as { customer_class: CustomerClass } | undefined;
  if (!account) return undefined;
  const rows = stmt(
    db,
    `SELECT bill_id, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, late_fee_waived_fen, due_date, status FROM bills
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
      lateFeeWaivedFen: b.late_fee_waived_fen,
      dueDate: b.due_date,
      status: b.status,
      payments: payments.get(b.bill_id) ?? [],
    })),
  };
}

/** The late fee waived per cached bill of an account (bills with none are absent). */
export function waivedFeesOf(db: Db, accountNo: string): Map<string, number> {
  const rows = stmt(db, 'SELECT bill_id, late_fee_waived_fen FROM bills WHERE account_no = ? AND late_fee_waived_fen > 0').all(accountNo) as {
    bill_id: string;
    late_fee_waived_fen: number;
  }[];
  return new Map(rows.map((r) => [r.bill_id, r.late_fee_waived_fen]));
}
