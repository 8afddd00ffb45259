/**
 * The payment gateway (customer-presented QR payment codes). A pay request whose answer is lost
 * or late is NOT an answer: the caller resolves it later by querying the order by out-trade
 * number, never by guessing.
 */
import { BackendRejected, fetchTransport, requestJson, type HttpTransport } from '../../sync/http-json.js';
import { GatewayOrderStatusSchema, GatewayPayResponseSchema, type GatewayOrderStatus } from '../../wire/backend-wire.js';
import { HttpNativeOrders, type NativeOrder, type NativeOrderCreate, type NativeOrderGateway, type NativeRefund } from './native-orders.js';
import { GatewayRefundResponseSchema, GatewayReverseResponseSchema } from '../../wire/payments-wire.js';

export type GatewayPayOutcome =
  | { readonly status: 'success'; readonly tradeNo: string | null }
  | { readonly status: 'declined' }
  /** Pending at the gateway, or no answer at all (timeout, connection lost). */
  | { readonly status: 'unknown' };

/** Customer-presented codes (pay/query) and, for the kiosk, merchant-presented orders (./native-orders.ts). */
export interface PaymentGateway extends NativeOrderGateway {
  pay(outTradeNo: string, authCode: string, amountFen: number): Promise<GatewayPayOutcome>;
  /** Throws when the gateway cannot be reached. */
  query(outTradeNo: string): Promise<GatewayOrderStatus>;
  /**
   * Cancel an order still pending, or refund in full one that succeeded, so the customer ends up
   * not charged; an order the gateway never saw is closed so that a late pay request is refused.
   * 'unknown': no answer that counts (try again later).
   */
  reverse(outTradeNo: string): Promise<'reversed' | 'unknown'>;
  /** Refund part or all of a successful order; idempotent per `outRefundNo`. */
  refund(outTradeNo: string, outRefundNo: string, amountFen: number): Promise<{ readonly status: 'refunded'; readonly refundNo: string } | { readonly status: 'refused' | 'unknown' }>;
}

export class HttpPaymentGateway implements PaymentGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    /** The backend's transport (its CA when `backend.caFile` is set); chosen at the composition root. */
    private readonly transport: HttpTransport = fetchTransport,
  ) {}

  // Merchant-presented (kiosk) orders: same gateway, same reader.
  private get native(): HttpNativeOrders {
    return new HttpNativeOrders(this.baseUrl, this.timeoutMs, this.transport);
  }
  createNativeOrder(order: NativeOrderCreate): Promise<NativeOrder> {
    return this.native.createNativeOrder(order);
  }
  queryNativeOrder(outTradeNo: string): Promise<NativeOrder> {
    return this.native.queryNativeOrder(outTradeNo);
  }
  closeNativeOrder(outTradeNo: string): Promise<NativeOrder> {
    return this.native.closeNativeOrder(outTradeNo);
  }
  refundNativeOrder(outTradeNo: string, outRefundNo: string, amountFen: number, reason: string): Promise<NativeRefund> {
    return this.native.refundNativeOrder(outTradeNo, outRefundNo, amountFen, reason);
  }
  gatewayReachable(): Promise<boolean> {
    return this.native.gatewayReachable();
  }

  async pay(outTradeNo: string, authCode: string, amountFen: number): Promise<GatewayPayOutcome> {
    let body;
    try {
      body = await requestJson(
        { url: new URL('/gateway/pay', this.baseUrl), method: 'POST', body: JSON.stringify({ outTradeNo, authCode, amountFen }), timeoutMs: this.timeoutMs, transport: this.transport },
        GatewayPayResponseSchema,
      );
    } catch {
      // No answer that counts (unreachable, timed out, refused, unreadable): only a query can tell.
      return { status: 'unknown' };
    }
    if (body.status === 'success') return { status: 'success', tradeNo: body.tradeNo ?? null };
    if (body.status === 'declined') return { status: 'declined' };
    return { status: 'unknown' };
  }

  async reverse(outTradeNo: string): Promise<'reversed' | 'unknown'> {
    try {
      await requestJson(
        { url: new URL('/gateway/reverse', this.baseUrl), method: 'POST', body: JSON.stringify({ outTradeNo }), timeoutMs: this.timeoutMs, transport: this.transport },
        GatewayReverseResponseSchema,
      );
      return 'reversed';
    } catch {
      return 'unknown';
    }
  }

  async refund(outTradeNo: string, outRefundNo: string, amountFen: number): Promise<{ status: 'refunded'; refundNo: string } | { status: 'refused' | 'unknown' }> {
    try {
      const r = await requestJson(
        {
          url: new URL('/gateway/refund', this.baseUrl),
          method: 'POST',
          body: JSON.stringify({ outTradeNo, outRefundNo, amountFen }),
          timeoutMs: this.timeoutMs,
          transport: this.transport,
          // 409: the gateway refuses this refund (not paid, or more than is left to refund).
          answers: (status) => status === 409,
        },
        GatewayRefundResponseSchema,
      );
      return { status: 'refunded', refundNo: r.refundNo };
    } catch (err) {
      return { status: err instanceof BackendRejected ? 'refused' : 'unknown' };
    }
  }

  /** Throws `BackendUnavailable` when the gateway gives no answer that counts. */
  async query(outTradeNo: string): Promise<GatewayOrderStatus> {
    return requestJson(
      { url: new URL(`/gateway/orders/${encodeURIComponent(outTradeNo)}`, this.baseUrl), method: 'GET', timeoutMs: this.timeoutMs, transport: this.transport },
      GatewayOrderStatusSchema,
    );
  }
}
