/**
 * The kiosk's part of the backend protocol (common tier: zod only): merchant-presented QR orders
 * at the payment gateway (the customer scans the code the kiosk shows), the heartbeat, and the
 * payload of a rating. Shared by the terminal's clients and the reference backend
 * (test/billing-backend); docs/backend.md describes the endpoints.
 */
import { z } from 'zod';

const positiveFen = z.int().positive();
const isoDateTime = z.iso.datetime({ offset: true });

/** Gateway paths of merchant-presented ("native") orders; unsigned, like a third-party gateway. */
export const NATIVE_ORDERS_PATH = '/gateway/native/orders';

export const NativeOrderCreateSchema = z.object({
  /** Merchant order number; the gateway is idempotent on it (same amount → the same order). */
  outTradeNo: z.string().min(1).max(64),
  amountFen: positiveFen,
  /** What the customer's phone shows ("电费缴费 3100000001"). */
  subject: z.string().min(1).max(128),
  /** How long the code may be paid; the gateway closes it afterwards. */
  expiresInSeconds: z.int().min(30).max(3600),
});
export type NativeOrderCreate = z.infer<typeof NativeOrderCreateSchema>;

/**
 * A native order as the gateway holds it. `pending`: the code is shown, not paid yet; `paid`;
 * `closed`: cancelled by the merchant or expired, can no longer be paid; `refunded`: paid, then the
 * whole amount returned. `not_found`: the gateway never got the order.
 */
export const NativeOrderSchema = z.object({
  outTradeNo: z.string(),
  status: z.enum(['pending', 'paid', 'closed', 'refunded', 'not_found']),
  amountFen: positiveFen.optional(),
  /** The content of the QR code to show. */
  codeUrl: z.string().optional(),
  expiresAt: isoDateTime.optional(),
  /** The gateway's trade number once paid. */
  tradeNo: z.string().optional(),
  paidAt: isoDateTime.optional(),
  closedReason: z.enum(['cancelled', 'expired']).optional(),
});
export type NativeOrder = z.infer<typeof NativeOrderSchema>;

export const NativeRefundRequestSchema = z.object({
  /** Merchant refund number; the gateway is idempotent on it. */
  outRefundNo: z.string().min(1).max(64),
  amountFen: positiveFen,
  reason: z.string().max(128).optional(),
});
export type NativeRefundRequest = z.infer<typeof NativeRefundRequestSchema>;

export const NativeRefundSchema = z.object({
  status: z.enum(['refunded', 'not_paid']),
  refundNo: z.string().optional(),
});
export type NativeRefund = z.infer<typeof NativeRefundSchema>;

export const HEARTBEAT_PATH = '/api/heartbeat';

/** `POST /api/heartbeat` (signed): what a terminal (kiosk or counter) reports every minute; the backend keeps the latest per terminal. */
export const HeartbeatSchema = z.object({
  terminalId: z.string().min(1).max(32),
  mode: z.enum(['counter', 'kiosk']),
  at: isoDateTime,
  version: z.string().min(1).max(32),
  /** Events waiting in the terminal's outbox. */
  outboxBacklog: z.int().nonnegative(),
  /** Oldest waiting event, or null. */
  oldestPendingAt: isoDateTime.nullable(),
  /** Paper: ok, near_end, out, or unknown (no status read yet / no printer). */
  paper: z.enum(['ok', 'near_end', 'out', 'unknown']),
  /** In service for customers, and which functions are offered. */
  inService: z.boolean(),
  functions: z.record(z.string(), z.boolean()),
  /** Each configured device: id, kind, connected, its current fault code or null. */
  devices: z.array(
    z.object({ deviceId: z.string(), kind: z.string(), connected: z.boolean(), fault: z.string().nullable() }),
  ),
  /** Paid kiosk transactions not yet delivered (should be 0 for long). */
  undelivered: z.int().nonnegative(),
  /** The terminal's clock minus the backend's (ms, from signed replies), or null before the first reading; absent from older terminals. */
  clockDriftMs: z.int().nullable().optional(),
  /** When the outbox last pushed successfully, or null; absent from older terminals. */
  lastPushAt: isoDateTime.nullable().optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const HeartbeatAckSchema = z.object({ ok: z.literal(true), receivedAt: isoDateTime });
export type HeartbeatAck = z.infer<typeof HeartbeatAckSchema>;

/** Payload of the outbox event 'rating.created' (a customer's rating of one transaction). */
export const RatingCreatedPayloadSchema = z.object({
  ratingId: z.string().min(1),
  /** The payment id or the vend id rated. */
  transactionId: z.string().min(1),
  transactionKind: z.enum(['payment', 'vend']),
  accountNo: z.string().regex(/^\d{10}$/),
  score: z.int().min(1).max(5),
  reasons: z.array(z.string().max(32)).max(16),
  /** The kiosk or the clerk who served. */
  operatorId: z.string().min(1),
  channel: z.enum(['kiosk', 'counter']),
  ratedAt: isoDateTime,
});
export type RatingCreatedPayload = z.infer<typeof RatingCreatedPayloadSchema>;
