/**
 * What a grade means for this visit and for collection (差异化服务): the per-grade treatment of
 * resources/rules/credit.json, plus what the counter should say about it. Collect's worklist reads
 * `reminderLeadDays` and `followUpDays` from here.
 */
import type { CreditGradeLetter, CreditRules, GradeTreatment } from './rules.js';

export interface VisitAdvice extends GradeTreatment {
  readonly grade: CreditGradeLetter;
  /** Locale keys of what the clerk should do or offer now, in order. */
  readonly adviceKeys: readonly string[];
}

export function treatmentOf(rules: Pick<CreditRules, 'treatment'>, grade: CreditGradeLetter): GradeTreatment {
  const t = rules.treatment[grade];
  if (t === undefined) throw new Error(`no treatment for grade ${grade}`);
  return t;
}

/** The treatment and the clerk's advice for a visit; `postpaid`: a prepaid meter is only offered to postpaid accounts. */
export function visitAdvice(rules: Pick<CreditRules, 'treatment'>, grade: CreditGradeLetter, postpaid: boolean, overdue: boolean): VisitAdvice {
  const t = treatmentOf(rules, grade);
  const adviceKeys: string[] = [];
  if (t.fastLane) adviceKeys.push('credit.advice.fast_lane');
  if (t.offerEBill) adviceKeys.push('credit.advice.offer_ebill');
  if (t.flagPrepaid && postpaid) adviceKeys.push('credit.advice.prepaid_meter');
  if (t.strictCollection && overdue) adviceKeys.push('credit.advice.collect_now');
  if (t.strictCollection) adviceKeys.push('credit.advice.no_waiver_without_supervisor');
  if (adviceKeys.length === 0) adviceKeys.push('credit.advice.standard');
  return { ...t, grade, adviceKeys };
}
