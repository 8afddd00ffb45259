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
