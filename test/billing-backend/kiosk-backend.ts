/**
 * The reference backend's kiosk side: the gateway's merchant-presented ("native") QR orders — create,
 * query, close, expiry, refund, and a test/demo endpoint that plays the customer scanning and paying —
 * plus the terminals' heartbeats (latest per terminal) and the ratings the terminals sync
 * ('rating.created' events). Own tables, created here; routes mounted by ./server.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  HeartbeatSchema,
  NATIVE_ORDERS_PATH,
  NativeOrderCreateSchema,
  NativeRefundRequestSchema,
  RatingCreatedPayloadSchema,
  type Heartbeat,
  type NativeOrder,
  type NativeRefund,
} from '../../main/wire/kiosk-wire.js';
import type { GatewayOrderStatus, TerminalEvent } from '../../main/wire/backend-wire.js';
import { nextCounter, type BackendDb } from './db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS gateway_native_orders (
  out_trade_no TEXT PRIMARY KEY, amount_fen INTEGER NOT NULL, subject TEXT NOT NULL, code TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'closed', 'refunded')),
  expires_at TEXT NOT NULL, trade_no TEXT, paid_at TEXT, closed_reason TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gateway_native_refunds (
  out_refund_no TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL, amount_fen INTEGER NOT NULL, refund_no TEXT NOT NULL,
  reason TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeats (
  terminal_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, body_json TEXT NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
  rating_id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL UNIQUE, transaction_kind TEXT NOT NULL,
  account_no TEXT NOT NULL, score INTEGER NOT NULL, reasons_json TEXT NOT NULL, operator_id TEXT NOT NULL,
  channel TEXT NOT NULL, terminal_id TEXT NOT NULL, rated_at TEXT NOT NULL, received_at TEXT NOT NULL);
`;

interface NativeRow {
  out_trade_no: string;
  amount_fen: number;
  subject: string;
  code: string;
  status: 'pending' | 'paid' | 'closed' | 'refunded';
  expires_at: string;
  trade_no: string | null;
  paid_at: string | null;
  closed_reason: 'cancelled' | 'expired' | null;
  created_at: string;
}

/** Fault knobs of the kiosk side (`RunningBackend.kiosk.setKnobs`, or `POST /_knobs/kiosk`). */
export interface KioskKnobs {
  /** Every /gateway/* request has its socket destroyed (the gateway is down; the rest of the backend works). */
  gatewayDown: boolean;
  /** The next this many closes answer 503 (counts down): the merchant's cancel does not get through. */
  failCloses: number;
  /** The next this many refunds answer 503 (counts down). */
  failRefunds: number;
  /** Heartbeats answer 503. */
  failHeartbeats: boolean;
  /** Every /api/* request has its socket destroyed (the billing backend is offline; the gateway still works). */
  apiDown: boolean;
}

export type ScanResult = { readonly ok: true; readonly order: NativeOrder } | { readonly ok: false; readonly error: 'not_found' | 'order_closed' | 'order_expired' | 'already_paid' };

