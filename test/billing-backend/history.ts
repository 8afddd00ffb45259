/**
 * The 24-month behaviour of a seeded account (AccountSnapshot.history): how it paid, what it used,
 * what went wrong. Drawn from its own PRNG per account — a hash of (seed, index) — so adding it left
 * the main stream, and with it every name, meter and bill of the demo, exactly as it was.
 *
 * Behaviours (docs/recovery.md): good payers, occasional and chronic late payers, seasonal ones
 * (late in the heating and cooling peaks), steady prepaid buyers and last-minute prepaid buyers who
 * run dry. The history agrees with the snapshot's bills: a month whose bill is open is unpaid (−1),
 * one whose bill is paid was paid (on time or late).
 */
import type { AccountHistory, CustomerClass, Violation } from '../../main/wire/backend-wire.js';
import { addMonths, dueDateOf } from './calendar.js';
import type { BackendDb } from './db.js';
import { mulberry32, type Prng } from './prng.js';
import { billAmountFen, type TariffCode } from './tariff.js';

export const HISTORY_MONTHS = 24;

export type PostpaidBehaviour = 'good' | 'occasional' | 'chronic' | 'seasonal';
export type PrepaidBehaviour = 'steady' | 'last_minute';

/** What the seed tells the history about an account. */
export interface HistoryInput {
  readonly seed: number;
  readonly index: number;
  /** The seed's today, 'YYYY-MM-DD'. */
  readonly today: string;
  /** The last billed period: the window's last month. */
  readonly to: string;
  readonly customerClass: CustomerClass;
  readonly tariffCode: TariffCode;
  readonly baseKwh: number;
  readonly prepaid: boolean;
  /** Open (unpaid) bill periods. */
  readonly openPeriods: ReadonlySet<string>;
  /** Bills the snapshot carries (open and recently paid), by period, consumption in 0.01 kWh and amount. */
  readonly bills: ReadonlyMap<string, { readonly consumption: number; readonly amountFen: number }>;
  /** Consumption in 0.01 kWh of the months the seed drew, by period. */
  readonly consumption: ReadonlyMap<string, number>;
  /** The arrears profile the seed chose for a postpaid account. */
  readonly arrears: 'none' | 'current_year' | 'previous_year' | 'demo_two_open' | 'all_paid' | 'prepaid_arrears' | 'prepaid';
  /** Fixed demo accounts pin their behaviour (docs/backend.md). */
  readonly fixed?: FixedHistory;
}

export interface FixedHistory {
  readonly behaviour: PostpaidBehaviour | PrepaidBehaviour;
  readonly sinceYearsAgo: number;
  readonly violations?: readonly Violation['k'][];
  readonly cutoffs?: number;
  /** Prepaid accounts: months before `to` the switch to prepaid happened (absent: before the window). */
  readonly prepaidMonthsAgo?: number;
}

/** The account's own PRNG: independent of the seed's main stream. */
function historyRng(seed: number, index: number): Prng {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2f) ^ Math.imul(index + 7, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return mulberry32(h >>> 0);
}

// Seeding a million accounts asks for the same few thousand days over and over.
const dayMemo = new Map<string, number>();
const dateMemo = new Map<number, string>();

function dayNumber(date: string): number {
  let day = dayMemo.get(date);
  if (day === undefined) {
    day = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
    if (dayMemo.size < 50_000) dayMemo.set(date, day);
  }
  return day;
}

function dateOfDay(day: number): string {
  let date = dateMemo.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dateMemo.size < 50_000) dateMemo.set(day, date);
  }
  return date;
}

function postpaidBehaviour(rng: Prng, arrears: HistoryInput['arrears']): PostpaidBehaviour {
  const r = rng.next();
  switch (arrears) {
    case 'previous_year':
    case 'prepaid_arrears':
      return 'chronic';
    case 'current_year':
    case 'demo_two_open':
      return r < 0.6 ? 'chronic' : r < 0.85 ? 'seasonal' : 'occasional';
    case 'all_paid':
      return r < 0.85 ? 'good' : 'occasional';
    case 'none':
    case 'prepaid':
      return r < 0.6 ? 'good' : r < 0.85 ? 'occasional' : r < 0.95 ? 'seasonal' : 'chronic';
    default: {
      const exhaustive: never = arrears;
      throw new Error(`unknown arrears ${String(exhaustive)}`);
    }
  }
}

