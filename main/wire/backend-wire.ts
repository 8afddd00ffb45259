/**
 * The wire between the terminal's sync client and the billing backend (the reference one in
 * test/billing-backend, or the utility's real one). Common tier: zod only, no Node imports.
 *
 * Units: money is integer fen, energy integer 0.01 kWh, timestamps ISO-8601 UTC.
 * Request signing lives in ./signing.ts because it needs node:crypto.
 */
import { z } from 'zod';

const fen = z.int();
const nonNegativeFen = z.int().nonnegative();
const positiveFen = z.int().positive();
/** Energy in 0.01 kWh. */
const centiKwh = z.int().nonnegative();
const isoDateTime = z.iso.datetime({ offset: true });

export const OPERATOR_ROLES = ['clerk', 'supervisor', 'manager', 'auditor', 'technician', 'kiosk'] as const;
export const OperatorRoleSchema = z.enum(OPERATOR_ROLES);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

/** A staff member (or kiosk identity) the terminal may sign in offline. */
export const OperatorSnapshotSchema = z.object({
  operatorId: z.string().min(1),
  name: z.string().min(1),
  role: OperatorRoleSchema,
  /** 'scrypt$<saltHex>$<hashHex>' with N=16384, r=8, p=1, keylen 32; the PIN as UTF-8 is the password. */
  pinHash: z.string().regex(/^scrypt\$[0-9a-f]+\$[0-9a-f]{64}$/),
  active: z.boolean(),
});
export type OperatorSnapshot = z.infer<typeof OperatorSnapshotSchema>;

/**
 * One payment of a bill's principal as the backend recorded it. The late fee accrues day by day on
 * the principal outstanding that day, so the terminal replays these (see docs/domain/late-fees.md).
 */
export const BillPaymentSchema = z.object({
  /** The payment's id (the terminal's payment.created event id). */
  paymentId: z.string().min(1),
  /** The day it was paid, 'YYYY-MM-DD' in the paying terminal's zone. */
  paidOn: z.iso.date(),
  principalFen: positiveFen,
});
export type BillPayment = z.infer<typeof BillPaymentSchema>;

export const BillStatusSchema = z.enum(['open', 'paid']);
export type BillStatus = z.infer<typeof BillStatusSchema>;

export const BillSnapshotSchema = z.object({
  /** Also the barcode printed on the paper bill, e.g. 'B2026100000001'. */
  billId: z.string().min(1),
  /** Billing month 'YYYY-MM'. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  /** 0.01 kWh. */
  consumption: centiKwh,
  amountFen: nonNegativeFen,
  paidFen: nonNegativeFen,
  /** Late-payment penalty already collected on this bill (revenue, not principal). */
  lateFeePaidFen: nonNegativeFen.default(0),
  /** Late-payment penalty a supervisor waived on this bill (never collected; the fee due is accrual − paid − waived). Absent: none. */
  lateFeeWaivedFen: nonNegativeFen.optional(),
  dueDate: z.iso.date(),
  status: BillStatusSchema,
  /**
   * Open bills: the principal payments the backend knows, oldest first. Principal paid that is not
   * listed (`paidFen` above their sum) counts as paid by the due date.
   */
  payments: z.array(BillPaymentSchema).default([]),
});
export type BillSnapshot = z.infer<typeof BillSnapshotSchema>;

/** Everything the STS token engine needs about one meter except the vending key. */
export const StsParamsSchema = z.object({
  iin: z.string().regex(/^\d{6}$/),
  drn: z.string().regex(/^\d{11}$/),
  /** Key type 0..3 and key revision 1..9: the ranges the STS engine accepts (assertMeterIdentity). */
  keyType: z.int().min(0).max(3),
  sgc: z.string().regex(/^\d{6}$/),
  ti: z.string().regex(/^\d{2}$/),
  krn: z.int().min(1).max(9),
  baseDate: z.enum(['1993-01-01', '2014-01-01']),
  algorithm: z.literal('EA07'),
});
export type StsParams = z.infer<typeof StsParamsSchema>;

export const MeterKindSchema = z.enum(['postpaid', 'sts', 'card']);
export type MeterKind = z.infer<typeof MeterKindSchema>;

export const MeterSnapshotSchema = z.object({
  /** STS: IIN + DRN + Luhn check digit (18 digits for a 6-digit IIN); otherwise a 12-digit asset number. */
  meterNo: z.string().regex(/^\d{12,20}$/),
  kind: MeterKindSchema,
  /** Present exactly when kind is 'sts'. */
  sts: StsParamsSchema.optional(),
  /** Prepaid-card protocol generation; present when kind is 'card'. */
  cardGeneration: z.int().positive().optional(),
});
export type MeterSnapshot = z.infer<typeof MeterSnapshotSchema>;

