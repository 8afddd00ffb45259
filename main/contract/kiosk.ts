/**
 * Kiosk methods and events of the contract (the self-service terminal, 智能缴费终端). Owned by the
 * kiosk area; merged into the contract's method and event maps in ./index.ts. docs/kiosk.md has the
 * visit state machine, the capabilities table, the security rules and the late-payment policy.
 *
 * A kiosk VISIT is a state machine in the core (STYLE #10), one visit per kiosk at a time:
 *
 *   (none) ─begin─▶ started ─identify─▶ identified ─order.create─▶ awaiting_payment
 *                                          ▲                            │ paid (poll / gateway)
 *                                          └── order.cancel / expiry ───┤
 *                                                                       ▼
 *                         ended ◀─end── delivered ◀──deliver── paid
 *
 * Every state handles `kiosk.end` (cancel) and the core-side idle limit (`kiosk.visitTimeoutMs`):
 * the visit ends with nothing half-done (an unpaid order is cancelled at the gateway; a paid one is
 * never dropped — it becomes the kiosk's pending transaction, offered first by `kiosk.begin`).
 *
 * Who calls: in `mode: "kiosk"` every new session IS a kiosk customer session (role 'kiosk', no
 * PIN); staff sign-in is refused there (`kiosk.staff_exit_only`) except through `kiosk.staffExit`.
 * A kiosk session may call only the methods below marked KIOSK plus `system.info`,
 * `session.current` and `devices.health`, and only for the account identified in its current visit.
 * Money is integer fen, energy integer 0.01 kWh, instants ISO-8601 UTC.
 */
import { z } from 'zod';
import type { Access, Role } from './roles.js';
import type { WireError } from './errors/index.js';
import type { OperatorView } from './index.js';
import type { VendPreviewView } from './vending.js';

/** The unattended terminal itself: the only role that may run a customer visit. */
export const KIOSK: readonly Role[] = ['kiosk'];
/** Staff who may leave the kiosk through the staff exit (diagnostics, supplies). */
export const KIOSK_STAFF_EXIT_ROLES: readonly Role[] = ['supervisor', 'manager', 'technician'];
/** How long a badge read at the staff exit stands for its operator while the PIN is keyed. */
export const KIOSK_STAFF_BADGE_TTL_MS = 120_000;

const VisitId = z.string().uuid();
const Locale = z.enum(['zh-CN', 'en']);
/** Money keyed on the kiosk's keypad or a preset button, as yuan text ('50', '100.5'); parsed by the core. */
const AmountText = z.string().trim().min(1).max(12);
const BillId = z.string().trim().min(1).max(32);
/** 'all' open bills, or chosen ones. A chosen bill is paid only together with every older open bill (one settlement rule). */
const BillChoice = z.union([z.literal('all'), z.array(BillId).min(1).max(24)]);
const Digest = z.string().regex(/^[0-9a-f]{64}$/);

export const KIOSK_RATING_REASONS = ['fast', 'easy', 'clear', 'slow', 'confusing', 'device_problem', 'payment_problem', 'other'] as const;
export type KioskRatingReason = (typeof KIOSK_RATING_REASONS)[number];