/** Days after the due date a paid bill of `period` was paid, by behaviour. */
function daysLate(rng: Prng, behaviour: PostpaidBehaviour, period: string): number {
  const month = Number(period.slice(5, 7));
  switch (behaviour) {
    case 'good':
      return rng.chance(0.01) ? rng.int(1, 5) : 0;
    case 'occasional':
      return rng.chance(0.15) ? rng.int(1, 15) : 0;
    case 'chronic':
      return rng.chance(0.6) ? (rng.chance(0.25) ? rng.int(31, 75) : rng.int(3, 28)) : 0;
    case 'seasonal':
      return [12, 1, 2, 7, 8].includes(month) && rng.chance(0.7) ? rng.int(5, 25) : 0;
    default: {
      const exhaustive: never = behaviour;
      throw new Error(`unknown behaviour ${String(exhaustive)}`);
    }
  }
}

export function generateHistory(input: HistoryInput): AccountHistory {
  const rng = historyRng(input.seed, input.index);
  const today = dayNumber(input.today);
  const first = addMonths(input.to, -(HISTORY_MONTHS - 1));
  const fixed = input.fixed;

  // Customer since: most long before the window, one in five began inside it.
  const sinceDay =
    fixed !== undefined
      ? today - fixed.sinceYearsAgo * 365 - rng.int(0, 200)
      : rng.chance(0.2)
        ? dayNumber(`${addMonths(input.to, -rng.int(3, HISTORY_MONTHS - 1))}-01`) + rng.int(0, 27)
        : today - rng.int(2 * 365 + 30, 25 * 365);
  // A customer is one at least since the first bill the snapshot carries.
  const earliestBill = [...input.bills.keys()].sort()[0];
  const since = dateOfDay(earliestBill === undefined ? sinceDay : Math.min(sinceDay, dayNumber(`${earliestBill}-01`)));
  const startPeriod = since.slice(0, 7);

  let prepaidSince: string | undefined;
  if (input.prepaid) {
    const monthsAgo =
      fixed?.prepaidMonthsAgo ??
      (input.arrears === 'prepaid_arrears'
        ? // Arrears left from the postpaid days: the switch came after the last open bill.
          undefined
        : rng.chance(0.5)
          ? HISTORY_MONTHS + rng.int(0, 60)
          : rng.int(2, HISTORY_MONTHS - 2));
    const switchPeriod =
      monthsAgo === undefined ? addMonths([...input.openPeriods].sort().at(-1) ?? input.to, 1) : addMonths(input.to, -monthsAgo);
    const switchDay = Math.max(dayNumber(since), dayNumber(`${switchPeriod}-01`) + rng.int(0, 20));
    prepaidSince = dateOfDay(switchDay);
  }

  const behaviour: PostpaidBehaviour =
    fixed !== undefined && (fixed.behaviour === 'good' || fixed.behaviour === 'occasional' || fixed.behaviour === 'chronic' || fixed.behaviour === 'seasonal')
      ? fixed.behaviour
      : postpaidBehaviour(rng, input.arrears);
  const prepaidBehaviour: PrepaidBehaviour =
    fixed !== undefined && (fixed.behaviour === 'steady' || fixed.behaviour === 'last_minute')
      ? fixed.behaviour
      : input.arrears === 'prepaid_arrears' || rng.chance(0.2)
        ? 'last_minute'
        : 'steady';

  const billed: number[] = [];
  const due: number[] = [];
  const late: number[] = [];
  const kwh: number[] = [];
  const vends: number[] = [];
  let lateFees = 0;
  let arrears = 0;
  let inArrears = false;
  const cutoffs: number[] = [];
  for (let k = 0; k < HISTORY_MONTHS; k++) {
    const period = addMonths(first, k);
    if (period < startPeriod) continue;
    const month = Number(period.slice(5, 7));
    const seasonal = month === 7 || month === 8 || month === 12 || month === 1 ? 130 : 100;
    const consumption =
      input.bills.get(period)?.consumption ??
      input.consumption.get(period) ??
      Math.floor((input.baseKwh * seasonal * rng.int(85, 115)) / 100) + rng.int(0, 99);
    kwh.push(Math.floor(consumption / 100));
    const firstDay = dayNumber(`${period}-01`);
    const dueDay = dayNumber(dueDateOf(period));
    const isPrepaidMonth = prepaidSince !== undefined && `${period}-01` >= prepaidSince.slice(0, 7) + '-01' && !input.openPeriods.has(period);
    if (isPrepaidMonth) {
      billed.push(0);
      due.push(0);
      late.push(0);
      vends.push(prepaidBehaviour === 'steady' ? rng.int(1, 2) : rng.int(2, 6));
      if (prepaidBehaviour === 'last_minute' && rng.chance(fixed?.cutoffs !== undefined ? 0 : 0.03)) cutoffs.push(firstDay + rng.int(0, 27));
      inArrears = false;
      continue;
    }
    vends.push(0);
    const amountFen = input.bills.get(period)?.amountFen ?? billAmountFen(input.tariffCode, consumption);
    billed.push(amountFen);
    due.push(dueDay - firstDay);
    let lateDays: number;
    if (input.openPeriods.has(period)) lateDays = -1;
    else {
      lateDays = daysLate(rng, behaviour, period);
      // A bill cannot have been paid after today.
      if (dueDay + lateDays > today) lateDays = Math.max(0, today - dueDay);
    }
    late.push(lateDays);
    const overdue = lateDays > 0 || (lateDays === -1 && today > dueDay);
    if (overdue) lateFees += 1;
    const longOverdue = lateDays > 30 || (lateDays === -1 && today > dueDay + 30);
    if (longOverdue && !inArrears) {
      arrears += 1;
      // Long arrears sometimes end in a disconnection notice carried out.
      if (fixed?.cutoffs === undefined && (lateDays > 60 || lateDays === -1) && rng.chance(0.15) && dueDay + 45 <= today) cutoffs.push(dueDay + 45);
    }
    inArrears = longOverdue;
  }

  // Fixed profiles get their cutoffs spread over the window's second year.
  if (fixed?.cutoffs !== undefined) {
    for (let c = 0; c < fixed.cutoffs; c++) cutoffs.push(dayNumber(`${addMonths(input.to, -3 - 4 * c)}-12`));
  }

  const violations: Violation[] = [];
  const fixedViolations = fixed?.violations;
  if (fixedViolations !== undefined) {
    fixedViolations.forEach((k, i) => violations.push({ d: dateOfDay(dayNumber(`${addMonths(input.to, -5 - 7 * i)}-09`)), k }));
  } else if (fixed === undefined) {
    const chronic = behaviour === 'chronic' || prepaidBehaviour === 'last_minute';
    const windowStart = Math.max(dayNumber(`${first}-01`), sinceDay);
    const drawDay = (): string => dateOfDay(windowStart + rng.int(0, Math.max(0, today - windowStart - 1)));
    if (rng.chance(chronic ? 0.06 : 0.006)) violations.push({ d: drawDay(), k: 'breach' });
    if (rng.chance(chronic ? 0.02 : 0.002)) violations.push({ d: drawDay(), k: 'theft' });
  }
  violations.sort((a, b) => a.d.localeCompare(b.d));

  const cutoffDays = [...new Set(cutoffs.filter((d) => d <= today))].sort((a, b) => a - b).map(dateOfDay);
  const history: AccountHistory = { since, to: input.to };
  // What says nothing stays off the wire: absent means none.
  if (lateFees > 0) history.lateFees = lateFees;
  if (arrears > 0) history.arrears = arrears;
  if (violations.length > 0) history.violations = violations;
  if (cutoffDays.length > 0) history.cutoffs = cutoffDays;
  if (billed.some((b) => b > 0)) {
    history.billed = billed;
    history.due = due;
    history.late = late;
  }
  history.kwh = kwh;
  if (vends.some((v) => v > 0)) history.vends = vends;
  if (prepaidSince !== undefined) history.prepaidSince = prepaidSince;
  return history;
}

