/**
 * Working days and deadlines in them. A deadline of N working days ends at the end (local midnight)
 * of the Nth working day AFTER the day of receipt: a complaint taken on Friday afternoon with
 * "reply within 1 working day" is due by Monday 24:00, and one taken on Saturday likewise — the
 * day of receipt never counts, so a late-evening complaint is not due the same night.
 */
import type { WorkingCalendar } from './rules.js';

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(date: string, cal: WorkingCalendar): boolean {
  if (cal.workingWeekends.includes(date)) return true;
  if (cal.holidays.includes(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return !cal.weekend.includes(weekday);
}

/** The Nth working day after `date` ('YYYY-MM-DD'); `date` itself never counts. */
export function addWorkingDays(date: string, n: number, cal: WorkingCalendar): string {
  let day = dayNumber(date);
  let left = n;
  // A calendar with no working day at all would loop forever: bounded at ten years.
  for (let guard = 0; guard < 3660; guard++) {
    day += 1;
    if (isWorkingDay(dateOf(day), cal)) left -= 1;
    if (left === 0) return dateOf(day);
  }
  throw new Error('the working calendar has no working days');
}

/** 'YYYY-MM-DD' of an instant in an IANA time zone. */
export function localDateIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant local midnight starts `date` in the zone. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const first = guess - offsetMs(new Date(guess), timeZone);
  // Once more at the candidate: a DST change between the guess and the answer moves the offset.
  return new Date(guess - offsetMs(new Date(first), timeZone));
}

/** End of the Nth working day after the local day of `receivedAt`: the deadline's instant. */
export function workingDayDeadline(receivedAt: Date, n: number, cal: WorkingCalendar, timeZone: string): Date {
  const due = addWorkingDays(localDateIn(receivedAt, timeZone), n, cal);
  return startOfLocalDay(dateOf(dayNumber(due) + 1), timeZone);
}
