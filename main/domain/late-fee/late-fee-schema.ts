/**
 * Late-payment penalty (违约金) rules, resources/rules/late-fee.json. Rates are per day in parts
 * per million of the unpaid amount (0.1 %/day = 1000 ppm); money in fen.
 */
import { z } from 'zod';
import { CUSTOMER_CLASSES, CustomerClassSchema, MAX_CONFIG_FEN, parseConfig } from '../tariff/tariff-schema.js';

const dailyRatePpm = z.int().min(0).max(100_000).describe('per day, parts per million of the unpaid amount: 0.1 % = 1000');

/**
 * Which year the arrears belong to, for "carried from a previous year": the year of the due date
 * (default: a December bill due in January is not carried over until the next January), or the
 * year of the billing period.
 */
export const ARREARS_YEAR_BASES = ['due_date', 'bill_period'] as const;
export type ArrearsYearBasis = (typeof ARREARS_YEAR_BASES)[number];

export const LateFeeRuleSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** i18n key of the rule's display name shown to the clerk. */
  nameKey: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/),
  customerClasses: z.array(CustomerClassSchema).min(1),
  /** Days in the arrears' own year. */
  currentYearDailyRatePpm: dailyRatePpm,
  /** Days in any later year (arrears carried over). */
  previousYearDailyRatePpm: dailyRatePpm,
  /** Any fee that accrues is at least this much. */
  minimumFeeFen: z.int().min(0).max(MAX_CONFIG_FEN),
});
export type LateFeeRule = z.infer<typeof LateFeeRuleSchema>;

export const LateFeeRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    arrearsYearBasis: z.enum(ARREARS_YEAR_BASES),
    rules: z.array(LateFeeRuleSchema).min(1),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    for (const r of cfg.rules) {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules'], message: `duplicate rule id ${r.id}` });
      ids.add(r.id);
    }
    for (const cls of CUSTOMER_CLASSES) {
      const n = cfg.rules.filter((r) => r.customerClasses.includes(cls)).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', path: ['rules'], message: `customer class ${cls} must have exactly one rule, has ${n}` });
    }
  });
export type LateFeeRules = z.infer<typeof LateFeeRulesSchema>;

/** Throws TariffError `tariff.config_invalid` when the rules do not fit the schema. */
export function parseLateFeeRules(input: unknown, source = 'late-fee rules'): LateFeeRules {
  return parseConfig(LateFeeRulesSchema, input, source);
}
