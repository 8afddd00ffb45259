/**
 * The credit model (main/domain/credit) on hand-worked customers, with the shipped rules
 * (resources/rules/credit.json). Weights: late payments 30, days late 10, times in arrears 12,
 * late fees 8, current arrears 12, violations 12, disconnections 6, prepaid 5, tenure 5.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCredit, gradeOfScore, measure, stepScore, visitAdvice, type CreditFacts, type CreditRules } from '../../../main/domain/credit/index.js';
import { parseCreditRules } from '../../../main/domain/credit/rules.js';
import { loadCreditRules } from '../../../main/loaders/credit-rules.js';
import type { AccountHistory } from '../../../main/wire/backend-wire.js';

const rules = loadCreditRules(path.join(process.cwd(), 'resources', 'rules', 'credit.json'));
const AS_OF = '2026-11-27';
/** Due dates of 2024-11 … 2026-10 as days after each period's first day (last day of the next month). */
const DUE = [60, 61, 58, 58, 60, 60, 60, 60, 61, 60, 60, 60, 60, 61, 58, 58, 60, 60, 60, 60, 61, 60, 60, 60];
const zeros = (n: number): number[] => Array.from({ length: n }, () => 0);

function history(over: Partial<AccountHistory> = {}): AccountHistory {
  return { since: '2008-03-01', to: '2026-10', billed: Array.from({ length: 24 }, () => 20_000), due: DUE, late: zeros(24), kwh: Array.from({ length: 24 }, () => 300), ...over };
}
function facts(h: AccountHistory | undefined, over: Partial<CreditFacts> = {}): CreditFacts {
  return { asOf: AS_OF, paymentMode: 'postpaid', history: h, bills: [{ period: '2026-10', dueDate: '2026-11-30', status: 'open' }], ...over };
}

describe('indicator steps (the shipped tables)', () => {
  const cases: [keyof CreditRules['indicators'], [number, number][]][] = [
    ['late_payments', [[0, 100], [1, 85], [2, 72], [3, 60], [4, 40], [5, 40], [6, 20], [8, 20], [9, 0]]],
    ['days_late', [[0, 100], [5, 90], [6, 70], [15, 70], [30, 45], [60, 20], [61, 0]]],
    ['arrears_times', [[0, 100], [1, 60], [2, 30], [3, 0]]],
    ['late_fees', [[0, 100], [2, 80], [5, 55], [10, 30], [11, 10]]],
    ['current_arrears', [[0, 100], [1, 60], [30, 60], [31, 25], [90, 25], [91, 0]]],
    ['violations', [[0, 100], [1, 40], [2, 15], [3, 0]]],
    ['disconnections', [[0, 100], [1, 50], [2, 15]]],
    ['prepaid', [[0, 60], [1, 85], [11, 85], [12, 100], [40, 100]]],
    ['tenure', [[0, 30], [1, 50], [2, 70], [4, 70], [5, 85], [9, 85], [10, 100]]],
  ];
  for (const [indicator, pairs] of cases) {
    it(indicator, () => {
      const rule = rules.indicators[indicator];
      if (rule === undefined) throw new Error(indicator);
      expect(pairs.map(([v]) => [v, stepScore(rule, v)])).toEqual(pairs);
    });
  }
  it('bands: 90 AAA, 80 AA, 70 A, 55 B, below C', () => {
    expect([100, 90, 89, 80, 79, 70, 69, 55, 54, 0].map((s) => gradeOfScore(s, rules.bands))).toEqual(['AAA', 'AAA', 'AA', 'AA', 'A', 'A', 'B', 'B', 'C', 'C']);
  });
});

