/**
 * The daily arrears early-warning worklist (预警), rule by rule, for one account at a time: what is
 * overdue and how old, bills about to fall due for customers who usually pay late, prepaid balances
 * about to run out at the customer's own rate, anomalies worth a visit, and promises to pay that
 * lapsed. Pure: the service streams the cache through it.
 */
import { addDays } from './calendar.js';
import { daysInMonth, daysLeft, previousPeriod } from './forecast.js';
import type { CollectionRules } from './rules.js';

export const WORKLIST_REASONS = [
  'overdue',
  'due_soon_late_payer',
  'prepaid_running_out',
  'consumption_dropped',
  'last_minute_buyer',
  'tokens_stopped',
  'promise_lapsed',
  'follow_up_due',
] as const;
export type WorklistReasonKind = (typeof WORKLIST_REASONS)[number];

export interface OpenBillFact {
  readonly amountFen: number;
  readonly paidFen: number;
  readonly dueDate: string;
}

/** The part of AccountSnapshot.history the worklist reads (main/wire/backend-wire.ts). */
export interface HistoryFacts {
  readonly to: string;
  readonly late?: readonly number[] | undefined;
  readonly kwh?: readonly number[] | undefined;
  readonly vends?: readonly number[] | undefined;
  readonly cutoffs?: readonly string[] | undefined;
}

export interface WorklistAccount {
  readonly accountNo: string;
  readonly customerClass: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly balanceFen: number;
  /** Base price of the account's tariff (centifen per kWh); 0 when unknown. */
  readonly centifenPerKwh: number;
  readonly openBills: readonly OpenBillFact[];
  readonly history: HistoryFacts | null;
  /**
   * Days before a due date the first reminder goes out for this account's credit grade
   * (credit.json `treatment.<grade>.reminderLeadDays`): widens the "due soon" window for poor grades.
   */
  readonly reminderLeadDays?: number | undefined;
  /**
   * Days after the last contact or notice before an account still overdue is followed up, for its
   * credit grade (credit.json `treatment.<grade>.followUpDays`); rules.worklist.followUpDays without one.
   */
  readonly followUpDays?: number | undefined;
}

/**
 * The last time staff reached out about the account: a contact logged or a notice served, with
 * what came in since. A promise is not a touch to follow up (it lapses on its own date instead).
 */
export interface LastTouchFact {
  readonly on: string;
  readonly via: 'call' | 'visit' | 'sms' | 'letter' | 'notice';
  readonly promised: boolean;
  readonly paidSinceFen: number;
}

export interface PromiseFact {
  readonly contactId: string;
  readonly promisedOn: string;
  readonly promisedFen: number | null;
}

export type WorklistReason =
  | { readonly kind: 'overdue'; readonly fen: number; readonly days: number; readonly bills: number }
  | { readonly kind: 'due_soon_late_payer'; readonly fen: number; readonly dueDate: string; readonly lateTimes: number }
  | { readonly kind: 'prepaid_running_out'; readonly daysLeft: number; readonly balanceFen: number; readonly kwhPerDay: number }
  | { readonly kind: 'consumption_dropped'; readonly lastKwh: number; readonly usualKwh: number }
  | { readonly kind: 'last_minute_buyer'; readonly cutoffs: number }
  | { readonly kind: 'tokens_stopped'; readonly months: number; readonly lastKwh: number }
  | { readonly kind: 'promise_lapsed'; readonly promisedOn: string; readonly promisedFen: number | null; readonly contactId: string }
  | { readonly kind: 'follow_up_due'; readonly lastOn: string; readonly via: LastTouchFact['via']; readonly days: number };

export interface WorklistAssessment {
  readonly accountNo: string;
  readonly reasons: readonly WorklistReason[];
  /** Principal overdue today (fen). */
  readonly overdueFen: number;
  /** Days past due of the oldest overdue bill; 0 when none. */
  readonly overdueDays: number;
  /** Index into rules.worklist.ageBuckets (the last index + 1 = beyond the last bound); null when nothing is overdue. */
  readonly ageBucket: number | null;
  readonly daysLeft: number | null;
  /** Higher first: money and age overdue, then how soon something happens. */
  readonly priority: number;
}

export function ageBucketOf(days: number, bounds: readonly number[]): number {
  const i = bounds.findIndex((b) => days <= b);
  return i === -1 ? bounds.length : i;
}

/** Late payments (history.late > 0) within the last `months` months. */
export function lateTimes(late: readonly number[] | undefined, months: number): number {
  if (!late) return 0;
  let n = 0;
  for (let i = Math.max(0, late.length - months); i < late.length; i++) if ((late[i] ?? 0) > 0) n++;
  return n;
}

