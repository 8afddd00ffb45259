/**
 * The service area's rules, resources/rules/service.json: the working-day calendar, complaint
 * deadlines by category, the service application types (fields, documents, the paper form they
 * replace) and the recommendation thresholds. Validated here; loaded by main/loaders/service-rules.ts.
 */
import { z } from 'zod';

const civilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const ruleId = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/);

/** The fields an application form may ask for; each has one validation rule (./applications.ts). */
export const APPLICATION_FIELDS = ['applicantName', 'idNumber', 'phone', 'address', 'capacityKva'] as const;
export type ApplicationField = (typeof APPLICATION_FIELDS)[number];

export const APPLICATION_TYPES = ['new_connection', 'capacity_increase', 'transfer', 'name_change', 'closure'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

export const CalendarSchema = z
  .object({
    /** Days of the week that are not working days (0 = Sunday). */
    weekend: z.array(z.int().min(0).max(6)).max(6),
    /** Public holidays (not working days even on a weekday). */
    holidays: z.array(civilDate),
    /** Weekend days worked in exchange for a holiday bridge (调休): working days. */
    workingWeekends: z.array(civilDate),
  })
  .strict();
export type WorkingCalendar = z.infer<typeof CalendarSchema>;

export const ComplaintCategorySchema = z
  .object({
    id: ruleId,
    kind: z.enum(['complaint', 'suggestion']),
    /** First reply to the customer within this many working days after the day of receipt. */
    replyWorkingDays: z.int().min(1).max(60),
    /** Resolved within this many working days after the day of receipt. */
    resolveWorkingDays: z.int().min(1).max(120),
  })
  .strict()
  .refine((c) => c.resolveWorkingDays >= c.replyWorkingDays, { message: 'resolve deadline before the reply deadline' });
export type ComplaintCategory = z.infer<typeof ComplaintCategorySchema>;

export const ApplicationTypeRuleSchema = z
  .object({
    id: z.enum(APPLICATION_TYPES),
    /** Changes to an existing account (all but a new connection). */
    needsAccount: z.boolean(),
    fields: z.array(z.enum(APPLICATION_FIELDS)).min(1),
    /** Documents the customer shows; the checklist ticks each. */
    documents: z.array(ruleId).min(1),
    /** The paper form this replaces, counted (seed §2.1: fewer fields and steps). */
    paperForm: z.object({ fields: z.int().min(1), steps: z.int().min(1) }).strict(),
  })
  .strict();
export type ApplicationTypeRule = z.infer<typeof ApplicationTypeRuleSchema>;

export const ServiceRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    calendar: CalendarSchema,
    ratings: z
      .object({
        /** The display offers a transaction for rating this long after it (then it is past). */
        windowMinutes: z.int().min(1).max(120),
        /** From the clerk's first look at the account to the transaction: longer is a "long service" outcome. */
        longServiceMinutes: z.int().min(1).max(600),
      })
      .strict(),
    complaints: z
      .object({
        /** A deadline this close (or passed) escalates the complaint. */
        escalateBeforeHours: z.int().min(0).max(240),
        categories: z.array(ComplaintCategorySchema).min(1),
      })
      .strict(),
    applications: z.object({ types: z.array(ApplicationTypeRuleSchema).min(1) }).strict(),
    recommendations: z
      .object({
        tou: z.object({ fromTariffs: z.array(z.string().min(1)).min(1), touTariff: z.string().min(1), minAnnualSavingFen: z.int().min(0) }).strict(),
        /** Postpaid accounts with at least this many late bills in 12 months are offered a prepaid meter. */
        prepaid: z.object({ minLateBills: z.int().min(1) }).strict(),
        /** Accounts that paid at this counter at least this often in 12 months are offered e-billing and auto-pay. */
        ebilling: z.object({ minCounterPayments: z.int().min(1) }).strict(),
        /** A declined recommendation is not offered again for this long. */
        declinedQuietDays: z.int().min(0).max(3650),
        seasons: z.object({ summer: z.array(z.int().min(1).max(12)), winter: z.array(z.int().min(1).max(12)) }).strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const cats = new Set<string>();
    for (const [i, c] of r.complaints.categories.entries()) {
      if (cats.has(c.id)) ctx.addIssue({ code: 'custom', path: ['complaints', 'categories', i, 'id'], message: `category ${c.id} listed twice` });
      cats.add(c.id);
    }
    const types = new Set<string>();
    for (const [i, t] of r.applications.types.entries()) {
      if (types.has(t.id)) ctx.addIssue({ code: 'custom', path: ['applications', 'types', i, 'id'], message: `type ${t.id} listed twice` });
      types.add(t.id);
    }
  });
export type ServiceRules = z.infer<typeof ServiceRulesSchema>;

export function parseServiceRules(raw: unknown, source: string): ServiceRules {
  const parsed = ServiceRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
