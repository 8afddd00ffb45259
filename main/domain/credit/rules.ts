/**
 * The credit model's rules, resources/rules/credit.json: per indicator a weight and a step table
 * (measured value → sub-score 0..100), the grade bands over the weighted score, caps (an indicator
 * at or below a sub-score limits the grade whatever the rest says) and how grades are handled
 * (handling.ts). Loaded by the node tier (main/loaders/credit-rules.ts), validated here.
 */
import { z } from 'zod';

export const CREDIT_GRADES = ['AAA', 'AA', 'A', 'B', 'C'] as const;
export type CreditGradeLetter = (typeof CREDIT_GRADES)[number];
export const CreditGradeLetterSchema = z.enum(CREDIT_GRADES);

/**
 * The indicators, each a number measured from the facts (facts.ts says how):
 * late_payments: late payments in the last 12 months; days_late: average days late of the late
 * payments in 24 months; arrears_times: times in arrears in 24 months; late_fees: late-fee incidents
 * in 24 months; current_arrears: days the oldest unpaid bill is overdue today; violations: breaches
 * plus `theftWeight` per theft in 24 months; disconnections: cut-offs in 24 months; prepaid: months
 * on prepaid (0 = postpaid); tenure: whole years as a customer.
 */
export const INDICATORS = [
  'late_payments',
  'days_late',
  'arrears_times',
  'late_fees',
  'current_arrears',
  'violations',
  'disconnections',
  'prepaid',
  'tenure',
] as const;
export type Indicator = (typeof INDICATORS)[number];

const StepSchema = z
  .object({
    /** The step applies to values up to and including this; null: every value above the previous step. */
    upTo: z.int().nonnegative().nullable(),
    score: z.int().min(0).max(100),
  })
  .strict();

/** Steps in ascending `upTo`; `direction: 'at_least'` reads `upTo` as "from this value up" (descending). */
const IndicatorRuleSchema = z
  .object({
    /** Percent of the score; all weights add up to 100. */
    weight: z.int().min(0).max(100),
    /** 'up_to': values up to each step's bound (counts of bad things); 'at_least': values from each bound up (good things). */
    direction: z.enum(['up_to', 'at_least']),
    steps: z.array(StepSchema).min(1).max(20),
  })
  .strict();
export type IndicatorRule = z.infer<typeof IndicatorRuleSchema>;

const GradeTreatmentSchema = z
  .object({
    /** Fast lane: no second confirmation of a small overpayment, e-bill offered. */
    fastLane: z.boolean(),
    /** An overpayment up to this is taken without confirmation (fast lane only). */
    overpayNoConfirmFen: z.int().min(0).max(10_000_00),
    offerEBill: z.boolean(),
    /** Days before the due date the first reminder goes out (collect's worklist). */
    reminderLeadDays: z.int().min(0).max(60),
    /** Days between collection follow-ups once overdue. */
    followUpDays: z.int().min(1).max(90),
    /** Flag the account for a prepaid meter (a postpaid one). */
    flagPrepaid: z.boolean(),
    /** Ask for a supervisor's look before a payment plan or a late-fee waiver. */
    strictCollection: z.boolean(),
  })
  .strict();
export type GradeTreatment = z.infer<typeof GradeTreatmentSchema>;

export const CreditRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** A theft (窃电) counts as this many breaches (违约用电) in the violations indicator. */
    theftWeight: z.int().min(1).max(10),
    indicators: z.record(z.enum(INDICATORS), IndicatorRuleSchema),
    /** Lowest score (0..100) of each grade but the last, best first: AAA, AA, A, B (C is the rest). */
    bands: z.object({ AAA: z.int().min(0).max(100), AA: z.int().min(0).max(100), A: z.int().min(0).max(100), B: z.int().min(0).max(100) }).strict(),
    /** An indicator at or below `atMostScore` caps the grade at `grade`. */
    caps: z.array(z.object({ indicator: z.enum(INDICATORS), atMostScore: z.int().min(0).max(100), grade: CreditGradeLetterSchema }).strict()).max(20),
    /** How many reasons the counter shows. */
    topReasons: z.int().min(1).max(9),
    /** Handling per grade (differentiated service and collection). */
    treatment: z.record(CreditGradeLetterSchema, GradeTreatmentSchema),
  })
  .strict()
  .superRefine((r, ctx) => {
    const total = INDICATORS.reduce((s, i) => s + (r.indicators[i]?.weight ?? 0), 0);
    for (const i of INDICATORS) if (r.indicators[i] === undefined) ctx.addIssue({ code: 'custom', path: ['indicators', i], message: `indicator ${i} missing` });
    for (const g of CREDIT_GRADES) if (r.treatment[g] === undefined) ctx.addIssue({ code: 'custom', path: ['treatment', g], message: `treatment of ${g} missing` });
    if (total !== 100) ctx.addIssue({ code: 'custom', path: ['indicators'], message: `weights add up to ${total}, not 100` });
    const { AAA, AA, A, B } = r.bands;
    if (!(AAA > AA && AA > A && A > B)) ctx.addIssue({ code: 'custom', path: ['bands'], message: 'bands must fall from AAA to B' });
    for (const [name, rule] of Object.entries(r.indicators)) {
      const bounds = rule.steps.map((s) => s.upTo);
      if (bounds.slice(0, -1).some((b) => b === null)) ctx.addIssue({ code: 'custom', path: ['indicators', name, 'steps'], message: 'only the last step may be open (upTo null)' });
      const numbers = bounds.filter((b): b is number => b !== null);
      const ordered = rule.direction === 'up_to' ? numbers.every((b, i) => i === 0 || b > (numbers[i - 1] ?? -1)) : numbers.every((b, i) => i === 0 || b < (numbers[i - 1] ?? Infinity));
      if (!ordered) ctx.addIssue({ code: 'custom', path: ['indicators', name, 'steps'], message: `steps out of order for ${rule.direction}` });
      if (bounds.at(-1) !== null && rule.direction === 'up_to') ctx.addIssue({ code: 'custom', path: ['indicators', name, 'steps'], message: 'the last up_to step must be open (upTo null)' });
      if (rule.direction === 'at_least' && bounds.at(-1) !== 0) ctx.addIssue({ code: 'custom', path: ['indicators', name, 'steps'], message: 'the last at_least step must start at 0' });
    }
  });
export type CreditRules = z.infer<typeof CreditRulesSchema>;

/** Validates a parsed JSON tree; the error names the file and the field. */
export function parseCreditRules(tree: unknown, source: string): CreditRules {
  const parsed = CreditRulesSchema.safeParse(tree);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid credit rules — ${source}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}
