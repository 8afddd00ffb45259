/**
 * The backend's recovery-rate figures for the whole service area (GET /api/recovery/dashboard).
 *
 * A year of a million-account area is twelve million bills: too many to sum per request. So the
 * figures live in a rollup, one row per billing month × area × customer class × grade, built once
 * when the area is seeded from each account's 24-month history (AccountHistory: billed, late) and
 * the bills as seeded. What terminals collected since is read live from bill_payments (dated
 * principal per bill, dropped again by a void or refund) and added on top, so a payment shows at
 * once and a reversal takes it back, without the rollup being rewritten on every event.
 *
 * Late fees of history months are what the bill's late-fee rule charges for its days late (the
 * current-year daily rate, at least the rule's minimum); those paid at terminals since are the
 * bills' late_fee_paid_fen.
 */
import path from 'node:path';
import type { AccountHistory, AccountSnapshot } from '../../main/wire/backend-wire.js';
import { RECOVERY_MAX_MONTHS, type ArrearsCellWire, type RecoveryCellWire, type RecoveryDashboardWire } from '../../main/wire/recovery-wire.js';
import { loadLateFeeRules } from '../../main/loaders/late-fee-rules.js';
import { lateFeeRuleFor } from '../../main/domain/late-fee/compute-late-fee.js';
import type { LateFeeRules } from '../../main/domain/late-fee/late-fee-schema.js';
import { resourcesDir } from '../../main/resources-dir.js';
import { loadCreditRules } from '../../main/loaders/credit-rules.js';
import { evaluateCredit, type CreditRules } from '../../main/domain/credit/index.js';
import { addMonths, dueDateOf } from './calendar.js';
import { getMeta, setMeta, type BackendDb } from './db.js';

// 2: grades by the credit model (main/domain/credit), not the seed's letter.
export const ROLLUP_VERSION = '2';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS recovery_rollup (
  period TEXT NOT NULL, area TEXT NOT NULL, customer_class TEXT NOT NULL, grade TEXT NOT NULL,
  billed_fen INTEGER NOT NULL, collected_fen INTEGER NOT NULL, collected_on_time_fen INTEGER NOT NULL,
  bills INTEGER NOT NULL, paid_bills INTEGER NOT NULL, late_fee_fen INTEGER NOT NULL,
  PRIMARY KEY (period, area, customer_class, grade)) WITHOUT ROWID;
