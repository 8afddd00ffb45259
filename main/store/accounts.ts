/**
 * The terminal's cache of account snapshots from the backend. This terminal's payments that a
 * snapshot does not hold yet are laid over it, so a refresh never "un-pays" a bill this terminal
 * settled, and never counts one twice. Which ones: those whose event sequence number is above the
 * snapshot's `appliedSeq` (the backend's word on what it holds), whether they are still in the
 * outbox (not sent, or sent with the acknowledgement lost) or already acknowledged (the answer
 * left the backend before the payment reached it).
 */
import type { AccountSnapshot, BillSnapshot, MeterSnapshot } from '../wire/backend-wire.js';
import { stmt, type Db } from './db.js';
import { layOverLocalChanges } from './local-overlay.js';
import { nameAndStatus, recordNameAndStatus } from './account-search.js';
import { recordHistory } from './account-history.js';

/** A dated payment of a bill's principal: the backend's (from snapshots) or this terminal's. */
export interface CachedBillPayment {
  readonly paymentId: string;
  /** 'YYYY-MM-DD', the paying terminal's zone. */
  readonly paidOn: string;
  readonly principalFen: number;
}

export interface CachedBill {
  readonly billId: string;
  readonly period: string;
  readonly consumption: number;
  readonly amountFen: number;
  readonly paidFen: number;
  readonly lateFeePaidFen: number;
  readonly dueDate: string;
  readonly status: 'open' | 'paid';
  /** Principal payments, oldest first; late fees replay them (paid principal not listed counts as paid by the due date). */
  readonly payments: readonly CachedBillPayment[];
}

export interface CachedAccount {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly customerClass: AccountSnapshot['customerClass'];
  readonly paymentMode: AccountSnapshot['paymentMode'];
  readonly tariffCode: string;
  readonly balanceFen: number;
  readonly creditGrade: AccountSnapshot['creditGrade'];
  readonly cardNo: string | null;
  readonly consumptionYear: number;
  readonly consumptionMonth: number;
  readonly version: number;
  readonly updatedAt: string;
  readonly cachedAt: number;
  readonly meters: readonly MeterSnapshot[];
  readonly bills: readonly CachedBill[];
}

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
  consumption_year: number;
  consumption_month: number;
  version: number;
  updated_at: string;
  cached_at: number;
}

interface BillRow {
  bill_id: string;
  period: string;
  consumption: number;
  amount_fen: number;
  paid_fen: number;
  late_fee_paid_fen: number;
  due_date: string;
  status: 'open' | 'paid';
}

interface MeterRow {
  meter_no: string;
  kind: MeterSnapshot['kind'];
  sts_json: string | null;
  card_generation: number | null;
}

/**
 * A snapshot's meter, replacing the row of the same number. OR REPLACE rather than an upsert: in
 * the initial pull's load window the unique index `meters_no` is dropped (store/bulk-load.ts), and
 * this one statement then appends; the window's close keeps the last row written per meter.
 */
export const WRITE_METER_SQL = 'INSERT OR REPLACE INTO meters (meter_no, account_no, kind, sts_json, card_generation) VALUES (?, ?, ?, ?, ?)';

