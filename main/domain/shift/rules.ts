/**
 * The drawer's rules, resources/rules/shift.json: which notes and coins are counted, the cash
 * difference a clerk may close with on their own, and bounds on the float and single movements.
 * Money in fen. Loaded by the node tier (main/loaders/shift-rules.ts), validated here.
 */
import { z } from 'zod';

/** Largest configurable amount: ¥1,000,000.00. */
const ruleFen = z.int().min(0).max(100_000_000);

export const DenominationSchema = z
  .object({
    /** Stable id: the key of the count, of the locale label `shift.denom.<id>` and of the report lines. */
    id: z.string().regex(/^[a-z0-9_]{1,24}$/),
    kind: z.enum(['note', 'coin']),
    fen: z.int().min(1).max(100_000),
  })
  .strict();
export type Denomination = z.infer<typeof DenominationSchema>;

export const ShiftRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    currency: z.literal('CNY'),
    /** Counted in this order (largest first is what clerks expect). */
    denominations: z.array(DenominationSchema).min(1).max(30),
    /** A counted difference (short or over) above this needs a supervisor's approval with a reason. */
    differenceApprovalFen: ruleFen,
    /** The opening float may not exceed this. */
    maxFloatFen: ruleFen,
    /** One cash-in or cash-out may not exceed this. */
    maxMovementFen: ruleFen,
    /** Pieces of one denomination in one count (a typing slip of extra zeros is refused, not counted). */
    maxPiecesPerDenomination: z.int().min(1).max(1_000_000),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    for (const [i, d] of r.denominations.entries()) {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['denominations', i, 'id'], message: `denomination ${d.id} listed twice` });
      seen.add(d.id);
    }
  });
export type ShiftRules = z.infer<typeof ShiftRulesSchema>;

/** Validates a parsed JSON tree; the error names the file and the field. */
export function parseShiftRules(tree: unknown, source: string): ShiftRules {
  const parsed = ShiftRulesSchema.safeParse(tree);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid shift rules — ${source}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}