-- Each account's grade as the rollup was built with it, so what terminals pay later lands in the same cell.
CREATE TABLE IF NOT EXISTS recovery_grades (account_no TEXT PRIMARY KEY, grade TEXT NOT NULL) WITHOUT ROWID;
`;

/** The district of a supply address ('河南省三门峡市湖滨区…' → '湖滨区'); the area a branch answers for. */
export function areaOf(address: string): string {
  const m = /市([^市区县]{1,8}?(?:区|县|市))/.exec(address);
  return m?.[1] ?? '—';
}

type Key = string;
export interface Sums {
  billed: number;
  collected: number;
  onTime: number;
  bills: number;
  paid: number;
  fees: number;
}

function keyOf(period: string, area: string, cls: string, grade: string): Key {
  return `${period}\u0001${area}\u0001${cls}\u0001${grade}`;
}

function add(map: Map<Key, Sums>, key: Key): Sums {
  let s = map.get(key);
  if (s === undefined) {
    s = { billed: 0, collected: 0, onTime: 0, bills: 0, paid: 0, fees: 0 };
    map.set(key, s);
  }
  return s;
}

/** The late fee a bill of `fen` paid `days` late was charged (history months: no part payments known). */
export function historyLateFee(rules: LateFeeRules, customerClass: string, fen: number, days: number): number {
  if (days <= 0 || fen <= 0) return 0;
  const rule = lateFeeRuleFor(rules, customerClass as Parameters<typeof lateFeeRuleFor>[1]);
  const exact = BigInt(fen) * BigInt(rule.currentYearDailyRatePpm) * BigInt(days);
  const rounded = Number((exact * 2n + 1_000_000n) / 2_000_000n);
  return Math.max(rule.minimumFeeFen, rounded);
}

/**
 * The account's grade by the same credit model the terminals grade with (resources/rules/credit.json),
 * from the backend's whole history and bills: the dashboard's "by grade" means what the counter shows.
 */
export function modelGrade(
  a: { readonly paymentMode: string; readonly history: AccountHistory | null; readonly bills: readonly { period: string; dueDate: string; status: string }[] },
  asOf: string,
  rules: CreditRules,
): string {
  const bills = a.bills.map((b) => ({ period: b.period, dueDate: b.dueDate, status: b.status === 'paid' ? ('paid' as const) : ('open' as const) }));
  return evaluateCredit({ asOf, paymentMode: a.paymentMode === 'prepaid' ? 'prepaid' : 'postpaid', history: a.history ?? undefined, bills }, rules).grade;
}

/** What the rollup needs of an account: where it is, its class and grade, its history and its bills as seeded. */
export interface RollupAccount {
  readonly address: string;
  readonly customerClass: string;
  readonly grade: string;
  readonly history: AccountHistory | null;
  /** Bills as seeded (open ones carry what was paid on them in part). */
  readonly bills: () => readonly { period: string; amountFen: number; paidFen: number; status: string }[];
}

export function addAccount(sums: Map<Key, Sums>, a: RollupAccount, rules: LateFeeRules): void {
  const area = areaOf(a.address);
  const billed = a.history?.billed;
  const late = a.history?.late;
  if (a.history === null || billed === undefined || late === undefined) {
    // No history: the bills as seeded are all that is known.
    for (const b of a.bills()) {
      const s = add(sums, keyOf(b.period, area, a.customerClass, a.grade));
      s.billed += b.amountFen;
      s.bills += 1;
      s.collected += Math.min(b.paidFen, b.amountFen);
      if (b.status === 'paid') s.paid += 1;
    }
    return;
  }
  let openPaid: Map<string, number> | null = null;
  const n = billed.length;
  for (let k = 0; k < n; k++) {
    const fen = billed[k] ?? 0;
    if (fen === 0) continue;
    const period = addMonths(a.history.to, k - (n - 1));
    const s = add(sums, keyOf(period, area, a.customerClass, a.grade));
    s.billed += fen;
    s.bills += 1;
    const days = late[k] ?? -1;
    if (days >= 0) {
      s.collected += fen;
      s.paid += 1;
      if (days === 0) s.onTime += fen;
      else s.fees += historyLateFee(rules, a.customerClass, fen, days);
    } else {
      // Still open: what was paid on it in part, as seeded.
      openPaid ??= new Map(a.bills().map((b) => [b.period, Math.min(b.paidFen, b.amountFen)]));
      s.collected += openPaid.get(period) ?? 0;
    }
  }
}

/** The rollup's rows, one per period × area × class × grade (both stores write them). */
export function rollupRows(sums: ReadonlyMap<string, Sums>): RollupRow[] {
  return [...sums].map(([key, s]) => {
    const [period, area, cls, grade] = key.split('\u0001') as [string, string, string, string];
    return { period, area, customer_class: cls, grade, billed_fen: s.billed, collected_fen: s.collected, collected_on_time_fen: s.onTime, bills: s.bills, paid_bills: s.paid, late_fee_fen: s.fees };
  });
}

function writeRollup(db: BackendDb, sums: Map<Key, Sums>, grades: readonly [string, string][]): void {
  const insert = db.prepare('INSERT OR REPLACE INTO recovery_rollup VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertGrade = db.prepare('INSERT OR REPLACE INTO recovery_grades VALUES (?, ?)');
  db.transaction(() => {
    db.exec('DELETE FROM recovery_rollup; DELETE FROM recovery_grades');
    for (const [key, s] of sums) {
      const [period, area, cls, grade] = key.split('\u0001') as [string, string, string, string];
      insert.run(period, area, cls, grade, s.billed, s.collected, s.onTime, s.bills, s.paid, s.fees);
    }
    for (const [accountNo, grade] of grades) insertGrade.run(accountNo, grade);
    setMeta(db, 'recovery_rollup', ROLLUP_VERSION);
  })();
}

export const shippedLateFees = () => loadLateFeeRules(path.join(resourcesDir(), 'rules', 'late-fee.json'));
export const shippedCreditRules = () => loadCreditRules(path.join(resourcesDir(), 'rules', 'credit.json'));

export interface RollupOptions {
  readonly lateFees?: LateFeeRules;
  readonly credit?: CreditRules;
  /** The day the accounts are graded as of ('YYYY-MM-DD'); today by default. */
  readonly asOf?: string;
}

/**
 * Builds the rollup once (a database seeded before it existed gets it on first start; what
 * terminals paid before then is in its history already, so it would count twice: reseed such a file).
 */
export function ensureRecoveryRollup(db: BackendDb, opts: RollupOptions = {}): 'built' | 'present' {
  db.exec(SCHEMA);
  if (getMeta(db, 'recovery_rollup') === ROLLUP_VERSION) return 'present';
  const lateFees = opts.lateFees ?? shippedLateFees();
  const credit = opts.credit ?? shippedCreditRules();
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const sums = new Map<Key, Sums>();
  const grades: [string, string][] = [];
  const accounts = db.prepare<[], { account_no: string; address: string; customer_class: string; payment_mode: string; history_json: string | null }>(
    'SELECT account_no, address, customer_class, payment_mode, history_json FROM accounts',
  );
  const billsOf = db.prepare<[string], { period: string; amountFen: number; paidFen: number; status: string; dueDate: string }>(
    'SELECT period, amount_fen AS amountFen, paid_fen AS paidFen, status, due_date AS dueDate FROM bills WHERE account_no = ?',
  );
  for (const a of accounts.iterate()) {
    const history = a.history_json === null ? null : (JSON.parse(a.history_json) as AccountHistory);
    const bills = billsOf.all(a.account_no);
    const grade = modelGrade({ paymentMode: a.payment_mode, history, bills }, asOf, credit);
    grades.push([a.account_no, grade]);
    addAccount(sums, { address: a.address, customerClass: a.customer_class, grade, history, bills: () => bills }, lateFees);
  }
  writeRollup(db, sums, grades);
  return 'built';
}

/**
 * The rollup of an area given as snapshots (the seed generator's), without the per-account tables:
 * for the benchmark's million-account area, whose full seeding would take far longer than the
 * dashboard's question needs. Replaces whatever rollup the database had.
 */
export function buildRollupFromSnapshots(db: BackendDb, accounts: Iterable<AccountSnapshot>, opts: RollupOptions = {}): number {
  db.exec(SCHEMA);
  const lateFees = opts.lateFees ?? shippedLateFees();
  const credit = opts.credit ?? shippedCreditRules();
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const sums = new Map<Key, Sums>();
  const grades: [string, string][] = [];
  for (const a of accounts) {
    const history = a.history ?? null;
    const grade = modelGrade({ paymentMode: a.paymentMode, history, bills: a.bills }, asOf, credit);
    grades.push([a.accountNo, grade]);
    addAccount(sums, { address: a.address, customerClass: a.customerClass, grade, history, bills: () => a.bills }, lateFees);
  }
  writeRollup(db, sums, grades);
  return grades.length;
}

export type RollupRow = {
  period: string;
  area: string;
  customer_class: string;
  grade: string;
  billed_fen: number;
  collected_fen: number;
  collected_on_time_fen: number;
  bills: number;
  paid_bills: number;
  late_fee_fen: number;
};
export type LiveRow = {
  period: string;
  due_date: string;
  status: string;
  late_fee_paid_fen: number;
  address: string;
  customer_class: string;
  grade: string;
  principal: number;
  on_time: number;
};

const statements = new WeakMap<BackendDb, { range: (from: string, to: string) => RollupRow[]; owed: () => RollupRow[]; live: () => LiveRow[] }>();

function prepared(db: BackendDb) {
  let s = statements.get(db);
  if (s === undefined) {
    db.exec(SCHEMA);
    const range = db.prepare<[string, string], RollupRow>('SELECT * FROM recovery_rollup WHERE period >= ? AND period <= ?');
    const owed = db.prepare<[], RollupRow>('SELECT * FROM recovery_rollup WHERE bills > paid_bills OR billed_fen > collected_fen');
    // Everything terminals paid since the seed: bills a payment reached, with their principal.
    const live = db.prepare<[], LiveRow>(
      `SELECT b.period, b.due_date, b.status, b.late_fee_paid_fen, a.address, a.customer_class, COALESCE(g.grade, '—') AS grade,
              SUM(p.principal_fen) AS principal,
              SUM(CASE WHEN p.paid_on <= b.due_date THEN p.principal_fen ELSE 0 END) AS on_time
         FROM bill_payments p JOIN bills b ON b.bill_id = p.bill_id JOIN accounts a ON a.account_no = b.account_no
         LEFT JOIN recovery_grades g ON g.account_no = a.account_no
        GROUP BY p.bill_id`,
    );
    s = { range: (f, t) => range.all(f, t), owed: () => owed.all(), live: () => live.all() };
    statements.set(db, s);
  }
  return s;
}

function monthsSpanned(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

/** The dashboard's answer, or null for a bad range (from after to, malformed, or more than RECOVERY_MAX_MONTHS). */
export function recoveryDashboard(db: BackendDb, search: URLSearchParams, nowIso: string): RecoveryDashboardWire | null {
  const range = dashboardRange(search);
  if (range === null) return null;
  const q = prepared(db);
  return assembleDashboard(range.from, range.to, nowIso, { range: q.range(range.from, range.to), owed: q.owed(), live: q.live() });
}

/** The months asked for, or null for a bad range (from after to, malformed, or more than RECOVERY_MAX_MONTHS). */
export function dashboardRange(search: URLSearchParams): { from: string; to: string } | null {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const re = /^\d{4}-(0[1-9]|1[0-2])$/;
  if (!re.test(from) || !re.test(to) || from > to || monthsSpanned(from, to) > RECOVERY_MAX_MONTHS) return null;
  return { from, to };
}

/**
 * The answer from the rollup's rows in the range, its rows still owed, and what terminals paid
 * since (both stores read these three and call this).
 */
export function assembleDashboard(
  from: string, to: string, nowIso: string, q: { readonly range: readonly RollupRow[]; readonly owed: readonly RollupRow[]; readonly live: readonly LiveRow[] },
): RecoveryDashboardWire {
  const cells = new Map<Key, Sums>();
  for (const r of q.range) {
    const s = add(cells, keyOf(r.period, r.area, r.customer_class, r.grade));
    s.billed += r.billed_fen;
    s.collected += r.collected_fen;
    s.onTime += r.collected_on_time_fen;
    s.bills += r.bills;
    s.paid += r.paid_bills;
    s.fees += r.late_fee_fen;
  }
  const owed = new Map<Key, { outstanding: number; bills: number }>();
  for (const r of q.owed) {
    owed.set(keyOf(r.period, r.area, r.customer_class, r.grade), { outstanding: r.billed_fen - r.collected_fen, bills: r.bills - r.paid_bills });
  }
  for (const l of q.live) {
    const key = keyOf(l.period, areaOf(l.address), l.customer_class, l.grade);
    const paidNow = l.status === 'paid' ? 1 : 0;
    if (l.period >= from && l.period <= to) {
      // A bill the history already had (an open month) — or one billed after the seed, which the rollup lacks.
      const s = add(cells, key);
      s.collected += l.principal;
      s.onTime += l.on_time;
      s.paid += paidNow;
      s.fees += l.late_fee_paid_fen;
    }
    const o = owed.get(key);
    if (o !== undefined) {
      o.outstanding -= l.principal;
      o.bills -= paidNow;
    }
  }

  const cellList: RecoveryCellWire[] = [];
  for (const [key, s] of cells) {
    const [period, area, customerClass, grade] = key.split('\u0001') as [string, string, string, string];
    cellList.push({ period, area, customerClass, grade, billedFen: s.billed, collectedFen: s.collected, collectedOnTimeFen: s.onTime, bills: s.bills, paidBills: s.paid, lateFeeFen: s.fees });
  }
  const arrears: ArrearsCellWire[] = [];
  for (const [key, o] of owed) {
    if (o.outstanding <= 0 && o.bills <= 0) continue;
    const [period, area, customerClass, grade] = key.split('\u0001') as [string, string, string, string];
    arrears.push({ period, dueDate: dueDateOf(period), area, customerClass, grade, outstandingFen: Math.max(0, o.outstanding), bills: Math.max(0, o.bills) });
  }
  return { from, to, asOf: nowIso, cells: cellList, arrears };
}
