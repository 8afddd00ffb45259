import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeLateFee, type LateFeeBill } from '../../../main/domain/late-fee/compute-late-fee.js';
import { parseLateFeeRules, type LateFeeRules } from '../../../main/domain/late-fee/late-fee-schema.js';
import { loadLateFeeRules } from '../../../main/loaders/late-fee-rules.js';
import { lateFeePolicy } from '../../../main/services/late-fees.js';
import { TariffError } from '../../../main/domain/tariff/error-codes.js';

const rules = loadLateFeeRules(join(import.meta.dirname, '..', '..', '..', 'resources', 'rules', 'late-fee.json'));
const noMinimum: LateFeeRules = parseLateFeeRules({ ...rules, rules: rules.rules.map((r) => ({ ...r, minimumFeeFen: 0 })) });

function bill(unpaidFen: number, dueDate: string, period = dueDate.slice(0, 7)): LateFeeBill {
  return { billId: 'B1', period, dueDate, unpaidFen };
}

describe('shipped defaults (DOMAIN.md)', () => {
  it('residential 0.1 %/day, others 0.2 % current year and 0.3 % carried over, minimum ¥1', () => {
    const res = rules.rules.find((r) => r.customerClasses.includes('residential'));
    const com = rules.rules.find((r) => r.customerClasses.includes('commercial'));
    expect([res?.currentYearDailyRatePpm, res?.previousYearDailyRatePpm, res?.minimumFeeFen]).toEqual([1000, 1000, 100]);
    expect([com?.currentYearDailyRatePpm, com?.previousYearDailyRatePpm, com?.minimumFeeFen]).toEqual([2000, 3000, 100]);
    for (const cls of ['industrial', 'agricultural'] as const) expect(rules.rules.find((r) => r.customerClasses.includes(cls))?.id).toBe(com?.id);
  });
});

describe('residential', () => {
  it('¥500 unpaid for 20 days: 20 × 0.1 % × 50000 = 1000 fen', () => {
    const fee = computeLateFee(bill(50_000, '2025-03-15'), '2025-04-04', 'residential', rules);
    expect(fee).toMatchObject({ days: 20, accruedFen: 1_000, feeFen: 1_000, minimumApplied: false, ruleId: 'residential', ruleNameKey: 'tariff.lateFee.rules.residential' });
    expect(fee.segments).toEqual([
      { fromDate: '2025-03-16', toDate: '2025-04-04', days: 20, kind: 'current_year', kindKey: 'tariff.lateFee.segmentKinds.current_year', dailyRatePpm: 1000, baseFen: 50_000, fen: 1_000 },
    ]);
  });

  it('uses the same rate across a year boundary, shown as two segments', () => {
    const fee = computeLateFee(bill(100_000, '2025-12-25'), '2026-01-05', 'residential', rules);
    expect(fee.segments.map((s) => [s.fromDate, s.toDate, s.days, s.kind, s.dailyRatePpm, s.fen])).toEqual([
      ['2025-12-26', '2025-12-31', 6, 'current_year', 1000, 600],
      ['2026-01-01', '2026-01-05', 5, 'previous_year', 1000, 500],
    ]);
    expect(fee.feeFen).toBe(1_100);
  });
});

describe('non-residential', () => {
  it.each(['commercial', 'industrial', 'agricultural'] as const)('%s: current-year arrears at 0.2 %/day', (cls) => {
    const fee = computeLateFee(bill(100_000, '2025-06-30'), '2025-07-10', cls, rules);
    expect([fee.days, fee.feeFen, fee.ruleId]).toEqual([10, 2_000, 'non_residential']);
  });

  it('days after the year boundary accrue at the previous-year rate', () => {
    // Dec 21–31: 11 × 0.2 % × 1000 yuan = 22 yuan; Jan 1–10: 10 × 0.3 % = 30 yuan
    const fee = computeLateFee(bill(100_000, '2025-12-20'), '2026-01-10', 'commercial', rules);
    expect(fee.segments.map((s) => [s.days, s.kind, s.dailyRatePpm, s.fen])).toEqual([
      [11, 'current_year', 2000, 2_200],
      [10, 'previous_year', 3000, 3_000],
    ]);
    expect([fee.days, fee.feeFen, fee.arrearsYear]).toEqual([21, 5_200, 2025]);
  });

  it('arrears due in an earlier year accrue wholly at the previous-year rate, over several years', () => {
    const fee = computeLateFee(bill(10_000, '2023-12-31'), '2025-01-02', 'industrial', rules);
    expect(fee.segments.map((s) => [s.fromDate, s.toDate, s.days, s.kind])).toEqual([
      ['2024-01-01', '2024-12-31', 366, 'previous_year'],
      ['2025-01-01', '2025-01-02', 2, 'previous_year'],
    ]);
    expect(fee.feeFen).toBe(368 * 30); // 0.3 % of 100 yuan = 30 fen a day
  });

  it('the year of the arrears follows the configured basis (due date vs billing period)', () => {
    const december = bill(100_000, '2026-01-15', '2025-12');
    expect(computeLateFee(december, '2026-01-25', 'commercial', rules).feeFen).toBe(10 * 200);
    const byPeriod = parseLateFeeRules({ ...rules, arrearsYearBasis: 'bill_period' });
    const fee = computeLateFee(december, '2026-01-25', 'commercial', byPeriod);
    expect([fee.arrearsYear, fee.feeFen]).toEqual([2025, 10 * 300]);
  });
});

