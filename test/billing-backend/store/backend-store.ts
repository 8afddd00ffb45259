/**
 * What the sync protocol needs from the backend's storage, behind one async interface so the same
 * server and the same contract tests (store/contract/) run on SQLite (the file the backend always
 * had) and on PostgreSQL (many terminals pushing at once: docs/backend.md, "Storage").
 *
 * Intake is idempotent per event id: an id seen before answers 'duplicate' with no second effect,
 * also when two pushes of the same batch race. Rejected events are not stored.
 */
import type { AccountSnapshot, ChangesPage, EventResult, ExceptionRecord, LedgerEntry, OperatorSnapshot } from '../../../main/wire/backend-wire.js';
import type { IntakeContext } from '../intake.js';
import type { Heartbeat } from '../../../main/wire/kiosk-wire.js';
import type { EnrolmentJournalEntry, IssuedCode, SiteSettings } from '../../../main/wire/enrolment-wire.js';
import type { EnrolOutcome } from '../enrolment.js';
import type { StsIssueAnswer } from '../sts-issue.js';
import type { Invoice, InvoiceRequest } from '../../../main/wire/payments-wire.js';
import type { RecoveryDashboardWire } from '../../../main/wire/recovery-wire.js';
import type { ReceiptVerifyRequest, ReceiptVerifyResult, TerminalException } from '../../../main/wire/exceptions-wire.js';

export type StoreKind = 'sqlite' | 'pg';

export interface StoredAccount {
  readonly accountNo: string;
  readonly balanceFen: number;
  /** 'active', or 'closed' / 'moved' when the office closed it (payments then go to suspense). */
  readonly status: 'active' | 'closed' | 'moved';
}

export interface StoredBill {
  readonly billId: string;
  readonly accountNo: string;
  readonly amountFen: number;
  readonly paidFen: number;
  readonly lateFeePaidFen: number;
  readonly status: string;
}

/** An account to seed for tests and load runs; the rest of its columns get neutral values. */
export interface SeedAccountInput {
  readonly accountNo: string;
  readonly balanceFen?: number;
  /** Default 'R1'. */
  readonly tariffCode?: string;
  /** A closed account (movedTo null) or one moved to another number. */
  readonly closed?: { readonly movedTo: string | null };
  readonly bills?: readonly { readonly billId: string; readonly amountFen: number; readonly paidFen?: number; readonly period?: string; readonly dueDate?: string }[];
}

/** Per terminal: how many events the backend holds, and what they add up to (the invariant's sums). */
export interface TerminalTotals {
  readonly terminalId: string;
  readonly events: number;
  /** Sum of amountFen over its accepted payment.created events. */
  readonly paymentFen: number;
}

/** A terminal's latest heartbeat (docs/backend.md, "Fleet health"): when it came, how many so far. */
export interface StoredHeartbeat {
  readonly terminalId: string;
  readonly receivedAt: string;
  readonly count: number;
  readonly heartbeat: Heartbeat;
}

/** A supervisor's resolution the backend keeps (an exception.resolved event's effect, docs/exceptions.md). */
export interface StoredResolution {
  readonly resolutionId: string;
  readonly terminalId: string;
  /** The backend exception resolved; null for an event the backend rejected (kept nothing of). */
  readonly exceptionId: number | null;
  /** As each table keeps it: the exception.resolved event (an exception's), or the rejected event (a rejection's). */
  readonly eventId: string;
  readonly resolution: string;
  readonly note: string;
  readonly resolvedBy: string;
  readonly createdAt: string;
}

/** A collection notice a terminal synced (notice.issued), as CollectionDesk.notices lists it. */
export interface StoredNotice {
  readonly noticeId: string;
  readonly noticeNo: string;
  readonly accountNo: string;
  readonly kind: string;
  readonly servedOn: string;
  readonly earliestDisconnectOn: string | null;
  readonly overdueFen: number;
  readonly terminalId: string;
}

/** A collection contact a terminal synced (contact.logged), as CollectionDesk.contacts lists it. */
export interface StoredContact {
  readonly contactId: string;
  readonly accountNo: string;
  readonly channel: string;
  readonly outcome: string;
  readonly promiseOn: string | null;
  readonly promiseFen: number | null;
  readonly terminalId: string;
}