describe('measuring the facts', () => {
  it('counts late payments in the last 12 billing months, their average days late, and overdue bills still open', () => {
    const late = zeros(24);
    late[3] = 40; // 2025-02: 13+ months back, not in the 12
    late[14] = 10;
    late[23] = -1; // 2026-10, due 2026-11-30: not overdue yet
    late[22] = -1; // 2026-09, due 2026-10-31: 27 days overdue today
    const m = measure(facts(history({ late }), { bills: [{ period: '2026-09', dueDate: '2026-10-31', status: 'open' }, { period: '2026-10', dueDate: '2026-11-30', status: 'open' }] }), rules);
    expect(m.values.late_payments).toBe(2);
    expect(m.values.days_late).toBe(Math.round((40 + 10 + 27) / 3));
    expect(m.values.current_arrears).toBe(27);
  });

  it('takes a bill paid here after the history was written as paid on that day (the new fact)', () => {
    const late = zeros(24);
    late[22] = -1;
    const m = measure(facts(history({ late }), { bills: [{ period: '2026-09', dueDate: '2026-10-31', status: 'paid', paidOn: '2026-11-20' }] }), rules);
    expect(m.values.late_payments).toBe(1);
    expect(m.values.days_late).toBe(20);
    expect(m.values.current_arrears).toBe(0);
  });

  it('counts violations (a theft as theftWeight breaches) and cut-offs of the last 24 months only; tenure in whole years; prepaid months', () => {
    const h = history({ since: '2020-11-28', violations: [{ d: '2024-11-01', k: 'theft' }, { d: '2025-01-05', k: 'breach' }, { d: '2026-06-01', k: 'theft' }], cutoffs: ['2024-10-01', '2026-02-02'], prepaidSince: '2026-05-20' });
    const m = measure(facts(h, { paymentMode: 'prepaid' }), rules);
    expect(m.values.violations).toBe(1 + 3 * 1);
    expect([m.breaches, m.thefts]).toEqual([1, 1]);
    expect(m.values.disconnections).toBe(1);
    expect(m.values.tenure).toBe(5);
    expect(m.values.prepaid).toBe(6);
  });
});

describe('hand-worked customers', () => {
  it('a long-standing good payer: 98, AAA; the one point lost is being postpaid', () => {
    const e = evaluateCredit(facts(history()), rules);
    // 100 everywhere but prepaid (postpaid: 60 × 5%): 10000 − 200 = 9800 → 98.
    expect(e.score).toBe(98);
    expect(e.grade).toBe('AAA');
    expect(e.reasons.map((r) => [r.i18nKey, r.points])).toEqual([
      ['credit.reason.prepaid', -2],
      ['credit.reason.late_payments_good', 0],
      ['credit.reason.arrears_times_good', 0],
    ]);
  });

  it('a late payer: paid late 5 times in 12 months: −18; 73, A', () => {
    const late = zeros(24);
    [12, 14, 16, 18, 20].forEach((i, k) => (late[i] = [10, 20, 5, 12, 8][k] ?? 0));
    const e = evaluateCredit(facts(history({ since: '2020-03-01', late, lateFees: 5 })), rules);
    // late 5 → 40: 1200 (−18); days 11 → 70: 700 (−3); late fees 5 → 55: 440 (−3.6 → −4);
    // prepaid 60: 300 (−2); tenure 6 y → 85: 425 (−0.75 → −1); the rest 100: 1200+1200+1200+600.
    expect(e.score).toBe(73); // 7265 → 72.65 → 73
    expect(e.grade).toBe('A');
    expect(e.reasons.map((r) => [r.i18nKey, r.params.value, r.points])).toEqual([
      ['credit.reason.late_payments', 5, -18],
      ['credit.reason.late_fees', 5, -4],
      ['credit.reason.days_late', 11, -3],
    ]);
  });

  it('a chronic payer in arrears: times in arrears, disconnection, overdue now — B, then C with a breach', () => {
    const late = zeros(24);
    [13, 15, 17, 19, 21].forEach((i) => (late[i] = 35));
    late[22] = -1; // 2026-09, 27 days overdue
    const h = history({ since: '2019-01-01', late, lateFees: 6, arrears: 2, cutoffs: ['2026-03-01'] });
    const bills = [{ period: '2026-09', dueDate: '2026-10-31', status: 'open' as const }];
    const e = evaluateCredit(facts(h, { bills }), rules);
    // late 6 → 20: 600; days (5×35+27)/6 = 33.7 → 34 → 20: 200; arrears 2 → 30: 360; fees 6 → 30: 240;
    // current 27 → 60: 720; violations 0: 1200; cut-offs 1 → 50: 300; prepaid 60: 300; tenure 7 → 85: 425.
    expect(e.score).toBe(43); // 4345 → 43.45
    expect(e.grade).toBe('C');
    const better = evaluateCredit(facts({ ...h, late: late.map((d) => (d === 35 ? 8 : d)), arrears: 0, cutoffs: [] }, { bills }), rules);
    // late 6 → 20: 600; days (5×8+27)/6 = 11.2 → 11 → 70: 700; arrears 0: 1200; fees 6 → 30: 240; current 27 → 60: 720;
    // violations 1200; cut-offs 600; prepaid 300; tenure 425 → 5985 → 60 → B.
    expect([better.score, better.grade]).toEqual([60, 'B']);
    const breach = evaluateCredit(facts({ ...h, late: late.map((d) => (d === 35 ? 8 : d)), arrears: 0, cutoffs: [], violations: [{ d: '2026-01-10', k: 'breach' }] }, { bills }), rules);
    // violations 1 → 40: 480 instead of 1200 → 5265 → 53 → C.
    expect([breach.score, breach.grade]).toEqual([53, 'C']);
    expect(breach.reasons[0]).toMatchObject({ i18nKey: 'credit.reason.late_payments', points: -24 });
  });

  it('a theft caps an otherwise good payer at C, whatever the score', () => {
    const e = evaluateCredit(facts(history({ violations: [{ d: '2026-04-01', k: 'theft' }] })), rules);
    expect(e.score).toBe(86); // 9800 − 1200
    expect(e.grade).toBe('C');
    expect(e.cappedBy).toBe('violations');
    expect(e.reasons[0]).toMatchObject({ i18nKey: 'credit.reason.violations', points: -12, params: { thefts: 1, breaches: 0 } });
  });

  it('a bill over 90 days overdue caps the grade at B', () => {
    const late = zeros(24);
    late[19] = -1; // 2026-06, due 2026-07-31: 119 days overdue
    const e = evaluateCredit(facts(history({ late }), { bills: [{ period: '2026-06', dueDate: '2026-07-31', status: 'open' }] }), rules);
    // late 1 → 85: 2550; days 119 → 0: 0; current 119 → 0: 0; prepaid 300; rest 1200+800+1200+600+500 → 7150 → 72 → A, capped B.
    expect(e.score).toBe(72);
    expect(e.grade).toBe('B');
    expect(e.cappedBy).toBe('current_arrears');
  });

  it('a steady prepaid customer since two years, a new one, and one without any history', () => {
    const prepaid = history({ since: '2016-01-01', billed: undefined, due: undefined, late: undefined, vends: Array.from({ length: 24 }, () => 2), prepaidSince: '2023-01-01' });
    const e = evaluateCredit(facts(prepaid, { paymentMode: 'prepaid', bills: [] }), rules);
    expect([e.score, e.grade]).toEqual([100, 'AAA']);
    const newcomer = evaluateCredit(facts(history({ since: '2026-06-15', billed: [20_000, 20_000, 20_000, 20_000], due: [61, 60, 60, 60], late: [0, 0, 0, -1], kwh: [1, 1, 1, 1] })), rules);
    // tenure 0 → 30: 150 (−3.5 → −4); prepaid −2 → 9450 → 95 (half up) → AAA.
    expect([newcomer.score, newcomer.grade]).toEqual([95, 'AAA']);
    const unknown = evaluateCredit(facts(undefined), rules);
    expect([unknown.score, unknown.grade]).toEqual([95, 'AAA']);
  });
});

