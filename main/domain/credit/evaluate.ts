/**
 * The credit model (信用评价): each indicator's measured value scored 0..100 through its step table,
 * weighted (weights in percent, adding up to 100), summed into a score 0..100, banded into a grade
 * AAA/AA/A/B/C, capped where a rule says so, and explained: the indicators that cost the most
 * points first, in plain words ("paid late 5 times in 12 months: −18"). Integer arithmetic only, so
 * the same facts give the same score on every machine.
 */
import { measure, type CreditFacts, type Measures } from './facts.js';
import { CREDIT_GRADES, INDICATORS, type CreditGradeLetter, type CreditRules, type Indicator, type IndicatorRule } from './rules.js';

export interface IndicatorScore {
  readonly indicator: Indicator;
  readonly value: number;
  /** 0..100 from the step table. */
  readonly subScore: number;
  readonly weight: number;
  /** Points this indicator took off a perfect 100, in hundredths of a point (weight × (100 − subScore)). */
  readonly lostCenti: number;
}

/** One line of explanation; the text is `i18nKey` in the locale with `params`. */
export interface CreditReason {
  readonly indicator: Indicator;
  readonly i18nKey: string;
  readonly params: Readonly<Record<string, number>>;
  /** Whole points lost (≤ 0): −18. 0 for a reason in the customer's favour. */
  readonly points: number;
}

export interface CreditEvaluation {
  /** 0..100. */
  readonly score: number;
  /** The grade the bands give, after caps. */
  readonly grade: CreditGradeLetter;
  readonly indicators: readonly IndicatorScore[];
  readonly reasons: readonly CreditReason[];
  /** The cap that lowered the grade, if one did. */
  readonly cappedBy?: Indicator;
}

/** A value's sub-score: 'up_to' steps are ascending bounds (value ≤ upTo), 'at_least' descending (value ≥ upTo). */
export function stepScore(rule: Pick<IndicatorRule, 'direction' | 'steps'>, value: number): number {
  for (const step of rule.steps) {
    if (step.upTo === null) return step.score;
    if (rule.direction === 'up_to' ? value <= step.upTo : value >= step.upTo) return step.score;
  }
  return rule.steps.at(-1)?.score ?? 0;
}

export function gradeOfScore(score: number, bands: CreditRules['bands']): CreditGradeLetter {
  if (score >= bands.AAA) return 'AAA';
  if (score >= bands.AA) return 'AA';
  if (score >= bands.A) return 'A';
  if (score >= bands.B) return 'B';
  return 'C';
}

/** The lower (worse) of two grades. */
export function worseGrade(a: CreditGradeLetter, b: CreditGradeLetter): CreditGradeLetter {
  return CREDIT_GRADES.indexOf(a) >= CREDIT_GRADES.indexOf(b) ? a : b;
}

export function evaluateCredit(facts: CreditFacts, rules: CreditRules): CreditEvaluation {
  return evaluateMeasures(measure(facts, rules), rules);
}

export function evaluateMeasures(m: Measures, rules: CreditRules): CreditEvaluation {
  const indicators: IndicatorScore[] = [];
  let totalCenti = 0;
  for (const indicator of INDICATORS) {
    const rule = rules.indicators[indicator];
    if (rule === undefined) continue;
    const value = m.values[indicator];
    const subScore = stepScore(rule, value);
    totalCenti += rule.weight * subScore;
    indicators.push({ indicator, value, subScore, weight: rule.weight, lostCenti: rule.weight * (100 - subScore) });
  }
  // Half up to a whole point: the one rounding of the score.
  const score = Math.floor((totalCenti + 50) / 100);
  let grade = gradeOfScore(score, rules.bands);
  let cappedBy: Indicator | undefined;
  for (const cap of rules.caps) {
    const hit = indicators.find((i) => i.indicator === cap.indicator);
    if (hit === undefined || hit.subScore > cap.atMostScore) continue;
    const capped = worseGrade(grade, cap.grade);
    if (capped !== grade) {
      grade = capped;
      cappedBy = cap.indicator;
    }
  }
  return { score, grade, indicators, reasons: reasonsOf(indicators, m, rules.topReasons), ...(cappedBy === undefined ? {} : { cappedBy }) };
}

/** The costliest indicators first; when fewer than `top` cost anything, the heaviest in the customer's favour fill up. */
function reasonsOf(indicators: readonly IndicatorScore[], m: Measures, top: number): CreditReason[] {
  const costly = indicators.filter((i) => i.lostCenti > 0).sort((a, b) => b.lostCenti - a.lostCenti || b.weight - a.weight);
  const favour = indicators.filter((i) => i.lostCenti === 0 && i.weight > 0).sort((a, b) => b.weight - a.weight);
  return [...costly, ...favour].slice(0, top).map((i) => {
    const points = i.lostCenti === 0 ? 0 : -Math.floor((i.lostCenti + 50) / 100);
    const params: Record<string, number> = { value: i.value, points };
    if (i.indicator === 'violations') {
      params.breaches = m.breaches;
      params.thefts = m.thefts;
    }
    return { indicator: i.indicator, i18nKey: `credit.reason.${i.indicator}${i.lostCenti === 0 ? '_good' : ''}`, params, points };
  });
}
