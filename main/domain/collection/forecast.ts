/**
 * How long a prepaid balance lasts at the customer's own rate: the average daily consumption of
 * their last months (history.kwh, whole kWh per month) priced at their tariff's base price.
 */
import { addDays, daysBetween } from './calendar.js';

/** Calendar days in a 'YYYY-MM' month. */
export function daysInMonth(period: string): number {
  return daysBetween(`${period}-01`, addDays(`${nextPeriod(period)}-01`, 0));
}

export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${(y + 1).toString().padStart(4, '0')}-01` : `${y.toString().padStart(4, '0')}-${(m + 1).toString().padStart(2, '0')}`;
}

export function previousPeriod(period: string, n = 1): string {
  let [y, m] = period.split('-').map(Number) as [number, number];
  m -= n;
  while (m < 1) {
    m += 12;
    y -= 1;
  }
  return `${y.toString().padStart(4, '0')}-${m.toString().padStart(2, '0')}`;
}

/**
 * kWh per day over the last `months` months of a monthly series ending at period `to` (oldest
 * first, as the snapshot's history carries it). Null when there is no month to average.
 */
export function dailyKwh(kwh: readonly number[], to: string, months: number): number | null {
  const n = Math.min(months, kwh.length);
  if (n === 0) return null;
  let sum = 0;
  let days = 0;
  for (let i = 0; i < n; i++) {
    sum += kwh[kwh.length - 1 - i] ?? 0;
    days += daysInMonth(previousPeriod(to, i));
  }
  return sum / days;
}

/**
 * Whole days the balance covers at `kwhPerDay` priced at `centifenPerKwh` (0.01 fen per kWh); 0 when
 * nothing is left, null when the customer uses nothing (the balance does not run out).
 */
export function daysLeft(balanceFen: number, kwhPerDay: number | null, centifenPerKwh: number): number | null {
  if (balanceFen <= 0) return 0;
  if (kwhPerDay === null || kwhPerDay <= 0 || centifenPerKwh <= 0) return null;
  const centifenPerDay = kwhPerDay * centifenPerKwh;
  return Math.floor((balanceFen * 100) / centifenPerDay);
}