export const CUSTOMER_CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;
export const CustomerClassSchema = z.enum(CUSTOMER_CLASSES);
export type CustomerClass = z.infer<typeof CustomerClassSchema>;

export const PaymentModeSchema = z.enum(['postpaid', 'prepaid']);
export type PaymentMode = z.infer<typeof PaymentModeSchema>;

export const CreditGradeSchema = z.enum(['A', 'B', 'C', 'D']);
export type CreditGrade = z.infer<typeof CreditGradeSchema>;

const billingPeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const dayDate = z.iso.date();
/**
 * Up to 24 months, oldest first, ending at AccountHistory.to: whole numbers of at least `min`.
 * One loop per array rather than a schema per element: an initial pull checks a million histories
 * of five such arrays.
 */
const monthly = (min: number) =>
  z.custom<number[]>((v) => {
    if (!Array.isArray(v) || v.length > 24) return false;
    for (const x of v) if (!Number.isSafeInteger(x) || x < min) return false;
    return true;
  });

/** A recorded violation of the supply rules: 违约用电 (breach of contract use) or 窃电 (theft). */
export const ViolationSchema = z.object({
  /** The day it was recorded. */
  d: dayDate,
  /** 'breach' 违约用电 (e.g. load above contract, tariff misuse); 'theft' 窃电 (bypassed or tampered meter). */
  k: z.enum(['breach', 'theft']),
});
export type Violation = z.infer<typeof ViolationSchema>;

/**
 * The account's behaviour over the last 24 billing months, the facts credit grading, the arrears
 * worklist and the recovery dashboard rest on (docs/recovery.md). Compact on purpose: a million of
 * these travel in the initial pull, so months are parallel integer arrays, oldest first, the last
 * entry being month `to`; an array shorter than 24 covers only the months since the account began,
 * and an absent field means none: no bills (a prepaid account), 0 incidents, no violations.
 */
export const AccountHistorySchema = z.object({
  /** Customer since (the supply contract began), 'YYYY-MM-DD'. */
  since: dayDate,
  /** The last billing period of the window, 'YYYY-MM'. */
  to: billingPeriod,
  /** Per month: the bill's amount in fen; 0 = no bill that month (prepaid, or before `since`). */
  billed: monthly(0).optional(),
  /** Per month: the bill's due date as days after the first day of its period (e.g. 60: 2026-10 → 2026-11-30). */
  due: monthly(0).optional(),
  /** Per month: days after the due date the bill was fully paid; 0 on time; −1 still unpaid; ignored where billed is 0. */
  late: monthly(-1).optional(),
  /** Per month: consumption in whole kWh. */
  kwh: monthly(0).optional(),
  /** Per month: prepaid purchases (token or card vends) that month. */
  vends: monthly(0).optional(),
  /** Late-fee incidents in the window: bills on which a late fee was charged (a waived one included). */
  lateFees: z.int().nonnegative().optional(),
  /** Times in arrears in the window: separate runs of months with a bill still unpaid 30 days after its due date. */
  arrears: z.int().nonnegative().optional(),
  /** Violations in the window, oldest first. */
  violations: z.array(ViolationSchema).optional(),
  /** Disconnections for non-payment (or a prepaid meter run dry and cut off) in the window, days oldest first. */
  cutoffs: z.array(dayDate).optional(),
  /** Prepaid since, 'YYYY-MM-DD'; absent: never prepaid. */
  prepaidSince: dayDate.optional(),
});
export type AccountHistory = z.infer<typeof AccountHistorySchema>;