describe('when nothing or little is owed', () => {
  it('paid on the due date, or before it: no fee and no segments', () => {
    for (const asOf of ['2025-03-15', '2025-03-01']) {
      const fee = computeLateFee(bill(50_000, '2025-03-15'), asOf, 'commercial', rules);
      expect([fee.days, fee.feeFen, fee.segments.length, fee.minimumApplied]).toEqual([0, 0, 0, false]);
    }
  });

  it('the day after the due date is one day late', () => {
    expect(computeLateFee(bill(100_000, '2025-03-15'), '2025-03-16', 'commercial', rules)).toMatchObject({ days: 1, feeFen: 200 });
  });

  it('a small accrued fee is raised to the minimum of ¥1, and shown as such', () => {
    const fee = computeLateFee(bill(5_000, '2025-03-15'), '2025-03-18', 'residential', rules);
    expect(fee).toMatchObject({ accruedFen: 15, minimumFeeFen: 100, minimumApplied: true, feeFen: 100 });
  });

  it('exactly the minimum is not flagged as raised', () => {
    expect(computeLateFee(bill(10_000, '2025-03-15'), '2025-03-25', 'residential', rules)).toMatchObject({ accruedFen: 100, minimumApplied: false, feeFen: 100 });
  });

  it('nothing unpaid: no minimum either', () => {
    expect(computeLateFee(bill(0, '2025-03-15'), '2025-05-01', 'residential', rules)).toMatchObject({ days: 47, feeFen: 0, minimumApplied: false });
  });
});

