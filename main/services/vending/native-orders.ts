/**
 * Merchant-presented QR orders at the payment gateway (the kiosk shows the code, the customer scans
 * and pays on the phone): create, query, close, refund, and a reachability check. Part of the
 * PaymentGateway (./gateway-client.ts), constructed only at the composition root. Every answer is
 * read by the one reader; no answer that counts throws `BackendUnavailable` — never a guess: the
 * caller asks again later by out-trade number.
 */
import { z } from 'zod';
import { fetchTransport, requestJson, type HttpTransport } from '../../sync/http-json.js';
import {
  NATIVE_ORDERS_PATH,
  NativeOrderSchema,
  NativeRefundSchema,
  type NativeOrder,
  type NativeOrderCreate,
  type NativeRefund,
} from '../../wire/kiosk-wire.js';

export type { NativeOrder, NativeOrderCreate, NativeRefund } from '../../wire/kiosk-wire.js';

export interface NativeOrderGateway {
  /** Idempotent per outTradeNo. Throws BackendUnavailable. */
  createNativeOrder(order: NativeOrderCreate): Promise<NativeOrder>;
  /** Throws BackendUnavailable. */
  queryNativeOrder(outTradeNo: string): Promise<NativeOrder>;
  /** Close an unpaid order; a paid one stays paid and the answer says so. Throws BackendUnavailable. */
  closeNativeOrder(outTradeNo: string): Promise<NativeOrder>;
  /** Refund a paid order in full; idempotent per outRefundNo. Throws BackendUnavailable. */
  refundNativeOrder(outTradeNo: string, outRefundNo: string, amountFen: number, reason: string): Promise<NativeRefund>;
  /** Whether the gateway answers at all (for the kiosk's capabilities). */
  gatewayReachable(): Promise<boolean>;
}

const HealthSchema = z.object({ ok: z.literal(true) });

export class HttpNativeOrders implements NativeOrderGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly transport: HttpTransport = fetchTransport,
  ) {}

  createNativeOrder(order: NativeOrderCreate): Promise<NativeOrder> {
    return this.call('POST', NATIVE_ORDERS_PATH, order, NativeOrderSchema);
  }

  queryNativeOrder(outTradeNo: string): Promise<NativeOrder> {
    return this.call('GET', `${NATIVE_ORDERS_PATH}/${encodeURIComponent(outTradeNo)}`, undefined, NativeOrderSchema);
  }

  closeNativeOrder(outTradeNo: string): Promise<NativeOrder> {
    return this.call('POST', `${NATIVE_ORDERS_PATH}/${encodeURIComponent(outTradeNo)}/close`, {}, NativeOrderSchema);
  }

  refundNativeOrder(outTradeNo: string, outRefundNo: string, amountFen: number, reason: string): Promise<NativeRefund> {
    return this.call('POST', `${NATIVE_ORDERS_PATH}/${encodeURIComponent(outTradeNo)}/refund`, { outRefundNo, amountFen, reason }, NativeRefundSchema);
  }

  async gatewayReachable(): Promise<boolean> {
    try {
      await this.call('GET', '/gateway/health', undefined, HealthSchema);
      return true;
    } catch {
      return false;
    }
  }

  private call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return requestJson(
      { url: new URL(path, this.baseUrl), method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), timeoutMs: this.timeoutMs, transport: this.transport },
      schema,
    );
  }
}
