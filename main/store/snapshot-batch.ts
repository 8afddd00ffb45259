/**
 * Writes a batch of account snapshots — a thousand lines of the initial pull — inside the caller's
 * transaction. The cache must end exactly as `cacheSnapshot` (./accounts.ts) leaves it, one
 * snapshot at a time; that is the rule a test holds this module to. What differs is the cost:
 *
 * - an account this terminal has local changes for (a payment, a void or refund, a late-fee
 *   waiver: anything `cacheSnapshot` lays over a snapshot) goes through `cacheSnapshot` itself;
 * - every other account — all of them in a fresh terminal's pull of a million — gets the plain
 *   write: account, meters, bills and their dated payments, with what `cacheSnapshot`'s overlay
 *   would compute for "nothing local" (pending sums 0). The lookups the overlay needs per account
 *   and per bill (a dozen statements) become four per batch.
 *
 * A new kind of local change laid over snapshots must add its table to `LOCAL_CHANGES_SQL`.
 */
import type { AccountSnapshot } from '../wire/backend-wire.js';
import { NAMES_THROUGH_KEY, nameIndexComplete, recordNameAndStatus } from './account-search.js';
import { recordHistory } from './account-history.js';
import { cacheSnapshot, WRITE_METER_SQL } from './accounts.js';
import { stmt, type Db } from './db.js';

/** Accounts (of a JSON array of numbers) with anything of this terminal's that `cacheSnapshot` lays over a snapshot. */
const LOCAL_CHANGES_SQL = `
  SELECT account_no FROM payments WHERE account_no IN (SELECT value FROM json_each(@nos))
  UNION SELECT account_no FROM payment_reversals WHERE account_no IN (SELECT value FROM json_each(@nos))
  UNION SELECT account_no FROM late_fee_waivers WHERE account_no IN (SELECT value FROM json_each(@nos))`;

/**
 * Upserts every snapshot of `snaps` (distinct accounts) as of `cachedAt`. Call inside a
 * transaction; throws on a database error (the caller's transaction then rolls the batch back).
 */
export function applySnapshotBatch(db: Db, snaps: readonly AccountSnapshot[], cachedAt: number): void {
  if (!db.inTransaction) throw new Error('applySnapshotBatch runs inside the caller’s transaction');
  if (snaps.length === 0) return;
  const numbers = JSON.stringify(snaps.map((s) => s.accountNo));
  const local = new Set(stmt(db, LOCAL_CHANGES_SQL).pluck().all({ nos: numbers }) as string[]);
  // What the cache held of each account's name and status (for closed_accounts and the name index).
  const before = new Map<string, { name: string; closed: boolean }>();
  for (const r of stmt(
    db,
    `SELECT account_no AS accountNo, name, EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no) AS closed
     FROM accounts a WHERE account_no IN (SELECT value FROM json_each(?))`,
  ).all(numbers) as { accountNo: string; name: string; closed: number }[]) {
    before.set(r.accountNo, { name: r.name, closed: r.closed === 1 });
  }
  const openBefore = new Map<string, string[]>();
  for (const r of stmt(db, "SELECT account_no AS accountNo, bill_id AS billId FROM bills WHERE account_no IN (SELECT value FROM json_each(?)) AND status = 'open'").all(
    numbers,
  ) as { accountNo: string; billId: string }[]) {
    const list = openBefore.get(r.accountNo);
    if (list === undefined) openBefore.set(r.accountNo, [r.billId]);
    else list.push(r.billId);
  }

  // Inside the initial pull's load window (./bulk-load.ts) the name index is built at its end.
  const windowOpen = !nameIndexComplete(db);
  const namesThrough = windowOpen ? (stmt(db, 'SELECT value FROM kv WHERE key = ?').pluck().get(NAMES_THROUGH_KEY) as string | undefined) : undefined;
  const nameIndexed = (accountNo: string): boolean => !windowOpen || (namesThrough !== undefined && accountNo <= namesThrough);

  const plain = snaps.filter((s) => !local.has(s.accountNo));
  // The dated payments of the bills written below become the snapshots' (the overlay's "drop held" with nothing held).
  const billIds = plain.flatMap((s) => s.bills.map((b) => b.billId));
  if (billIds.length > 0) stmt(db, 'DELETE FROM bill_payments WHERE bill_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(billIds));

  const upsertAccount = stmt(
    db,
    `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen,
       credit_grade, card_no, consumption_year, consumption_month, version, updated_at, cached_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_no) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone,
       customer_class = excluded.customer_class, payment_mode = excluded.payment_mode, tariff_code = excluded.tariff_code,
       balance_fen = excluded.balance_fen, credit_grade = excluded.credit_grade, card_no = excluded.card_no,
       consumption_year = excluded.consumption_year, consumption_month = excluded.consumption_month,
       version = excluded.version, updated_at = excluded.updated_at, cached_at = excluded.cached_at`,
  );
  const upsertMeter = stmt(db, WRITE_METER_SQL);
  const upsertBill = stmt(
    db,
    `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, late_fee_waived_fen, due_date, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (bill_id) DO UPDATE SET period = excluded.period, consumption = excluded.consumption,
       amount_fen = excluded.amount_fen, paid_fen = excluded.paid_fen, late_fee_paid_fen = excluded.late_fee_paid_fen,
       late_fee_waived_fen = excluded.late_fee_waived_fen, due_date = excluded.due_date, status = excluded.status`,
  );
  const insertBillPayment = stmt(db, 'INSERT OR IGNORE INTO bill_payments (bill_id, payment_id, paid_on, principal_fen) VALUES (?, ?, ?, ?)');
  const settle = stmt(db, "UPDATE bills SET status = 'paid' WHERE bill_id = ?");

  for (const snap of snaps) {
    if (local.has(snap.accountNo)) {
      cacheSnapshot(db, snap, cachedAt);
      continue;
    }
    upsertAccount.run(
      snap.accountNo,
      snap.name,
      snap.address,
      snap.phone,
      snap.customerClass,
      snap.paymentMode,
      snap.tariffCode,
      snap.balanceFen,
      snap.creditGrade,
      snap.cardNo ?? null,
      snap.consumptionThisYear,
      snap.consumptionThisMonth,
      snap.version,
      snap.updatedAt,
      cachedAt,
    );
    recordNameAndStatus(db, snap.accountNo, before.get(snap.accountNo), snap.name, snap.status === 'closed', nameIndexed(snap.accountNo));
    recordHistory(db, snap, windowOpen);
    for (const m of snap.meters) {
      upsertMeter.run(m.meterNo, snap.accountNo, m.kind, m.sts ? JSON.stringify(m.sts) : null, m.cardGeneration ?? null);
    }
    for (const b of snap.bills) {
      const paidFen = Math.min(b.amountFen, b.paidFen);
      upsertBill.run(b.billId, snap.accountNo, b.period, b.consumption, b.amountFen, paidFen, b.lateFeePaidFen, b.lateFeeWaivedFen ?? 0, b.dueDate, paidFen >= b.amountFen ? 'paid' : b.status);
      for (const p of b.payments) insertBillPayment.run(b.billId, p.paymentId, p.paidOn, p.principalFen);
    }
    const wasOpen = openBefore.get(snap.accountNo);
    if (wasOpen !== undefined) {
      const listed = new Set(snap.bills.map((b) => b.billId));
      for (const billId of wasOpen) if (!listed.has(billId)) settle.run(billId);
    }
  }
}