describe('after part-payments: each day on the principal outstanding that day', () => {
  const segs = (fee: ReturnType<typeof computeLateFee>) => fee.segments.map((x) => [x.fromDate, x.toDate, x.days, x.kind, x.dailyRatePpm, x.baseFen, x.fen]);

  it('¥1,000 due 03-15, ¥520 paid on 04-04 (¥20 fee + ¥500): on 04-24 ¥10 more is due (20 days on ¥500)', () => {
    // On 04-04, before paying: 20 days × 0.1 % × ¥1,000 = ¥20.
    expect(computeLateFee(bill(100_000, '2025-03-15'), '2025-04-04', 'residential', rules).feeFen).toBe(2_000);
    const after = { ...bill(50_000, '2025-03-15'), payments: [{ date: '2025-04-04', principalFen: 50_000 }] };
    const fee = computeLateFee(after, '2025-04-24', 'residential', rules);
    expect(segs(fee)).toEqual([
      ['2025-03-16', '2025-04-04', 20, 'current_year', 1000, 100_000, 2_000],
      ['2025-04-05', '2025-04-24', 20, 'current_year', 1000, 50_000, 1_000],
    ]);
    expect([fee.days, fee.accruedFen, fee.feeFen, fee.baseFen]).toEqual([40, 3_000, 3_000, 50_000]);
    // What the clerk is asked for: the accrual less the ¥20 already paid.
    const policy = lateFeePolicy(rules);
    const due = policy({ customerClass: 'residential', unpaidFen: 50_000, period: '2025-02', dueDate: '2025-03-15', asOf: '2025-04-24', alreadyPaidFen: 2_000, payments: after.payments });
    expect(due.fen).toBe(1_000);
  });

  it('a payment on the due date changes nothing after it: the base is what was left', () => {
    const paidOnDue = { ...bill(60_000, '2025-03-15'), payments: [{ date: '2025-03-15', principalFen: 40_000 }] };
    const fee = computeLateFee(paidOnDue, '2025-04-04', 'residential', rules);
    expect(segs(fee)).toEqual([['2025-03-16', '2025-04-04', 20, 'current_year', 1000, 60_000, 1_200]]);
    expect(fee).toEqual(computeLateFee(bill(60_000, '2025-03-15'), '2025-04-04', 'residential', rules));
    // Paid in full on the due date: nothing accrues.
    expect(computeLateFee({ ...bill(0, '2025-03-15'), payments: [{ date: '2025-03-15', principalFen: 100_000 }] }, '2025-04-04', 'residential', rules).feeFen).toBe(0);
  });

  it('two part-payments: three ranges, each with its own base', () => {
    const twice = { ...bill(50_000, '2025-03-15'), payments: [{ date: '2025-04-04', principalFen: 20_000 }, { date: '2025-03-25', principalFen: 30_000 }] };
    const fee = computeLateFee(twice, '2025-04-14', 'residential', rules);
    expect(segs(fee)).toEqual([
      ['2025-03-16', '2025-03-25', 10, 'current_year', 1000, 100_000, 1_000],
      ['2025-03-26', '2025-04-04', 10, 'current_year', 1000, 70_000, 700],
      ['2025-04-05', '2025-04-14', 10, 'current_year', 1000, 50_000, 500],
    ]);
    expect(fee.feeFen).toBe(2_200);
  });

  it('across a year boundary: previous-year rate on the base of each day (paid in January, and in December)', () => {
    // ¥1,000 due 2025-12-20; ¥600 principal paid on 2026-01-05; as of 2026-01-10.
    const january = computeLateFee({ ...bill(40_000, '2025-12-20'), payments: [{ date: '2026-01-05', principalFen: 60_000 }] }, '2026-01-10', 'commercial', rules);
    expect(segs(january)).toEqual([
      ['2025-12-21', '2025-12-31', 11, 'current_year', 2000, 100_000, 2_200],
      ['2026-01-01', '2026-01-05', 5, 'previous_year', 3000, 100_000, 1_500],
      ['2026-01-06', '2026-01-10', 5, 'previous_year', 3000, 40_000, 600],
    ]);
    expect(january.feeFen).toBe(4_300);
    // The same ¥600 paid on 2025-12-28 instead: the lower base runs on into the new year.
    const december = computeLateFee({ ...bill(40_000, '2025-12-20'), payments: [{ date: '2025-12-28', principalFen: 60_000 }] }, '2026-01-10', 'commercial', rules);
    expect(segs(december)).toEqual([
      ['2025-12-21', '2025-12-28', 8, 'current_year', 2000, 100_000, 1_600],
      ['2025-12-29', '2025-12-31', 3, 'current_year', 2000, 40_000, 240],
      ['2026-01-01', '2026-01-10', 10, 'previous_year', 3000, 40_000, 1_200],
    ]);
    expect(december.feeFen).toBe(3_040);
  });

  it('rounds the exact total once, and the minimum applies to the whole bill', () => {
    // 1 day on 123.45 yuan at 0.2 % = 24.69 fen, 1 day on 0.05 yuan = 0.01 fen: 24.70 → 25.
    const fee = computeLateFee({ ...bill(5, '2025-03-15'), payments: [{ date: '2025-03-16', principalFen: 12_340 }] }, '2025-03-17', 'commercial', noMinimum);
    expect(fee.segments.map((x) => [x.baseFen, x.fen])).toEqual([[12_345, 25], [5, 0]]);
    expect(fee.feeFen).toBe(25);
    const small = computeLateFee({ ...bill(1_000, '2025-03-15'), payments: [{ date: '2025-03-17', principalFen: 4_000 }] }, '2025-03-20', 'residential', rules);
    expect(small).toMatchObject({ accruedFen: 13, minimumApplied: true, feeFen: 100 });
  });

  it('refuses a bad payment date or amount', () => {
    expect(() => computeLateFee({ ...bill(1, '2025-01-15'), payments: [{ date: '2025-02-30', principalFen: 1 }] }, '2025-02-01', 'residential', rules)).toThrow(/date_invalid/);
    expect(() => computeLateFee({ ...bill(1, '2025-01-15'), payments: [{ date: '2025-01-20', principalFen: -1 }] }, '2025-02-01', 'residential', rules)).toThrow(/input_invalid/);
  });
});

