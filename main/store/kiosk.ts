/**
 * The kiosk's tables (migration v12; docs/kiosk.md): QR orders and ratings. SQL only here; the
 * kiosk service (main/services/kiosk/) writes through these inside its own transactions, with the
 * journal entry and the outbox event of each step.
 */
import { createHash } from 'node:crypto';
import { stmt, type Db } from './db.js';

export type KioskOrderState =
  | 'creating'
  | 'awaiting_payment'
  | 'paid'
  | 'delivered'
  | 'cancelling'
  | 'cancelled'
  | 'expired'
  | 'refunding'
  | 'refunded';

/** States an order leaves only through the gateway or a delivery: resumed on start. */
export const OPEN_ORDER_STATES: readonly KioskOrderState[] = ['creating', 'awaiting_payment', 'paid', 'cancelling', 'refunding'];

export interface KioskOrderRow {
  order_id: string;
  visit_id: string | null;
  what: 'bills' | 'vend';
  account_no: string;
  amount_fen: number;
  /** Bills: the bill ids quoted, oldest first (JSON). */
  bills_json: string | null;
  quote_digest: string;
  out_trade_no: string;
  vend_id: string | null;
  payment_id: string | null;
  state: KioskOrderState;
  /** Why it is being (or was) closed: cancelled, expired, visit_ended, gateway_error. */
  close_reason: string | null;
  code_url: string | null;
  expires_at: string | null;
  trade_no: string | null;
  paid_at: string | null;
  /** Paid although a cancel or expiry had been asked for, and delivered anyway. */
  honoured: number;
  refund_no: string | null;
  locale: 'zh-CN' | 'en';
  actor: string;
  delivered_at: string | null;
  /** When the delivery was shown on the kiosk's screen (a delivery finished by resume waits to be shown). */
  presented_at: string | null;
  receipt_printed: number;
  created_at: string;
  updated_at: string;
}

export type NewKioskOrder = Pick<
  KioskOrderRow,
  'order_id' | 'visit_id' | 'what' | 'account_no' | 'amount_fen' | 'bills_json' | 'quote_digest' | 'out_trade_no' | 'vend_id' | 'locale' | 'actor' | 'created_at'
>;

export function insertKioskOrder(db: Db, o: NewKioskOrder): void {
  stmt(
    db,
    `INSERT INTO kiosk_orders (order_id, visit_id, what, account_no, amount_fen, bills_json, quote_digest, out_trade_no, vend_id,
       state, locale, actor, created_at, updated_at)
     VALUES (@order_id, @visit_id, @what, @account_no, @amount_fen, @bills_json, @quote_digest, @out_trade_no, @vend_id,
       'creating', @locale, @actor, @created_at, @created_at)`,
  ).run(o);
}

export function kioskOrder(db: Db, orderId: string): KioskOrderRow | undefined {
  return stmt(db, 'SELECT * FROM kiosk_orders WHERE order_id = ?').get(orderId) as KioskOrderRow | undefined;
}

export function kioskOrderByVend(db: Db, vendId: string): KioskOrderRow | undefined {
  return stmt(db, 'SELECT * FROM kiosk_orders WHERE vend_id = ?').get(vendId) as KioskOrderRow | undefined;
}

export function kioskOrderByPayment(db: Db, paymentId: string): KioskOrderRow | undefined {
  return stmt(db, 'SELECT * FROM kiosk_orders WHERE payment_id = ?').get(paymentId) as KioskOrderRow | undefined;
}

/** Orders still moving (creating, awaiting payment, paid, cancelling, refunding), oldest first. */
export function openKioskOrders(db: Db): KioskOrderRow[] {
  return stmt(
    db,
    "SELECT * FROM kiosk_orders WHERE state IN ('creating', 'awaiting_payment', 'paid', 'cancelling', 'refunding') ORDER BY created_at, order_id",
  ).all() as KioskOrderRow[];
}

/** Delivered since `sinceIso` but never shown on the kiosk's screen (finished by resume while nobody looked). */
export function unpresentedKioskOrders(db: Db, sinceIso: string): KioskOrderRow[] {
  return stmt(db, "SELECT * FROM kiosk_orders WHERE state = 'delivered' AND presented_at IS NULL AND delivered_at >= ? ORDER BY created_at").all(sinceIso) as KioskOrderRow[];
}

/**
 * One guarded step: the order moves from one of `from` to `to` (with `columns`) or nothing
 * happens; true when it moved. Run inside the step's transaction.
 */
