/**
 * Rules of the recovery-rate dashboard (resources/rules/recovery-dashboard.json): where the
 * arrears-ageing buckets end, how soon after a notice a payment counts as its success, and how
 * many months a dashboard may span. Utilities report ageing in different cuts, so none is in code.
 */
import { z } from 'zod';

export const RecoveryDashboardRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** Upper bounds (days past due, inclusive) of the ageing buckets, ascending; one more bucket holds the rest. */
    ageingBucketDays: z.array(z.int().min(1).max(3650)).min(1).max(10),
    /** A notice counts as paid when the account's arrears are paid within this many days of it. */
    noticePaidWithinDays: z.int().min(1).max(365),
    defaultMonths: z.int().min(1).max(24),
    maxMonths: z.int().min(1).max(24),
  })
  .strict()
  .refine((r) => r.ageingBucketDays.every((d, i, all) => i === 0 || d > (all[i - 1] as number)), {
    message: 'ageingBucketDays must be strictly ascending',
  })
  .refine((r) => r.defaultMonths <= r.maxMonths, { message: 'defaultMonths must not exceed maxMonths' });
export type RecoveryDashboardRules = z.infer<typeof RecoveryDashboardRulesSchema>;

export function parseRecoveryDashboardRules(input: unknown, source = 'recovery-dashboard rules'): RecoveryDashboardRules {
  const parsed = RecoveryDashboardRulesSchema.safeParse(input);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
