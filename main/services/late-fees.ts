import { computeLateFee, type LateFeeRules } from '../domain/late-fee/index.js';
import type { CachedAccount, CachedBill } from '../store/accounts.js';
import type { LateFeePolicy, LateFeeQuote } from './accounts.js';
import { daysBetween } from './clock.js';

/**
 * The configured late-fee rules as the account service's policy: the bill's payments are replayed
 * (each day on that day's principal) and the fee already paid is not charged again.
 */
export function lateFeePolicy(rules: LateFeeRules): LateFeePolicy {
  return ({ customerClass, unpaidFen, period, dueDate, asOf, alreadyPaidFen, payments = [] }) => {
    const c = computeLateFee({ period, dueDate, unpaidFen, payments }, asOf, customerClass, rules);
    return { fen: Math.max(0, c.feeFen - alreadyPaidFen), ruleKey: c.ruleNameKey, computation: c };
  };
}

/**
 * The late fee a cached bill owes on `asOf` under the policy: what the clerk is shown and what a
 * payment settles on that date are the same figure, from here. A fee a supervisor waived
 * (`waivedFen`) is owed no more than a fee already paid.
 */
export function billLateFee(
  policy: LateFeePolicy,
  customerClass: CachedAccount['customerClass'],
  bill: CachedBill,
  asOf: string,
  waivedFen = 0,
): LateFeeQuote & { readonly daysOverdue: number } {
  const outstandingFen = Math.max(0, bill.amountFen - bill.paidFen);
  const daysOverdue = Math.max(0, daysBetween(bill.dueDate, asOf));
  // An open bill owes its fee even once its principal is paid (a bill closes only when both are).
  if (daysOverdue === 0 || bill.status !== 'open') return { fen: 0, ruleKey: '', daysOverdue };
  const fee = policy({
    customerClass,
    unpaidFen: outstandingFen,
    period: bill.period,
    dueDate: bill.dueDate,
    asOf,
    alreadyPaidFen: bill.lateFeePaidFen + waivedFen,
    payments: bill.payments.map((p) => ({ date: p.paidOn, principalFen: p.principalFen })),
  });
  return { ...fee, daysOverdue };
}
