import { computeLateFee, type LateFeeRules } from '../domain/late-fee/index.js';
import type { LateFeePolicy } from './accounts.js';

/** The configured late-fee rules as the account service's policy; fee already paid is not charged again. */
export function lateFeePolicy(rules: LateFeeRules): LateFeePolicy {
  return ({ customerClass, unpaidFen, period, dueDate, asOf, alreadyPaidFen }) => {
    const c = computeLateFee({ period, dueDate, unpaidFen }, asOf, customerClass, rules);
    return { fen: Math.max(0, c.feeFen - alreadyPaidFen), ruleKey: c.ruleNameKey };
  };
}
