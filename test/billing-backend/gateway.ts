/**
 * Payment-gateway simulator (customer payment codes and kiosk QR orders). Idempotent per
 * outTradeNo: the first request decides the order's fate from the `gatewayOutcome` knob; every
 * later request for the same outTradeNo answers from the stored order.
 *
 * Reverse (撤销) cancels an order still pending, refunds in full one that succeeded, and closes an
 * order number never seen, so a pay request arriving after it is declined. Refund (退款) returns part
 * or all of a successful order, idempotent per refund number.
 */
import type { GatewayOrderStatus, GatewayPayRequest } from '../../main/wire/backend-wire.js';
import type { GatewayRefundRequest } from '../../main/wire/payments-wire.js';
import { nextCounter, type BackendDb } from './db.js';

export type GatewayOutcome = 'success' | 'declined' | 'timeout' | 'unknown';
export type GatewayOrderState = 'success' | 'declined' | 'pending' | 'reversed';

const REFUNDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS gateway_code_refunds (
  out_refund_no TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL, amount_fen INTEGER NOT NULL, refund_no TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS gateway_code_refunds_order ON gateway_code_refunds(out_trade_no);
`;

export type RefundDecision =
  | { readonly kind: 'refunded'; readonly refundNo: string }
  | { readonly kind: 'refused'; readonly error: 'not_refundable' | 'refund_exceeds_order' | 'out_refund_no_conflict' };

interface OrderRow {
  out_trade_no: string;
  auth_code: string;
  amount_fen: number;
  status: GatewayOrderState;
  trade_no: string | null;
}

export type PayDecision =
  | { readonly kind: 'answer'; readonly status: GatewayOrderState; readonly tradeNo?: string }
  /** Order stored as pending; the HTTP layer holds the request past the client's patience. */
  | { readonly kind: 'hang' }
  /** Order stored as success; the HTTP layer drops the connection before answering. */
  | { readonly kind: 'drop' }
  | { readonly kind: 'conflict' };

export class GatewaySimulator {
  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
  ) {
    db.exec(REFUNDS_SCHEMA);
  }

  pay(req: GatewayPayRequest, outcome: GatewayOutcome): PayDecision {
    return this.db
      .transaction((): PayDecision => {
        const existing = this.find(req.outTradeNo);
        // A reversed order (or a number reversed before its pay request arrived) never charges.
        if (existing?.status === 'reversed') return { kind: 'answer', status: 'declined' };
        if (existing !== undefined) {
          if (existing.amount_fen !== req.amountFen || existing.auth_code !== req.authCode) return { kind: 'conflict' };
          return answer(existing);
        }
        const status: GatewayOrderState = outcome === 'declined' ? 'declined' : outcome === 'timeout' ? 'pending' : 'success';
        const tradeNo = status === 'success' ? this.newTradeNo() : null;
        this.db
          .prepare('INSERT INTO gateway_orders VALUES (?, ?, ?, ?, ?, ?)')
          .run(req.outTradeNo, req.authCode, req.amountFen, status, tradeNo, this.nowIso());
        if (outcome === 'timeout') return { kind: 'hang' };
        if (outcome === 'unknown') return { kind: 'drop' };
        return tradeNo === null ? { kind: 'answer', status } : { kind: 'answer', status, tradeNo };
      })
      .immediate();
  }

  query(outTradeNo: string): GatewayOrderStatus {
    const row = this.find(outTradeNo);
    if (row === undefined) return { status: 'not_found' };
    if (row.status === 'reversed') {
      const out: GatewayOrderStatus = { status: 'declined', reversed: true };
      if (row.amount_fen > 0) out.amountFen = row.amount_fen;
      return out;
    }
    const out: GatewayOrderStatus = { status: row.status, amountFen: row.amount_fen };
    if (row.trade_no !== null) out.tradeNo = row.trade_no;
    const refunded = this.refundedFen(outTradeNo);
    if (refunded > 0) out.refundedFen = refunded;
    return out;
  }

  /** Cancel (pending), refund in full (success) or close (unknown number) the order; declined stays declined. */
  reverse(outTradeNo: string): void {
    this.db
      .transaction(() => {
        const row = this.find(outTradeNo);
        if (row === undefined) {
          this.db.prepare("INSERT INTO gateway_orders VALUES (?, '', 0, 'reversed', NULL, ?)").run(outTradeNo, this.nowIso());
          return;
        }
        if (row.status === 'pending' || row.status === 'success') {
          this.db.prepare("UPDATE gateway_orders SET status = 'reversed' WHERE out_trade_no = ?").run(outTradeNo);
        }
      })
      .immediate();
  }

  /** Refund part or all of a successful order; the same refund number answers the first refund again. */
  refund(req: GatewayRefundRequest): RefundDecision {
    return this.db
      .transaction((): RefundDecision => {
        const done = this.db
          .prepare<[string], { out_trade_no: string; amount_fen: number; refund_no: string }>('SELECT out_trade_no, amount_fen, refund_no FROM gateway_code_refunds WHERE out_refund_no = ?')
          .get(req.outRefundNo);
        if (done !== undefined) {
          if (done.out_trade_no !== req.outTradeNo || done.amount_fen !== req.amountFen) return { kind: 'refused', error: 'out_refund_no_conflict' };
          return { kind: 'refunded', refundNo: done.refund_no };
        }
        const row = this.find(req.outTradeNo);
        if (row === undefined || row.status !== 'success') return { kind: 'refused', error: 'not_refundable' };
        if (this.refundedFen(req.outTradeNo) + req.amountFen > row.amount_fen) return { kind: 'refused', error: 'refund_exceeds_order' };
        const refundNo = `RF${this.nowIso().slice(0, 10).replaceAll('-', '')}${String(nextCounter(this.db, 'gateway_refund')).padStart(10, '0')}`;
        this.db.prepare('INSERT INTO gateway_code_refunds VALUES (?, ?, ?, ?, ?)').run(req.outRefundNo, req.outTradeNo, req.amountFen, refundNo, this.nowIso());
        return { kind: 'refunded', refundNo };
      })
      .immediate();
  }

  private refundedFen(outTradeNo: string): number {
    return (
      this.db.prepare<[string], { fen: number }>('SELECT COALESCE(SUM(amount_fen), 0) AS fen FROM gateway_code_refunds WHERE out_trade_no = ?').get(outTradeNo)?.fen ?? 0
    );
  }

  /** Completes a pending order, as the customer finally confirming (or cancelling) on the phone would. */
  settle(outTradeNo: string, status: 'success' | 'declined'): GatewayOrderStatus {
    this.db
      .transaction(() => {
        const row = this.find(outTradeNo);
        if (row === undefined || row.status !== 'pending') return;
        this.db
          .prepare('UPDATE gateway_orders SET status = ?, trade_no = ? WHERE out_trade_no = ?')
          .run(status, status === 'success' ? this.newTradeNo() : null, outTradeNo);
      })
      .immediate();
    return this.query(outTradeNo);
  }

  private find(outTradeNo: string): OrderRow | undefined {
    return this.db.prepare<[string], OrderRow>('SELECT * FROM gateway_orders WHERE out_trade_no = ?').get(outTradeNo);
  }

  private newTradeNo(): string {
    return `GW${this.nowIso().slice(0, 10).replaceAll('-', '')}${String(nextCounter(this.db, 'gateway')).padStart(10, '0')}`;
  }
}

function answer(row: OrderRow): PayDecision {
  return row.trade_no === null ? { kind: 'answer', status: row.status } : { kind: 'answer', status: row.status, tradeNo: row.trade_no };
}