/**
 * What a day's pass needs once, not per account (a million accounts go through it): today as a day
 * number, the window ends, and month lengths by period.
 */
export interface WorklistDay {
  readonly today: string;
  readonly todayNo: number;
  readonly soonUntil: string;
  readonly yearAgo: string;
  readonly monthDays: Map<string, number>;
  readonly leadEnds: Map<number, string>;
}

export function worklistDay(today: string, rules: CollectionRules): WorklistDay {
  return { today, todayNo: isoDayNo(today), soonUntil: addDays(today, rules.worklist.dueWithinDays), yearAgo: addDays(today, -365), monthDays: new Map(), leadEnds: new Map() };
}

/** Day number of a date already validated on its way into the cache ('YYYY-MM-DD'). */
function isoDayNo(d: string): number {
  return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
}

function kwhPerDay(kwh: readonly number[], to: string, months: number, day: WorklistDay): number | null {
  const n = Math.min(months, kwh.length);
  if (n === 0) return null;
  let sum = 0;
  let days = 0;
  for (let i = 0; i < n; i++) {
    sum += kwh[kwh.length - 1 - i] ?? 0;
    const key = `${to}-${i}`;
    let d = day.monthDays.get(key);
    if (d === undefined) {
      d = daysInMonth(previousPeriod(to, i));
      day.monthDays.set(key, d);
    }
    days += d;
  }
  return sum / days;
}

function soonFor(day: WorklistDay, leadDays: number): string {
  let end = day.leadEnds.get(leadDays);
  if (end === undefined) {
    end = addDays(day.today, leadDays);
    day.leadEnds.set(leadDays, end);
  }
  return end;
}

/**
 * What an account's open bills come to on the day: principal overdue (how many bills, the oldest
 * due date) and principal falling due within the account's window. The worklist's fast path has
 * SQLite sum the same (main/store/worklist-candidates.ts).
 */
export interface BillSums {
  readonly overdueFen: number;
  readonly overdueBills: number;
  /** Due date of the oldest overdue bill; null when none is overdue. */
  readonly oldestDue: string | null;
  readonly dueSoonFen: number;
  /** Earliest due date within the window; null when none falls due in it. */
  readonly dueSoonDate: string | null;
}

/** The last day a bill counts as "due soon" for an account with this reminder lead. */
export function dueSoonUntil(day: WorklistDay, leadDays: number | undefined): string {
  if (leadDays === undefined) return day.soonUntil;
  const lead = soonFor(day, leadDays);
  return lead > day.soonUntil ? lead : day.soonUntil;
}

export function sumBills(openBills: readonly OpenBillFact[], day: WorklistDay, leadDays: number | undefined): BillSums {
  const until = dueSoonUntil(day, leadDays);
  let overdueFen = 0;
  let overdueBills = 0;
  let oldestDue: string | null = null;
  let dueSoonFen = 0;
  let dueSoonDate: string | null = null;
  for (const b of openBills) {
    const owed = b.amountFen - b.paidFen;
    if (owed <= 0) continue;
    if (b.dueDate < day.today) {
      overdueFen += owed;
      overdueBills++;
      if (oldestDue === null || b.dueDate < oldestDue) oldestDue = b.dueDate;
    } else if (b.dueDate <= until) {
      dueSoonFen += owed;
      if (dueSoonDate === null || b.dueDate < dueSoonDate) dueSoonDate = b.dueDate;
    }
  }
  return { overdueFen, overdueBills, oldestDue, dueSoonFen, dueSoonDate };
}

export function assessAccount(
  a: WorklistAccount,
  today: string | WorklistDay,
  rules: CollectionRules,
  promises: readonly PromiseFact[] = [],
  lastTouch: LastTouchFact | null = null,
): WorklistAssessment | null {
  const day = typeof today === 'string' ? worklistDay(today, rules) : today;
  return assessSums(a, sumBills(a.openBills, day, a.reminderLeadDays), day, rules, promises, lastTouch);
}

