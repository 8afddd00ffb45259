/**
 * The collection rules, resources/rules/collection.json: when a reminder or a disconnection notice
 * (停电通知) may be served, how many days of written notice each customer class gets, which days a
 * disconnection may fall on (working days, holidays, month ends), and the thresholds of the daily
 * early-warning worklist. Figures are provincial and change, so none lives in code (DOMAIN.md).
 * Loaded by the node tier (main/loaders/collection-rules.ts), validated here.
 */
import { z } from 'zod';

const day = z.iso.date();

const ClassNotice = z
  .object({
    /** The oldest open bill must be more than this many days past due before a disconnection notice. */
    overdueDays: z.int().min(0).max(365),
    /** Whole days of written notice: the disconnection may fall no earlier than served + this. */
    noticeDays: z.int().min(0).max(90),
    /** A phone call this many hours before disconnecting (0: none required); printed on the notice. */
    callBeforeHours: z.int().min(0).max(168),
  })
  .strict();

export const CollectionRulesSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** ISO weekdays that are working days (1 Monday … 7 Sunday). */
    workingDays: z.array(z.int().min(1).max(7)).min(1).max(7),
    /** Public holidays (no disconnection, and a notice served on one counts from the next working day). */
    holidays: z.array(day).max(400),
    /** Working days swapped in by the holiday calendar (调休: a Saturday or Sunday worked). */
    workdaysOnWeekends: z.array(day).max(100),
    reminder: z.object({ overdueDays: z.int().min(0).max(365) }).strict(),
    disconnection: z
      .object({
        residential: ClassNotice,
        /** Every class other than residential. */
        other: ClassNotice,
        /**
         * A notice served on a non-working day: 'next_working_day' counts its days from the next
         * working day (the customer could not reach the hall that day); 'as_served' counts from the day itself.
         */
        servedOnNonWorkingDay: z.enum(['next_working_day', 'as_served']),
        /** A disconnection that would fall on a non-working day moves to the next working day. */
        onlyOnWorkingDays: z.boolean(),
        /**
         * Not in the last N days of a month (bank transfers and month-end billing settle then):
         * a date there moves to the first working day of the next month. 0 = no such rule.
         */
        monthEndLastDays: z.int().min(0).max(10),
      })
      .strict(),
    worklist: z
      .object({
        /** Overdue ageing buckets: upper bounds in days (e.g. [30, 60, 90] → 1–30, 31–60, 61–90, 90+). */
        ageBuckets: z.array(z.int().min(1).max(3650)).min(1).max(8),
        /** Bills due within this many days, for customers who usually pay late. */
        dueWithinDays: z.int().min(1).max(60),
        /** "Usually pays late": at least this many late payments … */
        usuallyLateTimes: z.int().min(1).max(24),
        /** … within this many months of history. */
        usuallyLateMonths: z.int().min(1).max(24),
        /** Prepaid balances that run out within this many days at the customer's own rate. */
        prepaidRunOutDays: z.int().min(1).max(90),
        /**
         * Days after the last contact or notice an account still overdue comes back for a follow-up,
         * for accounts without a credit grade (graded accounts use credit.json `treatment.<grade>.followUpDays`).
         */
        followUpDays: z.int().min(1).max(90),
        /** Months of history the consumption rate is averaged over. */
        rateMonths: z.int().min(1).max(12),
        /** Consumption "near zero": the last month below this share of the months before … */
        nearZeroShare: z.number().min(0).max(1),
        /** … when those months averaged at least this many kWh (the premises were occupied). */
        occupiedMinKwh: z.int().min(0).max(100_000),
        /** Last-minute buyers: at least this many run-dry disconnections within the last 12 months. */
        lastMinuteCutoffs: z.int().min(1).max(24),
        /** Tokens stopped: no purchase in the last N months after buying before. */
        tokensStoppedMonths: z.int().min(1).max(12),
      })
      .strict(),
  })
  .strict();
export type CollectionRules = z.infer<typeof CollectionRulesSchema>;

/** Validates a parsed JSON tree; the error names the file and the field. */
export function parseCollectionRules(tree: unknown, source: string): CollectionRules {
  const parsed = CollectionRulesSchema.safeParse(tree);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${source}: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid collection rules'}`);
  }
  return parsed.data;
}
