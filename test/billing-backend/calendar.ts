/** Calendar arithmetic on 'YYYY-MM' periods and 'YYYY-MM-DD' dates, in UTC, without floats. */

export function parseDate(date: string): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

export function formatPeriod(y: number, m: number): string {
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** The period `delta` months after `period` (negative for earlier). */
export function addMonths(period: string, delta: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return formatPeriod(Math.floor(index / 12), (index % 12) + 1);
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Bills fall due on the last day of the month after their period. */
export function dueDateOf(period: string): string {
  const next = addMonths(period, 1);
  const [y, m] = next.split('-').map(Number) as [number, number];
  return `${next}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

export function periodYear(period: string): number {
  return Number(period.slice(0, 4));
}