/** The rules over an account whose open bills are already summed (`sums`). */
export function assessSums(
  a: Omit<WorklistAccount, 'openBills'>,
  sums: BillSums,
  day: WorklistDay,
  rules: CollectionRules,
  promises: readonly PromiseFact[] = [],
  lastTouch: LastTouchFact | null = null,
): WorklistAssessment | null {
  const w = rules.worklist;
  const reasons: WorklistReason[] = [];
  const { overdueFen, overdueBills, dueSoonFen, dueSoonDate } = sums;
  const overdueDays = sums.oldestDue === null ? 0 : day.todayNo - isoDayNo(sums.oldestDue);
  if (overdueFen > 0) reasons.push({ kind: 'overdue', fen: overdueFen, days: overdueDays, bills: overdueBills });

  const h = a.history;
  if (dueSoonDate !== null) {
    const times = lateTimes(h?.late, w.usuallyLateMonths);
    if (times >= w.usuallyLateTimes) reasons.push({ kind: 'due_soon_late_payer', fen: dueSoonFen, dueDate: dueSoonDate, lateTimes: times });
  }

  let left: number | null = null;
  if (a.paymentMode === 'prepaid' && h?.kwh) {
    const perDay = kwhPerDay(h.kwh, h.to, w.rateMonths, day);
    left = daysLeft(a.balanceFen, perDay, a.centifenPerKwh);
    if (left !== null && perDay !== null && left <= w.prepaidRunOutDays) {
      reasons.push({ kind: 'prepaid_running_out', daysLeft: left, balanceFen: a.balanceFen, kwhPerDay: Math.round(perDay * 100) / 100 });
    }
  }

  const kwh = h?.kwh;
  if (kwh && kwh.length >= 2) {
    const last = kwh[kwh.length - 1] ?? 0;
    let usualSum = 0;
    const from = Math.max(0, kwh.length - 1 - w.rateMonths);
    for (let i = from; i < kwh.length - 1; i++) usualSum += kwh[i] ?? 0;
    const usual = usualSum / (kwh.length - 1 - from);
    if (usual >= w.occupiedMinKwh && usual > 0 && last < usual * w.nearZeroShare) {
      reasons.push({ kind: 'consumption_dropped', lastKwh: last, usualKwh: Math.round(usual) });
    }
  }

  if (a.paymentMode === 'prepaid' && h) {
    const cutoffs = (h.cutoffs ?? []).filter((d) => d > day.yearAgo).length;
    if (cutoffs >= w.lastMinuteCutoffs) reasons.push({ kind: 'last_minute_buyer', cutoffs });
    const vends = h.vends ?? [];
    const recent = vends.slice(-w.tokensStoppedMonths);
    const earlier = vends.slice(0, Math.max(0, vends.length - w.tokensStoppedMonths));
    if (recent.length === w.tokensStoppedMonths && recent.every((v) => v === 0) && earlier.some((v) => v > 0)) {
      reasons.push({ kind: 'tokens_stopped', months: w.tokensStoppedMonths, lastKwh: h.kwh?.[h.kwh.length - 1] ?? 0 });
    }
  }

  // A promise lapses the day after its date with the money not in: that day it joins the worklist.
  if (overdueFen > 0 || dueSoonFen > 0) {
    for (const p of promises) if (p.promisedOn < day.today) reasons.push({ kind: 'promise_lapsed', promisedOn: p.promisedOn, promisedFen: p.promisedFen, contactId: p.contactId });
  }

  // Still overdue, nothing paid and nothing promised since staff last reached out, and the grade's
  // follow-up interval has passed: reach out again (poor grades sooner).
  if (overdueFen > 0 && lastTouch && !lastTouch.promised && lastTouch.paidSinceFen === 0) {
    const days = day.todayNo - isoDayNo(lastTouch.on);
    if (days >= (a.followUpDays ?? w.followUpDays)) reasons.push({ kind: 'follow_up_due', lastOn: lastTouch.on, via: lastTouch.via, days });
  }

  if (reasons.length === 0) return null;
  const ageBucket = overdueFen > 0 ? ageBucketOf(overdueDays, w.ageBuckets) : null;
  // Money overdue weighs most (per yuan, per 30 days of age), then prompts that need action soon.
  const priority =
    Math.floor(overdueFen / 100) * (1 + Math.floor(overdueDays / 30)) +
    reasons.filter((r) => r.kind === 'promise_lapsed').length * 5000 +
    reasons.filter((r) => r.kind === 'follow_up_due').length * 2000 +
    (left !== null && left <= w.prepaidRunOutDays ? (w.prepaidRunOutDays - left + 1) * 100 : 0) +
    reasons.filter((r) => r.kind !== 'overdue' && r.kind !== 'promise_lapsed' && r.kind !== 'follow_up_due' && r.kind !== 'prepaid_running_out').length * 300;
  return { accountNo: a.accountNo, reasons, overdueFen, overdueDays, ageBucket, daysLeft: left, priority };
}