export const kioskMethodSchemas = {
  /**
   * KIOSK. What the kiosk can do now, function by function (from device health, the backend and the
   * gateway), whether it is in service at all (else the hall's hotline), the paid-but-undelivered
   * transaction to finish first, the idle timings, and this session's current visit. Not activity:
   * the attract screen may poll it.
   */
  'kiosk.status': z.object({}).strict(),
  /**
   * KIOSK. Start a visit in the chosen language (the tap on the attract screen). Ends any earlier
   * visit of this kiosk (its unpaid order is cancelled). When a paid-but-undelivered kiosk
   * transaction exists, the new visit is bound to it and starts in `paid`: deliver it first.
   */
  'kiosk.begin': z.object({ locale: Locale }).strict(),
  /** KIOSK. Change the visit's language (screens, voice, receipt). */
  'kiosk.setLocale': z.object({ visitId: VisitId, locale: Locale }).strict(),
  /** KIOSK. "I am still here": the one touch on the idle warning; restarts the idle limit. */
  'kiosk.extend': z.object({ visitId: VisitId }).strict(),
  /**
   * KIOSK. Identify the account of this visit. `card`: the prepaid card in the reader (no value;
   * unlocks personal details and history). `barcode`: the bill's barcode as scanned (its bill id).
   * `number`: an account number (10 digits) or a meter number (12–20 digits) keyed on the keypad.
   * Barcode and number show only what paying needs until `kiosk.verify`. Exact matches only:
   * never a name or phone search.
   */
  'kiosk.identify': z
    .object({
      visitId: VisitId,
      by: z.enum(['card', 'barcode', 'number']),
      value: z.string().trim().min(1).max(32).optional(),
    })
    .strict()
    .refine((p) => (p.by === 'card') === (p.value === undefined), { message: 'value required for barcode and number, absent for card', path: ['value'] })
    .refine((p) => p.by !== 'number' || /^\d{10,20}$/.test(p.value ?? ''), { message: 'an account (10 digits) or meter number (12–20 digits)', path: ['value'] }),
  /**
   * KIOSK. The customer's check: the last 4 digits of the phone on file. Unlocks personal details and
   * history for this visit. Three wrong answers lock verification for the rest of the visit;
   * each failure is journaled (never the digits).
   */
  'kiosk.verify': z.object({ visitId: VisitId, phoneLast4: z.string().regex(/^\d{4}$/) }).strict(),
  /**
   * KIOSK. The visit's account: masked name and address, open bills with their late fees, amounts
   * due, the tier. Balance, phone (masked), last purchases and the 12-month consumption series only
   * after `kiosk.verify` or with the card (`access: 'holder'`).
   */
  'kiosk.account': z.object({ visitId: VisitId }).strict(),
  /** KIOSK. The bills to pay (all, or chosen with every older one) with late fees as of today, and the digest to order with. */
  'kiosk.quoteBills': z.object({ visitId: VisitId, bills: BillChoice }).strict(),
  /**
   * KIOSK. The split of a purchase before paying (channel fee → arrears → fixed charges → energy by
   * tier; the same preview as `vend.preview`), whether it goes to the card or a token, and the digest
   * to order with.
   */
  'kiosk.quoteVend': z.object({ visitId: VisitId, amount: AmountText }).strict(),
  /**
   * KIOSK. Create the QR order the customer scans (merchant-presented code). `quoteDigest` is the
   * quote the customer saw: a changed quote is refused (`kiosk.quote_changed`, nothing written).
   * Answers the code's content and its expiry. One open order per visit.
   */
  'kiosk.order.create': z.discriminatedUnion('what', [
    z.object({ visitId: VisitId, what: z.literal('bills'), bills: BillChoice, quoteDigest: Digest }).strict(),
    z.object({ visitId: VisitId, what: z.literal('vend'), amount: AmountText, quoteDigest: Digest }).strict(),
  ]),
  /** KIOSK. The visit's order now (asks the gateway when it is awaiting payment). Poll it; not activity. */
  'kiosk.order.status': z.object({ visitId: VisitId }).strict(),
  /**
   * KIOSK. Cancel the visit's unpaid order at the gateway. When the customer's payment crossed the
   * cancel, the order is paid after all and is honoured (delivered) — the answer says so.
   */
  'kiosk.order.cancel': z.object({ visitId: VisitId }).strict(),
  /**
   * KIOSK. Deliver the visit's paid order, per capability: a card top-up writes the card in the
   * reader (or waits for it: `delivery.needsCard`); a token is printed when there is paper and shown
   * on screen; a bill payment prints its receipt when there is paper, else shows it. Repeatable: a
   * second call shows the same delivery again and never delivers twice.
   */
  'kiosk.deliver': z.object({ visitId: VisitId }).strict(),
  /**
   * KIOSK. Rate the service 1–5 (optional reasons), bound to this visit's delivered transaction
   * (payment or vend id); once per transaction; journaled and synced.
   */
  'kiosk.rate': z
    .object({
      visitId: VisitId,
      transactionId: z.string().uuid(),
      score: z.number().int().min(1).max(5),
      reasons: z.array(z.enum(KIOSK_RATING_REASONS)).max(KIOSK_RATING_REASONS.length).default([]),
    })
    .strict(),
  /** KIOSK. End the visit (done, or cancel at any step): an unpaid order is cancelled at the gateway. */
  'kiosk.end': z.object({ visitId: VisitId }).strict(),
  /**
   * KIOSK. The staff exit's card step: reads the card in the reader as a staff badge
   * (docs/devices/staff-badge.md) and, when it is a good one, binds its operator to this session for
   * `KIOSK_STAFF_BADGE_TTL_MS`; `kiosk.staffExit {via: 'card'}` then asks only the PIN. A customer's
   * prepaid card (`kiosk.staff_card_customer`), a card that is no badge (`kiosk.staff_card_unknown`),
   * an altered or forged badge (`kiosk.staff_badge_invalid`) or an expired one
   * (`kiosk.staff_badge_expired`) is refused; journaled either way (`kiosk.staff_card_read` /
   * `kiosk.staff_exit_failed`).
   */
  'kiosk.staffCard': z.object({}).strict(),
  /**
   * KIOSK. The staff exit: a supervisor, manager or technician leaves the customer screens for
   * diagnostics and supplies. The operator is the badge read by `kiosk.staffCard` in this session
   * (`via: 'card'`, no operator ID taken from the screen: a badge is believed only after its MAC) or
   * keyed when the reader is down (`via: 'keypad'`); the PIN is always required and goes through the
   * one credential check (shared lockout). Journaled either way (`kiosk.staff_exit` /
   * `kiosk.staff_exit_failed`, never the PIN). Ends the current visit. The session is then the staff
   * member's; `session.signOut` returns it to the kiosk.
   */
  'kiosk.staffExit': z.discriminatedUnion('via', [
    z.object({ via: z.literal('keypad'), operatorId: z.string().trim().min(1).max(32), pin: z.string().max(32) }).strict(),
    z.object({ via: z.literal('card'), pin: z.string().max(32) }).strict(),
  ]),
  /** Staff (after the staff exit): paper loaded. Journaled; the printer is probed again at once. */
  'kiosk.supplies': z.object({ paperLoaded: z.literal(true) }).strict(),
} as const;