export const AccountSnapshotSchema = z.object({
  accountNo: z.string().regex(/^\d{10}$/),
  name: z.string().min(1),
  address: z.string(),
  /** 11-digit mobile number. */
  phone: z.string().regex(/^\d{11}$/),
  customerClass: CustomerClassSchema,
  paymentMode: PaymentModeSchema,
  /** e.g. 'RES-TIER-M' (residential, monthly tiers), 'COM-FLAT'. */
  tariffCode: z.string().min(1),
  /** Prepayment balance (prepaid credit, or overpayment held on a postpaid account). */
  balanceFen: fen,
  creditGrade: CreditGradeSchema,
  /** Prepaid card number (local fee control). */
  cardNo: z.string().optional(),
  meters: z.array(MeterSnapshotSchema),
  /** All open bills plus the last 6 paid ones, ordered by period. */
  bills: z.array(BillSnapshotSchema),
  /** 0.01 kWh; basis for tiered vending. */
  consumptionThisYear: centiKwh,
  consumptionThisMonth: centiKwh,
  /** Increases on every change of the account; the terminal keeps the highest it has seen. */
  version: z.int().positive(),
  updatedAt: isoDateTime,
  /**
   * The highest sequence number of the REQUESTING terminal's events the backend had processed
   * (accepted or rejected) when it read this snapshot: the snapshot holds the effects of exactly
   * that terminal's events up to here. The terminal lays its own later payments over it — whether
   * still in its outbox or already acknowledged — so neither a lost acknowledgement (payment in
   * both) nor an answer that left before an acknowledgement (payment in neither) counts money
   * twice or forgets it. Absent from a backend that does not track it: the outbox is the guess.
   */
  appliedSeq: z.int().nonnegative().optional(),
  /**
   * 'closed': service ended (moved out, demolished); still findable, ranked after active accounts
   * in a search. Absent from a backend that does not say: active.
   */
  status: z.enum(['active', 'closed']).optional(),
  /** The last 24 months of behaviour (AccountHistorySchema). Absent from a backend that does not supply it: nothing known. */
  history: AccountHistorySchema.optional(),
});
export type AccountSnapshot = z.infer<typeof AccountSnapshotSchema>;

export const AccountListSchema = z.object({ items: z.array(AccountSnapshotSchema) });
export type AccountList = z.infer<typeof AccountListSchema>;

export const OperatorListSchema = z.object({ items: z.array(OperatorSnapshotSchema) });
export type OperatorList = z.infer<typeof OperatorListSchema>;

/** One page of the change feed. Pass `nextCursor` back to resume; '' starts from the beginning. */
export const ChangesPageSchema = z.object({
  items: z.array(AccountSnapshotSchema),
  nextCursor: z.string(),
  /** True when nothing newer than `nextCursor` existed when the page was read. */
  done: z.boolean(),
});
export type ChangesPage = z.infer<typeof ChangesPageSchema>;

/**
 * `GET /api/snapshots?after=<cursor>`: the whole service area (or everything changed after a
 * change-feed cursor) as one NDJSON stream, `application/x-ndjson`, one JSON object per line —
 * the initial pull of a terminal's cache. The first line says what is coming, every account line
 * carries the change-feed cursor that resumes right after it, the last line says the stream is
 * complete: a stream without it was cut, and the terminal resumes from the cursor of the last
 * account it applied. Accounts come in change order; one that changes while the stream runs comes
 * again later in the change feed (`GET /api/changes?cursor=<until>`).
 *
 * An account line's snapshot lists only the account's OPEN bills (with their payments): a cached
 * open bill the line does not list is no longer open.
 *
 * Signed a chunk at a time: after each chunk of lines comes `{"kind":"mac","mac":"<hex>"}`, a
 * reply signature over the chunk chained to the previous one (main/sync/stream-signing.ts); the
 * terminal reads a chunk only once its mac verified, so these schemas never see a mac line.
 */
export const SnapshotStreamBeginSchema = z.object({
  kind: z.literal('begin'),
  /** The cursor the stream starts after ('' = from the start). */
  after: z.string(),
  /** The change-feed cursor the stream ends at: every account changed in (after, until] is in it. */
  until: z.string(),
  /** How many account lines follow (for progress and time left). */
  total: z.int().nonnegative(),
});
export const SnapshotStreamAccountSchema = z.object({
  kind: z.literal('account'),
  /** Change-feed cursor right after this account. */
  cursor: z.string().regex(/^\d{1,15}$/),
  account: AccountSnapshotSchema,
});
export const SnapshotStreamEndSchema = z.object({
  kind: z.literal('end'),
  /** Equals `until` of the begin line; `GET /api/changes` continues from here. */
  cursor: z.string(),
  /** Account lines sent. */
  count: z.int().nonnegative(),
});
export const SnapshotStreamLineSchema = z.discriminatedUnion('kind', [SnapshotStreamBeginSchema, SnapshotStreamAccountSchema, SnapshotStreamEndSchema]);
export type SnapshotStreamLine = z.infer<typeof SnapshotStreamLineSchema>;
export const SNAPSHOT_STREAM_PATH = '/api/snapshots';
export const SNAPSHOT_STREAM_CONTENT_TYPE = 'application/x-ndjson';

export const MAX_EVENTS_PER_BATCH = 500;

