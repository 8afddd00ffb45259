/**
 * Prepaid points (预付费积分, issue 11 item 5): a prepaid purchase earns points for the energy it
 * bought — not the channel fee, the arrears it recovered or fixed charges, which are not a reward
 * for buying ahead. Rules in resources/rules/points.json; integers only.
 */
import { z } from 'zod';

export const PointsRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** Points per whole yuan of energy bought; 0 turns the scheme off. */
    pointsPerYuan: z.int().min(0).max(100),
    /** How a part of a yuan counts: dropped (floor) or from half a yuan up (half_up). */
    rounding: z.enum(['floor', 'half_up']),
    /** Payment methods that earn points. */
    methods: z.array(z.enum(['cash', 'qr'])).max(2),
    /** Whole calendar months a point lasts; null = points never expire. */
    expiryMonths: z.int().min(1).max(120).nullable(),
    /** Entries shown at the counter's account panel. */
    recentEntries: z.int().min(1).max(50),
  })
  .strict();
export type PointsRules = z.infer<typeof PointsRulesSchema>;

export function parsePointsRules(tree: unknown, source: string): PointsRules {
  const parsed = PointsRulesSchema.safeParse(tree);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid points rules — ${source}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/** The points a vend earns: energy fen × points per yuan ÷ 100, rounded by the rule; 0 for a method that does not earn. */
export function pointsFor(rules: PointsRules, vend: { readonly energyFen: number; readonly method: 'cash' | 'qr' }): number {
  if (!Number.isSafeInteger(vend.energyFen) || vend.energyFen < 0) throw new Error(`energyFen must be a non-negative integer: ${vend.energyFen}`);
  if (!rules.methods.includes(vend.method)) return 0;
  const hundredths = vend.energyFen * rules.pointsPerYuan;
  const whole = Math.floor(hundredths / 100);
  return rules.rounding === 'half_up' && hundredths % 100 >= 50 ? whole + 1 : whole;
}

/**
 * When points earned at `earnedAt` expire: the same instant `expiryMonths` calendar months later,
 * a day past the end of a shorter month clamped to its last day (31 Jan + 1 → 28/29 Feb). Null: never.
 */
export function pointsExpireAt(rules: PointsRules, earnedAt: Date): Date | null {
  if (rules.expiryMonths === null) return null;
  const y = earnedAt.getUTCFullYear();
  const m = earnedAt.getUTCMonth() + rules.expiryMonths;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(earnedAt);
  d.setUTCDate(1);
  d.setUTCMonth(m);
  d.setUTCDate(Math.min(earnedAt.getUTCDate(), lastDay));
  return d;
}
