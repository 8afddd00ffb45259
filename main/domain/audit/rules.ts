/**
 * The inspection rules, resources/rules/audit.json: which journal entries an auditor must look at
 * (稽查) and when ordinary work becomes an anomaly — a reprint, an approval, a cash difference, a
 * transaction outside opening hours, one account looked up again and again. Loaded by the node tier
 * (main/loaders/audit-rules.ts), validated here; the detection itself is ./anomalies.ts.
 */
import { z } from 'zod';
import { ANOMALY_KIND_NAMES } from './anomaly-kinds.js';

/** The kinds are the contract's (the report travels with them). */
export const ANOMALY_KINDS = ANOMALY_KIND_NAMES;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

const JournalType = z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/);
const PayloadField = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/);
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

/** One journal entry type that counts as an anomaly of a kind, optionally only past a threshold. */
export const EntryMatcherSchema = z
  .object({
    type: JournalType,
    /** Only when this numeric payload field is at least `value` (e.g. a token's second delivery). */
    atLeast: z.object({ field: PayloadField, value: z.number().int() }).strict().optional(),
    /** Only when a member of staff did it (the actor is not one of `machineActors`). */
    staffOnly: z.boolean().default(false),
  })
  .strict();
export type EntryMatcher = z.infer<typeof EntryMatcherSchema>;

export const AuditRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** Actors that are the terminal itself, not a person (resumes, the kiosk's own session). */
    machineActors: z.array(z.string().min(1)).max(20),
    /** Entry types per kind (kinds with their own rule below are not listed here). */
    entries: z
      .object({
        reversal: z.array(EntryMatcherSchema).max(20),
        reprint: z.array(EntryMatcherSchema).max(20),
        late_fee_waiver: z.array(EntryMatcherSchema).max(20),
        token_reissue: z.array(EntryMatcherSchema).max(20),
        card_recovery: z.array(EntryMatcherSchema).max(20),
      })
      .strict(),
    /** Someone else's approval: any entry whose payload names an approver in one of these fields. */
    approvals: z.object({ approverFields: z.array(PayloadField).min(1).max(10), refusedType: JournalType }).strict(),
    /** A shift closed with counted ≠ expected, at least this much either way. */
    cashDifference: z.object({ type: JournalType, field: PayloadField, minAbsFen: z.int().min(1).max(100_000_000) }).strict(),
    /**
     * Transactions outside opening hours, in the terminal's time zone. `days`: ISO weekdays the hall
     * is open (1 = Monday); `open`/`close`: local 'HH:MM' (close after open).
     */
    offHours: z
      .object({
        days: z.array(z.int().min(1).max(7)).max(7),
        open: Clock,
        close: Clock,
        types: z.array(JournalType).min(1).max(50),
      })
      .strict()
      .refine((o) => o.open < o.close, { message: 'close must be after open' }),
    /** One clerk looking the same account up at least `minLookups` times within `windowMinutes`. */
    repeatedLookups: z
      .object({ type: JournalType, minLookups: z.int().min(2).max(1000), windowMinutes: z.int().min(1).max(24 * 60) })
      .strict(),
  })
  .strict();
export type AuditRules = z.infer<typeof AuditRulesSchema>;

export function parseAuditRules(raw: unknown, source: string): AuditRules {
  const parsed = AuditRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: invalid audit rules at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
