/** Calendar arithmetic on 'YYYY-MM' periods and 'YYYY-MM-DD' dates, in UTC, without floats. */

export function parseDate(date: string): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

export function formatPeriod(y: number, m: number): string {
  return `${y}-${String(m).padStart(2, '0')}`;
}

// Seeding a million accounts asks for the same few dozen periods millions of times.
const addMonthsMemo = new Map<string, string>();
const dueDateMemo = new Map<string, string>();

/** The period `delta` months after `period` (negative for earlier). */
export function addMonths(period: string, delta: number): string {
  const key = `${period}|${delta}`;
  let out = addMonthsMemo.get(key);
  if (out === undefined) {
    const [y, m] = period.split('-').map(Number) as [number, number];
    const index = y * 12 + (m - 1) + delta;
    out = formatPeriod(Math.floor(index / 12), (index % 12) + 1);
    if (addMonthsMemo.size < 10_000) addMonthsMemo.set(key, out);
  }
  return out;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Bills fall due on the last day of the month after their period. */
export function dueDateOf(period: string): string {
  let out = dueDateMemo.get(period);
  if (out === undefined) {
    const next = addMonths(period, 1);
    const [y, m] = next.split('-').map(Number) as [number, number];
    out = `${next}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
    if (dueDateMemo.size < 10_000) dueDateMemo.set(period, out);
  }
  return out;
}

export function periodYear(period: string): number {
  return Number(period.slice(0, 4));
}