export const kioskMethodAccess: { readonly [K in keyof typeof kioskMethodSchemas]: Access } = {
  'kiosk.status': KIOSK,
  'kiosk.begin': KIOSK,
  'kiosk.setLocale': KIOSK,
  'kiosk.extend': KIOSK,
  'kiosk.identify': KIOSK,
  'kiosk.verify': KIOSK,
  'kiosk.account': KIOSK,
  'kiosk.quoteBills': KIOSK,
  'kiosk.quoteVend': KIOSK,
  'kiosk.order.create': KIOSK,
  'kiosk.order.status': KIOSK,
  'kiosk.order.cancel': KIOSK,
  'kiosk.deliver': KIOSK,
  'kiosk.rate': KIOSK,
  'kiosk.end': KIOSK,
  'kiosk.staffCard': KIOSK,
  'kiosk.staffExit': KIOSK,
  'kiosk.supplies': KIOSK_STAFF_EXIT_ROLES,
};

/** The kiosk's functions, each offered or not on its own (never the whole kiosk for one fault). */
export const KIOSK_FUNCTIONS = ['payBills', 'buyToken', 'cardTopUp', 'print', 'qr'] as const;
export type KioskFunction = (typeof KIOSK_FUNCTIONS)[number];

export interface KioskCapabilityView {
  readonly available: boolean;
  /** Why not (translatable), null when available. */
  readonly reason: WireError | null;
}

export interface KioskIdleView {
  /** The UI shows the idle warning after this long without a touch. */
  readonly warnAfterMs: number;
  /** How long the warning waits for the one touch that extends (≥ 20 s). */
  readonly responseMs: number;
  /** The core ends an idle visit after this long (≥ warnAfterMs + responseMs); an unpaid order is cancelled. */
  readonly visitTimeoutMs: number;
}

export type KioskAccess = 'none' | 'payer' | 'holder';

export type KioskVisitState = 'started' | 'identified' | 'awaiting_payment' | 'paid' | 'delivered' | 'ended';

export type KioskOrderState =
  /** Written, the gateway order not confirmed yet. */
  | 'creating'
  | 'awaiting_payment'
  /** Paid at the gateway: bills are settled (payment written); a vend is paid and must be delivered. */
  | 'paid'
  | 'delivered'
  /** The cancel (or expiry) could not reach the gateway yet; retried until the gateway answers. */
  | 'cancelling'
  | 'cancelled'
  | 'expired'
  /** Paid after the customer left (a vend): the refund is being asked for. */
  | 'refunding'
  | 'refunded';

