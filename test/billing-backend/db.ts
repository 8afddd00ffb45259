/** The backend's own SQLite file: WAL, one schema, opened by the server and the seeder. */
import Database from 'better-sqlite3';

export type BackendDb = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS operators (
  operator_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  pin_hash TEXT NOT NULL, active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  account_no TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL,
  customer_class TEXT NOT NULL, payment_mode TEXT NOT NULL, tariff_code TEXT NOT NULL,
  balance_fen INTEGER NOT NULL, credit_grade TEXT NOT NULL, card_no TEXT,
  consumption_this_year INTEGER NOT NULL, consumption_this_month INTEGER NOT NULL,
  version INTEGER NOT NULL, updated_at TEXT NOT NULL, change_seq INTEGER NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active', history_json TEXT);
CREATE INDEX IF NOT EXISTS accounts_phone ON accounts(phone);
CREATE INDEX IF NOT EXISTS accounts_card_no ON accounts(card_no);
CREATE TABLE IF NOT EXISTS meters (
  meter_no TEXT PRIMARY KEY, account_no TEXT NOT NULL REFERENCES accounts(account_no),
  position INTEGER NOT NULL, kind TEXT NOT NULL, sts_json TEXT, card_generation INTEGER);
CREATE INDEX IF NOT EXISTS meters_account ON meters(account_no);
CREATE TABLE IF NOT EXISTS bills (
  bill_id TEXT PRIMARY KEY, account_no TEXT NOT NULL REFERENCES accounts(account_no),
  period TEXT NOT NULL, consumption INTEGER NOT NULL, amount_fen INTEGER NOT NULL,
  paid_fen INTEGER NOT NULL, due_date TEXT NOT NULL, status TEXT NOT NULL,
  late_fee_paid_fen INTEGER NOT NULL DEFAULT 0, late_fee_waived_fen INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS bills_account ON bills(account_no, period);
CREATE TABLE IF NOT EXISTS bill_payments (
  event_id TEXT NOT NULL, bill_id TEXT NOT NULL, paid_on TEXT NOT NULL, principal_fen INTEGER NOT NULL,
  PRIMARY KEY (event_id, bill_id));
CREATE INDEX IF NOT EXISTS bill_payments_bill ON bill_payments(bill_id, paid_on);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  occurred_at TEXT NOT NULL, payload_json TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_terminal_seq ON events(terminal_id, seq);
-- Per terminal, the highest event seq processed (accepted or rejected): snapshots carry it.
CREATE TABLE IF NOT EXISTS terminal_progress (terminal_id TEXT PRIMARY KEY, processed_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS exceptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, terminal_id TEXT NOT NULL,
  kind TEXT NOT NULL, account_no TEXT, bill_id TEXT, fen INTEGER NOT NULL, detail TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gateway_orders (
  out_trade_no TEXT PRIMARY KEY, auth_code TEXT NOT NULL, amount_fen INTEGER NOT NULL,
  status TEXT NOT NULL, trade_no TEXT, created_at TEXT NOT NULL);
`;

export function openBackendDb(path: string): BackendDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  // Demo files made before late fees were recorded per bill gain the column in place.
  const billColumns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('bills')").all();
  if (!billColumns.some((c) => c.name === 'late_fee_paid_fen')) {
    db.exec('ALTER TABLE bills ADD COLUMN late_fee_paid_fen INTEGER NOT NULL DEFAULT 0');
  }
  // … and files made before late fees could be waived gain that column.
  if (!billColumns.some((c) => c.name === 'late_fee_waived_fen')) {
    db.exec('ALTER TABLE bills ADD COLUMN late_fee_waived_fen INTEGER NOT NULL DEFAULT 0');
  }
  // … and files made before accounts could be closed gain the status column (all active).
  const accountColumns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')").all();
  if (!accountColumns.some((c) => c.name === 'status')) {
    db.exec("ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active'");
  }
  // … and files made before accounts had a 24-month history gain that column (none known).
  if (!accountColumns.some((c) => c.name === 'history_json')) {
    db.exec('ALTER TABLE accounts ADD COLUMN history_json TEXT');
  }
  return db;
}

/** Next value of a named counter; call inside a transaction. */
export function nextCounter(db: BackendDb, name: string): number {
  const row = db
    .prepare<[string], { value: number }>(
      `INSERT INTO counters(name, value) VALUES (?, 1)
       ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
    )
    .get(name);
  if (row === undefined) throw new Error(`counter ${name} did not advance`);
  return row.value;
}

export function getMeta(db: BackendDb, key: string): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
}

export function setMeta(db: BackendDb, key: string, value: string): void {
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
