import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeLateFee, type LateFeeBill } from '../../../main/domain/late-fee/compute-late-fee.js';
import { parseLateFeeRules, type LateFeeRules } from '../../../main/domain/late-fee/late-fee-schema.js';
import { loadLateFeeRules } from '../../../main/loaders/late-fee-rules.js';
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
