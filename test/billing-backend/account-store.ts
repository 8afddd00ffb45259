/** Reading and writing account snapshots in the backend's tables. */
import {
  StsParamsSchema,
  type AccountHistory,
  type AccountSnapshot,
  type BillSnapshot,
  type ChangesPage,
  type MeterSnapshot,
  type OperatorSnapshot,
} from '../../main/wire/backend-wire.js';
import { getMeta, setMeta, type BackendDb } from './db.js';
import { GENERATOR_VERSION, type SeedParams } from './seed.js';

interface AccountRow {
  account_no: string;
  name: string;
  address: string;
  phone: string;
  customer_class: AccountSnapshot['customerClass'];
  payment_mode: AccountSnapshot['paymentMode'];
  tariff_code: string;
  balance_fen: number;
  credit_grade: AccountSnapshot['creditGrade'];
  card_no: string | null;
  consumption_this_year: number;
  consumption_this_month: number;
  version: number;
  updated_at: string;
  change_seq: number;
  status: 'active' | 'closed';
  /** AccountSnapshot.history as it travels (compact JSON), or null: none known. */
  history_json: string | null;
}
interface MeterRow {
  meter_no: string;
  kind: MeterSnapshot['kind'];
  sts_json: string | null;
  card_generation: number | null;
}
interface BillRow {
  bill_id: string;
  period: string;
  consumption: number;
  amount_fen: number;
  paid_fen: number;
  late_fee_paid_fen: number;
  late_fee_waived_fen: number;
  due_date: string;
  status: BillSnapshot['status'];
}

export const MAX_SEARCH_RESULTS = 20;
export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 500;

/** Prepared statements over one connection; build once per server. */
export class AccountStore {
  private readonly accountStmt;
  private readonly progressStmt;
  private readonly metersStmt;
  private readonly billsStmt;
  private readonly changesStmt;
  private readonly searchStmt;
  private readonly operatorsStmt;
  private readonly billPaymentsStmt;
  private readonly streamAccountsStmt;
  private readonly streamMetersStmt;
  private readonly streamOpenBillsStmt;
  private readonly streamBillPaymentsStmt;

  constructor(private readonly db: BackendDb) {
    this.accountStmt = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE account_no = ?');
    this.progressStmt = db.prepare<[string], { processed_seq: number }>('SELECT processed_seq FROM terminal_progress WHERE terminal_id = ?');
    this.metersStmt = db.prepare<[string], MeterRow>(
      'SELECT meter_no, kind, sts_json, card_generation FROM meters WHERE account_no = ? ORDER BY position',
    );
    // All open bills and the 6 most recently paid, oldest first.
    this.billsStmt = db.prepare<[string, string], BillRow>(
      `SELECT bill_id, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, late_fee_waived_fen, due_date, status FROM bills
       WHERE account_no = ? AND (status = 'open' OR bill_id IN (
         SELECT bill_id FROM bills WHERE account_no = ? AND status = 'paid' ORDER BY period DESC, bill_id DESC LIMIT 6))
       ORDER BY period, bill_id`,
    );
    this.changesStmt = db.prepare<[number, number], AccountRow>(
      'SELECT * FROM accounts WHERE change_seq > ? ORDER BY change_seq LIMIT ?',
    );
    this.searchStmt = db.prepare<{ q: string; like: string; limit: number }, { account_no: string }>(
      `SELECT account_no FROM (
         SELECT account_no FROM accounts WHERE account_no = @q OR phone = @q OR card_no = @q
         UNION SELECT account_no FROM meters WHERE meter_no = @q
         UNION SELECT account_no FROM bills WHERE bill_id = @q
         UNION SELECT account_no FROM accounts WHERE name LIKE @like ESCAPE '\\')
       ORDER BY account_no LIMIT @limit`,
    );
    this.billPaymentsStmt = db.prepare<[string], { event_id: string; paid_on: string; principal_fen: number }>(
      'SELECT event_id, paid_on, principal_fen FROM bill_payments WHERE bill_id = ? ORDER BY paid_on, event_id',
    );
    this.streamAccountsStmt = db.prepare<[number, number, number], AccountRow>(
      'SELECT * FROM accounts WHERE change_seq > ? AND change_seq <= ? ORDER BY change_seq LIMIT ?',
    );
    this.streamMetersStmt = db.prepare<[number, number], MeterRow & { account_no: string }>(
      `SELECT m.account_no, m.meter_no, m.kind, m.sts_json, m.card_generation FROM accounts a JOIN meters m ON m.account_no = a.account_no
       WHERE a.change_seq > ? AND a.change_seq <= ? ORDER BY m.account_no, m.position`,
    );
    this.streamOpenBillsStmt = db.prepare<[number, number], BillRow & { account_no: string }>(
      `SELECT b.account_no, b.bill_id, b.period, b.consumption, b.amount_fen, b.paid_fen, b.late_fee_paid_fen, b.late_fee_waived_fen, b.due_date, b.status
       FROM accounts a JOIN bills b ON b.account_no = a.account_no
       WHERE a.change_seq > ? AND a.change_seq <= ? AND b.status = 'open' ORDER BY b.account_no, b.period, b.bill_id`,
    );
    this.streamBillPaymentsStmt = db.prepare<[number, number], { bill_id: string; event_id: string; paid_on: string; principal_fen: number }>(
      `SELECT bp.bill_id, bp.event_id, bp.paid_on, bp.principal_fen FROM accounts a JOIN bills b ON b.account_no = a.account_no
       JOIN bill_payments bp ON bp.bill_id = b.bill_id
       WHERE a.change_seq > ? AND a.change_seq <= ? AND b.status = 'open' ORDER BY bp.bill_id, bp.paid_on, bp.event_id`,
    );
    this.operatorsStmt = db.prepare<[], { operator_id: string; name: string; role: OperatorSnapshot['role']; pin_hash: string; active: number }>(
      'SELECT * FROM operators ORDER BY operator_id',
    );
  }