export interface KioskVisitView {
  readonly visitId: string;
  readonly state: KioskVisitState;
  readonly locale: 'zh-CN' | 'en';
  /** none: not identified; payer: by number or barcode (pay only); holder: card or verified. */
  readonly access: KioskAccess;
  readonly identifiedBy: 'card' | 'barcode' | 'number' | null;
  /** Wrong phone checks left in this visit (0 = verification locked). */
  readonly verifyAttemptsLeft: number;
  readonly order: KioskOrderView | null;
  /** Transactions of this visit that may be rated (delivered, not rated yet). */
  readonly ratable: readonly string[];
  readonly startedAt: string;
  /** When the core ends the visit if nothing happens. */
  readonly idleEndsAt: string;
}

export interface KioskPendingView {
  readonly orderId: string;
  readonly what: 'bills' | 'vend';
  readonly state: KioskOrderState;
  readonly amountFen: number;
  /** What finishing needs from the customer: the card back in the reader, or just the screen. */
  readonly needs: 'card' | 'screen';
}

export interface KioskStatusView {
  readonly terminalId: string;
  /** False: show the out-of-service screen with the hotline. */
  readonly inService: boolean;
  readonly outOfServiceReason: WireError | null;
  readonly hotline: string;
  readonly defaultLocale: 'zh-CN' | 'en';
  readonly capabilities: { readonly [F in KioskFunction]: KioskCapabilityView };
  /** How a customer can be identified now (a card needs a working reader). */
  readonly identify: { readonly card: boolean; readonly barcode: boolean; readonly number: boolean };
  readonly backendOnline: boolean;
  /** Offline credit this kiosk may still vend before it syncs. */
  readonly offlineAvailableFen: number;
  /** A paid kiosk transaction not yet delivered: finished first (`kiosk.begin` binds the next visit to it). */
  readonly pending: KioskPendingView | null;
  readonly idle: KioskIdleView;
  /** This session's current visit, or null. */
  readonly visit: KioskVisitView | null;
  readonly checkedAt: string;
}

export interface KioskBillView {
  readonly billId: string;
  readonly period: string;
  readonly outstandingFen: number;
  readonly lateFeeFen: number;
  readonly dueDate: string;
  readonly daysOverdue: number;
  /** i18n key of the late-fee rule applied, '' when none. */
  readonly lateFeeRuleKey: string;
}

export interface KioskPurchaseView {
  readonly vendId: string;
  readonly at: string;
  readonly amountFen: number;
  readonly energyCkwh: number;
  readonly meterKind: 'sts' | 'card';
}

export interface KioskAccountView {
  readonly access: KioskAccess;
  readonly accountNo: string;
  /** e.g. 雷*子 / L** Y***; the full name is never shown for a payer. */
  readonly nameMasked: string;
  /** Payer: up to the district, the rest masked; holder: the whole address with the unit masked. */
  readonly addressMasked: string;
  /** Holder only: 138****1234. */
  readonly phoneMasked: string | null;
  readonly paymentMode: 'postpaid' | 'prepaid';
  /** What a purchase tops up: the first vendable meter, or null for postpaid accounts. */
  readonly vendMeter: { readonly kind: 'sts' | 'card'; readonly meterNoTail: string } | null;
  /** Holder only. */
  readonly balanceFen: number | null;
  readonly openBills: readonly KioskBillView[];
  readonly totalDueFen: number;
  /** Position in the tiered tariff this period (prepaid), or null. */
  readonly tier: { readonly tier: number; readonly tierCount: number; readonly remainingInTierCkwh: number | null } | null;
  /** Holder only: the last purchases at this terminal, newest first (at most 5). */
  readonly purchases: readonly KioskPurchaseView[] | null;
  /** Holder only: the last 12 billing months, oldest first; consumption null where unknown. */
  readonly consumption: readonly { readonly period: string; readonly consumptionCkwh: number | null }[] | null;
  readonly source: 'online' | 'cache';
  readonly asOf: string;
}

export interface KioskBillsQuoteView {
  readonly accountNo: string;
  /** The bills paid, oldest first (a choice is completed with every older open bill). */
  readonly bills: readonly KioskBillView[];
  readonly principalFen: number;
  readonly lateFeeFen: number;
  readonly totalFen: number;
  /** The local date the late fees are computed for. */
  readonly asOfDate: string;
  readonly quoteDigest: string;
}