describe('handling by grade', () => {
  it('fast lane for AAA/AA, stricter collection for B/C, the lowest grade flagged for a prepaid meter when postpaid', () => {
    expect(visitAdvice(rules, 'AAA', true, false)).toMatchObject({ fastLane: true, offerEBill: true, flagPrepaid: false, adviceKeys: ['credit.advice.fast_lane', 'credit.advice.offer_ebill'] });
    const c = visitAdvice(rules, 'C', true, true);
    expect(c).toMatchObject({ fastLane: false, flagPrepaid: true, strictCollection: true, reminderLeadDays: 10, followUpDays: 3 });
    expect(c.adviceKeys).toEqual(['credit.advice.prepaid_meter', 'credit.advice.collect_now', 'credit.advice.no_waiver_without_supervisor']);
    expect(visitAdvice(rules, 'C', false, false).adviceKeys).not.toContain('credit.advice.prepaid_meter');
    const lead = (['AAA', 'AA', 'A', 'B', 'C'] as const).map((g) => visitAdvice(rules, g, true, false).reminderLeadDays);
    expect(lead).toEqual([...lead].sort((a, b) => a - b));
  });
});

describe('the rules file', () => {
  it('refuses weights that do not add up to 100, bands out of order and steps out of order, naming the field', () => {
    const tree = JSON.parse(JSON.stringify(rules)) as { indicators: Record<string, { weight: number; steps: { upTo: number | null }[] }>; bands: Record<string, number> };
    const heavier = structuredClone(tree);
    if (heavier.indicators.tenure) heavier.indicators.tenure.weight = 6;
    expect(() => parseCreditRules(heavier, 'credit.json')).toThrow(/credit.json: indicators: weights add up to 101/);
    const bands = structuredClone(tree);
    bands.bands.AA = 95;
    expect(() => parseCreditRules(bands, 'credit.json')).toThrow(/bands must fall/);
    const steps = structuredClone(tree);
    steps.indicators.late_payments?.steps.reverse();
    expect(() => parseCreditRules(steps, 'credit.json')).toThrow(/late_payments/);
  });
});