  /** The highest event seq of `terminalId` processed so far (0 = none): what its snapshots hold (AccountSnapshot.appliedSeq). */
  appliedSeq(terminalId: string): number {
    return this.progressStmt.get(terminalId)?.processed_seq ?? 0;
  }

  get(accountNo: string): AccountSnapshot | undefined {
    const row = this.accountStmt.get(accountNo);
    return row === undefined ? undefined : this.toSnapshot(row);
  }

  search(q: string): AccountSnapshot[] {
    const text = q.trim();
    if (text === '') return [];
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.searchStmt
      .all({ q: text, like, limit: MAX_SEARCH_RESULTS })
      .map((r) => this.get(r.account_no))
      .filter((a): a is AccountSnapshot => a !== undefined);
  }

  /** `cursor` is the last change sequence the caller has seen ('' = none). */
  changes(cursor: string, limit: number): ChangesPage {
    const after = cursor === '' ? 0 : Number(cursor);
    const rows = this.changesStmt.all(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => this.toSnapshot(r)),
      nextCursor: last === undefined ? cursor : String(last.change_seq),
      done: rows.length <= limit,
    };
  }

  operators(): OperatorSnapshot[] {
    return this.operatorsStmt.all().map((r) => ({
      operatorId: r.operator_id,
      name: r.name,
      role: r.role,
      pinHash: r.pin_hash,
      active: r.active === 1,
    }));
  }

  private toSnapshot(row: AccountRow): AccountSnapshot {
    const meters = this.metersStmt.all(row.account_no).map((m): MeterSnapshot => {
      const meter: MeterSnapshot = { meterNo: m.meter_no, kind: m.kind };
      if (m.sts_json !== null) meter.sts = StsParamsSchema.parse(JSON.parse(m.sts_json));
      if (m.card_generation !== null) meter.cardGeneration = m.card_generation;
      return meter;
    });
    const bills = this.billsStmt.all(row.account_no, row.account_no).map(
      (b): BillSnapshot => ({
        billId: b.bill_id,
        period: b.period,
        consumption: b.consumption,
        amountFen: b.amount_fen,
        paidFen: b.paid_fen,
        lateFeePaidFen: b.late_fee_paid_fen,
        ...(b.late_fee_waived_fen > 0 ? { lateFeeWaivedFen: b.late_fee_waived_fen } : {}),
        dueDate: b.due_date,
        status: b.status,
        // Open bills carry their dated principal payments: the terminal's late fee replays them.
        payments:
          b.status === 'open'
            ? this.billPaymentsStmt.all(b.bill_id).map((x) => ({ paymentId: x.event_id, paidOn: x.paid_on, principalFen: x.principal_fen }))
            : [],
      }),
    );
    const snapshot: AccountSnapshot = {
      accountNo: row.account_no,
      name: row.name,
      address: row.address,
      phone: row.phone,
      customerClass: row.customer_class,
      paymentMode: row.payment_mode,
      tariffCode: row.tariff_code,
      balanceFen: row.balance_fen,
      creditGrade: row.credit_grade,
      meters,
      bills,
      consumptionThisYear: row.consumption_this_year,
      consumptionThisMonth: row.consumption_this_month,
      version: row.version,
      updatedAt: row.updated_at,
      status: row.status,
    };
    if (row.card_no !== null) snapshot.cardNo = row.card_no;
    if (row.history_json !== null) snapshot.history = JSON.parse(row.history_json) as AccountHistory;
    return snapshot;
  }

  /** The change-feed position the snapshot stream ends at, and how many accounts lie in (after, until]. */
  streamBounds(after: number): { until: number; total: number } {
    return this.db.transaction(() => {
      const until = this.db.prepare<[], { seq: number | null }>('SELECT MAX(change_seq) AS seq FROM accounts').get()?.seq ?? 0;
      const total = this.db.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM accounts WHERE change_seq > ? AND change_seq <= ?').get(after, until)?.n ?? 0;
      return { until: Math.max(until, after), total };
    })();
  }

  /**
   * The next up-to-`limit` account lines of the snapshot stream (change_seq in (after, until]),
   * each with its OPEN bills only and their payments, read in one read transaction with four
   * range queries (accounts, meters, open bills, their payments) rather than three per account.
   * As NDJSON text: each account's stored history (JSON written by this backend from a checked
   * snapshot) goes into its line as it is stored, not parsed and written again — for a million
   * accounts that was a third of the backend's time. `cursor`: the last line's, null when none.
   */
  streamChunkText(after: number, until: number, limit: number, appliedSeqOf: () => number): { text: string; cursor: number | null; count: number } {
    return this.db.transaction(() => {
      const rows = this.streamAccountsStmt.all(after, until, limit);
      const last = rows.at(-1);
      if (last === undefined) return { text: '', cursor: null, count: 0 };
      const range = [after, last.change_seq] as const;
      const meters = groupBy(this.streamMetersStmt.all(...range), (m) => m.account_no);
      const payments = groupBy(this.streamBillPaymentsStmt.all(...range), (p) => p.bill_id);
      const bills = groupBy(this.streamOpenBillsStmt.all(...range), (b) => b.account_no);
      const appliedSeq = appliedSeqOf();
      let text = '';
      for (const row of rows) {
        const snapshot: AccountSnapshot = {
          accountNo: row.account_no,
          name: row.name,
          address: row.address,
          phone: row.phone,
          customerClass: row.customer_class,
          paymentMode: row.payment_mode,
          tariffCode: row.tariff_code,
          balanceFen: row.balance_fen,
          creditGrade: row.credit_grade,
          meters: (meters.get(row.account_no) ?? []).map((m) => {
            const meter: MeterSnapshot = { meterNo: m.meter_no, kind: m.kind };
            // Written from checked snapshots only (seed, admin); the terminal checks every line again.
            if (m.sts_json !== null) meter.sts = JSON.parse(m.sts_json) as MeterSnapshot['sts'];
            if (m.card_generation !== null) meter.cardGeneration = m.card_generation;
            return meter;
          }),
          bills: (bills.get(row.account_no) ?? []).map((b) => ({
            billId: b.bill_id,
            period: b.period,
            consumption: b.consumption,
            amountFen: b.amount_fen,
            paidFen: b.paid_fen,
            lateFeePaidFen: b.late_fee_paid_fen,
            ...(b.late_fee_waived_fen > 0 ? { lateFeeWaivedFen: b.late_fee_waived_fen } : {}),
            dueDate: b.due_date,
            status: b.status,
            payments: (payments.get(b.bill_id) ?? []).map((x) => ({ paymentId: x.event_id, paidOn: x.paid_on, principalFen: x.principal_fen })),
          })),
          consumptionThisYear: row.consumption_this_year,
          consumptionThisMonth: row.consumption_this_month,
          version: row.version,
          updatedAt: row.updated_at,
          appliedSeq,
          status: row.status,
        };
        if (row.card_no !== null) snapshot.cardNo = row.card_no;
        const account = JSON.stringify(snapshot);
        const withHistory = row.history_json === null ? account : `${account.slice(0, -1)},"history":${row.history_json}}`;
        text += `{"kind":"account","cursor":"${row.change_seq}","account":${withHistory}}\n`;
      }
      return { text, cursor: last.change_seq, count: rows.length };
    })();
  }
}

