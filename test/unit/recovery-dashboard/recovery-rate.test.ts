import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ageArrears,
  bucketIndex,
  daysPastDue,
  groupBy,
  noticeConversion,
  parseRecoveryDashboardRules,
  rateBp,
  total,
  type RecoveryCell,
} from '../../../main/domain/recovery-dashboard/index.js';
import { areaOf, historyLateFee } from '../../billing-backend/recovery-dashboard.js';
import { parseLateFeeRules } from '../../../main/domain/late-fee/late-fee-schema.js';

const cell = (over: Partial<RecoveryCell>): RecoveryCell => ({
  period: '2026-01',
  area: '湖滨区',
  customerClass: 'residential',
  grade: 'A',
  billedFen: 0,
  collectedFen: 0,
  collectedOnTimeFen: 0,
  bills: 0,
  paidBills: 0,
  lateFeeFen: 0,
  ...over,
});

describe('recovery rate arithmetic', () => {
  it('is collected ÷ billed in basis points, rounded half up once', () => {
    expect(rateBp(1, 3)).toBe(3333); // 33.333… %
    expect(rateBp(2, 3)).toBe(6667); // 66.666… % rounds up
    expect(rateBp(1, 8)).toBe(1250); // exactly 12.50 %
    expect(rateBp(1, 20_000)).toBe(1); // 0.005 % is half a basis point: up
    expect(rateBp(1, 20_001)).toBe(0); // just under half: down
    expect(rateBp(5, 5)).toBe(10_000);
  });

  it('is null, not 0 % or 100 %, when nothing was billed', () => {
    expect(rateBp(0, 0)).toBeNull();
  });

  it('stays exact past 2^53 intermediate values (a year of a large area)', () => {
    // 4e12 fen billed (40 billion yuan) — ×20,000 would lose precision in doubles.
    expect(rateBp(3_999_999_999_999, 4_000_000_000_000)).toBe(10_000);
    expect(rateBp(3_999_800_000_001, 4_000_000_000_000)).toBe(10_000); // 99.995000… % rounds up
    expect(rateBp(3_999_799_999_999, 4_000_000_000_000)).toBe(9999);
  });

  it('refuses negative or fractional figures', () => {
    expect(() => rateBp(-1, 10)).toThrow(RangeError);
    expect(() => rateBp(1.5, 10)).toThrow(RangeError);
  });

  it('groups cells by a dimension and sums before dividing (never averages rates)', () => {
    const cells = [
      // January, 湖滨区: 3 households billed 300.00, 2 paid (200.00, one of them late), one paid 50.00 in part.
      cell({ billedFen: 30_000, collectedFen: 25_000, collectedOnTimeFen: 10_000, bills: 3, paidBills: 2, lateFeeFen: 150 }),
      // January, 陕州区, commercial: one bill of 1,000.00 unpaid.
      cell({ area: '陕州区', customerClass: 'commercial', grade: 'C', billedFen: 100_000, bills: 1 }),
      // February, 湖滨区: one bill of 100.00 paid on time.
      cell({ period: '2026-02', billedFen: 10_000, collectedFen: 10_000, collectedOnTimeFen: 10_000, bills: 1, paidBills: 1 }),
    ];
    const byMonth = groupBy(cells, 'period');
    expect(byMonth.map((r) => r.key)).toEqual(['2026-01', '2026-02']);
    const jan = byMonth[0]!;
    expect(jan.billedFen).toBe(130_000);
    expect(jan.collectedFen).toBe(25_000);
    expect(jan.outstandingFen).toBe(105_000);
    expect(jan.rateBp).toBe(1923); // 25,000 / 130,000 = 19.2307… %
    expect(jan.householdRateBp).toBe(5000); // 2 of 4
    expect(jan.onTimeRateBp).toBe(769); // 10,000 / 130,000 = 7.6923… %
    const all = total(cells);
    expect(all.billedFen).toBe(140_000);
    expect(all.collectedFen).toBe(35_000);
    expect(all.rateBp).toBe(2500); // the mean of 19.23 % and 100 % would be 59.62 %: wrong
    expect(all.lateFeeFen).toBe(150);
    expect(groupBy(cells, 'area').map((r) => [r.key, r.rateBp])).toEqual([
      ['湖滨区', 8750], // 35,000 / 40,000
      ['陕州区', 0],
    ]);
    expect(groupBy(cells, 'grade').map((r) => r.key)).toEqual(['A', 'C']);
    expect(groupBy([], 'period')).toEqual([]);
    expect(total([]).rateBp).toBeNull();
  });
});

