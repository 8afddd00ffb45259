/**
 * The collection area's tables (migration v16): notices, the contact log with promises to pay,
 * worklist assignments; and the one pass over the cache the daily worklist is computed from.
 * The callers hold the transaction; these are its statements.
 */
import type { HistoryFacts, OpenBillFact } from '../domain/collection/index.js';
import { stmt, type Db } from './db.js';

export interface NoticeRow {
  readonly noticeId: string;
  readonly requestId: string;
  readonly noticeNo: string;
  readonly accountNo: string;
  readonly kind: 'reminder' | 'disconnection';
  readonly customerClass: string;
  readonly overdueFen: number;
  readonly oldestDueDate: string;
  readonly servedOn: string;
  readonly earliestDisconnectOn: string | null;
  readonly stepsJson: string;
  readonly billsJson: string;
  readonly operatorId: string;
  readonly createdAt: string;
  readonly printedCount: number;
}

const NOTICE_COLUMNS = `notice_id AS noticeId, request_id AS requestId, notice_no AS noticeNo, account_no AS accountNo, kind,
  customer_class AS customerClass, overdue_fen AS overdueFen, oldest_due_date AS oldestDueDate, served_on AS servedOn,
  earliest_disconnect_on AS earliestDisconnectOn, steps_json AS stepsJson, bills_json AS billsJson, operator_id AS operatorId,
  created_at AS createdAt, printed_count AS printedCount`;

