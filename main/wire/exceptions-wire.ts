/**
 * The exceptions queue on the backend protocol (docs/exceptions.md). The backend accepts money that
 * was taken whatever it finds (a bill paid elsewhere, an account closed or moved, a tariff changed
 * under a vend) and records an exception; each terminal reads its own back
 * (`GET /api/terminal/exceptions?after=<id>`, signed) into the supervisors' queue, and sends the
 * supervisor's resolution back as an `exception.resolved` event.
 */
import { z } from 'zod';

export const TERMINAL_EXCEPTIONS_PATH = '/api/terminal/exceptions';
/** Items per page of the terminal's exception feed. */
export const EXCEPTION_PAGE_LIMIT = 200;

/**
 * Kinds the backend records beyond backend-wire's EXCEPTION_KINDS, for the cases a backend
 * decides on its own records: the terminal reads any kind (a kind it has no words for is shown
 * with the backend's detail), so a backend adding one breaks nothing.
 */
export const ACCOUNT_EXCEPTION_KINDS = [
  /** The account was closed (销户) at the backend: the payment is held in suspense for a refund or a transfer. */
  'account_closed',
  /** The account moved to another account number (过户/迁户): the payment is held in suspense, naming the new account. */
  'account_moved',
  /** A vend was priced under a tariff the account no longer has at the backend; the token stands. */
  'tariff_changed',
] as const;

/** One exception of the requesting terminal, as the feed returns it. */
export const TerminalExceptionSchema = z.object({
  id: z.int().positive(),
  eventId: z.string().min(1).max(128),
  /** The event's type at the backend ('payment.created', 'vend.created', …). */
  eventType: z.string().max(64).optional(),
  kind: z.string().min(1).max(64),
  accountNo: z.string().max(32).optional(),
  billId: z.string().max(64).optional(),
  /** Money concerned (moved to the balance or held in suspense), 0 when none. */
  fen: z.int().nonnegative(),
  /** The backend's own words (English, for the log and for kinds the terminal has no text for). */
  detail: z.string().max(1000),
  /** Facts the terminal's text needs: the bill's period, the new account, the tariffs. */
  facts: z.record(z.string(), z.union([z.string().max(128), z.number()])).default({}),
  createdAt: z.iso.datetime(),
});
export type TerminalException = z.infer<typeof TerminalExceptionSchema>;

export const TerminalExceptionPageSchema = z.object({ items: z.array(TerminalExceptionSchema).max(EXCEPTION_PAGE_LIMIT) });
export type TerminalExceptionPage = z.infer<typeof TerminalExceptionPageSchema>;

/** Outcomes a supervisor records; none moves money (a refund of held money is a payment refund). */
export const EXCEPTION_RESOLUTIONS = [
  /** Leave it as the backend recorded it (e.g. the money stays as prepaid balance); the customer was told. */
  'accepted',
  /** The customer was contacted about it (refund or transfer arranged with the backend office). */
  'customer_contacted',
  /** The cause was corrected at the backend (account reopened, bill fixed, tariff put right). */
  'corrected_at_backend',
  /** A rejected event: send it again as it was, now that its cause is fixed (it goes behind the others). */
  'resend',
] as const;
export const ExceptionResolutionSchema = z.enum(EXCEPTION_RESOLUTIONS);
export type ExceptionResolution = z.infer<typeof ExceptionResolutionSchema>;

export const EXCEPTION_RESOLVED_EVENT = 'exception.resolved';

/** The `exception.resolved` event: the backend marks its exception (backendId) resolved. */
export const ExceptionResolvedPayloadSchema = z.object({
  resolutionId: z.string().min(1),
  /** The backend's exception id; null for an event the backend rejected (it kept nothing of it). */
  backendId: z.int().positive().nullable(),
  eventId: z.string().min(1),
  kind: z.string().min(1),
  resolution: ExceptionResolutionSchema,
  note: z.string().max(500),
  resolvedBy: z.string().min(1),
});
export type ExceptionResolvedPayload = z.infer<typeof ExceptionResolvedPayloadSchema>;

/**
 * `POST /api/receipts/verify` (signed): staff check a provisional receipt's verify code
 * (main/sync/receipt-verify.ts) — from any terminal, as the customer may bring it to another hall.
 */
export const RECEIPT_VERIFY_PATH = '/api/receipts/verify';
export const ReceiptVerifyRequestSchema = z.object({
  terminalId: z.string().min(1).max(64),
  paymentId: z.uuid(),
  amountFen: z.int().positive(),
  code: z.string().min(1).max(32),
});
export type ReceiptVerifyRequest = z.infer<typeof ReceiptVerifyRequestSchema>;
export const ReceiptVerifyResultSchema = z.object({
  /** The code is the one that terminal's key gives this payment and amount. */
  valid: z.boolean(),
  /** The payment has reached the backend (with this amount, when valid). */
  synced: z.boolean(),
});
export type ReceiptVerifyResult = z.infer<typeof ReceiptVerifyResultSchema>;