describe('arrears ageing', () => {
  const bounds = [30, 60, 90, 180, 365];

  it('counts days past due from the due date: 0 on it, 1 the day after', () => {
    expect(daysPastDue('2026-10-31', '2026-10-31')).toBe(0);
    expect(daysPastDue('2026-10-31', '2026-11-01')).toBe(1);
    expect(daysPastDue('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysPastDue('2024-02-28', '2024-03-01')).toBe(2); // leap year
    expect(daysPastDue('2025-12-31', '2026-11-27')).toBe(331);
    expect(daysPastDue('2026-12-31', '2026-11-27')).toBe(-34);
  });

  it('puts each bound in its own bucket, inclusive', () => {
    expect([-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 365, 366, 5000].map((d) => bucketIndex(d, bounds))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    ]);
  });

  it('ages outstanding amounts as of a day (hand-worked)', () => {
    const asOf = '2026-11-27';
    const buckets = ageArrears(
      [
        { dueDate: '2026-11-30', outstandingFen: 5_000, bills: 2 }, // not due yet
        { dueDate: '2026-11-27', outstandingFen: 1_000, bills: 1 }, // due today: not overdue
        { dueDate: '2026-10-31', outstandingFen: 7_000, bills: 3 }, // 27 days
        { dueDate: '2026-09-30', outstandingFen: 2_500, bills: 1 }, // 58 days
        { dueDate: '2026-08-31', outstandingFen: 4_000, bills: 1 }, // 88 days
        { dueDate: '2026-05-31', outstandingFen: 900, bills: 1 }, // 180 days: still 91–180
        { dueDate: '2026-05-30', outstandingFen: 800, bills: 1 }, // 181 days
        { dueDate: '2025-11-27', outstandingFen: 600, bills: 1 }, // 365 days
        { dueDate: '2025-11-26', outstandingFen: 300, bills: 1 }, // 366 days
        { dueDate: '2026-10-31', outstandingFen: 0, bills: 0 }, // nothing owed: ignored
      ],
      asOf,
      bounds,
    );
    expect(buckets.map((b) => [b.id, b.outstandingFen, b.bills])).toEqual([
      ['not_due', 6_000, 3],
      ['d1_30', 7_000, 3],
      ['d31_60', 2_500, 1],
      ['d61_90', 4_000, 1],
      ['d91_180', 900, 1],
      ['d181_365', 1_400, 2],
      ['over_365', 300, 1],
    ]);
    expect(buckets.at(-1)).toMatchObject({ fromDays: 366, toDays: null });
  });

  it('reads its buckets from the rules file and refuses unordered bounds', () => {
    const shipped = parseRecoveryDashboardRules(JSON.parse(readFileSync('resources/rules/recovery-dashboard.json', 'utf8')));
    expect(shipped.ageingBucketDays).toEqual(bounds);
    expect(() => parseRecoveryDashboardRules({ ...shipped, ageingBucketDays: [30, 30, 90] })).toThrow(/ascending/);
    expect(() => parseRecoveryDashboardRules({ ...shipped, defaultMonths: 30 })).toThrow();
  });
});

describe("the backend's rollup helpers", () => {
  it('finds the area (district) in a supply address', () => {
    expect(areaOf('河南省三门峡市湖滨区崤山路12号3栋2单元501室')).toBe('湖滨区');
    expect(areaOf('河南省三门峡市义马市千秋路8号')).toBe('义马市');
    expect(areaOf('河南省三门峡市卢氏县文化路1号')).toBe('卢氏县');
    expect(areaOf('somewhere else')).toBe('—');
  });

  it("charges a history month's late fee by the bill's rule, at least the minimum", () => {
    const rules = parseLateFeeRules(JSON.parse(readFileSync('resources/rules/late-fee.json', 'utf8')));
    expect(historyLateFee(rules, 'residential', 20_000, 10)).toBe(200); // 200.00 × 0.1 % × 10 = 2.00
    expect(historyLateFee(rules, 'residential', 5_000, 3)).toBe(100); // 0.15 → the 1-yuan minimum
    expect(historyLateFee(rules, 'commercial', 123_456, 7)).toBe(1728); // 1,234.56 × 0.2 % × 7 = 17.28384
    expect(historyLateFee(rules, 'commercial', 123_456, 0)).toBe(0);
  });
});

describe('notices sent → paid within N days', () => {
  it('counts a notice paid when all its bills were paid within N days of serving; unpaid ones inside the N days wait', () => {
    const today = '2026-11-27';
    const c = noticeConversion(
      [
        { servedOn: '2026-10-01', unpaid: 0, lastPaid: '2026-10-16' }, // day 15: in time
        { servedOn: '2026-10-01', unpaid: 0, lastPaid: '2026-10-17' }, // day 16: too late
        { servedOn: '2026-10-05', unpaid: 1, lastPaid: '2026-10-06' }, // part paid, days over: not paid
        { servedOn: '2026-11-20', unpaid: 2, lastPaid: null }, // 7 days old, unpaid: pending
        { servedOn: '2026-11-12', unpaid: 1, lastPaid: null }, // exactly 15 days old: still pending
        { servedOn: '2026-09-01', unpaid: 0, lastPaid: null }, // settled elsewhere, date unknown: paid
      ],
      15,
      today,
    );
    expect(c).toEqual({ withinDays: 15, sent: 6, paidWithin: 2, pending: 2, rateBp: 5000 });
    expect(noticeConversion([], 15, today)).toEqual({ withinDays: 15, sent: 0, paidWithin: 0, pending: 0, rateBp: null });
  });
});