export const TerminalEventSchema = z.object({
  /** UUIDv7 generated by the terminal; the backend is idempotent on it. */
  eventId: z.uuid(),
  /** Terminal sequence number, strictly increasing per terminal. */
  seq: z.int().nonnegative(),
  type: z.string().min(1).max(64),
  occurredAt: isoDateTime,
  payload: z.unknown(),
});
export type TerminalEvent = z.infer<typeof TerminalEventSchema>;

export const EventBatchSchema = z.object({
  terminalId: z.string().min(1),
  events: z.array(TerminalEventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

export const EventStatusSchema = z.enum(['accepted', 'duplicate', 'rejected']);
export type EventStatus = z.infer<typeof EventStatusSchema>;

export const EventResultSchema = z.object({
  eventId: z.string(),
  status: EventStatusSchema,
  /** Present when rejected: 'knob', 'malformed: …', 'malformed_payload: …'. */
  reason: z.string().optional(),
});
export type EventResult = z.infer<typeof EventResultSchema>;

/** One result per submitted event, in submission order. */
export const EventBatchResultSchema = z.object({ results: z.array(EventResultSchema) });
export type EventBatchResult = z.infer<typeof EventBatchResultSchema>;

/** Event types the reference backend gives an effect to; any other type is accepted and stored. */
export const EVENT_TYPES = { paymentCreated: 'payment.created' } as const;

/**
 * How a payment was paid: cash; 'qr' a code the kiosk shows and the customer scans; 'code' the
 * customer's payment code (付款码) scanned at the counter; 'card' a bank card on a separate bank POS;
 * 'split' several of these at once (the payload's `tenders` say which).
 */
export const PaymentMethodSchema = z.enum(['cash', 'qr', 'card', 'code', 'split']);
export type PaymentMethod = z.infer<typeof PaymentMethodSchema>;

/** One way money was handed over within a payment (a split tender has several). */
export const TenderMethodSchema = z.enum(['cash', 'qr', 'card', 'code']);
export type TenderMethod = z.infer<typeof TenderMethodSchema>;
export const PaymentTenderSchema = z.object({
  method: TenderMethodSchema,
  fen: positiveFen,
  /** Gateway trade number (code, qr) or bank POS reference number (card). */
  externalRef: z.string().optional(),
});
export type PaymentTender = z.infer<typeof PaymentTenderSchema>;

export const PaymentAllocationSchema = z.object({ billId: z.string().min(1), fen: positiveFen });
export type PaymentAllocation = z.infer<typeof PaymentAllocationSchema>;

/** Late-payment penalty collected with a payment, per bill (revenue, not bill principal). */
export const LateFeeCollectedSchema = z.object({ billId: z.string().min(1), fen: positiveFen });
export type LateFeeCollected = z.infer<typeof LateFeeCollectedSchema>;

/**
 * Payload of 'payment.created'. Allocations (bill principal) plus late fees plus `toBalanceFen`
 * add up to `amountFen`.
 */
export const PaymentCreatedPayloadSchema = z
  .object({
    paymentId: z.string().min(1),
    accountNo: z.string().regex(/^\d{10}$/),
    method: PaymentMethodSchema,
    amountFen: positiveFen,
    allocations: z.array(PaymentAllocationSchema),
    lateFees: z.array(LateFeeCollectedSchema).default([]),
    toBalanceFen: nonNegativeFen,
    operatorId: z.string().min(1),
    shiftId: z.string().optional(),
    /** Gateway trade number or bank-terminal reference. */
    externalRef: z.string().optional(),
    /** How the money was handed over, when more than the method says (a split tender); they add up to amountFen. */
    tenders: z.array(PaymentTenderSchema).optional(),
    /**
     * The terminal's local date of the payment ('YYYY-MM-DD'), the day late fees were settled as of;
     * the backend records it with each principal allocation (BillSnapshot.payments).
     */
    paidOn: z.iso.date().optional(),
  })
  .refine(
    (p) =>
      p.allocations.reduce((sum, a) => sum + a.fen, 0) + p.lateFees.reduce((sum, f) => sum + f.fen, 0) + p.toBalanceFen ===
      p.amountFen,
    { message: 'allocations + lateFees + toBalanceFen must equal amountFen' },
  )
  .refine((p) => new Set(p.allocations.map((a) => a.billId)).size === p.allocations.length, {
    message: 'a bill appears twice in allocations',
  })
  .refine((p) => p.tenders === undefined || p.tenders.reduce((sum, t) => sum + t.fen, 0) === p.amountFen, {
    message: 'tenders must add up to amountFen',
  });
export type PaymentCreatedPayload = z.infer<typeof PaymentCreatedPayloadSchema>;

/** An accepted event as the backend stored it (GET /api/ledger). */
export const LedgerEntrySchema = z.object({
  eventId: z.string(),
  terminalId: z.string(),
  seq: z.int(),
  type: z.string(),
  occurredAt: z.string(),
  payload: z.unknown(),
  receivedAt: isoDateTime,
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
export const LedgerSchema = z.object({ items: z.array(LedgerEntrySchema) });
export type Ledger = z.infer<typeof LedgerSchema>;

export const EXCEPTION_KINDS = [
  /** An allocation named a bill that was already fully paid; the money went to the balance. */
  'bill_already_paid',
  /** An allocation was larger than what remained on the bill; the excess went to the balance. */
  'bill_overpaid',
  /** An allocation named a bill that does not exist on that account; the money went to the balance. */
  'unknown_bill',
  /** A payment for an account the backend does not know; the money is held in suspense. */
  'unknown_account',
  /** A new event reused a sequence number the terminal had already used for another event. */
  'seq_reused',
  /** An offline vend used a TID another vend already used for that meter. */
  'tid_reused',
  /** A key change was issued against meter parameters the backend no longer holds. */
  'key_change_conflict',
  /** A void or refund named a payment the backend never took (e.g. its payment.created was rejected). */
  'reversal_unknown_payment',
  /** A second void or refund of a payment already reversed: no second effect. */
  'payment_already_reversed',
  /** A late-fee waiver named a bill that is not a bill of that account; nothing was waived. */
  'waiver_unknown_bill',
] as const;
export const ExceptionKindSchema = z.enum(EXCEPTION_KINDS);
export type ExceptionKind = z.infer<typeof ExceptionKindSchema>;

/** A reconciliation exception for the staff queue (GET /api/exceptions). */
export const ExceptionRecordSchema = z.object({
  id: z.int().positive(),
  eventId: z.string(),
  terminalId: z.string(),
  kind: ExceptionKindSchema,
  accountNo: z.string().optional(),
  billId: z.string().optional(),
  /** Money concerned (moved to balance or held), 0 when none. */
  fen: nonNegativeFen,
  detail: z.string(),
  createdAt: isoDateTime,
});
export type ExceptionRecord = z.infer<typeof ExceptionRecordSchema>;
export const ExceptionListSchema = z.object({ items: z.array(ExceptionRecordSchema) });
export type ExceptionList = z.infer<typeof ExceptionListSchema>;

/** Body of every non-2xx JSON answer. */
export const ErrorBodySchema = z.object({ error: z.string(), detail: z.string().optional() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// Payment gateway (simulated by the reference backend; unsigned, like a third-party gateway).

export const GatewayPayRequestSchema = z.object({
  /** Merchant order number, unique per payment attempt; the gateway is idempotent on it. */
  outTradeNo: z.string().min(1).max(64),
  /** The customer's payment code (scanned 付款码) or the kiosk QR order's code. */
  authCode: z.string().min(1),
  amountFen: positiveFen,
});
export type GatewayPayRequest = z.infer<typeof GatewayPayRequestSchema>;

export const GatewayPayResponseSchema = z.object({
  status: z.enum(['success', 'declined', 'pending']),
  tradeNo: z.string().optional(),
});
export type GatewayPayResponse = z.infer<typeof GatewayPayResponseSchema>;

export const GatewayOrderStatusSchema = z.object({
  status: z.enum(['success', 'declined', 'not_found', 'pending']),
  amountFen: positiveFen.optional(),
  tradeNo: z.string().optional(),
  /** The order was reversed (cancelled while pending, or refunded in full): status says 'declined'. */
  reversed: z.boolean().optional(),
  /** Refunded so far (partial refunds of a successful order). */
  refundedFen: nonNegativeFen.optional(),
});
export type GatewayOrderStatus = z.infer<typeof GatewayOrderStatusSchema>;

/**
 * `GET /api/time` (signed, like every /api/* request): the backend's clock, for the terminal's
 * clock guard when it has no other reply to read it from. Every signed reply states the clock in
 * its `x-gd-reply-timestamp` header too (docs/backend.md, "Reply signing").
 */
export const SERVER_TIME_PATH = '/api/time';
export const ServerTimeSchema = z.object({ now: z.iso.datetime() });
export type ServerTime = z.infer<typeof ServerTimeSchema>;

/** A change-feed cursor: '' (the start) or the decimal change sequence; later changes have larger ones. */
export const ChangeCursorSchema = z.string().regex(/^(\d{1,15})?$/);
