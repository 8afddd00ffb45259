/**
 * The backend wire of the counter's money beyond `payment.created` (which stays in
 * ./backend-wire.ts): voids and refunds, late-fee waivers, e-invoices, and the payment gateway's
 * reverse and refund. Common tier: zod only. Shared by the store, the services and the reference
 * backend (test/billing-backend).
 */
import { z } from 'zod';
import { LateFeeCollectedSchema, PaymentAllocationSchema, PaymentMethodSchema, TenderMethodSchema } from './backend-wire.js';

const positiveFen = z.int().positive();
const nonNegativeFen = z.int().nonnegative();
const isoDateTime = z.iso.datetime({ offset: true });

export const PAYMENT_EVENT_TYPES = {
  paymentVoided: 'payment.voided',
  paymentRefunded: 'payment.refunded',
  lateFeeWaived: 'late_fee.waived',
  invoiceRequested: 'invoice.requested',
} as const;

export const REVERSAL_KINDS = ['void', 'refund'] as const;
export type ReversalKind = (typeof REVERSAL_KINDS)[number];

/** Money handed back for one tender of the reversed payment (by the way it came). */
export const ReversalTenderSchema = z.object({
  method: TenderMethodSchema,
  fen: positiveFen,
  /** Gateway refund number (code, qr) or bank POS reference of the void/refund (card). */
  externalRef: z.string().optional(),
});
export type ReversalTender = z.infer<typeof ReversalTenderSchema>;

/**
 * Payload of 'payment.voided' (same shift) and 'payment.refunded' (later): the whole payment is
 * reversed, exactly as it was settled — its bill principal (`allocations`), its late fees
 * (`lateFees`) and its balance part come off again, and its dated bill payments are forgotten so
 * late fees accrue as if it had never been made. The figures repeat the payment's; the backend
 * reverses what it applied for `paymentId` (it may have moved money to the balance).
 */
export const PaymentReversedPayloadSchema = z
  .object({
    reversalId: z.string().min(1),
    paymentId: z.string().min(1),
    accountNo: z.string().regex(/^\d{10}$/),
    kind: z.enum(REVERSAL_KINDS),
    amountFen: positiveFen,
    allocations: z.array(PaymentAllocationSchema),
    lateFees: z.array(LateFeeCollectedSchema),
    toBalanceFen: nonNegativeFen,
    /** The reversed payment's method. */
    method: PaymentMethodSchema,
    /** How the money goes back, per tender of the payment; they add up to amountFen. */
    tenders: z.array(ReversalTenderSchema).min(1),
    reasonCode: z.string().min(1).max(40),
    note: z.string().max(200).optional(),
    operatorId: z.string().min(1),
    approvedBy: z.string().min(1),
    /** The shift the money went back in (its drawer pays out the cash part). */
    shiftId: z.string().optional(),
  })
  .refine(
    (p) => p.allocations.reduce((s, a) => s + a.fen, 0) + p.lateFees.reduce((s, f) => s + f.fen, 0) + p.toBalanceFen === p.amountFen,
    { message: 'allocations + lateFees + toBalanceFen must equal amountFen' },
  )
  .refine((p) => p.tenders.reduce((s, r) => s + r.fen, 0) === p.amountFen, { message: 'tenders must add up to amountFen' });
export type PaymentReversedPayload = z.infer<typeof PaymentReversedPayloadSchema>;

export const WAIVER_REASON_CODES = ['billing_error', 'first_time', 'hardship', 'disaster', 'system_fault', 'management'] as const;
export type WaiverReasonCode = (typeof WAIVER_REASON_CODES)[number];

/** Payload of 'late_fee.waived': a supervisor forgave `fen` of a bill's late fee as of `asOf`. */
export const LateFeeWaivedPayloadSchema = z.object({
  waiverId: z.string().min(1),
  accountNo: z.string().regex(/^\d{10}$/),
  billId: z.string().min(1),
  fen: positiveFen,
  /** The fee due just before the waiver (what the clerk was shown). */
  feeBeforeFen: positiveFen,
  reasonCode: z.enum(WAIVER_REASON_CODES),
  note: z.string().max(200).optional(),
  /** 'YYYY-MM-DD', the terminal's zone. */
  asOf: z.iso.date(),
  operatorId: z.string().min(1),
  approvedBy: z.string().min(1),
});
export type LateFeeWaivedPayload = z.infer<typeof LateFeeWaivedPayloadSchema>;

/** An e-invoice (电子发票) request for a payment; the backend is idempotent on `paymentId`. */
export const InvoiceRequestSchema = z.object({
  paymentId: z.string().min(1),
  accountNo: z.string().regex(/^\d{10}$/),
  amountFen: positiveFen,
  /** The invoice's buyer: the account holder's name. */
  buyerName: z.string().min(1).max(100),
  /** 'YYYY-MM-DD' of the payment, the terminal's zone. */
  paidOn: z.iso.date(),
});
export type InvoiceRequest = z.infer<typeof InvoiceRequestSchema>;

/**
 * `POST /api/invoices` (a request) and `GET /api/invoices/:paymentId` answer this. 'pending': the
 * backend holds the request but could not issue yet (asked again later); 'cancelled': the payment
 * was voided or refunded.
 */
export const InvoiceSchema = z.object({
  paymentId: z.string().min(1),
  status: z.enum(['issued', 'pending', 'cancelled']),
  invoiceNo: z.string().min(1).optional(),
  /** Where the customer downloads the invoice (the receipt's QR code). */
  url: z.url().max(500).optional(),
  issuedAt: isoDateTime.optional(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;
export const INVOICES_PATH = '/api/invoices';

/** `POST /gateway/reverse`: cancel an order still pending, or refund in full one that succeeded. */
export const GatewayReverseRequestSchema = z.object({ outTradeNo: z.string().min(1).max(64) });
export const GatewayReverseResponseSchema = z.object({ status: z.literal('reversed') });

/** `POST /gateway/refund`: refund part or all of a successful order; idempotent per `outRefundNo`. */
export const GatewayRefundRequestSchema = z.object({
  outTradeNo: z.string().min(1).max(64),
  outRefundNo: z.string().min(1).max(64),
  amountFen: positiveFen,
});
export type GatewayRefundRequest = z.infer<typeof GatewayRefundRequestSchema>;
export const GatewayRefundResponseSchema = z.object({ status: z.literal('refunded'), refundNo: z.string().min(1) });