export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list === undefined) out.set(k, [row]);
    else list.push(row);
  }
  return out;
}

export function seedKey(params: SeedParams): string {
  return JSON.stringify({ seed: params.seed, accounts: params.accounts, seedDate: params.seedDate, generator: GENERATOR_VERSION });
}

/**
 * Seeds an empty database, or checks that an existing one was seeded with the same parameters
 * (reusing it, with whatever events it has taken since). A database seeded differently is an error
 * rather than silently mixed data. `generate` is only called when seeding is needed.
 */
export function ensureSeeded(
  db: BackendDb,
  params: SeedParams,
  generate: () => { readonly operators: readonly OperatorSnapshot[]; readonly accounts: Iterable<AccountSnapshot> },
): 'seeded' | 'reused' {
  const existing = getMeta(db, 'seed');
  if (existing !== undefined) {
    if (existing !== seedKey(params)) {
      throw new Error(`backend database was seeded with ${existing}, not ${seedKey(params)}; use another --db file`);
    }
    return 'reused';
  }
  const data = generate();
  const insertOperator = db.prepare('INSERT INTO operators VALUES (?, ?, ?, ?, ?)');
  const insertAccount = db.prepare(
    `INSERT INTO accounts VALUES (@accountNo, @name, @address, @phone, @customerClass, @paymentMode, @tariffCode,
      @balanceFen, @creditGrade, @cardNo, @consumptionThisYear, @consumptionThisMonth, @version, @updatedAt, @changeSeq, @status, @historyJson)`,
  );
  const insertMeter = db.prepare('INSERT INTO meters VALUES (?, ?, ?, ?, ?, ?)');
  const insertBill = db.prepare(
    'INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // Random keys (phones, meter numbers) make the seeding of a large area cache-bound: a big page
  // cache while seeding (freed afterwards) keeps a million accounts to tens of seconds.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  db.transaction(() => {
    for (const o of data.operators) insertOperator.run(o.operatorId, o.name, o.role, o.pinHash, o.active ? 1 : 0);
    let count = 0;
    // One pass over the generator: a million accounts never sit in memory together.
    for (const a of data.accounts) {
      const { meters, bills, cardNo } = a;
      count += 1;
      insertAccount.run({
        accountNo: a.accountNo,
        name: a.name,
        address: a.address,
        phone: a.phone,
        customerClass: a.customerClass,
        paymentMode: a.paymentMode,
        tariffCode: a.tariffCode,
        balanceFen: a.balanceFen,
        creditGrade: a.creditGrade,
        cardNo: cardNo ?? null,
        consumptionThisYear: a.consumptionThisYear,
        consumptionThisMonth: a.consumptionThisMonth,
        version: a.version,
        updatedAt: a.updatedAt,
        changeSeq: count,
        status: a.status ?? 'active',
        historyJson: a.history === undefined ? null : JSON.stringify(a.history),
      });
      meters.forEach((m, position) =>
        insertMeter.run(m.meterNo, a.accountNo, position, m.kind, m.sts === undefined ? null : JSON.stringify(m.sts), m.cardGeneration ?? null),
      );
      for (const b of bills) {
        insertBill.run(b.billId, a.accountNo, b.period, b.consumption, b.amountFen, b.paidFen, b.dueDate, b.status);
      }
    }
    db.prepare("INSERT INTO counters(name, value) VALUES ('change', ?)").run(count);
    setMeta(db, 'seed', seedKey(params));
  }).immediate();
  db.pragma(`cache_size = ${cacheSize}`);
  return 'seeded';
}
