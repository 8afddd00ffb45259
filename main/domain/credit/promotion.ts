/**
 * Prepaid promotion (预付费推广): which postpaid customers to offer a prepaid meter, best first. A
 * candidate pays late repeatedly (the prepaid meter ends the chasing), uses a steady amount (a
 * prepaid budget works for them), and has a history long enough to say so; the worse the grade, the
 * stronger the case. Rules in resources/rules/promotion.json; the offer per candidate by grade.
 */
import { z } from 'zod';
import type { AccountHistory } from '../../wire/backend-wire.js';
import { CreditGradeLetterSchema, type CreditGradeLetter } from './rules.js';

export const PromotionRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** At least this many late payments in the last 12 billing months. */
    minLatePayments12: z.int().min(0).max(12),
    /** At least this many months of consumption known. */
    minMonths: z.int().min(1).max(24),
    /** Consumption steadier than this coefficient of variation (standard deviation ÷ mean, percent). */
    maxConsumptionCvPercent: z.int().min(1).max(500),
    /** Parts of the 0..100 rank: lateness, steadiness, grade. Add up to 100. */
    weights: z.object({ late: z.int().min(0).max(100), stability: z.int().min(0).max(100), grade: z.int().min(0).max(100) }).strict(),
    offerValidDays: z.int().min(1).max(365),
    /** The offer made to a candidate of each grade; the first that lists the grade. */
    offers: z.array(z.object({ id: z.string().regex(/^[a-z0-9_]{1,32}$/), grades: z.array(CreditGradeLetterSchema).min(1), bonusFen: z.int().min(0).max(100_000) }).strict()).min(1),
  })
  .strict()
  .refine((r) => r.weights.late + r.weights.stability + r.weights.grade === 100, { message: 'weights must add up to 100', path: ['weights'] });
export type PromotionRules = z.infer<typeof PromotionRulesSchema>;

export function parsePromotionRules(tree: unknown, source: string): PromotionRules {
  const parsed = PromotionRulesSchema.safeParse(tree);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid promotion rules — ${source}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}

export interface PromotionCandidate {
  /** 0..100, higher first. */
  readonly rank: number;
  readonly latePayments12: number;
  /** Mean monthly consumption, kWh. */
  readonly avgKwh: number;
  /** Coefficient of variation of monthly consumption, percent. */
  readonly cvPercent: number;
  readonly offerId: string;
  readonly bonusFen: number;
}

/** How much each grade adds to the case for prepaid, of the grade weight (percent). */
const GRADE_CASE: Record<CreditGradeLetter, number> = { C: 100, B: 70, A: 40, AA: 15, AAA: 0 };

/**
 * The account as a candidate, or null when it is not one (prepaid already, too little history, not
 * late often enough, consumption too uneven). `latePayments12` comes from the credit model's measure.
 */
export function promotionCandidate(
  input: { readonly paymentMode: 'postpaid' | 'prepaid'; readonly history: AccountHistory | undefined; readonly grade: CreditGradeLetter; readonly latePayments12: number },
  rules: PromotionRules,
): PromotionCandidate | null {
  if (input.paymentMode !== 'postpaid' || input.history === undefined) return null;
  if (input.latePayments12 < rules.minLatePayments12) return null;
  const kwh = input.history.kwh ?? [];
  if (kwh.length < rules.minMonths) return null;
  const mean = kwh.reduce((s, k) => s + k, 0) / kwh.length;
  if (mean <= 0) return null;
  const variance = kwh.reduce((s, k) => s + (k - mean) * (k - mean), 0) / kwh.length;
  const cvPercent = Math.round((Math.sqrt(variance) * 100) / mean);
  if (cvPercent > rules.maxConsumptionCvPercent) return null;
  const offer = rules.offers.find((o) => o.grades.includes(input.grade));
  if (offer === undefined) return null;
  const late = (Math.min(input.latePayments12, 8) * rules.weights.late) / 8;
  const steady = ((rules.maxConsumptionCvPercent - cvPercent) * rules.weights.stability) / rules.maxConsumptionCvPercent;
  const grade = (GRADE_CASE[input.grade] * rules.weights.grade) / 100;
  return { rank: Math.round(late + steady + grade), latePayments12: input.latePayments12, avgKwh: Math.round(mean), cvPercent, offerId: offer.id, bonusFen: offer.bonusFen };
}