export function insertNotice(db: Db, n: Omit<NoticeRow, 'printedCount'>): void {
  stmt(
    db,
    `INSERT INTO collection_notices (notice_id, request_id, notice_no, account_no, kind, customer_class, overdue_fen, oldest_due_date, served_on,
       earliest_disconnect_on, steps_json, bills_json, operator_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(n.noticeId, n.requestId, n.noticeNo, n.accountNo, n.kind, n.customerClass, n.overdueFen, n.oldestDueDate, n.servedOn, n.earliestDisconnectOn, n.stepsJson, n.billsJson, n.operatorId, n.createdAt);
}

export function noticeById(db: Db, noticeId: string): NoticeRow | undefined {
  return stmt(db, `SELECT ${NOTICE_COLUMNS} FROM collection_notices WHERE notice_id = ?`).get(noticeId) as NoticeRow | undefined;
}

export function noticeByRequest(db: Db, requestId: string): NoticeRow | undefined {
  return stmt(db, `SELECT ${NOTICE_COLUMNS} FROM collection_notices WHERE request_id = ?`).get(requestId) as NoticeRow | undefined;
}

export function noticesOf(db: Db, accountNo: string): NoticeRow[] {
  return stmt(db, `SELECT ${NOTICE_COLUMNS} FROM collection_notices WHERE account_no = ? ORDER BY created_at DESC, notice_id DESC`).all(accountNo) as NoticeRow[];
}

export function countNoticesOn(db: Db, servedOn: string): number {
  return stmt(db, 'SELECT COUNT(*) FROM collection_notices WHERE served_on = ?').pluck().get(servedOn) as number;
}

export function markNoticePrinted(db: Db, noticeId: string): number {
  stmt(db, 'UPDATE collection_notices SET printed_count = printed_count + 1 WHERE notice_id = ?').run(noticeId);
  return stmt(db, 'SELECT printed_count FROM collection_notices WHERE notice_id = ?').pluck().get(noticeId) as number;
}

export interface ContactRow {
  readonly contactId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly channel: 'call' | 'visit' | 'sms' | 'letter';
  readonly outcome: 'reached' | 'promised' | 'no_answer' | 'refused' | 'wrong_number' | 'already_paid' | 'left_message';
  readonly note: string;
  readonly smsText: string | null;
  readonly promiseOn: string | null;
  readonly promiseFen: number | null;
  readonly operatorId: string;
  readonly createdAt: string;
}

const CONTACT_COLUMNS = `contact_id AS contactId, request_id AS requestId, account_no AS accountNo, channel, outcome, note, sms_text AS smsText,
  promise_on AS promiseOn, promise_fen AS promiseFen, operator_id AS operatorId, created_at AS createdAt`;

export function insertContact(db: Db, c: ContactRow): void {
  stmt(
    db,
    `INSERT INTO collection_contacts (contact_id, request_id, account_no, channel, outcome, note, sms_text, promise_on, promise_fen, operator_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(c.contactId, c.requestId, c.accountNo, c.channel, c.outcome, c.note, c.smsText, c.promiseOn, c.promiseFen, c.operatorId, c.createdAt);
}

export function contactByRequest(db: Db, requestId: string): ContactRow | undefined {
  return stmt(db, `SELECT ${CONTACT_COLUMNS} FROM collection_contacts WHERE request_id = ?`).get(requestId) as ContactRow | undefined;
}

export function contactsOf(db: Db, accountNo: string): ContactRow[] {
  return stmt(db, `SELECT ${CONTACT_COLUMNS} FROM collection_contacts WHERE account_no = ? ORDER BY created_at DESC, contact_id DESC`).all(accountNo) as ContactRow[];
}

/**
 * Each account's latest promise dated before `today` (a later contact's promise replaces an earlier
 * one), with what this terminal took on the account since the promise was made: whether it was kept.
 */
export function promisesDueBefore(db: Db, today: string): { contactId: string; accountNo: string; promiseOn: string; promiseFen: number | null; createdAt: string; paidSinceFen: number }[] {
  return stmt(
    db,
    `SELECT c.contact_id AS contactId, c.account_no AS accountNo, c.promise_on AS promiseOn, c.promise_fen AS promiseFen, c.created_at AS createdAt,
       COALESCE((SELECT SUM(p.amount_fen) FROM payments p WHERE p.account_no = c.account_no AND p.created_at >= c.created_at AND p.status = 'completed'), 0) AS paidSinceFen
     FROM collection_contacts c
     WHERE c.promise_on IS NOT NULL AND c.promise_on < ?
       AND NOT EXISTS (SELECT 1 FROM collection_contacts l WHERE l.account_no = c.account_no AND l.promise_on IS NOT NULL AND l.created_at > c.created_at)`,
  ).all(today) as { contactId: string; accountNo: string; promiseOn: string; promiseFen: number | null; createdAt: string; paidSinceFen: number }[];
}

/** What this terminal took on the account since an instant (completed payments). */
export function paidSince(db: Db, accountNo: string, sinceIso: string): number {
  return stmt(db, "SELECT COALESCE(SUM(amount_fen), 0) FROM payments WHERE account_no = ? AND created_at >= ? AND status = 'completed'").pluck().get(accountNo, sinceIso) as number;
}

export function assign(db: Db, accountNo: string, assigneeId: string | null, by: string, at: string): void {
  if (assigneeId === null) stmt(db, 'DELETE FROM worklist_assignments WHERE account_no = ?').run(accountNo);
  else
    stmt(db, 'INSERT INTO worklist_assignments VALUES (?, ?, ?, ?) ON CONFLICT (account_no) DO UPDATE SET assignee_id = excluded.assignee_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at').run(
      accountNo,
      assigneeId,
      by,
      at,
    );
}

export function assignments(db: Db): Map<string, string> {
  const rows = stmt(db, 'SELECT account_no, assignee_id FROM worklist_assignments').raw().all() as [string, string][];
  return new Map(rows);
}

export interface StaffRow {
  readonly operatorId: string;
  readonly name: string;
  readonly role: string;
}

export function activeStaff(db: Db): StaffRow[] {
  return stmt(db, "SELECT operator_id AS operatorId, name, role FROM operators WHERE active = 1 AND role IN ('clerk', 'supervisor', 'manager') ORDER BY operator_id").all() as StaffRow[];
}

export function staffName(db: Db, operatorId: string): string | null {
  return (stmt(db, 'SELECT name FROM operators WHERE operator_id = ?').pluck().get(operatorId) as string | undefined) ?? null;
}

/** One account as the worklist sees it (the cache's columns, its open bills and history). */
export interface WorklistRow {
  readonly accountNo: string;
  readonly customerClass: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly balanceFen: number;
  readonly tariffCode: string;
  readonly openBills: OpenBillFact[];
  readonly history: HistoryFacts | null;
  /** The credit grade in force (credit_current), null before the account's first grading. */
  readonly grade: string | null;
}

/**
 * An account's cached history read field by field, only the fields a rule asks for: a day's pass
 * over a million accounts cannot afford parsing every history whole. The JSON is the snapshot's own
 * (JSON.stringify of a validated AccountHistory), so a field is `"name":[…]` or `"name":"…"`.
 */
export class LazyHistory implements HistoryFacts {
  private kwhCache: number[] | undefined | null = null;
  /** `kwhMonths`: only the last so many months of consumption are read (the rules never look further back). */
  constructor(
    private readonly json: string,
    private readonly kwhMonths = 24,
  ) {}

  get to(): string {
    const i = this.json.indexOf('"to":"');
    return i < 0 ? '' : this.json.slice(i + 6, i + 13);
  }
  get late(): number[] | undefined {
    return intArray(this.json, 'late');
  }
  get kwh(): number[] | undefined {
    if (this.kwhCache === null) this.kwhCache = lastInts(this.json, 'kwh', this.kwhMonths);
    return this.kwhCache;
  }
  get vends(): number[] | undefined {
    return intArray(this.json, 'vends');
  }
  get cutoffs(): string[] | undefined {
    const raw = arrayText(this.json, 'cutoffs');
    return raw === undefined ? undefined : raw === '' ? [] : raw.split(',').map((d) => d.slice(1, -1));
  }
}

/**
 * An account's history as the worklist reads it from its narrow facts (worklist_facts, migration
 * v21, kept by triggers on account_history): arrays rebuilt only when a rule asks, and only as far
 * as the rules look — months late and months with a purchase as 0/1 (the rules only ask "late?",
 * "bought?"), the last months of consumption, the cut-off dates.
 */
export class FactsHistory implements HistoryFacts {
  private kwhCache: number[] | undefined | null = null;
  constructor(
    readonly to: string,
    private readonly lateMask: number,
    private readonly vendLen: number | null,
    private readonly vendMask: number,
    private readonly kwhTail: string | null,
    private readonly cutoffList: string | null,
    private readonly kwhMonths = 13,
  ) {}

  get late(): number[] {
    const out = new Array<number>(24);
    for (let j = 0; j < 24; j++) out[23 - j] = (this.lateMask >>> j) & 1;
    return out;
  }
  get vends(): number[] | undefined {
    if (this.vendLen === null) return undefined;
    const out = new Array<number>(this.vendLen);
    for (let j = 0; j < this.vendLen; j++) out[this.vendLen - 1 - j] = j < 31 ? (this.vendMask >>> j) & 1 : 0;
    return out;
  }
  get kwh(): number[] | undefined {
    if (this.kwhCache === null) this.kwhCache = this.kwhTail === null ? undefined : this.kwhTail === '' ? [] : this.kwhTail.split(',').slice(-this.kwhMonths).map(Number);
    return this.kwhCache;
  }
  get cutoffs(): string[] | undefined {
    return this.cutoffList === null ? undefined : this.cutoffList === '' ? [] : this.cutoffList.split(',');
  }
}

function arrayText(json: string, key: string): string | undefined {
  const i = json.indexOf(`"${key}":[`);
  if (i < 0) return undefined;
  const start = i + key.length + 4;
  return json.slice(start, json.indexOf(']', start));
}

/** The last `n` integers of an array field, read backwards from its end (no split of the whole). */
function lastInts(json: string, key: string, n: number): number[] | undefined {
  const i = json.indexOf(`"${key}":[`);
  if (i < 0) return undefined;
  const start = i + key.length + 4;
  let end = json.indexOf(']', start);
  const out: number[] = [];
  while (out.length < n && end > start) {
    const comma = json.lastIndexOf(',', end - 1);
    const from = comma < start ? start : comma + 1;
    out.push(Number(json.slice(from, end)));
    end = comma < start ? start : comma;
  }
  return out.reverse();
}

function intArray(json: string, key: string): number[] | undefined {
  const raw = arrayText(json, key);
  return raw === undefined ? undefined : raw === '' ? [] : raw.split(',').map(Number);
}

/**
 * Every active account of the cache, in account order, with its open bills and history facts: two
 * ordered scans merged (accounts ⋈ worklist_facts by key, open bills by their account index), so a
 * million accounts stream in bounded memory. The facts are a few integers and short texts per
 * account (FactsHistory), not the history's JSON: decoding every history was most of the pass.
 */
export function* worklistRows(db: Db, kwhMonths = 24): Generator<WorklistRow> {
  const closed = new Set(stmt(db, 'SELECT account_no FROM closed_accounts').pluck().all() as string[]);
  if (kwhMonths > 13) throw new Error(`the worklist facts keep 13 months of consumption, not ${kwhMonths}`);
  const accounts = db
    .prepare(
      `SELECT a.account_no, a.customer_class, a.payment_mode, a.balance_fen, a.tariff_code, c.grade,
         f.to_period, f.late_mask, f.vend_len, f.vend_mask, f.kwh_tail, f.cutoffs
       FROM accounts a LEFT JOIN worklist_facts f ON f.account_no = a.account_no LEFT JOIN credit_current c ON c.account_no = a.account_no
       ORDER BY a.account_no`,
    )
    .raw()
    .iterate() as IterableIterator<
    [string, string, 'postpaid' | 'prepaid', number, string, string | null, string | null, number, number | null, number, string | null, string | null]
  >;
  const bills = db
    .prepare("SELECT account_no, amount_fen, paid_fen, due_date FROM bills WHERE status = 'open' ORDER BY account_no")
    .raw()
    .iterate() as IterableIterator<[string, number, number, string]>;
  let nextBill = bills.next();
  for (const [accountNo, customerClass, paymentMode, balanceFen, tariffCode, grade, to, lateMask, vendLen, vendMask, kwhTail, cutoffs] of accounts) {
    const openBills: OpenBillFact[] = [];
    while (!nextBill.done && nextBill.value[0] <= accountNo) {
      const [billAccount, amountFen, paidFen, dueDate] = nextBill.value;
      if (billAccount === accountNo) openBills.push({ amountFen, paidFen, dueDate });
      nextBill = bills.next();
    }
    if (closed.has(accountNo)) continue;
    const history = to === null ? null : new FactsHistory(to, lateMask, vendLen, vendMask, kwhTail, cutoffs, kwhMonths);
    yield { accountNo, customerClass, paymentMode, balanceFen, tariffCode, openBills, history, grade };
  }
}

export interface AccountBrief {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly customerClass: 'residential' | 'commercial' | 'industrial' | 'agricultural';
  readonly paymentMode: 'postpaid' | 'prepaid';
}

export function accountBrief(db: Db, accountNo: string): AccountBrief | undefined {
  return stmt(db, 'SELECT account_no AS accountNo, name, address, phone, customer_class AS customerClass, payment_mode AS paymentMode FROM accounts WHERE account_no = ?').get(accountNo) as
    | AccountBrief
    | undefined;
}

/** A key that changes whenever something the worklist reads may have: any journaled change, or a pulled page. */
export function worklistDataKey(db: Db): string {
  const seq = stmt(db, 'SELECT COALESCE(MAX(seq), 0) FROM journal').pluck().get() as number;
  const kv = stmt(db, "SELECT COALESCE(group_concat(key || '=' || value, ';'), '') FROM kv WHERE key LIKE '%cursor%'").pluck().get() as string;
  return `${seq}|${kv}`;
}

/** One account as the worklist sees it (undefined: not in the cache). */
export function worklistRow(db: Db, accountNo: string): WorklistRow | undefined {
  const a = stmt(
    db,
    `SELECT a.account_no, a.customer_class, a.payment_mode, a.balance_fen, a.tariff_code, h.history_json, c.grade
     FROM accounts a LEFT JOIN account_history h ON h.account_no = a.account_no LEFT JOIN credit_current c ON c.account_no = a.account_no
     WHERE a.account_no = ?`,
  )
    .raw()
    .get(accountNo) as [string, string, 'postpaid' | 'prepaid', number, string, string | null, string | null] | undefined;
  if (!a) return undefined;
  const bills = stmt(db, "SELECT amount_fen AS amountFen, paid_fen AS paidFen, due_date AS dueDate FROM bills WHERE account_no = ? AND status = 'open'").all(accountNo) as OpenBillFact[];
  return { accountNo: a[0], customerClass: a[1], paymentMode: a[2], balanceFen: a[3], tariffCode: a[4], openBills: bills, history: a[5] === null ? null : (JSON.parse(a[5]) as HistoryFacts), grade: a[6] };
}
