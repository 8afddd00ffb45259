import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { disconnectionNoticeFrom, earliestDisconnection, isoWeekday, parseCollectionRules, type CollectionRules } from '../../../main/domain/collection/index.js';

const rules: CollectionRules = parseCollectionRules(
  JSON.parse(readFileSync(path.join(__dirname, '../../../resources/rules/collection.json'), 'utf8')),
  'collection.json',
);
const withRules = (patch: Partial<CollectionRules['disconnection']>): CollectionRules => ({ ...rules, disconnection: { ...rules.disconnection, ...patch } });

describe('earliest lawful disconnection date', () => {
  it('knows its weekdays', () => {
    expect(isoWeekday('2026-12-03')).toBe(4); // Thursday
    expect(isoWeekday('2026-11-07')).toBe(6);
    expect(isoWeekday('2027-01-03')).toBe(7);
  });

  it('residential: 7 days of written notice from a working day', () => {
    const d = earliestDisconnection('2026-11-02', 'residential', rules);
    expect(d.earliest).toBe('2026-11-09');
    expect(d.noticeDays).toBe(7);
    expect(d.steps).toEqual([{ rule: 'notice_days', days: 7, from: '2026-11-02', to: '2026-11-09' }]);
  });

  it('others: 3 days, and a call before', () => {
    const d = earliestDisconnection('2026-11-16', 'commercial', rules);
    expect(d.earliest).toBe('2026-11-19');
    expect(d.callBeforeHours).toBe(24);
  });

  it('a notice served on a Saturday counts from Monday', () => {
    const d = earliestDisconnection('2026-11-07', 'residential', rules);
    expect(d.steps[0]).toEqual({ rule: 'count_from_next_working_day', from: '2026-11-07', to: '2026-11-09' });
    expect(d.earliest).toBe('2026-11-16');
  });

  it('a date falling on a weekend moves to Monday, then off the month end into the next month', () => {
    const d = earliestDisconnection('2026-11-25', 'industrial', rules); // Wed + 3 = Sat 28th
    expect(d.steps.map((s) => [s.rule, s.to])).toEqual([
      ['notice_days', '2026-11-28'],
      ['not_on_non_working_day', '2026-11-30'],
      ['not_in_month_end', '2026-12-01'],
    ]);
    expect(d.earliest).toBe('2026-12-01');
  });

  it('across the year end: month end, New Year holiday and the weekend after it', () => {
    const d = earliestDisconnection('2026-12-24', 'residential', rules); // Thu + 7 = Thu 31st
    expect(d.earliest).toBe('2027-01-04');
    expect(d.steps.map((s) => s.rule)).toEqual(['notice_days', 'not_in_month_end', 'not_on_non_working_day']);
  });

  it('February month ends, leap year or not', () => {
    const plain = withRules({ monthEndLastDays: 0 });
    expect(earliestDisconnection('2027-02-22', 'residential', plain).earliest).toBe('2027-03-01');
    expect(earliestDisconnection('2028-02-22', 'residential', plain).earliest).toBe('2028-02-29');
    // With the month-end rule the 29th is the last day of February 2028: the first working day of March.
    expect(earliestDisconnection('2028-02-22', 'residential', rules).earliest).toBe('2028-03-01');
    expect(earliestDisconnection('2028-02-21', 'residential', rules).earliest).toBe('2028-02-28');
  });

  it('a public holiday week: counted from the first working day after it', () => {
    const d = earliestDisconnection('2026-10-01', 'residential', rules);
    expect(d.steps[0]).toEqual({ rule: 'count_from_next_working_day', from: '2026-10-01', to: '2026-10-08' });
    expect(d.earliest).toBe('2026-10-15');
  });

  it('a weekend worked in lieu of a holiday (调休) is a working day', () => {
    const asServed = withRules({ servedOnNonWorkingDay: 'as_served' });
    expect(earliestDisconnection('2026-10-07', 'commercial', asServed).earliest).toBe('2026-10-10');
  });

  it('rules may allow any day', () => {
    const any = withRules({ onlyOnWorkingDays: false, monthEndLastDays: 0, servedOnNonWorkingDay: 'as_served' });
    expect(earliestDisconnection('2026-11-25', 'commercial', any).earliest).toBe('2026-11-28');
  });

  it('a disconnection notice only after more than 30 days overdue', () => {
    expect(disconnectionNoticeFrom('2026-10-31', 'residential', rules)).toBe('2026-12-01');
    expect(disconnectionNoticeFrom(null, 'residential', rules)).toBeNull();
  });
});
