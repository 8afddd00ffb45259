/**
 * From an account's facts to the model's measured indicators. The facts are the backend's 24-month
 * history (AccountHistory) laid under what this terminal knows better and newer: the cache's open
 * bills (current arrears) and bills paid here since the history was written (a −1 month paid at the
 * counter becomes "paid N days late" at once — the new fact that re-grades).
 */
import type { AccountHistory } from '../../wire/backend-wire.js';
import type { CreditRules, Indicator } from './rules.js';

export interface CreditFacts {
  /** Today, 'YYYY-MM-DD' in the terminal's zone. */
  readonly asOf: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  /** Absent: the backend sent none; the model then knows only the cache's bills. */
  readonly history: AccountHistory | undefined;
  /** The bills the cache holds (open ones and recently paid), with the day each was fully paid when known. */
  readonly bills: readonly { readonly period: string; readonly dueDate: string; readonly status: 'open' | 'paid'; readonly paidOn?: string | undefined }[];
}

/** Each indicator's measured value, plus what its reason text needs. */
export interface Measures {
  readonly values: Readonly<Record<Indicator, number>>;
  readonly breaches: number;
  readonly thefts: number;
  /** Months of the window the history covers (0: none known). */
  readonly months: number;
}

const DAY_MS = 86_400_000;

// Grading a million accounts asks for the same few hundred dates and periods over and over.
const dayMemo = new Map<string, number>();
const periodMemo = new Map<string, string>();

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date. */
export function dayNumber(date: string): number {
  let day = dayMemo.get(date);
  if (day === undefined) {
    day = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
    if (dayMemo.size < 50_000) dayMemo.set(date, day);
  }
  return day;
}

function periodAt(to: string, back: number): string {
  const key = `${to}|${back}`;
  let period = periodMemo.get(key);
  if (period === undefined) {
    const index = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7)) - 1 - back;
    period = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
    if (periodMemo.size < 10_000) periodMemo.set(key, period);
  }
  return period;
}

export function measure(facts: CreditFacts, rules: Pick<CreditRules, 'theftWeight'>): Measures {
  const today = dayNumber(facts.asOf);
  const h = facts.history;
  const billOf = (period: string) => facts.bills.find((b) => b.period === period);
  let late12 = 0;
  let lateDaysSum = 0;
  let lateCount = 0;
  let months = 0;
  const seen = new Set<string>();
  if (h !== undefined) {
    const billed = h.billed ?? [];
    const late = h.late ?? [];
    const due = h.due ?? [];
    const n = Math.max(billed.length, h.kwh?.length ?? 0, h.vends?.length ?? 0);
    months = n;
    for (let i = 0; i < billed.length; i++) {
      if ((billed[i] ?? 0) <= 0) continue;
      const back = billed.length - 1 - i;
      const period = periodAt(h.to, back);
      seen.add(period);
      const dueDay = dayNumber(`${period}-01`) + (due[i] ?? 0);
      let days = late[i] ?? 0;
      const cached = days === -1 ? billOf(period) : undefined;
      // Paid here (or in a newer snapshot) after the history was written: the new fact wins.
      if (days === -1 && cached?.status === 'paid') days = cached.paidOn === undefined ? 0 : Math.max(0, dayNumber(cached.paidOn) - dueDay);
      const overdueDays = days === -1 ? Math.max(0, today - dueDay) : days;
      if (overdueDays <= 0) continue;
      lateCount += 1;
      lateDaysSum += overdueDays;
      // The last 12 billing months: the 12 periods ending at `to`.
      if (back < 12) late12 += 1;
    }
  }
  // Bills the cache holds that the history does not cover (a backend without history, or a newer month).
  for (const b of facts.bills) {
    if (seen.has(b.period)) continue;
    const dueDay = dayNumber(b.dueDate);
    const overdueDays = b.status === 'open' ? Math.max(0, today - dueDay) : b.paidOn === undefined ? 0 : Math.max(0, dayNumber(b.paidOn) - dueDay);
    if (overdueDays <= 0) continue;
    lateCount += 1;
    lateDaysSum += overdueDays;
    if (today - dueDay < 366) late12 += 1;
  }
  let oldestOverdue = 0;
  for (const b of facts.bills) {
    if (b.status !== 'open') continue;
    oldestOverdue = Math.max(oldestOverdue, today - dayNumber(b.dueDate));
  }
  const windowStart = today - 730;
  const recent = (d: string): boolean => dayNumber(d) >= windowStart && dayNumber(d) <= today;
  const violations = (h?.violations ?? []).filter((v) => recent(v.d));
  const breaches = violations.filter((v) => v.k === 'breach').length;
  const thefts = violations.filter((v) => v.k === 'theft').length;
  const prepaidMonths =
    facts.paymentMode !== 'prepaid' ? 0 : h?.prepaidSince === undefined ? 12 : Math.max(1, Math.floor((today - dayNumber(h.prepaidSince)) / 30.4375));
  const tenureYears = h === undefined ? 0 : Math.max(0, Math.floor((today - dayNumber(h.since)) / 365.25));
  return {
    values: {
      late_payments: late12,
      days_late: lateCount === 0 ? 0 : Math.round(lateDaysSum / lateCount),
      arrears_times: h?.arrears ?? 0,
      late_fees: Math.max(h?.lateFees ?? 0, 0),
      current_arrears: oldestOverdue,
      violations: breaches + rules.theftWeight * thefts,
      disconnections: (h?.cutoffs ?? []).filter(recent).length,
      prepaid: prepaidMonths,
      tenure: tenureYears,
    },
    breaches,
    thefts,
    months,
  };
}