/** A customer's rating a terminal synced (rating.created), as GET /api/ratings lists it. */
export interface StoredRating {
  readonly ratingId: string;
  readonly transactionId: string;
  readonly score: number;
  readonly reasons: string[];
  readonly terminalId: string;
  readonly channel: string;
}

export interface BackendStore {
  readonly kind: StoreKind;
  /** One batch of a terminal's events, atomically; one result per event, in order. */
  ingest(rawEvents: readonly unknown[], ctx: IntakeContext): Promise<EventResult[]>;
  /** The highest seq processed (accepted or rejected) for the terminal; 0 when none. */
  processedSeq(terminalId: string): Promise<number>;
  /** Accepted events in arrival order, of one terminal or all. */
  ledger(terminalId?: string): Promise<LedgerEntry[]>;
  /** The exceptions queue in creation order, of one terminal or all. */
  exceptions(terminalId?: string): Promise<ExceptionRecord[]>;
  account(accountNo: string): Promise<StoredAccount | undefined>;
  bills(accountNo: string): Promise<StoredBill[]>;
  totals(): Promise<TerminalTotals[]>;
  /** Keeps this heartbeat as the terminal's latest (a validated body; the count goes up by one). */
  recordHeartbeat(terminalId: string, heartbeat: Heartbeat, receivedAt: string): Promise<void>;
  /** Every terminal's latest heartbeat, by terminal id. */
  heartbeats(): Promise<StoredHeartbeat[]>;
  /** Adds accounts (and their bills); an account number already there is an error. */
  seed(accounts: readonly SeedAccountInput[]): Promise<void>;

  // ---- provisioning (docs/backend.md, "Provisioning"): sites, one-time codes, enrolled terminals ----
  /** Creates or replaces a site's settings. */
  putSite(siteId: string, settings: SiteSettings): Promise<void>;
  /** A new one-time code for a terminal of `siteId` in `mode`; null when the site is unknown. Journaled. */
  issueEnrolmentCode(req: { siteId: string; mode: 'counter' | 'kiosk'; ttlMinutes: number; issuedBy: string }): Promise<IssuedCode | null>;
  /** Uses a code once (two racing uses: one enrols, the other is refused code_used). Journaled either way. */
  enrol(code: string, meta: { hostname?: string | undefined }): Promise<EnrolOutcome>;
  enrolmentJournal(): Promise<EnrolmentJournalEntry[]>;
  /** The HMAC secret of a terminal enrolled with a code (request signing), or undefined. */
  enrolledSecret(terminalId: string): Promise<string | undefined>;

  // ---- what terminals pull: staff and account snapshots (docs/backend.md, "API") ----
  /** The staff list, by operator id. */
  operators(): Promise<OperatorSnapshot[]>;
  /*
   * Snapshots carry the asking terminal's appliedSeq read in the same moment as the snapshot (one
   * read transaction): read apart, an event processed in between would make it claim a payment
   * the snapshot does not hold (the terminal would drop it from its view) or the other way round.
   */
  /** One account as GET /api/accounts/:no serves it (open bills, the 6 latest paid). */
  accountSnapshot(accountNo: string, terminalId: string): Promise<AccountSnapshot | undefined>;
  /** GET /api/accounts?q=: by account, phone, card, meter or bill number, or part of the name. */
  searchAccounts(q: string, terminalId: string): Promise<AccountSnapshot[]>;
  /** The change feed after `cursor` (a change_seq, '' = from the start), at most `limit` accounts. */
  changes(cursor: string, limit: number, terminalId: string): Promise<ChangesPage>;
  /** Where the snapshot stream ends (the change feed's head now) and how many accounts lie in (after, until]. */
  snapshotStreamBounds(after: number): Promise<{ until: number; total: number }>;
  /**
   * The next up-to-`limit` NDJSON account lines of the snapshot stream (change_seq in (after, until],
   * open bills only, the terminal's appliedSeq in each), read consistently; `cursor` is the last
   * line's, null when none are left. One chunk at a time: a large area never sits in memory.
   */
  snapshotStreamChunk(after: number, until: number, limit: number, terminalId: string): Promise<{ text: string; cursor: number | null; count: number }>;

