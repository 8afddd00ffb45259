/**
 * What every part of the kiosk service shares: its dependencies (chosen at the composition root,
 * passed by core.ts), the kiosk's own identity as an actor, the one in-memory visit, and the
 * journaled step helper. docs/kiosk.md describes the visit and order state machines.
 */
import type { DeviceManager } from '../../../kiosk-drivers/device-manager/device-manager.js';
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { EventName, EventPayloads, KioskAccess, KioskVisitState, OperatorView } from '../../contract/index.js';
import type { TerminalConfig } from '../../config.js';
import type { TariffCatalog, VendRules } from '../../domain/tariff/index.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import type { Heartbeat, HeartbeatAck } from '../../wire/kiosk-wire.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';
import type { SyncFacts } from '../fleet/terminal-heartbeat.js';
import type { NativeOrderGateway } from '../vending/native-orders.js';
import type { VendService } from '../vending/vend-service.js';

export interface KioskDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly accounts: AccountService;
  /** The one vend service of the core (shared with the counter's handlers: one per-vend lock). */
  readonly vends: VendService;
  readonly gateway: NativeOrderGateway;
  readonly heartbeat: (beat: Heartbeat, timeoutMs: number) => Promise<HeartbeatAck>;
  readonly printer: ReceiptPrinter | null;
  readonly devices: DeviceManager | null;
  readonly tariffs: TariffCatalog;
  readonly vendRules: VendRules;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
  /** Whether the billing backend answered lately (the core's sync state). */
  readonly backendOnline: () => boolean;
  readonly outboxDepth: () => number;
  /** Nudges sync after a commit. */
  readonly afterCommit: () => void;
  readonly version: string;
  /** Clock drift and last good push, for the heartbeat (absent: not reported). */
  readonly syncFacts?: () => SyncFacts;
  readonly log?: (line: string) => void;
}

/** One customer's visit: in memory only (a restart ends it; paid orders survive in kiosk_orders). */
export interface Visit {
  readonly visitId: string;
  /** The shell session that began it; other sessions cannot use it. */
  readonly sessionId: string;
  locale: Locale;
  state: KioskVisitState;
  access: KioskAccess;
  identifiedBy: 'card' | 'barcode' | 'number' | null;
  accountNo: string | null;
  verifyFailures: number;
  /** The visit's current order (awaiting payment, paid, or delivered and still on screen). */
  orderId: string | null;
  /** Delivered transactions of this visit (payment or vend ids), which may be rated once each. */
  readonly delivered: string[];
  readonly startedAt: number;
  lastActivity: number;
}

/** Wrong phone checks a visit may make before verification is locked for it. */
export const VERIFY_ATTEMPTS = 3;

export class KioskContext {
  /** The kiosk's one current visit (one screen, one customer). */
  visit: Visit | null = null;
  /** Recently ended visits and why, so a late call answers 'visit_ended' rather than 'not found'. */
  readonly ended = new Map<string, string>();
  readonly operator: OperatorView;

  constructor(readonly deps: KioskDeps) {
    this.operator = kioskOperator(deps.config.terminalId);
  }

  get actor(): string {
    return this.operator.operatorId;
  }

  now(): Date {
    return this.deps.clock();
  }

  journal(type: string, ref: string, payload: Record<string, unknown>, actor = this.actor): void {
    appendJournal(this.deps.db, { type, ref, actor, at: this.now().toISOString(), payload });
  }

  /** Journal entry and outbox event of one step, inside the caller's transaction. */
  record(type: string, ref: string, eventId: string, payload: Record<string, unknown>, actor = this.actor): void {
    const at = this.now().toISOString();
    appendJournal(this.deps.db, { type, ref, actor, at, payload });
    enqueueOutbox(this.deps.db, { eventId, type, occurredAt: at, payload });
  }

  log(line: string): void {
    (this.deps.log ?? ((l: string) => console.error(l)))(line);
  }
}

/** The kiosk itself as the actor of its sessions, orders and vends: role 'kiosk', no PIN. */
export function kioskOperator(terminalId: string): OperatorView {
  return { operatorId: `kiosk:${terminalId}`, name: terminalId, role: 'kiosk' };
}