/**
 * A bill paid in full through an event: its month of the account's history says when (days after
 * the due date), so the next snapshot carries the new fact. Call inside the intake's transaction.
 */
export function recordBillPaid(db: BackendDb, billId: string, paidOn: string): void {
  const row = db
    .prepare<[string], { period: string; due_date: string; status: string; history_json: string | null; account_no: string }>(
      `SELECT b.period, b.due_date, b.status, a.history_json, a.account_no FROM bills b JOIN accounts a ON a.account_no = b.account_no WHERE b.bill_id = ?`,
    )
    .get(billId);
  if (row === undefined || row.status !== 'paid' || row.history_json === null) return;
  const history = JSON.parse(row.history_json) as AccountHistory;
  if (!markBillPaid(history, row.period, row.due_date, paidOn)) return;
  db.prepare('UPDATE accounts SET history_json = ? WHERE account_no = ?').run(JSON.stringify(history), row.account_no);
}

/**
 * Writes into `history` (in place) how late the bill of `period`, due `dueDate`, was paid in full
 * on `paidOn`; false when its month is outside the window or already says. Shared by both stores' intakes.
 */
export function markBillPaid(history: AccountHistory, period: string, dueDate: string, paidOn: string): boolean {
  const months = history.late;
  if (months === undefined) return false;
  const back = monthsBetween(period, history.to);
  const at = months.length - 1 - back;
  if (back < 0 || at < 0) return false;
  if (months[at] !== -1) return false;
  months[at] = Math.max(0, dayNumber(paidOn) - dayNumber(dueDate));
  return true;
}

function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}
