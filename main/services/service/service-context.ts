/**
 * What the service area's parts share: dependencies chosen at the composition root (passed by
 * core.ts), the hall this terminal serves, and the journaled step helper (journal entry + outbox
 * event inside the caller's transaction). docs/service.md.
 */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { TerminalConfig } from '../../config.js';
import type { ServiceRules } from '../../domain/service/rules.js';
import type { TariffCatalog } from '../../domain/tariff/index.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import type { AccountSnapshot } from '../../wire/backend-wire.js';
import type { Clock } from '../clock.js';

export interface ServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly rules: ServiceRules;
  readonly tariffs: TariffCatalog;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
  /** The account fresh from the backend (its 24-month history), or null when unreachable. */
  readonly fetchAccount: (accountNo: string) => Promise<AccountSnapshot | null>;
  /** Nudges sync after a commit. */
  readonly afterCommit: () => void;
}

export class ServiceContext {
  constructor(readonly deps: ServiceDeps) {}

  get db(): Db {
    return this.deps.db;
  }

  /** The hall (营业厅) this terminal serves: config `service.hallId`, else the terminal id. */
  get hallId(): string {
    return this.deps.config.service?.hallId ?? this.deps.config.terminalId;
  }

  now(): Date {
    return this.deps.clock();
  }

  newId(): string {
    return uuidv7(() => this.now());
  }

  /** Journal entry and outbox event of one step, inside the caller's transaction. */
  record(type: string, ref: string, actor: string, payload: Record<string, unknown>): void {
    const at = this.now().toISOString();
    appendJournal(this.db, { type, ref, actor, at, payload });
    enqueueOutbox(this.db, { eventId: this.newId(), type, occurredAt: at, payload });
  }

  /** Journal only (a print attempt: nothing for the backend). */
  journal(type: string, ref: string, actor: string, payload: Record<string, unknown>): void {
    appendJournal(this.db, { type, ref, actor, at: this.now().toISOString(), payload });
  }
}