/** Upsert one snapshot (account, meters, bills). Runs in its own transaction unless already in one. */
export function cacheSnapshot(db: Db, snap: AccountSnapshot, cachedAt: number): void {
  const apply = db.transaction(() => {
    // The name and status before, for the search index (./account-search.ts).
    const before = nameAndStatus(db, snap.accountNo);
    const heldThrough = snapshotHolds(db, snap);
    const pendingBalance = (db
      .prepare('SELECT COALESCE(SUM(to_balance_fen), 0) AS fen FROM payments WHERE account_no = ? AND event_seq > ?')
      .get(snap.accountNo, heldThrough) as { fen: number }).fen;
    db.prepare(
      `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen,
         credit_grade, card_no, consumption_year, consumption_month, version, updated_at, cached_at)
       VALUES (@accountNo, @name, @address, @phone, @customerClass, @paymentMode, @tariffCode, @balanceFen,
         @creditGrade, @cardNo, @consumptionThisYear, @consumptionThisMonth, @version, @updatedAt, @cachedAt)
       ON CONFLICT (account_no) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone,
         customer_class = excluded.customer_class, payment_mode = excluded.payment_mode, tariff_code = excluded.tariff_code,
         balance_fen = excluded.balance_fen, credit_grade = excluded.credit_grade, card_no = excluded.card_no,
         consumption_year = excluded.consumption_year, consumption_month = excluded.consumption_month,
         version = excluded.version, updated_at = excluded.updated_at, cached_at = excluded.cached_at`,
    ).run({
      ...snap,
      balanceFen: snap.balanceFen + pendingBalance,
      cardNo: snap.cardNo ?? null,
      cachedAt,
    });
    const upsertMeter = stmt(db, WRITE_METER_SQL);
    for (const m of snap.meters) {
      upsertMeter.run(m.meterNo, snap.accountNo, m.kind, m.sts ? JSON.stringify(m.sts) : null, m.cardGeneration ?? null);
    }
    const pendingForBill = db.prepare(
      `SELECT a.payment_id AS paymentId, a.principal_fen AS principal, a.late_fee_fen AS fee
       FROM payment_allocations a JOIN payments p ON p.payment_id = a.payment_id WHERE a.bill_id = ? AND p.event_seq > ?`,
    );
    // The bill's dated payments become the snapshot's; this terminal's that it does not hold stay.
    const dropHeldPayments = db.prepare(
      `DELETE FROM bill_payments WHERE bill_id = ? AND payment_id NOT IN (
         SELECT payment_id FROM payments WHERE account_no = ? AND event_seq > ?)`,
    );
    const insertBillPayment = db.prepare(
      'INSERT OR IGNORE INTO bill_payments (bill_id, payment_id, paid_on, principal_fen) VALUES (?, ?, ?, ?)',
    );
    const upsertBill = db.prepare(
      `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, due_date, status)
       VALUES (@billId, @accountNo, @period, @consumption, @amountFen, @paidFen, @lateFeePaidFen, @dueDate, @status)
       ON CONFLICT (bill_id) DO UPDATE SET period = excluded.period, consumption = excluded.consumption,
         amount_fen = excluded.amount_fen, paid_fen = excluded.paid_fen, late_fee_paid_fen = excluded.late_fee_paid_fen,
         due_date = excluded.due_date, status = excluded.status`,
    );
    for (const b of snap.bills) {
      // A pending payment the snapshot already lists (its acknowledgement was lost) is not added twice.
      const known = new Set(b.payments.map((p) => p.paymentId));
      const pending = (pendingForBill.all(b.billId, heldThrough) as { paymentId: string; principal: number; fee: number }[]).filter((p) => !known.has(p.paymentId));
      const principal = pending.reduce((sum, p) => sum + p.principal, 0);
      const fee = pending.reduce((sum, p) => sum + p.fee, 0);
      upsertBill.run(overlayPending(snap.accountNo, b, principal, fee));
      dropHeldPayments.run(b.billId, snap.accountNo, heldThrough);
      for (const p of b.payments) insertBillPayment.run(b.billId, p.paymentId, p.paidOn, p.principalFen);
    }
    recordNameAndStatus(db, snap.accountNo, before, snap.name, snap.status === 'closed');
    recordHistory(db, snap);
    settleUnlistedBills(db, snap.accountNo, new Set(snap.bills.map((b) => b.billId)));
    // Voids, refunds and late-fee waivers it does not hold yet, by the same rule.
    layOverLocalChanges(db, snap, heldThrough);
  });
  apply();
}

/**
 * Every snapshot lists all of the account's open bills: a cached open bill it does not list was
 * settled (or cancelled) at the backend. It stops being offered for payment; this terminal's own
 * later changes are laid over afterwards (a void of its payment opens it again).
 */
export function settleUnlistedBills(db: Db, accountNo: string, listed: ReadonlySet<string>): void {
  const open = stmt(db, "SELECT bill_id FROM bills WHERE account_no = ? AND status = 'open'").pluck().all(accountNo) as string[];
  for (const billId of open) if (!listed.has(billId)) stmt(db, "UPDATE bills SET status = 'paid' WHERE bill_id = ?").run(billId);
}

