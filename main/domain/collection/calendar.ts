/** Working days by the collection rules' calendar (weekdays, holidays, swapped working weekends). */
import { epochDay, fromEpochDay, parseCivilDate, type CivilDate } from '../tariff/civil-date.js';
import type { CollectionRules } from './rules.js';

export function dayNumber(date: CivilDate): number {
  const parts = parseCivilDate(date);
  if (!parts) throw new RangeError(`not a date: ${date}`);
  return epochDay(parts);
}

export function addDays(date: CivilDate, n: number): CivilDate {
  return fromEpochDay(dayNumber(date) + n);
}

/** Days from a to b (b − a). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return dayNumber(b) - dayNumber(a);
}

/** ISO weekday, 1 Monday … 7 Sunday. */
export function isoWeekday(date: CivilDate): number {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

export function isWorkingDay(date: CivilDate, rules: Pick<CollectionRules, 'workingDays' | 'holidays' | 'workdaysOnWeekends'>): boolean {
  if (rules.holidays.includes(date)) return false;
  if (rules.workdaysOnWeekends.includes(date)) return true;
  return rules.workingDays.includes(isoWeekday(date));
}

export function nextWorkingDay(date: CivilDate, rules: Pick<CollectionRules, 'workingDays' | 'holidays' | 'workdaysOnWeekends'>): CivilDate {
  let d = date;
  // A year without a working day is a broken calendar, not a long holiday.
  for (let i = 0; i < 366; i++, d = addDays(d, 1)) if (isWorkingDay(d, rules)) return d;
  throw new Error('collection rules: no working day within a year');
}

export function lastDayOfMonth(date: CivilDate): CivilDate {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${(y + 1).toString().padStart(4, '0')}-01-01` : `${y.toString().padStart(4, '0')}-${(m + 1).toString().padStart(2, '0')}-01`;
  return addDays(next, -1);
}
