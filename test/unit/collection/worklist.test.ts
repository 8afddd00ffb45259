import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessAccount, dailyKwh, daysLeft, daysInMonth, parseCollectionRules, suggestScript, type CollectionRules, type WorklistAccount } from '../../../main/domain/collection/index.js';

const rules: CollectionRules = parseCollectionRules(
  JSON.parse(readFileSync(path.join(__dirname, '../../../resources/rules/collection.json'), 'utf8')),
  'collection.json',
);
const TODAY = '2026-12-03';
const base: WorklistAccount = { accountNo: '1000000001', customerClass: 'residential', paymentMode: 'postpaid', balanceFen: 0, centifenPerKwh: 5600, openBills: [], history: null };

describe('days-left forecast', () => {
  it('months have their days', () => {
    expect(daysInMonth('2026-11')).toBe(30);
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysInMonth('2026-12')).toBe(31);
  });
  it('averages the last months by their days', () => {
    // Sep 30 + Oct 31 + Nov 30 = 91 days, 91 + 182 + 273 kWh = 546 → 6 kWh a day.
    expect(dailyKwh([999, 91, 182, 273], '2026-11', 3)).toBe(6);
    expect(dailyKwh([], '2026-11', 3)).toBeNull();
  });
  it('prices a day at the tariff and counts whole days', () => {
    // 6 kWh × 0.56 yuan = 336 fen a day; ¥20.00 lasts 5 whole days.
    expect(daysLeft(2000, 6, 5600)).toBe(5);
    expect(daysLeft(3360, 6, 5600)).toBe(10);
    expect(daysLeft(0, 6, 5600)).toBe(0);
    expect(daysLeft(-500, 6, 5600)).toBe(0);
    expect(daysLeft(2000, 0, 5600)).toBeNull();
  });
});