/**
 * The highest of this terminal's event sequence numbers the snapshot holds. A backend that does not
 * say (no `appliedSeq`) is taken to hold everything that left the outbox and nothing still in it.
 */
function snapshotHolds(db: Db, snap: AccountSnapshot): number {
  if (snap.appliedSeq !== undefined) return snap.appliedSeq;
  const oldest = (stmt(db, 'SELECT MIN(seq) AS seq FROM outbox').get() as { seq: number | null }).seq;
  return oldest === null ? Number.MAX_SAFE_INTEGER : oldest - 1;
}

function overlayPending(accountNo: string, b: BillSnapshot, principal: number, fee: number) {
  const paidFen = Math.min(b.amountFen, b.paidFen + principal);
  return {
    billId: b.billId,
    accountNo,
    period: b.period,
    consumption: b.consumption,
    amountFen: b.amountFen,
    paidFen,
    lateFeePaidFen: b.lateFeePaidFen + fee,
    dueDate: b.dueDate,
    status: paidFen >= b.amountFen ? 'paid' : b.status,
  };
}

/** Whether the office closed the account (its last snapshot said so). */
export function isClosedAccount(db: Db, accountNo: string): boolean {
  return stmt(db, 'SELECT 1 FROM closed_accounts WHERE account_no = ?').get(accountNo) !== undefined;
}

export function getCachedAccount(db: Db, accountNo: string): CachedAccount | undefined {
  const row = db.prepare('SELECT * FROM accounts WHERE account_no = ?').get(accountNo) as AccountRow | undefined;
  if (!row) return undefined;
  const meters = (db.prepare('SELECT meter_no, kind, sts_json, card_generation FROM meters WHERE account_no = ? ORDER BY meter_no').all(accountNo) as MeterRow[]).map(
    (m): MeterSnapshot => ({
      meterNo: m.meter_no,
      kind: m.kind,
      ...(m.sts_json ? { sts: JSON.parse(m.sts_json) as NonNullable<MeterSnapshot['sts']> } : {}),
      ...(m.card_generation !== null ? { cardGeneration: m.card_generation } : {}),
    }),
  );
  const payments = billPaymentsOf(db, accountNo);
  const bills = (db.prepare('SELECT * FROM bills WHERE account_no = ? ORDER BY due_date, period, bill_id').all(accountNo) as BillRow[]).map(
    (b): CachedBill => ({
      billId: b.bill_id,
      period: b.period,
      consumption: b.consumption,
      amountFen: b.amount_fen,
      paidFen: b.paid_fen,
      lateFeePaidFen: b.late_fee_paid_fen,
      dueDate: b.due_date,
      status: b.status,
      payments: payments.get(b.bill_id) ?? [],
    }),
  );
  return {
    accountNo: row.account_no,
    name: row.name,
    address: row.address,
    phone: row.phone,
    customerClass: row.customer_class,
    paymentMode: row.payment_mode,
    tariffCode: row.tariff_code,
    balanceFen: row.balance_fen,
    creditGrade: row.credit_grade,
    cardNo: row.card_no,
    consumptionYear: row.consumption_year,
    consumptionMonth: row.consumption_month,
    version: row.version,
    updatedAt: row.updated_at,
    cachedAt: row.cached_at,
    meters,
    bills,
  };
}

/** The dated principal payments of an account's bills, by bill, oldest first. */
export function billPaymentsOf(db: Db, accountNo: string): Map<string, CachedBillPayment[]> {
  const rows = stmt(
    db,
    `SELECT bp.bill_id AS billId, bp.payment_id AS paymentId, bp.paid_on AS paidOn, bp.principal_fen AS principalFen
     FROM bill_payments bp JOIN bills b ON b.bill_id = bp.bill_id WHERE b.account_no = ? ORDER BY bp.paid_on, bp.payment_id`,
  ).all(accountNo) as (CachedBillPayment & { billId: string })[];
  const byBill = new Map<string, CachedBillPayment[]>();
  for (const { billId, ...p } of rows) {
    const list = byBill.get(billId) ?? [];
    list.push(p);
    byBill.set(billId, list);
  }
  return byBill;
}
