/**
 * What terminals pull, on the PostgreSQL store: account snapshots (one, a search, the change feed,
 * the snapshot stream) and the staff list, shaped as account-store.ts shapes them on SQLite — the
 * contract suite (contract/pull.contract.test.ts) holds both to the same answers.
 *
 * Several reads that make one answer (accounts, their meters, bills and bill payments) run in one
 * REPEATABLE READ READ ONLY transaction, so they see one moment. The snapshot stream reads a chunk
 * of accounts at a time by change_seq (keyset), each chunk two round trips (readDetails): a
 * million accounts stream in bounded memory, never loaded at once, and each chunk costs the same.
 *
 * Text is ordered with COLLATE "C" (byte order), as SQLite orders it, whatever the cluster's locale.
 *
 * The change feed's head. change_seq comes from a sequence, and transactions may commit out of
 * sequence order: a reader could see 8 committed while 7 is not yet, serve up to 8, and the terminal
 * whose cursor passed 7 would never see that change. So every transaction that draws a change_seq
 * holds CHANGE_SEQ_LOCK shared until it ends (writers never wait on each other for it), and the
 * head a reader serves up to is read under the same lock taken exclusively: once granted, every
 * number drawn so far is committed or rolled back, and later ones will be higher. A reader thus
 * waits for the batches in flight (one round trip and a commit), and new batches wait for it.
 */
import pg from 'pg';
import type { AccountHistory, AccountSnapshot, BillSnapshot, ChangesPage, MeterSnapshot, OperatorSnapshot } from '../../../main/wire/backend-wire.js';
import { groupBy, MAX_SEARCH_RESULTS } from '../account-store.js';
import { int, lit, multiOn } from './pg-sql.js';

/** Advisory lock (one bigint key) of change_seq: shared by its writers, exclusive for the head's read. */
export const CHANGE_SEQ_LOCK = 727003;
/** The statement a transaction runs before it draws a change_seq (and holds until it ends). */
export const DRAWS_CHANGE_SEQ = `SELECT pg_advisory_xact_lock_shared(${CHANGE_SEQ_LOCK})`;

/** Added to the intake's tables (pg-store.ts): the columns and tables a snapshot and the staff list need. */
export const PG_ACCOUNTS_SCHEMA = `
ALTER TABLE accounts
  ADD COLUMN IF NOT EXISTS address text NOT NULL DEFAULT '', ADD COLUMN IF NOT EXISTS phone text NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS customer_class text NOT NULL DEFAULT 'residential', ADD COLUMN IF NOT EXISTS payment_mode text NOT NULL DEFAULT 'postpaid',
  ADD COLUMN IF NOT EXISTS credit_grade text NOT NULL DEFAULT 'B', ADD COLUMN IF NOT EXISTS card_no text,
  ADD COLUMN IF NOT EXISTS consumption_this_year bigint NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS consumption_this_month bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'active', ADD COLUMN IF NOT EXISTS history_json text;
ALTER TABLE bills
  ADD COLUMN IF NOT EXISTS consumption bigint NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS late_fee_waived_fen bigint NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX IF NOT EXISTS accounts_change_seq ON accounts (change_seq);
CREATE INDEX IF NOT EXISTS accounts_phone ON accounts (phone);
CREATE INDEX IF NOT EXISTS accounts_card_no ON accounts (card_no);
CREATE TABLE IF NOT EXISTS meters (
  meter_no text PRIMARY KEY, account_no text NOT NULL REFERENCES accounts (account_no),
  position integer NOT NULL, kind text NOT NULL, sts_json text, card_generation integer);
CREATE INDEX IF NOT EXISTS meters_account ON meters (account_no, position);
CREATE INDEX IF NOT EXISTS bill_payments_bill ON bill_payments (bill_id, paid_on);
CREATE TABLE IF NOT EXISTS operators (operator_id text PRIMARY KEY, name text NOT NULL, role text NOT NULL, pin_hash text NOT NULL, active boolean NOT NULL);
`;