describe('worklist rules', () => {
  it('nothing to do for a paid-up account', () => {
    expect(assessAccount(base, TODAY, rules)).toBeNull();
  });

  it('overdue bills by age', () => {
    const a = assessAccount({ ...base, openBills: [{ amountFen: 12000, paidFen: 2000, dueDate: '2026-09-30' }, { amountFen: 5000, paidFen: 0, dueDate: '2026-11-30' }] }, TODAY, rules);
    expect(a?.reasons).toEqual([{ kind: 'overdue', fen: 15000, days: 64, bills: 2 }]);
    expect(a?.ageBucket).toBe(2); // 61–90
    expect(assessAccount({ ...base, openBills: [{ amountFen: 100, paidFen: 0, dueDate: '2026-12-02' }] }, TODAY, rules)?.ageBucket).toBe(0);
    expect(assessAccount({ ...base, openBills: [{ amountFen: 100, paidFen: 0, dueDate: '2026-08-01' }] }, TODAY, rules)?.ageBucket).toBe(3);
    // Due today is not overdue yet.
    expect(assessAccount({ ...base, openBills: [{ amountFen: 100, paidFen: 0, dueDate: TODAY }] }, TODAY, rules)).toBeNull();
  });

  it('due soon only for customers who usually pay late', () => {
    const bill = { amountFen: 8000, paidFen: 0, dueDate: '2026-12-08' };
    const late = [0, 0, 0, 5, 0, 12, 0, 0, 3, 0, 0, 0];
    const punctual = late.map(() => 0);
    expect(assessAccount({ ...base, openBills: [bill], history: { to: '2026-11', late: punctual } }, TODAY, rules)).toBeNull();
    expect(assessAccount({ ...base, openBills: [bill], history: { to: '2026-11', late } }, TODAY, rules)?.reasons).toEqual([
      { kind: 'due_soon_late_payer', fen: 8000, dueDate: '2026-12-08', lateTimes: 3 },
    ]);
    // Beyond the window: not yet.
    expect(assessAccount({ ...base, openBills: [{ ...bill, dueDate: '2026-12-11' }], history: { to: '2026-11', late } }, TODAY, rules)).toBeNull();
  });

  it('prepaid balance running out at the customer\'s own rate', () => {
    const prepaid: WorklistAccount = { ...base, paymentMode: 'prepaid', balanceFen: 2000, history: { to: '2026-11', kwh: [91, 182, 273], vends: [1, 1, 1] } };
    expect(assessAccount(prepaid, TODAY, rules)?.reasons).toEqual([{ kind: 'prepaid_running_out', daysLeft: 5, balanceFen: 2000, kwhPerDay: 6 }]);
    expect(assessAccount({ ...prepaid, balanceFen: 10_000 }, TODAY, rules)).toBeNull(); // 29 days
  });

  it('consumption suddenly near zero in occupied premises', () => {
    const h = { to: '2026-11', kwh: [200, 210, 190, 4] };
    expect(assessAccount({ ...base, history: h }, TODAY, rules)?.reasons).toEqual([{ kind: 'consumption_dropped', lastKwh: 4, usualKwh: 200 }]);
    // An empty holiday home was never "occupied".
    expect(assessAccount({ ...base, history: { to: '2026-11', kwh: [20, 30, 10, 0] } }, TODAY, rules)).toBeNull();
  });

  it('repeated purchases just before disconnection, and tokens that stopped', () => {
    const prepaid: WorklistAccount = { ...base, paymentMode: 'prepaid', balanceFen: 100_000, history: { to: '2026-11', kwh: [100, 100, 100], vends: [2, 2, 2], cutoffs: ['2026-03-02', '2026-07-14'] } };
    expect(assessAccount(prepaid, TODAY, rules)?.reasons).toEqual([{ kind: 'last_minute_buyer', cutoffs: 2 }]);
    const stopped: WorklistAccount = { ...prepaid, history: { to: '2026-11', kwh: [100, 100, 100, 100], vends: [2, 1, 0, 0], cutoffs: [] } };
    expect(assessAccount(stopped, TODAY, rules)?.reasons).toEqual([{ kind: 'tokens_stopped', months: 2, lastKwh: 100 }]);
  });

  it('a promise that lapsed yesterday', () => {
    const owing: WorklistAccount = { ...base, openBills: [{ amountFen: 5000, paidFen: 0, dueDate: '2026-11-20' }] };
    const promise = { contactId: 'c1', promisedOn: '2026-12-02', promisedFen: 5000 };
    expect(assessAccount(owing, TODAY, rules, [promise])?.reasons.map((r) => r.kind)).toEqual(['overdue', 'promise_lapsed']);
    // Not before the day after the promised date.
    expect(assessAccount(owing, '2026-12-02', rules, [promise])?.reasons.map((r) => r.kind)).toEqual(['overdue']);
  });

  it('suggests a script by situation', () => {
    const overdue = (days: number) => ({ kind: 'overdue' as const, fen: 1, days, bills: 1 });
    expect(suggestScript({ reasons: [overdue(5)], noticeServed: false, noticeAfterDays: 30 })).toBe('friendly_reminder');
    expect(suggestScript({ reasons: [overdue(45)], noticeServed: false, noticeAfterDays: 30 })).toBe('before_disconnection');
    expect(suggestScript({ reasons: [overdue(45)], noticeServed: true, noticeAfterDays: 30 })).toBe('after_notice');
    expect(suggestScript({ reasons: [overdue(45), { kind: 'promise_lapsed', promisedOn: '2026-12-01', promisedFen: null, contactId: 'x' }], noticeServed: true, noticeAfterDays: 30 })).toBe('promise_follow_up');
    expect(suggestScript({ reasons: [], noticeServed: false, noticeAfterDays: 30 })).toBe('thanks');
  });
});

