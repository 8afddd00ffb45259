/**
 * Vending methods of the contract (prepaid top-up, token help desk). Owned by the vending area;
 * merged into the contract's method map in ./index.ts.
 *
 * A vend is a state machine in the core: created → paid → token_issued → delivered (or
 * reversed / cancelled before delivery). Money is integer fen, energy integer 0.01 kWh.
 */
import { z } from 'zod';
import { ANY_STAFF, COUNTER_STAFF, type Access } from './roles.js';
import type { WireError } from './errors/index.js';
import { SupervisorApprovalFields } from './approvals.js';

const AccountKey = z.string().trim().min(1).max(32);
const MeterKey = z.string().trim().regex(/^\d{12,20}$/);
/** Money or energy typed by a person, as text: parsed by the core so every bad form gets its own message. */
const AmountText = z.string().max(40);
const Locale = z.enum(['zh-CN', 'en']);
const VendMethod = z.enum(['cash', 'qr']);

export const vendingMethodSchemas = {
  /**
   * The split of a purchase BEFORE paying: channel fee → arrears → fixed charges → energy.
   * Give `amount` (yuan text) or `energyKwh` (kWh text; the least amount buying that much is quoted).
   */
  'vend.preview': z
    .object({
      accountNo: AccountKey,
      meterNo: MeterKey.optional(),
      method: VendMethod.default('cash'),
      amount: AmountText.optional(),
      energyKwh: AmountText.optional(),
    })
    .strict()
    .refine((p) => (p.amount === undefined) !== (p.energyKwh === undefined), { message: 'give amount or energyKwh', path: ['amount'] }),
  /**
   * Pay and vend in one call. `requestId` is generated once per intended purchase: a retry (double
   * click, restart, lost answer) continues or returns the same vend, never a second one.
   * Cash: `tendered` optional (change computed). QR: `authCode` is the customer's scanned payment code.
   */
  'vend.purchase': z
    .object({
      requestId: z.string().uuid(),
      accountNo: AccountKey,
      meterNo: MeterKey.optional(),
      method: VendMethod,
      amount: AmountText,
      tendered: AmountText.optional(),
      authCode: z.string().trim().regex(/^\d{16,24}$/).optional(),
      /** print (default): delivered once the receipt printed; screen: delivered when shown. */
      delivery: z.enum(['print', 'screen']).default('print'),
      receiptLocale: Locale.optional(),
      /**
       * `splitDigest` of the preview the customer saw. When given, the purchase is refused with
       * `vending.split_changed` (nothing written) if the split recomputed now differs (e.g. the arrears changed).
       */
      splitDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    })
    .strict()
    .refine((p) => p.method !== 'qr' || p.authCode !== undefined, { message: 'authCode required for qr', path: ['authCode'] }),
  'vend.get': z.object({ vendId: z.string().uuid() }).strict(),
  /** Recent vends of an account (newest first), for the counter and the help desk. */
  'vend.list': z.object({ accountNo: AccountKey, limit: z.number().int().min(1).max(50).default(10) }).strict(),
  /**
   * Deliver an issued credit again; moves token_issued → delivered. STS: print or show the token.
   * Card meters: `card` writes the purchase to the card in the reader (recovering an interrupted
   * write first), the "write to card" button.
   */
  'vend.deliver': z.object({ vendId: z.string().uuid(), via: z.enum(['print', 'screen', 'card']), receiptLocale: Locale.optional() }).strict(),
  /**
   * Card meters: the card in the reader, checked against the meter (account, meter, generation,
   * previous purchase loaded, interrupted write) without writing anything. `problem` is the refusal
   * a purchase would get now.
   */
  'vend.cardCheck': z.object({ accountNo: AccountKey, meterNo: MeterKey.optional() }).strict(),
  /** Reprint any past token; journaled and counted. */
  'vend.reprint': z.object({ vendId: z.string().uuid(), receiptLocale: Locale.optional() }).strict(),
  /** Reverse an undelivered vend with a supervisor's approval (their operator id and PIN). */
  'vend.reverse': z
    .object({
      vendId: z.string().uuid(),
      ...SupervisorApprovalFields,
      reason: z.string().trim().min(1).max(200),
    })
    .strict(),
  /** Resume every unfinished vend now (also done at core start). */
  'vend.resume': z.object({}).strict(),
  /** Help desk: a token's meter, TID as a date, amount, class, and whether it was already used. */
  'token.explain': z
    .object({ token: z.string().max(64), accountNo: AccountKey.optional(), meterNo: MeterKey.optional() })
    .strict()
    .refine((p) => p.accountNo !== undefined || p.meterNo !== undefined, { message: 'give accountNo or meterNo', path: ['accountNo'] }),
  /**
   * Technician/supervisor: management tokens for a meter (journaled; TIDs from the same per-meter
   * sequence as credit). `key_change`: the pair moving the meter to `next` (e.g. base date 2014 with
   * a new KRN, the TID rollover); the backend must then record the meter's new parameters.
   * `requestId` makes a retry return the same tokens.
   */
  'token.manage': z
    .object({
      requestId: z.string().uuid(),
      meterNo: MeterKey,
      kind: z.enum(['key_change', 'clear_credit', 'clear_tamper', 'max_power']),
      /** max_power: the limit in watts. */
      watts: z.number().int().min(1).max(1_000_000).optional(),
      next: z
        .object({
          sgc: z.string().regex(/^\d{6}$/).optional(),
          ti: z.string().regex(/^\d{2}$/).optional(),
          krn: z.number().int().min(1).max(9).optional(),
          keyType: z.number().int().min(0).max(3).optional(),
          baseDate: z.enum(['1993-01-01', '2014-01-01']).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .refine((p) => p.kind !== 'max_power' || p.watts !== undefined, { message: 'watts required for max_power', path: ['watts'] })
    .refine((p) => p.kind !== 'key_change' || (p.next !== undefined && Object.keys(p.next).length > 0), { message: 'next required for key_change', path: ['next'] }),
} as const;

export const vendingMethodAccess: { readonly [K in keyof typeof vendingMethodSchemas]: Access } = {
  'vend.preview': COUNTER_STAFF,
  'vend.purchase': COUNTER_STAFF,
  'vend.get': ANY_STAFF,
  'vend.list': ANY_STAFF,
  'vend.deliver': COUNTER_STAFF,
  'vend.cardCheck': COUNTER_STAFF,
  'vend.reprint': COUNTER_STAFF,
  'vend.reverse': COUNTER_STAFF,
  'vend.resume': ['supervisor', 'manager', 'technician'],
  'token.explain': ANY_STAFF,
  'token.manage': ['technician', 'supervisor', 'manager'],
};

export type VendState = 'created' | 'paid' | 'token_issued' | 'delivered' | 'reversed' | 'cancelled';

export interface VendBlockView {
  readonly tier: number;
  readonly centifenPerKwh: number;
  readonly energyCkwh: number;
  readonly fen: number;
}

/** The split of one purchase, as previewed and as recorded at `created`. */
export interface VendSplitView {
  readonly amountFen: number;
  readonly tariffId: string;
  readonly tariffNameKey: string;
  readonly channelFeeFen: number;
  readonly debtBeforeFen: number;
  readonly arrearsFen: number;
  readonly debtAfterFen: number;
  readonly fixedCharges: readonly { readonly chargeId: string; readonly nameKey: string; readonly fen: number }[];
  readonly fixedChargesFen: number;
  readonly energyFen: number;
  /** 0.01 kWh, a multiple of 0.1 kWh (what a token carries). */
  readonly energyCkwh: number;
  readonly blocks: readonly VendBlockView[];
  readonly tierAfter: { readonly tier: number; readonly tierCount: number; readonly remainingInTierCkwh: number | null };
  /** i18n key naming the one configured energy rounding rule. */
  readonly roundingRuleKey: string;
  /** Money buying less than 0.1 kWh: credited to the account's balance. */
  readonly remainderFen: number;
}

export interface VendPreviewView extends VendSplitView {
  readonly accountNo: string;
  readonly accountName: string;
  readonly meterNo: string;
  readonly meterKind: 'sts' | 'card';
  readonly limits: { readonly minimumFen: number; readonly maximumFen: number };
  /** Who would issue the token now: the backend (online) or this terminal's secure module (local). */
  readonly issuer: 'online' | 'local';
  /** Offline credit this terminal may still issue before it syncs. */
  readonly offlineAvailableFen: number;
  readonly source: 'online' | 'cache';
  /** Digest of this split (and meter): pass it to vend.purchase so the paid split is the one previewed. */
  readonly splitDigest: string;
}

/** What a card vend writes to the prepaid card (购电卡). */
export interface VendCardView {
  /** The card read at `created` (UID, upper-case hex). */
  readonly cardSerial: string;
  readonly generation: number;
  /** The card's purchase counter (购电次数) before this purchase, stored at `created`. */
  readonly counterBefore: number;
  /** counterBefore + 1 once the purchase is on the card (delivered), else null. */
  readonly counterAfter: number | null;
  /** The credit written to the card (the money for electricity), fen; null before the credit is issued. */
  readonly amountFen: number | null;
  /** 0.01 kWh; null before the credit is issued. */
  readonly energyCkwh: number | null;
  /** The last journaled write step (checked, backed_up, marked, written, verified, cleared), or null. */
  readonly lastStep: string | null;
}

/** The card in the reader, checked against a card meter (nothing written). */
export interface VendCardCheckView {
  readonly accountNo: string;
  readonly meterNo: string;
  readonly meterGeneration: number | null;
  /** A card reader/writer is configured and connected. */
  readonly writerAvailable: boolean;
  readonly present: boolean;
  readonly cardSerial: string | null;
  readonly cardAccountNo: string | null;
  readonly cardMeterNo: string | null;
  readonly cardGeneration: number | null;
  /** The card's purchase counter. */
  readonly counter: number | null;
  readonly previousLoaded: boolean | null;
  readonly greyLocked: boolean | null;
  /** The meter's remaining credit as it last wrote back to the card, fen. */
  readonly meterCreditFen: number | null;
  /** An undelivered card vend of this meter (finish it with vend.deliver {via:'card'}). */
  readonly pendingVendId: string | null;
  /** The refusal a purchase would get now; null = the card is ready to be written. */
  readonly problem: WireError | null;
}

export interface VendView {
  readonly vendId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly meterNo: string;
  readonly meterKind: 'sts' | 'card';
  /** Card vends: what goes on the card; null for STS vends. */
  readonly card: VendCardView | null;
  readonly state: VendState;
  readonly method: 'cash' | 'qr';
  readonly amountFen: number;
  readonly tenderedFen: number | null;
  readonly changeFen: number;
  readonly externalRef: string | null;
  readonly split: VendSplitView;
  readonly issuer: 'online' | 'local';
  /** Issued by the terminal without the backend: reported on sync, counted against the offline limit. */
  readonly offline: boolean;
  readonly tid: number;
  /**
   * 20 digits once delivered (printed or shown on screen), else null: an issued token that has not
   * been delivered never reaches the screen.
   */
  readonly token: string | null;
  /** The token grouped 4-4-4-4-4. */
  readonly tokenGroups: string | null;
  /** What the meter adds, 0.1 kWh (≥ requested: the STS amount encoding rounds up). */
  readonly deliveredTenths: number | null;
  readonly delivery: 'printed' | 'shown' | 'card' | null;
  readonly reprints: number;
  /**
   * A print or screen delivery was attempted (journaled `vend.delivery_attempted`): the customer
   * may hold the token, so an STS vend can no longer be reversed.
   */
  readonly deliveryAttempted: boolean;
  readonly operatorId: string;
  readonly approvedBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set when the last delivery attempt (printing, or writing the card) failed; the vend stays token_issued. */
  readonly deliveryError: WireError | null;
  /** Prepaid points (the receipt's copy only): what this vend earns and the account's balance with it; absent when it earns none. */
  readonly points?: { readonly earned: number; readonly balance: number } | null;
}

export interface VendResumeSummary {
  readonly examined: number;
  readonly paid: number;
  readonly issued: number;
  readonly delivered: number;
  readonly cancelled: number;
  readonly stillPending: number;
}

export interface TokenExplainView {
  readonly digits: string;
  readonly groups: string;
  readonly meterNo: string | null;
  readonly accountNo: string | null;
  readonly tokenClass: number;
  readonly subclass: number;
  readonly kind: string;
  readonly tid: number | null;
  /** TID as a UTC ISO timestamp under the meter's base date. */
  readonly tidDate: string | null;
  readonly baseDate: string | null;
  /** 0.1 kWh. */
  readonly amountTenths: number | null;
  /** A vend of this terminal already issued this TID to this meter (the meter rejects a second entry). */
  readonly tidAlreadyUsed: boolean;
  /** The vend that issued this token, when it was this terminal. */
  readonly vendId: string | null;
  readonly issuedAt: string | null;
  /** That vend's own story: issued / delivered / reversed, when, on which terminal, by whom. */
  readonly tokenVend: TokenVendView | null;
  /**
   * The token's own vend was delivered (printed or shown): the customer had it, and a meter
   * accepts each token once, so "rejected" usually means it was already entered.
   */
  readonly alreadyDelivered: boolean;
  /** This terminal issued a later TID to the meter (credit or management token). */
  readonly newerTidExists: boolean;
  readonly newestTid: number | null;
}

export interface TokenVendView {
  readonly vendId: string;
  readonly state: VendState;
  readonly delivery: 'printed' | 'shown' | 'card' | null;
  readonly issuedAt: string | null;
  readonly deliveredAt: string | null;
  readonly reversedAt: string | null;
  readonly terminalId: string;
  readonly operatorId: string;
}

export interface ManagementTokenView {
  /** 1st then 2nd for a key change; one token otherwise. */
  readonly order: number;
  readonly digits: string;
  readonly groups: string;
  readonly subclass: number;
  readonly kind: 'key_change_1st' | 'key_change_2nd' | 'clear_credit' | 'clear_tamper' | 'max_power';
}

export interface TokenManageView {
  readonly tokenId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly meterNo: string;
  readonly kind: 'key_change' | 'clear_credit' | 'clear_tamper' | 'max_power';
  /** The TID used (register tokens); null for key change tokens, which carry none. */
  readonly tid: number | null;
  readonly tokens: readonly ManagementTokenView[];
  /** Key change: the meter's parameters after the change (to be recorded by the backend). */
  readonly next: { readonly sgc: string; readonly ti: string; readonly krn: number; readonly keyType: number; readonly baseDate: string } | null;
  readonly operatorId: string;
  readonly createdAt: string;
}

export interface VendingMethodResults {
  'vend.preview': VendPreviewView;
  'vend.purchase': VendView;
  'vend.get': VendView;
  'vend.list': { readonly items: readonly VendView[] };
  'vend.deliver': VendView;
  'vend.cardCheck': VendCardCheckView;
  'vend.reprint': { readonly printed: boolean; readonly error: WireError | null; readonly reprints: number };
  'vend.reverse': VendView;
  'vend.resume': VendResumeSummary;
  'token.explain': TokenExplainView;
  'token.manage': TokenManageView;
}