export function moveKioskOrder(
  db: Db,
  orderId: string,
  from: readonly KioskOrderState[],
  to: KioskOrderState,
  at: string,
  columns: Partial<Pick<KioskOrderRow, 'close_reason' | 'code_url' | 'expires_at' | 'trade_no' | 'paid_at' | 'honoured' | 'refund_no' | 'payment_id' | 'delivered_at' | 'visit_id'>> = {},
): boolean {
  const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
  const placeholders = from.map((_, i) => `@from${i}`).join(', ');
  const params: Record<string, unknown> = { ...columns, to, at, id: orderId };
  from.forEach((f, i) => (params[`from${i}`] = f));
  const info = db
    .prepare(`UPDATE kiosk_orders SET state = @to, updated_at = @at${sets.length ? ', ' + sets.join(', ') : ''} WHERE order_id = @id AND state IN (${placeholders})`)
    .run(params);
  return info.changes === 1;
}

export function setKioskOrderColumns(db: Db, orderId: string, at: string, columns: Partial<Pick<KioskOrderRow, 'presented_at' | 'receipt_printed' | 'visit_id'>>): void {
  const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
  if (sets.length === 0) return;
  db.prepare(`UPDATE kiosk_orders SET ${sets.join(', ')}, updated_at = @at WHERE order_id = @id`).run({ ...columns, at, id: orderId });
}

/** Paid kiosk transactions not yet delivered (the heartbeat reports the count). */
export function undeliveredKioskOrders(db: Db): number {
  return (stmt(db, "SELECT COUNT(*) AS n FROM kiosk_orders WHERE state = 'paid'").get() as { n: number }).n;
}

/** The outbox event id of one step of an order: the same step always carries the same id (UUIDv8 from order id and step). */
export function kioskStepEventId(orderId: string, step: string): string {
  const h = createHash('sha256').update(`kiosk:${orderId}:${step}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface RatingRow {
  rating_id: string;
  transaction_id: string;
  transaction_kind: 'payment' | 'vend';
  account_no: string;
  score: number;
  reasons_json: string;
  operator_id: string;
  channel: 'kiosk' | 'counter';
  created_at: string;
}

export function ratingOf(db: Db, transactionId: string): RatingRow | undefined {
  return stmt(db, 'SELECT * FROM ratings WHERE transaction_id = ?').get(transactionId) as RatingRow | undefined;
}

export function insertRating(db: Db, r: RatingRow): void {
  stmt(
    db,
    `INSERT INTO ratings (rating_id, transaction_id, transaction_kind, account_no, score, reasons_json, operator_id, channel, created_at)
     VALUES (@rating_id, @transaction_id, @transaction_kind, @account_no, @score, @reasons_json, @operator_id, @channel, @created_at)`,
  ).run(r);
}

/** The oldest event waiting in the outbox, for the heartbeat. */
export function oldestOutboxAt(db: Db): string | null {
  return (stmt(db, 'SELECT occurred_at FROM outbox ORDER BY seq LIMIT 1').get() as { occurred_at: string } | undefined)?.occurred_at ?? null;
}

/** A prepaid card's account, by the card number on file (the card itself names its account too). */
export function accountByCardNo(db: Db, cardNo: string): string | null {
  return (stmt(db, 'SELECT account_no FROM accounts WHERE card_no = ?').get(cardNo) as { account_no: string } | undefined)?.account_no ?? null;
}

/** The account of a meter, from the cache. */
export function accountByMeter(db: Db, meterNo: string): string | null {
  return (stmt(db, 'SELECT account_no FROM meters WHERE meter_no = ?').get(meterNo) as { account_no: string } | undefined)?.account_no ?? null;
}

/** The account of a bill (the barcode printed on the paper bill is its id), from the cache. */
export function accountByBill(db: Db, billId: string): string | null {
  return (stmt(db, 'SELECT account_no FROM bills WHERE bill_id = ?').get(billId) as { account_no: string } | undefined)?.account_no ?? null;
}

/** Consumption per billing period (0.01 kWh), from the cached bills, for the account's chart. */
export function billConsumption(db: Db, accountNo: string): Map<string, number> {
  const rows = stmt(db, 'SELECT period, SUM(consumption) AS c FROM bills WHERE account_no = ? GROUP BY period').all(accountNo) as { period: string; c: number }[];
  return new Map(rows.map((r) => [r.period, r.c]));
}

/** Energy vended per local month 'YYYY-MM' (0.01 kWh) for prepaid accounts' charts: delivered vends of this terminal. */
export function vendedEnergyByMonth(db: Db, accountNo: string): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT substr(created_at, 1, 7) AS month, SUM(json_extract(split_json, '$.split.energyCkwh')) AS c
     FROM vends WHERE account_no = ? AND state = 'delivered' GROUP BY month`,
  ).all(accountNo) as { month: string; c: number }[];
  return new Map(rows.map((r) => [r.month, r.c]));
}