export interface KioskVendQuoteView extends VendPreviewView {
  /** The card in the reader is written, or a token is printed/shown. */
  readonly delivery: 'card' | 'token';
  readonly quoteDigest: string;
}

export interface KioskDeliveryView {
  /** delivered = credit on the card / token out / bills settled and receipt done. */
  readonly done: boolean;
  /** Token digits once delivered, else null. */
  readonly token: string | null;
  readonly tokenGroups: string | null;
  readonly energyCkwh: number | null;
  readonly printed: boolean;
  /** The token is on screen and its slip is still printing (ask again, or wait for kiosk.orderChanged). */
  readonly printing: boolean;
  readonly printError: WireError | null;
  /** A card top-up waits for the card (insert it again); written as soon as it is in the reader. */
  readonly needsCard: boolean;
  readonly cardError: WireError | null;
  /** Bills: what the payment settled, per bill. */
  readonly allocations: readonly { readonly billId: string; readonly period: string; readonly principalFen: number; readonly lateFeeFen: number }[] | null;
  readonly toBalanceFen: number | null;
  /** The receipt as printed (or to be read on screen when there is no paper). */
  readonly receiptLines: readonly string[] | null;
}

export interface KioskOrderView {
  readonly orderId: string;
  readonly what: 'bills' | 'vend';
  readonly state: KioskOrderState;
  readonly amountFen: number;
  /** While awaiting payment: the code's content (to draw as a QR code) and when it expires. */
  readonly qr: { readonly codeUrl: string; readonly expiresAt: string } | null;
  readonly paidAt: string | null;
  /** The payment id (bills) or the vend id (vend) once it exists. */
  readonly transactionId: string | null;
  /** A cancel the customer's payment had already beaten: the order is paid and is delivered. */
  readonly honoured: boolean;
  readonly delivery: KioskDeliveryView | null;
  readonly createdAt: string;
}

/** A good staff badge, read at the staff exit: who it names (the PIN is asked next). */
export interface KioskStaffCardView {
  readonly operatorId: string;
  /** The operator's n-th badge. */
  readonly issue: number;
  readonly cardSerial: string;
  /** Until when `kiosk.staffExit {via: 'card'}` takes this badge's operator. */
  readonly expiresAt: string;
}

export interface KioskMethodResults {
  'kiosk.status': KioskStatusView;
  'kiosk.begin': KioskVisitView;
  'kiosk.setLocale': KioskVisitView;
  'kiosk.extend': KioskVisitView;
  'kiosk.identify': KioskVisitView;
  'kiosk.verify': KioskVisitView;
  'kiosk.account': KioskAccountView;
  'kiosk.quoteBills': KioskBillsQuoteView;
  'kiosk.quoteVend': KioskVendQuoteView;
  'kiosk.order.create': KioskOrderView;
  'kiosk.order.status': KioskOrderView;
  'kiosk.order.cancel': KioskOrderView;
  'kiosk.deliver': KioskOrderView;
  'kiosk.rate': { readonly ratingId: string; readonly transactionId: string; readonly score: number };
  'kiosk.end': { readonly ended: true; readonly orderCancelled: boolean };
  'kiosk.staffCard': KioskStaffCardView;
  'kiosk.staffExit': OperatorView;
  'kiosk.supplies': { readonly recorded: true };
}

export interface KioskEventPayloads {
  /** A capability, the backend/gateway state or the pending transaction changed (no visit inside). */
  'kiosk.statusChanged': Omit<KioskStatusView, 'visit'>;
  /** An order changed without being asked (paid, expired, cancelled, refunded). Never carries token digits. */
  'kiosk.orderChanged': Omit<KioskOrderView, 'delivery'> & { readonly visitId: string | null };
  /** The core ended a visit (idle limit, staff exit, a new visit). */
  'kiosk.visitEnded': { readonly visitId: string; readonly reason: 'idle_timeout' | 'ended' | 'staff_exit' | 'replaced' };
}

export const KIOSK_EVENT_NAMES: readonly (keyof KioskEventPayloads)[] = ['kiosk.statusChanged', 'kiosk.orderChanged', 'kiosk.visitEnded'];
