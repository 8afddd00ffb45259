/**
 * How a payment is applied to an account: oldest open bill first, each bill's late fee before its
 * principal (the penalty accrued on the oldest debt is settled with it), and anything left over
 * becomes a prepayment balance. Pure: the caller supplies bills and fees as of the payment date.
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

export function settle(amountFen: number, bills: readonly OpenBill[]): Settlement {
  assertFen(amountFen);
  if (amountFen <= 0) throw new RangeError('payment amount must be positive');
  const ordered = [...bills].sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || a.period.localeCompare(b.period) || a.billId.localeCompare(b.billId),
  );
  let left = amountFen;
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
  return { allocations, toBalanceFen: left, totalDueFen: totalDue(bills) };
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
