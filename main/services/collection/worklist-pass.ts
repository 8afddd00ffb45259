/**
 * One pass of the day's worklist over a range of account numbers: SQLite picks the candidates
 * (store/worklist-candidates.ts), the rules decide (domain/collection/worklist.ts). Everything it
 * reads besides the database is in `PassInputs`, plain data, so the same pass runs on the core's
 * connection or in a worker thread on its own (worklist-worker.ts).
 */
import { assessSums, dueSoonUntil, worklistDay, type CollectionRules, type LastTouchFact, type PromiseFact, type WorklistAssessment } from '../../domain/collection/index.js';
import type { Db } from '../../store/db.js';
import { worklistCandidates } from '../../store/worklist-candidates.js';

export interface PassInputs {
  readonly today: string;
  readonly rules: CollectionRules;
  /** Base price per tariff code (centifen per kWh). */
  readonly prices: ReadonlyMap<string, number>;
  readonly reminderLeadDays: Readonly<Record<string, number>>;
  readonly followUpDays: Readonly<Record<string, number>>;
  readonly promises: ReadonlyMap<string, readonly PromiseFact[]>;
  readonly touches: ReadonlyMap<string, LastTouchFact>;
}

export interface WorklistEntry extends WorklistAssessment {
  readonly customerClass: string;
  readonly grade: string | null;
}

/** What an account's credit grade changes in the rules: the reminder lead and the follow-up interval. */
export function gradeTreatment(
  byGrade: { readonly reminderLeadDays: Readonly<Record<string, number>>; readonly followUpDays?: Readonly<Record<string, number>> | undefined },
  grade: string | null,
): { reminderLeadDays: number | undefined; followUpDays: number | undefined } {
  if (grade === null) return { reminderLeadDays: undefined, followUpDays: undefined };
  return { reminderLeadDays: byGrade.reminderLeadDays[grade], followUpDays: byGrade.followUpDays?.[grade] };
}

/** Accounts in [from, to) (either end open when null), in account order. */
export function assessRange(db: Db, inputs: PassInputs, from: string | null, to: string | null): WorklistEntry[] {
  const { rules, prices } = inputs;
  const w = rules.worklist;
  const day = worklistDay(inputs.today, rules);
  const soonUntilByGrade = new Map(Object.entries(inputs.reminderLeadDays).map(([grade, lead]) => [grade, dueSoonUntil(day, lead)]));
  // SQLite sums the bills and passes over the accounts that cannot be on the list; the rules
  // read at most the last rateMonths + 1 months of consumption.
  const candidates = worklistCandidates(db, {
    today: inputs.today,
    soonUntilByGrade,
    soonUntil: day.soonUntil,
    usuallyLateMonths: w.usuallyLateMonths,
    usuallyLateTimes: w.usuallyLateTimes,
    occupiedMinKwh: w.occupiedMinKwh,
    nearZeroShare: w.nearZeroShare,
    tokensStoppedMonths: w.tokensStoppedMonths,
    prepaidRunOutDays: w.prepaidRunOutDays,
    maxCentifenPerKwh: Math.max(0, ...prices.values()),
    kwhMonths: w.rateMonths + 1,
    from,
    to,
  });
  const entries: WorklistEntry[] = [];
  for (const row of candidates) {
    const treatment = gradeTreatment(inputs, row.grade);
    const a = assessSums(
      {
        accountNo: row.accountNo,
        customerClass: row.customerClass,
        paymentMode: row.paymentMode,
        balanceFen: row.balanceFen,
        history: row.history,
        centifenPerKwh: prices.get(row.tariffCode) ?? 0,
        reminderLeadDays: treatment.reminderLeadDays,
        followUpDays: treatment.followUpDays,
      },
      row.sums,
      day,
      rules,
      inputs.promises.get(row.accountNo) ?? [],
      inputs.touches.get(row.accountNo) ?? null,
    );
    if (!a) continue;
    // Extended in place: a copy of each of a few hundred thousand entries is work for the GC.
    const entry = a as WorklistAssessment & { customerClass: string; grade: string | null };
    entry.customerClass = row.customerClass;
    entry.grade = row.grade;
    entries.push(entry);
  }
  return entries;
}