/** Columns of an account row as read (bigint columns come as text from `pg`). */
interface AccountRow {
  account_no: string;
  name: string;
  address: string;
  phone: string;
  customer_class: AccountSnapshot['customerClass'];
  payment_mode: AccountSnapshot['paymentMode'];
  tariff_code: string;
  balance_fen: string;
  credit_grade: AccountSnapshot['creditGrade'];
  card_no: string | null;
  consumption_this_year: string;
  consumption_this_month: string;
  version: number;
  updated_at: string;
  change_seq: string;
  status: 'active' | 'closed';
  history_json: string | null;
}
interface MeterRow {
  account_no: string;
  meter_no: string;
  kind: MeterSnapshot['kind'];
  sts_json: string | null;
  card_generation: number | null;
}
interface BillRow {
  account_no: string;
  bill_id: string;
  period: string;
  consumption: string;
  amount_fen: string;
  paid_fen: string;
  late_fee_paid_fen: string;
  late_fee_waived_fen: string;
  due_date: string;
  status: BillSnapshot['status'];
}
interface PaymentRow {
  bill_id: string;
  event_id: string;
  paid_on: string;
  principal_fen: string;
}

const ACCOUNT_COLUMNS = `account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, card_no,
  consumption_this_year, consumption_this_month, version, updated_at, change_seq, status, history_json`;
const METER_COLUMNS = 'm.account_no, m.meter_no, m.kind, m.sts_json, m.card_generation';
const BILL_COLUMNS = 'b.account_no, b.bill_id, b.period, b.consumption, b.amount_fen, b.paid_fen, b.late_fee_paid_fen, b.late_fee_waived_fen, b.due_date, b.status';

/** A seeded account as the PG store keeps it: the whole snapshot, as ensureSeeded keeps it on SQLite. */
export type FullSeedAccount = AccountSnapshot;

export class PgAccounts {
  constructor(private readonly pool: pg.Pool) {}

  async operators(): Promise<OperatorSnapshot[]> {
    const r = await this.pool.query<{ operator_id: string; name: string; role: OperatorSnapshot['role']; pin_hash: string; active: boolean }>(
      'SELECT operator_id, name, role, pin_hash, active FROM operators ORDER BY operator_id COLLATE "C"',
    );
    return r.rows.map((o) => ({ operatorId: o.operator_id, name: o.name, role: o.role, pinHash: o.pin_hash, active: o.active }));
  }

