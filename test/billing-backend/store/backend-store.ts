/**
 * What the sync protocol needs from the backend's storage, behind one async interface so the same
 * server and the same contract tests (store/contract/) run on SQLite (the file the backend always
 * had) and on PostgreSQL (many terminals pushing at once: docs/backend.md, "Storage").
 *
 * Intake is idempotent per event id: an id seen before answers 'duplicate' with no second effect,
 * also when two pushes of the same batch race. Rejected events are not stored.
 */
import type { EventResult, ExceptionRecord, LedgerEntry } from '../../../main/wire/backend-wire.js';
import type { IntakeContext } from '../intake.js';
import type { Heartbeat } from '../../../main/wire/kiosk-wire.js';

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