describe('lazy history', () => {
  it('reads the fields the rules ask for as JSON.parse would', async () => {
    const { LazyHistory } = await import('../../../main/store/collection.js');
    const h = { since: '2020-01-01', to: '2026-10', late: [0, -1, 5], kwh: [120, 0, 7, 300, 41], vends: [], cutoffs: ['2026-03-02', '2026-07-14'], lateFees: 1 };
    const lazy = new LazyHistory(JSON.stringify(h));
    expect([lazy.to, lazy.late, lazy.kwh, lazy.vends, lazy.cutoffs]).toEqual([h.to, h.late, h.kwh, h.vends, h.cutoffs]);
    expect(new LazyHistory(JSON.stringify(h), 3).kwh).toEqual([7, 300, 41]);
    expect(new LazyHistory(JSON.stringify(h), 30).kwh).toEqual(h.kwh);
    expect(new LazyHistory(JSON.stringify({ to: '2026-10', kwh: [9] }), 4).kwh).toEqual([9]);
    const none = new LazyHistory(JSON.stringify({ to: '2026-10' }));
    expect([none.late, none.kwh, none.cutoffs]).toEqual([undefined, undefined, undefined]);
  });
});

describe('reminder lead by credit grade', () => {
  it('a poor grade\'s longer lead widens "due soon"', () => {
    const late = [0, 0, 0, 5, 0, 12, 0, 0, 3, 0, 0, 0];
    const a: WorklistAccount = { ...base, openBills: [{ amountFen: 8000, paidFen: 0, dueDate: '2026-12-12' }], history: { to: '2026-11', late } };
    expect(assessAccount(a, TODAY, rules)).toBeNull(); // 9 days ahead: beyond the 7-day window
    expect(assessAccount({ ...a, reminderLeadDays: 10 }, TODAY, rules)?.reasons.map((r) => r.kind)).toEqual(['due_soon_late_payer']);
    expect(assessAccount({ ...a, reminderLeadDays: 3 }, TODAY, rules)).toBeNull(); // a good grade never narrows the window
  });
});

describe('follow-up by credit grade', () => {
  const owing: WorklistAccount = { ...base, openBills: [{ amountFen: 5000, paidFen: 0, dueDate: '2026-11-20' }] };
  const touch = (on: string, extra: Partial<{ promised: boolean; paidSinceFen: number; via: 'call' | 'notice' }> = {}) => ({ on, via: 'call' as const, promised: false, paidSinceFen: 0, ...extra });
  const kinds = (a: WorklistAccount, t: ReturnType<typeof touch> | null, today = TODAY) => assessAccount(a, today, rules, [], t)?.reasons.map((r) => r.kind);

  it('an overdue account reached and silent comes back after the interval', () => {
    // Ungraded: rules.worklist.followUpDays (7).
    expect(rules.worklist.followUpDays).toBe(7);
    expect(kinds(owing, touch('2026-11-27'))).toEqual(['overdue']); // 6 days ago
    expect(assessAccount(owing, TODAY, rules, [], touch('2026-11-26', { via: 'notice' }))?.reasons).toEqual([
      { kind: 'overdue', fen: 5000, days: 13, bills: 1 },
      { kind: 'follow_up_due', lastOn: '2026-11-26', via: 'notice', days: 7 },
    ]);
  });

  it("the grade's interval decides: a poor grade sooner, a good one later", () => {
    expect(kinds({ ...owing, followUpDays: 3 }, touch('2026-11-30'))).toEqual(['overdue', 'follow_up_due']);
    expect(kinds({ ...owing, followUpDays: 14 }, touch('2026-11-26'))).toEqual(['overdue']);
  });

  it('not while a promise stands, after a payment, or with nothing overdue', () => {
    expect(kinds(owing, touch('2026-11-01', { promised: true }))).toEqual(['overdue']);
    expect(kinds(owing, touch('2026-11-01', { paidSinceFen: 100 }))).toEqual(['overdue']);
    expect(kinds({ ...base, openBills: [{ amountFen: 5000, paidFen: 0, dueDate: '2026-12-20' }] }, touch('2026-11-01'))).toBeUndefined();
  });

  it('ranks a due follow-up above the same account without one', () => {
    const without = assessAccount(owing, TODAY, rules)!;
    const withIt = assessAccount(owing, TODAY, rules, [], touch('2026-11-01'))!;
    expect(withIt.priority).toBeGreaterThan(without.priority);
  });
});
