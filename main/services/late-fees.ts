import { computeLateFee, type LateFeeRules } from '../domain/late-fee/index.js';
import type { CachedAccount, CachedBill } from '../store/accounts.js';
import type { LateFeePolicy, LateFeeQuote } from './accounts.js';
import { daysBetween } from './clock.js';

/** The configured late-fee rules as the account service's policy; fee already paid is not charged again. */
export function lateFeePolicy(rules: LateFeeRules): LateFeePolicy {
  return ({ customerClass, unpaidFen, period, dueDate, asOf, alreadyPaidFen }) => {
    const c = computeLateFee({ period, dueDate, unpaidFen }, asOf, customerClass, rules);
    return { fen: Math.max(0, c.feeFen - alreadyPaidFen), ruleKey: c.ruleNameKey };
  };
}

/**
 * The late fee a cached bill owes on `asOf` under the policy: what the clerk is shown and what a
 * payment settles on that date are the same figure, from here.
 */
export function billLateFee(
  policy: LateFeePolicy,
  customerClass: CachedAccount['customerClass'],
  bill: CachedBill,
  asOf: string,
): LateFeeQuote & { readonly daysOverdue: number } {
  const outstandingFen = bill.amountFen - bill.paidFen;
  const daysOverdue = Math.max(0, daysBetween(bill.dueDate, asOf));
  if (daysOverdue === 0 || outstandingFen <= 0) return { fen: 0, ruleKey: '', daysOverdue };
  const fee = policy({
    customerClass,
    unpaidFen: outstandingFen,
    period: bill.period,
    dueDate: bill.dueDate,
    asOf,
    alreadyPaidFen: bill.lateFeePaidFen,
  });
  return { ...fee, daysOverdue };
}
