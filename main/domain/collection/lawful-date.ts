/**
 * The earliest lawful disconnection date of a disconnection notice (停电通知), by the collection
 * rules: the customer class's days of written notice counted from the day the notice is served
 * (from the next working day when served on a non-working day, if the rules say so), then moved off
 * non-working days and the month's last days. Each move is kept as a step so the notice and the
 * screen can say why the date is what it is.
 */
import { addDays, daysBetween, isWorkingDay, lastDayOfMonth, nextWorkingDay } from './calendar.js';
import type { CollectionRules } from './rules.js';
import type { CivilDate } from '../tariff/civil-date.js';

export type NoticeClass = 'residential' | 'other';

export function noticeClassOf(customerClass: string): NoticeClass {
  return customerClass === 'residential' ? 'residential' : 'other';
}

export type LawfulStep =
  | { readonly rule: 'count_from_next_working_day'; readonly from: CivilDate; readonly to: CivilDate }
  | { readonly rule: 'notice_days'; readonly days: number; readonly from: CivilDate; readonly to: CivilDate }
  | { readonly rule: 'not_on_non_working_day'; readonly from: CivilDate; readonly to: CivilDate }
  | { readonly rule: 'not_in_month_end'; readonly lastDays: number; readonly from: CivilDate; readonly to: CivilDate };

export interface LawfulDate {
  readonly servedOn: CivilDate;
  readonly earliest: CivilDate;
  readonly noticeDays: number;
  readonly callBeforeHours: number;
  readonly steps: readonly LawfulStep[];
}

export function earliestDisconnection(servedOn: CivilDate, customerClass: string, rules: CollectionRules): LawfulDate {
  const cls = rules.disconnection[noticeClassOf(customerClass)];
  const steps: LawfulStep[] = [];
  let countFrom = servedOn;
  if (rules.disconnection.servedOnNonWorkingDay === 'next_working_day' && !isWorkingDay(servedOn, rules)) {
    countFrom = nextWorkingDay(servedOn, rules);
    steps.push({ rule: 'count_from_next_working_day', from: servedOn, to: countFrom });
  }
  let date = addDays(countFrom, cls.noticeDays);
  steps.push({ rule: 'notice_days', days: cls.noticeDays, from: countFrom, to: date });
  // Each move can land on another excluded day (a month's first day a holiday): repeat until none applies.
  for (let guard = 0; guard < 64; guard++) {
    const lastDays = rules.disconnection.monthEndLastDays;
    if (lastDays > 0 && daysBetween(date, lastDayOfMonth(date)) < lastDays) {
      const to = addDays(lastDayOfMonth(date), 1);
      steps.push({ rule: 'not_in_month_end', lastDays, from: date, to });
      date = to;
      continue;
    }
    if (rules.disconnection.onlyOnWorkingDays && !isWorkingDay(date, rules)) {
      const to = nextWorkingDay(date, rules);
      steps.push({ rule: 'not_on_non_working_day', from: date, to });
      date = to;
      continue;
    }
    break;
  }
  return { servedOn, earliest: date, noticeDays: cls.noticeDays, callBeforeHours: cls.callBeforeHours, steps };
}

/**
 * The first day a disconnection notice may be served: the oldest open bill more than the class's
 * overdue days past due. Null when nothing is overdue.
 */
export function disconnectionNoticeFrom(oldestDueDate: CivilDate | null, customerClass: string, rules: CollectionRules): CivilDate | null {
  if (oldestDueDate === null) return null;
  return addDays(oldestDueDate, rules.disconnection[noticeClassOf(customerClass)].overdueDays + 1);
}

/** The first day a reminder may be served: the day after the due date plus the reminder's days. */
export function reminderFrom(oldestDueDate: CivilDate | null, rules: CollectionRules): CivilDate | null {
  if (oldestDueDate === null) return null;
  return addDays(oldestDueDate, rules.reminder.overdueDays);
}
