/**
 * Complaint deadlines in working days (resources/rules/service.json's calendar, Asia/Shanghai): the
 * day of receipt never counts, weekends and public holidays are skipped, a worked weekend day
 * (调休) counts, and the deadline is the end of the last day in the terminal's zone — so a
 * complaint taken at 01:00 local on Saturday (Friday in UTC) is dated Saturday.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escalationsDue, isOverdue } from '../../../main/domain/service/complaint-deadlines.js';
import { addWorkingDays, isWorkingDay, workingDayDeadline } from '../../../main/domain/service/working-days.js';
import { loadServiceRules } from '../../../main/loaders/service-rules.js';

const rules = loadServiceRules(path.join(import.meta.dirname, '../../../resources/rules/service.json'));
const cal = rules.calendar;
const TZ = 'Asia/Shanghai';
const due = (receivedIso: string, n: number) => workingDayDeadline(new Date(receivedIso), n, cal, TZ).toISOString();

describe('working days', () => {
  it('knows weekends, holidays and worked weekend days', () => {
    expect(new Date('2026-11-27T00:00:00Z').getUTCDay()).toBe(5);
    expect(isWorkingDay('2026-11-27', cal)).toBe(true); // Friday
    expect(isWorkingDay('2026-11-28', cal)).toBe(false); // Saturday
    expect(isWorkingDay('2026-10-01', cal)).toBe(false); // National Day (a Thursday)
    expect(isWorkingDay('2026-10-10', cal)).toBe(true); // a Saturday worked in exchange
    expect(addWorkingDays('2026-11-27', 1, cal)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-27', 5, cal)).toBe('2026-12-04');
  });

  it('reply within 1 working day: a Friday complaint is due at the end of Monday, local time', () => {
    expect(due('2026-11-27T02:00:00Z', 1)).toBe('2026-11-30T16:00:00.000Z');
    // 23:59 local on Friday is still Friday.
    expect(due('2026-11-27T15:59:00Z', 1)).toBe('2026-11-30T16:00:00.000Z');
  });

  it('resolve within 5 working days spans the weekend', () => {
    expect(due('2026-11-27T02:00:00Z', 5)).toBe('2026-12-04T16:00:00.000Z');
  });

  it('a complaint taken on Saturday (01:00 local, still Friday in UTC) counts from Saturday', () => {
    expect(due('2026-11-27T17:00:00Z', 1)).toBe('2026-11-30T16:00:00.000Z');
    expect(due('2026-11-28T15:30:00Z', 1)).toBe('2026-11-30T16:00:00.000Z');
  });

  it('skips the National Day week and counts the worked Saturday', () => {
    // Wednesday 30 September: 1–7 October are holidays or the weekend; Thursday 8 October is next.
    expect(due('2026-09-30T03:00:00Z', 1)).toBe('2026-10-08T16:00:00.000Z');
    // Friday 9 October: Saturday 10 October is worked.
    expect(due('2026-10-09T03:00:00Z', 1)).toBe('2026-10-10T16:00:00.000Z');
    expect(due('2026-10-09T03:00:00Z', 2)).toBe('2026-10-12T16:00:00.000Z');
  });

  it('a calendar with no working day at all is refused rather than looping', () => {
    expect(() => addWorkingDays('2026-01-01', 1, { weekend: [0, 1, 2, 3, 4, 5, 6], holidays: [], workingWeekends: [] })).toThrow(/no working days/);
  });
});

describe('escalation stages', () => {
  const c = { replyDueAt: '2026-11-30T16:00:00.000Z', resolveDueAt: '2026-12-04T16:00:00.000Z', repliedAt: null, resolvedAt: null };
  it('near (4 h before), then overdue, for each deadline', () => {
    expect(escalationsDue(c, new Date('2026-11-30T11:59:00Z'), 4)).toEqual([]);
    expect(escalationsDue(c, new Date('2026-11-30T12:00:00Z'), 4)).toEqual(['reply_near']);
    expect(escalationsDue(c, new Date('2026-11-30T16:00:00Z'), 4)).toEqual(['reply_near', 'reply_overdue']);
    expect(isOverdue(c, new Date('2026-11-30T16:00:00Z'))).toBe(true);
    expect(escalationsDue(c, new Date('2026-12-04T16:00:00Z'), 4)).toEqual(['reply_near', 'reply_overdue', 'resolve_near', 'resolve_overdue']);
  });
  it('a reply stops the reply clock; a resolution stops both', () => {
    const replied = { ...c, repliedAt: '2026-11-30T10:00:00.000Z' };
    expect(escalationsDue(replied, new Date('2026-12-01T00:00:00Z'), 4)).toEqual([]);
    expect(isOverdue(replied, new Date('2026-12-01T00:00:00Z'))).toBe(false);
    expect(escalationsDue({ ...replied, resolvedAt: '2026-12-01T00:00:00.000Z' }, new Date('2026-12-10T00:00:00Z'), 4)).toEqual([]);
  });
});