  // ---- a terminal's own records, read back (docs/backend.md, "API") ----
  /**
   * GET /api/ledger/terminal?from=&to=: the terminal's accepted events with occurredAt in [from, to)
   * (compared as text, as stored), in arrival order; null for a bad range (terminal-ledger.ts).
   */
  terminalLedger(terminalId: string, search: URLSearchParams): Promise<{ items: LedgerEntry[] } | null>;
  /**
   * POST /api/receipts/verify: a provisional receipt's code against `secret` (the issuing terminal's,
   * undefined when unknown), and whether its payment arrived with that amount (exception-desk.ts).
   */
  verifyReceipt(req: ReceiptVerifyRequest, secret: string | undefined): Promise<ReceiptVerifyResult>;
  /**
   * GET /api/terminal/exceptions?after=: the terminal's exceptions with an id above `after`, oldest
   * first, a page (EXCEPTION_PAGE_LIMIT) at a time, with their facts; null for a bad cursor (exception-desk.ts).
   */
  terminalExceptions(terminalId: string, search: URLSearchParams): Promise<{ items: TerminalException[] } | null>;
  /** The resolutions kept: of exceptions by exception id, then of rejected events by resolution id. */
  resolutions(): Promise<StoredResolution[]>;

  // ---- online services terminals call ----
  /**
   * POST /api/sts/issue (sts-issue.ts): a credit token for a vend, idempotent per vendId (a repeat
   * with the same inputs gets the stored token, other inputs 409 vend_conflict); a (meter, TID)
   * used by another vend 409 tid_reused, also when two requests race.
   */
  stsIssue(raw: unknown, terminalId: string): Promise<StsIssueAnswer>;
  /**
   * POST /api/invoices (invoices.ts): holds the request once per payment id and issues it unless
   * `down` (the tax platform is down: the failInvoices knob) — then it stays pending until a later
   * request or query finds the platform up. Links point at the server's public URL.
   */
  requestInvoice(req: InvoiceRequest, terminalId: string, down: boolean): Promise<Invoice>;
  /** GET /api/invoices/:paymentId: issued now if pending and not `down`; undefined when never requested. */
  invoice(paymentId: string, down: boolean): Promise<Invoice | undefined>;
  /** GET /invoices/:invoiceNo: the page a receipt's QR code opens; undefined when no such invoice. */
  invoicePage(invoiceNo: string): Promise<string | undefined>;
  /** GET /api/ratings: the ratings kept (one per rated transaction), by arrival, then rating id. */
  ratings(): Promise<StoredRating[]>;
  /** The collection desk's notices and contacts the terminals synced, by arrival, then id. */
  collectionNotices(): Promise<StoredNotice[]>;
  collectionContacts(): Promise<StoredContact[]>;

  // ---- the office's figures ----
  /**
   * Builds the recovery rollup once from the seeded area (recovery-dashboard.ts): call after the
   * seed and before any payment (what terminals pay is read live on top of it). 'present' when built before.
   */
  ensureRecoveryRollup(asOf: string): Promise<'built' | 'present'>;
  /** GET /api/recovery/dashboard?from=&to=: the area's recovery figures; null for a bad range. */
  recoveryDashboard(search: URLSearchParams, nowIso: string): Promise<RecoveryDashboardWire | null>;
  close(): Promise<void>;
}

/**
 * A part of the backend this store does not implement (yet). Raised instead of answering from
 * somewhere else: the server turns it into 501 `not_supported_on_store`.
 */
export class StoreUnsupportedError extends Error {
  constructor(
    readonly store: StoreKind,
    readonly feature: string,
  ) {
    super(`${feature} is not supported on the ${store} store (docs/backend.md, "Storage")`);
    this.name = 'StoreUnsupportedError';
  }
}

/** The rejection reason of an event whose effect a store has not ported: the terminal keeps it and says why. */
export const UNSUPPORTED_EFFECT_REASON = 'not_supported_on_store';
