/**
 * How a payment is applied to an account: oldest open bill first, each bill's late fee before its
 * principal (the penalty accrued on the oldest debt is settled with it), and anything left over
 * becomes a prepayment balance. Pure: the caller supplies bills and fees as of the payment date.
 *
 * This is the ONE settlement rule for every money movement: a counter payment, the arrears a
 * prepaid vend recovers, and any later channel (kiosk, QR, bank card) all come here through the
 * payment writer (main/services/payment-writer.ts).
 */
import { assertFen } from './money.js';

export interface OpenBill {
  readonly billId: string;
  readonly period: string;
  readonly dueDate: string;
  /** Principal still unpaid. */
  readonly outstandingFen: number;
  /** Late fee accrued up to the payment date and not yet paid. */
  readonly lateFeeFen: number;
}

export interface Allocation {
  readonly billId: string;
  readonly principalFen: number;
  readonly lateFeeFen: number;
}

export interface Settlement {
  readonly allocations: readonly Allocation[];
  readonly toBalanceFen: number;
  readonly totalDueFen: number;
}

export function totalDue(bills: readonly OpenBill[]): number {
  return bills.reduce((sum, b) => sum + b.outstandingFen + b.lateFeeFen, 0);
}

export interface SettleOptions {
  /**
   * At most this much of the payment goes to bills; the rest goes straight to the balance. A vend
   * offers its recovered arrears to the bills and credits the remainder (under one energy step).
   * Default: the whole amount.
   */
  readonly maxToBillsFen?: number;
}

export function settle(amountFen: number, bills: readonly OpenBill[], options: SettleOptions = {}): Settlement {
  assertFen(amountFen);
  if (amountFen <= 0) throw new RangeError('payment amount must be positive');
  const toBills = options.maxToBillsFen ?? amountFen;
  assertFen(toBills);
  if (toBills < 0 || toBills > amountFen) throw new RangeError('the part offered to bills must lie between 0 and the amount');
  const ordered = [...bills].sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || a.period.localeCompare(b.period) || a.billId.localeCompare(b.billId),
  );
  let left = toBills;
  const allocations: Allocation[] = [];
  for (const bill of ordered) {
    if (left === 0) break;
    assertFen(bill.outstandingFen);
    assertFen(bill.lateFeeFen);
    const fee = Math.min(left, bill.lateFeeFen);
    left -= fee;
    const principal = Math.min(left, bill.outstandingFen);
    left -= principal;
    if (fee + principal > 0) allocations.push({ billId: bill.billId, principalFen: principal, lateFeeFen: fee });
  }
  return { allocations, toBalanceFen: left + (amountFen - toBills), totalDueFen: totalDue(bills) };
}

/**
 * Is the bill settled once this allocation is applied? Only when its principal AND its late fee
 * (as of the payment date) are both paid: a bill whose fee is still owed stays open for the fee.
 */
export function billSettledBy(bill: OpenBill, allocation: Allocation): boolean {
  return bill.outstandingFen - allocation.principalFen <= 0 && bill.lateFeeFen - allocation.lateFeeFen <= 0;
}

export type ChangeResult = { readonly ok: true; readonly changeFen: number } | { readonly ok: false; readonly shortFen: number };

/** Change for a cash payment; tendering less than the amount is refused, never a negative change. */
export function cashChange(amountFen: number, tenderedFen: number): ChangeResult {
  assertFen(amountFen);
  assertFen(tenderedFen);
  return tenderedFen >= amountFen
    ? { ok: true, changeFen: tenderedFen - amountFen }
    : { ok: false, shortFen: amountFen - tenderedFen };
}

/** What a payment changed on one bill, as the bill's paid figures and dated principal payments record it. */
export interface BillPaidState {
  readonly billId: string;
  /** Principal paid so far. */
  readonly paidFen: number;
  readonly lateFeePaidFen: number;
  /** Dated principal payments (late fees replay them), oldest first. */
  readonly payments: readonly { readonly paymentId: string; readonly paidOn: string; readonly principalFen: number }[];
}

/** The bills after a payment's allocations are applied on `paidOn` (what the payment writer writes). */
export function applySettlement(bills: readonly BillPaidState[], paymentId: string, paidOn: string, allocations: readonly Allocation[]): BillPaidState[] {
  const byBill = new Map(allocations.map((a) => [a.billId, a]));
  return bills.map((b) => {
    const a = byBill.get(b.billId);
    if (!a) return b;
    return {
      billId: b.billId,
      paidFen: b.paidFen + a.principalFen,
      lateFeePaidFen: b.lateFeePaidFen + a.lateFeeFen,
      payments: a.principalFen > 0 ? [...b.payments, { paymentId, paidOn, principalFen: a.principalFen }] : b.payments,
    };
  });
}

/**
 * The bills after a payment is voided or refunded: exactly its own allocations come off — principal
 * and late fee — and its dated principal payments are dropped, so a late fee computed afterwards
 * accrues as if the payment had never been made (later payments stay as they were). Refuses to
 * take off more than a bill shows paid: that would be a reversal of something else.
 */
export function reverseSettlement(bills: readonly BillPaidState[], paymentId: string, allocations: readonly Allocation[]): BillPaidState[] {
  const byBill = new Map(allocations.map((a) => [a.billId, a]));
  return bills.map((b) => {
    const a = byBill.get(b.billId);
    if (!a) return b;
    const paidFen = b.paidFen - a.principalFen;
    const lateFeePaidFen = b.lateFeePaidFen - a.lateFeeFen;
    if (paidFen < 0 || lateFeePaidFen < 0) throw new RangeError(`reversal of ${paymentId} takes more off bill ${b.billId} than it shows paid`);
    return { billId: b.billId, paidFen, lateFeePaidFen, payments: b.payments.filter((p) => p.paymentId !== paymentId) };
  });
}

export type TenderMethod = 'cash' | 'qr' | 'code' | 'card';

/** One way the money of a payment is handed over; only cash has a tendered sum and change. */
export interface TenderInput {
  readonly method: TenderMethod;
  readonly amountFen: number;
  /** Cash handed over (cash only; default: exactly the amount). */
  readonly tenderedFen?: number | null;
}

export type TendersCheck =
  | { readonly ok: true; readonly changeFen: number }
  | { readonly ok: false; readonly reason: 'sum'; readonly sumFen: number }
  | { readonly ok: false; readonly reason: 'duplicate_method'; readonly method: TenderMethod }
  | { readonly ok: false; readonly reason: 'cash_short'; readonly shortFen: number };

/**
 * A payment's tenders: positive parts that add up to the amount, each method at most once; the
 * cash part may be tendered with more (change), never less.
 */
export function checkTenders(amountFen: number, tenders: readonly TenderInput[]): TendersCheck {
  assertFen(amountFen);
  const seen = new Set<TenderMethod>();
  let sum = 0;
  let changeFen = 0;
  for (const t of tenders) {
    assertFen(t.amountFen);
    if (t.amountFen <= 0) throw new RangeError('a tender must be positive');
    if (seen.has(t.method)) return { ok: false, reason: 'duplicate_method', method: t.method };
    seen.add(t.method);
    sum += t.amountFen;
    if (t.method === 'cash' && t.tenderedFen !== undefined && t.tenderedFen !== null) {
      const c = cashChange(t.amountFen, t.tenderedFen);
      if (!c.ok) return { ok: false, reason: 'cash_short', shortFen: c.shortFen };
      changeFen = c.changeFen;
    }
  }
  if (sum !== amountFen) return { ok: false, reason: 'sum', sumFen: sum };
  return { ok: true, changeFen };
}
