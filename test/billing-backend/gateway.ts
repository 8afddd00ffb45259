/**
 * Payment-gateway simulator (customer payment codes and kiosk QR orders). Idempotent per
 * outTradeNo: the first request decides the order's fate from the `gatewayOutcome` knob; every
 * later request for the same outTradeNo answers from the stored order.
 */
import type { GatewayOrderStatus, GatewayPayRequest } from '../../main/wire/backend-wire.js';
import { nextCounter, type BackendDb } from './db.js';

export type GatewayOutcome = 'success' | 'declined' | 'timeout' | 'unknown';
export type GatewayOrderState = 'success' | 'declined' | 'pending';

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
  ) {}

  pay(req: GatewayPayRequest, outcome: GatewayOutcome): PayDecision {
    return this.db
      .transaction((): PayDecision => {
        const existing = this.find(req.outTradeNo);
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
    const out: GatewayOrderStatus = { status: row.status, amountFen: row.amount_fen };
    if (row.trade_no !== null) out.tradeNo = row.trade_no;
    return out;
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