  async get(accountNo: string, terminalId: string): Promise<AccountSnapshot | undefined> {
    return (await this.snapshots(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE account_no = ${lit(accountNo)}`, terminalId))[0];
  }

  /** As AccountStore.search: exact account, phone, card, meter or bill number, or part of the name. */
  async search(q: string, terminalId: string): Promise<AccountSnapshot[]> {
    const text = q.trim();
    if (text === '') return [];
    const like = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const t = lit(text);
    // SQLite's LIKE ignores the case of ASCII letters: ILIKE here.
    return this.snapshots(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE account_no IN (
         SELECT account_no FROM (
           SELECT account_no FROM accounts WHERE account_no = ${t} OR phone = ${t} OR card_no = ${t}
           UNION SELECT account_no FROM meters WHERE meter_no = ${t}
           UNION SELECT account_no FROM bills WHERE bill_id = ${t}
           UNION SELECT account_no FROM accounts WHERE name ILIKE ${lit(like)} ESCAPE '\\') found
         ORDER BY account_no COLLATE "C" LIMIT ${MAX_SEARCH_RESULTS})
       ORDER BY account_no COLLATE "C"`,
      terminalId,
    );
  }

  /** As AccountStore.changes: `cursor` is the last change_seq the caller has seen ('' = none); never past the head. */
  async changes(cursor: string, limit: number, terminalId: string): Promise<ChangesPage> {
    const after = cursor === '' ? 0 : Number(cursor);
    const { until } = await this.head(after);
    const rows = await this.snapshotsWithSeq(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE change_seq > ${int(after)} AND change_seq <= ${int(until)} ORDER BY change_seq LIMIT ${int(limit + 1)}`,
      terminalId,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map((r) => r.snapshot), nextCursor: last === undefined ? cursor : String(last.changeSeq), done: rows.length <= limit };
  }

  async streamBounds(after: number): Promise<{ until: number; total: number }> {
    return this.head(after);
  }

  /**
   * The change feed's head (every change_seq up to it committed or rolled back: see the top) and
   * how many accounts lie in (after, head]; one statement under the lock, so both are of one moment.
   */
  private async head(after: number): Promise<{ until: number; total: number }> {
    const results = await multi(this.pool, [
      'BEGIN',
      `SELECT pg_advisory_xact_lock(${CHANGE_SEQ_LOCK})`,
      `SELECT COALESCE(MAX(change_seq), 0) AS until, COUNT(*) FILTER (WHERE change_seq > ${int(after)}) AS total FROM accounts`,
      'COMMIT',
    ]);
    const row = results[2]?.[0] as { until: string; total: string } | undefined;
    return { until: Math.max(Number(row?.until ?? 0), after), total: Number(row?.total ?? 0) };
  }

  /**
   * As AccountStore.streamChunkText: the accounts, their meters, open bills and those bills'
   * payments for one keyset chunk, and the terminal's appliedSeq, in one snapshot; the stored
   * history spliced into each line as stored.
   */
  async streamChunk(after: number, until: number, limit: number, terminalId: string): Promise<{ text: string; cursor: number | null; count: number }> {
    const read = await this.readDetails(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE change_seq > ${int(after)} AND change_seq <= ${int(until)} ORDER BY change_seq LIMIT ${int(limit)}`,
      'open',
      appliedSeqSql(terminalId),
    );
    const rows = read.accounts;
    const last = rows.at(-1);
    if (last === undefined) return { text: '', cursor: null, count: 0 };
    const { meters, bills, payments } = read;
    const appliedSeq = appliedSeqOf(read.extra);
    let text = '';
    for (const row of rows) {
      const snapshot = toSnapshot(row, meters.get(row.account_no) ?? [], bills.get(row.account_no) ?? [], payments, appliedSeq);
      const account = JSON.stringify(snapshot);
      const withHistory = row.history_json === null ? account : `${account.slice(0, -1)},"history":${row.history_json}}`;
      text += `{"kind":"account","cursor":"${row.change_seq}","account":${withHistory}}\n`;
    }
    return { text, cursor: Number(last.change_seq), count: rows.length };
  }

  /**
   * Adds whole seeded accounts (meters, bills, history) with their change_seq in the order given,
   * and the staff; `c` is inside the seeding transaction.
   */
  static async insertSeed(c: pg.PoolClient, accounts: readonly FullSeedAccount[], operators: readonly OperatorSnapshot[]): Promise<void> {
    if (operators.length > 0) {
      await c.query(
        `INSERT INTO operators (operator_id, name, role, pin_hash, active) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])`,
        [operators.map((o) => o.operatorId), operators.map((o) => o.name), operators.map((o) => o.role), operators.map((o) => o.pinHash), operators.map((o) => o.active)],
      );
    }
    if (accounts.length === 0) return;
    const col = <T>(f: (a: FullSeedAccount) => T): T[] => accounts.map(f);
    await c.query(DRAWS_CHANGE_SEQ);
    // The order of the rows is the order of the sequence's values (ORDER BY n), as SQLite counts them.
    await c.query(
      `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, card_no,
         consumption_this_year, consumption_this_month, version, updated_at, change_seq, status, history_json, closure, moved_to)
       SELECT a, nm, ad, ph, cc, pm, tc, bal, cg, card, cy, cmo, v, up, nextval('account_change_seq'), st, h, NULL, NULL
       FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[],
               $11::bigint[], $12::bigint[], $13::int[], $14::text[], $15::text[], $16::text[]) WITH ORDINALITY
             AS t(a, nm, ad, ph, cc, pm, tc, bal, cg, card, cy, cmo, v, up, st, h, n) ORDER BY n) rows`,
      [
        col((a) => a.accountNo), col((a) => a.name), col((a) => a.address), col((a) => a.phone), col((a) => a.customerClass), col((a) => a.paymentMode),
        col((a) => a.tariffCode), col((a) => a.balanceFen), col((a) => a.creditGrade), col((a) => a.cardNo ?? null), col((a) => a.consumptionThisYear),
        col((a) => a.consumptionThisMonth), col((a) => a.version), col((a) => a.updatedAt), col((a) => a.status ?? 'active'),
        col((a) => (a.history === undefined ? null : JSON.stringify(a.history))),
      ],
    );
    const meters = accounts.flatMap((a) => a.meters.map((m, position) => ({ ...m, accountNo: a.accountNo, position })));
    if (meters.length > 0) {
      await c.query(
        `INSERT INTO meters (meter_no, account_no, position, kind, sts_json, card_generation)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[])`,
        [meters.map((m) => m.meterNo), meters.map((m) => m.accountNo), meters.map((m) => m.position), meters.map((m) => m.kind),
          meters.map((m) => (m.sts === undefined ? null : JSON.stringify(m.sts))), meters.map((m) => m.cardGeneration ?? null)],
      );
    }
    const bills = accounts.flatMap((a) => a.bills.map((b) => ({ ...b, accountNo: a.accountNo })));
    if (bills.length > 0) {
      await c.query(
        `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[])`,
        [bills.map((b) => b.billId), bills.map((b) => b.accountNo), bills.map((b) => b.period), bills.map((b) => b.consumption),
          bills.map((b) => b.amountFen), bills.map((b) => b.paidFen), bills.map((b) => b.dueDate), bills.map((b) => b.status)],
      );
    }
  }

  private async snapshots(accountsSql: string, terminalId: string): Promise<AccountSnapshot[]> {
    return (await this.snapshotsWithSeq(accountsSql, terminalId)).map((r) => r.snapshot);
  }

  /**
   * The accounts `accountsSql` selects, in its order, as AccountStore.get shapes each: all open
   * bills and the 6 latest paid; with `terminalId`'s appliedSeq read in the same snapshot.
   */
  private async snapshotsWithSeq(accountsSql: string, terminalId: string): Promise<{ snapshot: AccountSnapshot; changeSeq: number }[]> {
    const { accounts, meters, bills, payments, extra } = await this.readDetails(accountsSql, 'open_and_latest_paid', appliedSeqSql(terminalId));
    const appliedSeq = appliedSeqOf(extra);
    return accounts.map((row) => {
      const snapshot = toSnapshot(row, meters.get(row.account_no) ?? [], bills.get(row.account_no) ?? [], payments, appliedSeq);
      if (row.history_json !== null) snapshot.history = JSON.parse(row.history_json) as AccountHistory;
      return { snapshot, changeSeq: Number(row.change_seq) };
    });
  }

  /**
   * The accounts `accountsSql` selects, with their meters, bills (open ones, or those and the 6
   * latest paid) and the open bills' payments, in one REPEATABLE READ READ ONLY transaction of two
   * round trips: the accounts first, then the rest by their numbers as literals — joined to a
   * subquery instead, the planner scanned the whole meters and bills tables for every chunk.
   * `extraSql` (or null) runs in the first round trip, in the same snapshot.
   */
  private async readDetails(
    accountsSql: string, bills: 'open' | 'open_and_latest_paid', extraSql: string | null,
  ): Promise<{ accounts: AccountRow[]; meters: Map<string, MeterRow[]>; bills: Map<string, BillRow[]>; payments: Map<string, PaymentRow[]>; extra: Record<string, unknown>[] }> {
    const c = await this.pool.connect();
    try {
      const first = await multiOn(c, ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', accountsSql, ...(extraSql === null ? [] : [extraSql])]);
      const accounts = first[1] as unknown as AccountRow[];
      const extra = first[2] ?? [];
      if (accounts.length === 0) {
        await c.query('COMMIT');
        return { accounts, meters: new Map(), bills: new Map(), payments: new Map(), extra };
      }
      const nos = `ARRAY[${accounts.map((a) => lit(a.account_no)).join(',')}]::text[]`;
      const billsSql =
        bills === 'open'
          ? `SELECT ${BILL_COLUMNS} FROM bills b WHERE b.account_no = ANY(${nos}) AND b.status = 'open'
             ORDER BY b.account_no COLLATE "C", b.period COLLATE "C", b.bill_id COLLATE "C"`
          : `SELECT ${BILL_COLUMNS} FROM (
               SELECT bills.*, row_number() OVER (PARTITION BY account_no, status ORDER BY period COLLATE "C" DESC, bill_id COLLATE "C" DESC) AS latest
               FROM bills WHERE account_no = ANY(${nos})) b
             WHERE b.status = 'open' OR (b.status = 'paid' AND b.latest <= 6)
             ORDER BY b.account_no COLLATE "C", b.period COLLATE "C", b.bill_id COLLATE "C"`;
      const second = await multiOn(c, [
        `SELECT ${METER_COLUMNS} FROM meters m WHERE m.account_no = ANY(${nos}) ORDER BY m.account_no COLLATE "C", m.position`,
        billsSql,
        `SELECT bp.bill_id, bp.event_id, bp.paid_on, bp.principal_fen FROM bills b JOIN bill_payments bp ON bp.bill_id = b.bill_id
         WHERE b.account_no = ANY(${nos}) AND b.status = 'open'
         ORDER BY bp.bill_id COLLATE "C", bp.paid_on COLLATE "C", bp.event_id COLLATE "C"`,
        'COMMIT',
      ]);
      return {
        accounts,
        meters: groupBy(second[0] as unknown as MeterRow[], (m) => m.account_no),
        bills: groupBy(second[1] as unknown as BillRow[], (b) => b.account_no),
        payments: groupBy(second[2] as unknown as PaymentRow[], (p) => p.bill_id),
        extra,
      };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
}

/** The terminal's appliedSeq, for readDetails' `extraSql` (the same snapshot as the accounts). */
function appliedSeqSql(terminalId: string): string {
  return `SELECT processed_seq FROM terminal_progress WHERE terminal_id = ${lit(terminalId)}`;
}

function appliedSeqOf(extra: readonly Record<string, unknown>[]): number {
  return Number((extra[0] as { processed_seq?: string } | undefined)?.processed_seq ?? 0);
}

/** The snapshot without its history (the caller adds it: parsed, or spliced in as text), fields in AccountStore's order. */
function toSnapshot(row: AccountRow, meters: readonly MeterRow[], bills: readonly BillRow[], payments: ReadonlyMap<string, PaymentRow[]>, appliedSeq: number | null): AccountSnapshot {
  const snapshot: AccountSnapshot = {
    accountNo: row.account_no,
    name: row.name,
    address: row.address,
    phone: row.phone,
    customerClass: row.customer_class,
    paymentMode: row.payment_mode,
    tariffCode: row.tariff_code,
    balanceFen: Number(row.balance_fen),
    creditGrade: row.credit_grade,
    meters: meters.map((m) => {
      const meter: MeterSnapshot = { meterNo: m.meter_no, kind: m.kind };
      // Written from checked snapshots only (the seed); the terminal checks every snapshot again.
      if (m.sts_json !== null) meter.sts = JSON.parse(m.sts_json) as MeterSnapshot['sts'];
      if (m.card_generation !== null) meter.cardGeneration = m.card_generation;
      return meter;
    }),
    bills: bills.map((b) => ({
      billId: b.bill_id,
      period: b.period,
      consumption: Number(b.consumption),
      amountFen: Number(b.amount_fen),
      paidFen: Number(b.paid_fen),
      lateFeePaidFen: Number(b.late_fee_paid_fen),
      ...(Number(b.late_fee_waived_fen) > 0 ? { lateFeeWaivedFen: Number(b.late_fee_waived_fen) } : {}),
      dueDate: b.due_date,
      status: b.status,
      // Open bills carry their dated principal payments: the terminal's late fee replays them.
      payments: b.status === 'open' ? (payments.get(b.bill_id) ?? []).map((x) => ({ paymentId: x.event_id, paidOn: x.paid_on, principalFen: Number(x.principal_fen) })) : [],
    })),
    consumptionThisYear: Number(row.consumption_this_year),
    consumptionThisMonth: Number(row.consumption_this_month),
    version: Number(row.version),
    updatedAt: row.updated_at,
    ...(appliedSeq === null ? {} : { appliedSeq }),
    status: row.status,
  };
  if (row.card_no !== null) snapshot.cardNo = row.card_no;
  return snapshot;
}

/** multiOn on a client of its own; a failed transaction is rolled back. */
async function multi(pool: pg.Pool, statements: readonly string[]): Promise<Record<string, unknown>[][]> {
  const c = await pool.connect();
  try {
    return await multiOn(c, statements);
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