export class KioskBackend {
  knobs: KioskKnobs = { gatewayDown: false, failCloses: 0, failRefunds: 0, failHeartbeats: false, apiDown: false };

  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
    private readonly publicUrl: () => string,
  ) {
    db.exec(SCHEMA);
  }

  // ---- native orders (merchant-presented QR codes) ----

  createOrder(body: unknown): { status: number; body: unknown } {
    const parsed = NativeOrderCreateSchema.safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: 'bad_request', detail: parsed.error.message } };
    const req = parsed.data;
    return this.db
      .transaction(() => {
        const existing = this.find(req.outTradeNo);
        if (existing) {
          if (existing.amount_fen !== req.amountFen) return { status: 409, body: { error: 'out_trade_no_conflict', detail: 'same outTradeNo with another amount' } };
          return { status: 200, body: this.view(existing) };
        }
        const now = this.nowIso();
        const expiresAt = new Date(Date.parse(now) + req.expiresInSeconds * 1000).toISOString();
        const code = randomBytes(12).toString('hex');
        this.db
          .prepare(`INSERT INTO gateway_native_orders (out_trade_no, amount_fen, subject, code, status, expires_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)`)
          .run(req.outTradeNo, req.amountFen, req.subject, code, expiresAt, now);
        return { status: 200, body: this.view(this.find(req.outTradeNo) as NativeRow) };
      })
      .immediate();
  }

  query(outTradeNo: string): NativeOrder {
    const row = this.expireIfDue(outTradeNo);
    return row ? this.view(row) : { outTradeNo, status: 'not_found' };
  }

  /** The merchant cancels: a pending order is closed; a paid one stays paid (the answer says so). */
  close(outTradeNo: string): { status: number; body: unknown } {
    if (this.knobs.failCloses > 0) {
      this.knobs = { ...this.knobs, failCloses: this.knobs.failCloses - 1 };
      return { status: 503, body: { error: 'close_unavailable' } };
    }
    const row = this.expireIfDue(outTradeNo);
    if (!row) return { status: 200, body: { outTradeNo, status: 'not_found' } };
    if (row.status === 'pending') {
      this.db.prepare("UPDATE gateway_native_orders SET status = 'closed', closed_reason = 'cancelled' WHERE out_trade_no = ? AND status = 'pending'").run(outTradeNo);
    }
    return { status: 200, body: this.view(this.find(outTradeNo) as NativeRow) };
  }

  /** Test/demo: the customer scans the code and pays. Refused once the order is closed or expired. */
  scan(outTradeNoOrCode: string): ScanResult {
    return this.db
      .transaction((): ScanResult => {
        const row = this.find(outTradeNoOrCode) !== undefined ? this.expireIfDue(outTradeNoOrCode) : this.byCode(outTradeNoOrCode);
        if (!row) return { ok: false, error: 'not_found' };
        if (row.status === 'paid' || row.status === 'refunded') return { ok: false, error: 'already_paid' };
        if (row.status === 'closed') return { ok: false, error: row.closed_reason === 'expired' ? 'order_expired' : 'order_closed' };
        const tradeNo = `GW${this.nowIso().slice(0, 10).replaceAll('-', '')}${String(nextCounter(this.db, 'gateway')).padStart(10, '0')}`;
        this.db.prepare("UPDATE gateway_native_orders SET status = 'paid', trade_no = ?, paid_at = ? WHERE out_trade_no = ?").run(tradeNo, this.nowIso(), row.out_trade_no);
        return { ok: true, order: this.view(this.find(row.out_trade_no) as NativeRow) };
      })
      .immediate();
  }

  refund(outTradeNo: string, body: unknown): { status: number; body: unknown } {
    const parsed = NativeRefundRequestSchema.safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: 'bad_request', detail: parsed.error.message } };
    if (this.knobs.failRefunds > 0) {
      this.knobs = { ...this.knobs, failRefunds: this.knobs.failRefunds - 1 };
      return { status: 503, body: { error: 'refund_unavailable' } };
    }
    const req = parsed.data;
    return this.db
      .transaction(() => {
        const done = this.db.prepare<[string], { refund_no: string; out_trade_no: string }>('SELECT refund_no, out_trade_no FROM gateway_native_refunds WHERE out_refund_no = ?').get(req.outRefundNo);
        if (done) {
          if (done.out_trade_no !== outTradeNo) return { status: 409, body: { error: 'out_refund_no_conflict' } };
          return { status: 200, body: { status: 'refunded', refundNo: done.refund_no } satisfies NativeRefund };
        }
        const row = this.find(outTradeNo);
        if (!row || row.status !== 'paid') return { status: 200, body: { status: 'not_paid' } satisfies NativeRefund };
        if (req.amountFen !== row.amount_fen) return { status: 409, body: { error: 'refund_amount_conflict', detail: 'only whole-order refunds' } };
        const refundNo = `RF${this.nowIso().slice(0, 10).replaceAll('-', '')}${String(nextCounter(this.db, 'gateway_refund')).padStart(10, '0')}`;
        this.db.prepare('INSERT INTO gateway_native_refunds VALUES (?, ?, ?, ?, ?, ?)').run(req.outRefundNo, outTradeNo, req.amountFen, refundNo, req.reason ?? null, this.nowIso());
        this.db.prepare("UPDATE gateway_native_orders SET status = 'refunded' WHERE out_trade_no = ?").run(outTradeNo);
        return { status: 200, body: { status: 'refunded', refundNo } satisfies NativeRefund };
      })
      .immediate();
  }

  /** The customer-presented query endpoint (GET /gateway/orders/:no) also answers for native orders. */
  legacyStatus(outTradeNo: string): GatewayOrderStatus | null {
    const row = this.expireIfDue(outTradeNo);
    if (!row) return null;
    const status = row.status === 'paid' ? 'success' : row.status === 'pending' ? 'pending' : 'declined';
    const out: GatewayOrderStatus = { status, amountFen: row.amount_fen };
    if (row.trade_no !== null && row.status === 'paid') out.tradeNo = row.trade_no;
    return out;
  }

  refunds(): { outRefundNo: string; outTradeNo: string; amountFen: number; refundNo: string }[] {
    return this.db
      .prepare<[], { out_refund_no: string; out_trade_no: string; amount_fen: number; refund_no: string }>('SELECT * FROM gateway_native_refunds ORDER BY created_at, out_refund_no')
      .all()
      .map((r) => ({ outRefundNo: r.out_refund_no, outTradeNo: r.out_trade_no, amountFen: r.amount_fen, refundNo: r.refund_no }));
  }

  private expireIfDue(outTradeNo: string): NativeRow | undefined {
    const row = this.find(outTradeNo);
    if (row && row.status === 'pending' && Date.parse(row.expires_at) <= Date.parse(this.nowIso())) {
      this.db.prepare("UPDATE gateway_native_orders SET status = 'closed', closed_reason = 'expired' WHERE out_trade_no = ? AND status = 'pending'").run(outTradeNo);
      return this.find(outTradeNo);
    }
    return row;
  }

  private find(outTradeNo: string): NativeRow | undefined {
    return this.db.prepare<[string], NativeRow>('SELECT * FROM gateway_native_orders WHERE out_trade_no = ?').get(outTradeNo);
  }

  private byCode(code: string): NativeRow | undefined {
    const row = this.db.prepare<[string], NativeRow>('SELECT * FROM gateway_native_orders WHERE code = ?').get(code);
    return row ? this.expireIfDue(row.out_trade_no) : undefined;
  }

  private view(row: NativeRow): NativeOrder {
    return {
      outTradeNo: row.out_trade_no,
      status: row.status,
      amountFen: row.amount_fen,
      codeUrl: `${this.publicUrl()}/gateway/native/qr/${row.code}`,
      expiresAt: row.expires_at,
      ...(row.trade_no !== null ? { tradeNo: row.trade_no } : {}),
      ...(row.paid_at !== null ? { paidAt: row.paid_at } : {}),
      ...(row.closed_reason !== null ? { closedReason: row.closed_reason } : {}),
    };
  }

  // ---- heartbeats and ratings ----

  // Heartbeats are taken by the store (store/*.ts: both SQLite and PostgreSQL); this reads the SQLite table.
  heartbeats(): { terminalId: string; receivedAt: string; count: number; heartbeat: Heartbeat }[] {
    return this.db
      .prepare<[], { terminal_id: string; received_at: string; body_json: string; count: number }>('SELECT * FROM heartbeats ORDER BY terminal_id')
      .all()
      .map((r) => ({ terminalId: r.terminal_id, receivedAt: r.received_at, count: r.count, heartbeat: HeartbeatSchema.parse(JSON.parse(r.body_json)) }));
  }

  /** Intake effect of 'rating.created': stored once per transaction (a second rating of it is rejected). */
  applyRatingCreated(event: TerminalEvent, ctx: { readonly terminalId: string; readonly nowIso: string }): { ok: true } | { ok: false; reason: string } {
    const parsed = RatingCreatedPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return { ok: false, reason: `malformed_payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const r = parsed.data;
    const taken = this.db.prepare<[string], { rating_id: string }>('SELECT rating_id FROM ratings WHERE transaction_id = ?').get(r.transactionId);
    if (taken && taken.rating_id !== r.ratingId) return { ok: false, reason: 'already_rated' };
    this.db
      .prepare('INSERT OR IGNORE INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.ratingId, r.transactionId, r.transactionKind, r.accountNo, r.score, JSON.stringify(r.reasons), r.operatorId, r.channel, ctx.terminalId, r.ratedAt, ctx.nowIso);
    return { ok: true };
  }

  ratings(): { ratingId: string; transactionId: string; score: number; reasons: string[]; terminalId: string; channel: string }[] {
    return this.db
      .prepare<[], { rating_id: string; transaction_id: string; score: number; reasons_json: string; terminal_id: string; channel: string }>('SELECT * FROM ratings ORDER BY received_at, rating_id')
      .all()
      .map((r) => ({ ratingId: r.rating_id, transactionId: r.transaction_id, score: r.score, reasons: JSON.parse(r.reasons_json) as string[], terminalId: r.terminal_id, channel: r.channel }));
  }

  /**
   * Unsigned gateway routes (/gateway/native/…); null when the path is not one. The test/demo scan
   * endpoint answers only when the backend allows knobs.
   */
  routeGateway(method: string, path: string, body: () => unknown, allowKnobs: boolean): { status: number; body: unknown } | null {
    if (path === NATIVE_ORDERS_PATH) return method === 'POST' ? this.createOrder(body()) : methodNotAllowed();
    // The code's own URL (what the kiosk shows): POSTing it is the customer's phone paying. Always on:
    // only the screen shows the code (96 random bits), as with a real code; the demo and e2e "scan" here.
    const qr = /^\/gateway\/native\/qr\/([0-9a-f]{24})$/.exec(path);
    if (qr !== null) {
      if (method !== 'POST') return methodNotAllowed();
      const r = this.scan(qr[1] as string);
      return r.ok ? { status: 200, body: r.order } : { status: r.error === 'not_found' ? 404 : 409, body: { error: r.error } };
    }
    const m = /^\/gateway\/native\/orders\/([^/]+)(?:\/(close|refund|scan))?$/.exec(path);
    if (m === null) return null;
    const outTradeNo = decodeURIComponent(m[1] as string);
    switch (m[2]) {
      case undefined:
        return method === 'GET' ? { status: 200, body: this.query(outTradeNo) } : methodNotAllowed();
      case 'close':
        return method === 'POST' ? this.close(outTradeNo) : methodNotAllowed();
      case 'refund':
        return method === 'POST' ? this.refund(outTradeNo, body()) : methodNotAllowed();
      case 'scan': {
        if (!allowKnobs) return { status: 404, body: { error: 'not_found' } };
        if (method !== 'POST') return methodNotAllowed();
        const r = this.scan(outTradeNo);
        return r.ok ? { status: 200, body: r.order } : { status: r.error === 'not_found' ? 404 : 409, body: { error: r.error } };
      }
      default:
        return null;
    }
  }
}

function methodNotAllowed(): { status: number; body: unknown } {
  return { status: 405, body: { error: 'method_not_allowed' } };
}