describe('rounding, once, half up to the fen', () => {
  it('24.5 fen → 25, 24.498 fen → 24', () => {
    expect(computeLateFee(bill(12_250, '2025-03-15'), '2025-03-16', 'commercial', noMinimum).feeFen).toBe(25);
    expect(computeLateFee(bill(12_249, '2025-03-15'), '2025-03-16', 'commercial', noMinimum).feeFen).toBe(24);
  });

  it('segments are rounded on the running total so they add up to the fee', () => {
    // Dec 31 at 0.2 % of 333.33 yuan = 66.666 fen; Jan 1–2 at 0.3 % = 199.998; total 266.664 → 267
    const fee = computeLateFee(bill(33_333, '2025-12-30'), '2026-01-02', 'commercial', noMinimum);
    expect(fee.segments.map((s) => s.fen)).toEqual([67, 200]);
    expect(fee.feeFen).toBe(267);
  });
});

describe('dates are whole UTC days', () => {
  it('counts leap days and DST months by the calendar', () => {
    expect(computeLateFee(bill(100_000, '2024-01-31'), '2024-03-31', 'residential', rules).days).toBe(60);
    expect(computeLateFee(bill(100_000, '2025-03-01'), '2025-11-30', 'residential', rules).days).toBe(274);
  });

  it.each([['2025-02-29'], ['2025-13-01'], ['2025-1-5'], ['20250105'], ['']])('rejects %j as date_invalid', (date) => {
    expect(() => computeLateFee(bill(100, '2025-01-01'), date, 'residential', rules)).toThrow(/tariff\.date_invalid/);
    expect(() => computeLateFee(bill(100, date), '2025-01-01', 'residential', rules)).toThrow(/tariff\.date_invalid/);
  });

  it('rejects a bad billing period and a bad unpaid amount', () => {
    expect(() => computeLateFee({ period: '2025-13', dueDate: '2025-01-15', unpaidFen: 1 }, '2025-02-01', 'residential', rules)).toThrow(/date_invalid/);
    expect(() => computeLateFee(bill(-1, '2025-01-15'), '2025-02-01', 'residential', rules)).toThrow(/input_invalid/);
    expect(() => computeLateFee(bill(1.5, '2025-01-15'), '2025-02-01', 'residential', rules)).toThrow(/input_invalid/);
  });

  it('keeps huge figures exact or refuses them', () => {
    const fee = computeLateFee(bill(1_000_000_000_000, '2015-01-01'), '2025-01-01', 'commercial', rules);
    expect(fee.feeFen).toBe(fee.segments.reduce((s, x) => s + x.fen, 0));
    expect(Number.isSafeInteger(fee.feeFen)).toBe(true);
    expect(() => computeLateFee(bill(Number.MAX_SAFE_INTEGER, '2000-01-01'), '2025-01-01', 'commercial', rules)).toThrow(/result_out_of_range/);
  });
});

describe('schema rejects bad rules', () => {
  const bad = (patch: Record<string, unknown>): string => {
    try {
      parseLateFeeRules({ ...rules, ...patch });
    } catch (error) {
      if (error instanceof TariffError && error.code === 'tariff.config_invalid') return String(error.details.detail);
      throw error;
    }
    throw new Error('expected config_invalid');
  };
  const [res, other] = rules.rules;

  it.each([
    ['a customer class without a rule', { rules: [res] }, 'commercial'],
    ['a class with two rules', { rules: [res, other, { ...other, id: 'dup_class' }] }, 'exactly one'],
    ['duplicate rule ids', { rules: [res, { ...other, id: 'residential' }] }, 'duplicate'],
    ['a negative rate', { rules: [res, { ...other, currentYearDailyRatePpm: -1 }] }, 'currentYearDailyRatePpm'],
    ['a percentage written as a float', { rules: [res, { ...other, previousYearDailyRatePpm: 0.003 }] }, 'previousYearDailyRatePpm'],
    ['a fractional minimum', { rules: [{ ...res, minimumFeeFen: 0.5 }, other] }, 'minimumFeeFen'],
    ['an unknown year basis', { arrearsYearBasis: 'fiscal' }, 'arrearsYearBasis'],
    ['a missing display name', { rules: [{ ...res, nameKey: undefined }, other] }, 'nameKey'],
    ['a wrong schema version', { schemaVersion: 0 }, 'schemaVersion'],
  ])('%s', (_name, patch, mentions) => {
    expect(bad(patch)).toContain(mentions);
  });
});
