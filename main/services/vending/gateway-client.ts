/**
 * The payment gateway (customer-presented QR payment codes). A pay request whose answer is lost
 * or late is NOT an answer: the caller resolves it later by querying the order by out-trade
 * number, never by guessing.
 */
import { GatewayOrderStatusSchema, GatewayPayResponseSchema, type GatewayOrderStatus } from '../../wire/backend-wire.js';

export type GatewayPayOutcome =
  | { readonly status: 'success'; readonly tradeNo: string | null }
  | { readonly status: 'declined' }
  /** Pending at the gateway, or no answer at all (timeout, connection lost). */
  | { readonly status: 'unknown' };

export interface PaymentGateway {
  pay(outTradeNo: string, authCode: string, amountFen: number): Promise<GatewayPayOutcome>;
  /** Throws when the gateway cannot be reached. */
  query(outTradeNo: string): Promise<GatewayOrderStatus>;
}

export class HttpPaymentGateway implements PaymentGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async pay(outTradeNo: string, authCode: string, amountFen: number): Promise<GatewayPayOutcome> {
    try {
      const res = await fetch(new URL('/gateway/pay', this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outTradeNo, authCode, amountFen }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) return { status: 'unknown' };
      const body = GatewayPayResponseSchema.parse(await res.json());
      if (body.status === 'success') return { status: 'success', tradeNo: body.tradeNo ?? null };
      if (body.status === 'declined') return { status: 'declined' };
      return { status: 'unknown' };
    } catch {
      return { status: 'unknown' };
    }
  }

  async query(outTradeNo: string): Promise<GatewayOrderStatus> {
    const res = await fetch(new URL(`/gateway/orders/${encodeURIComponent(outTradeNo)}`, this.baseUrl), {
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`gateway query answered ${res.status}`);
    return GatewayOrderStatusSchema.parse(await res.json());
  }
}
