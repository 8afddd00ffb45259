/** What the collection area runs on; chosen and handed over by the core (core.ts) from the composition root. */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { CollectionRules } from '../../domain/collection/index.js';
import type { TariffCatalog } from '../../domain/tariff/index.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';

/** The per-grade figures the worklist reads from credit.json's treatment. */
export function byGrade(credit: { readonly treatment: Readonly<Record<string, { readonly reminderLeadDays: number; readonly followUpDays: number }>> }): Pick<CollectionDeps, 'reminderLeadDays' | 'followUpDays'> {
  const entries = Object.entries(credit.treatment);
  return {
    reminderLeadDays: Object.fromEntries(entries.map(([g, t]) => [g, t.reminderLeadDays])),
    followUpDays: Object.fromEntries(entries.map(([g, t]) => [g, t.followUpDays])),
  };
}

export interface CollectionDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly defaultLocale: Locale;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly receipt: { readonly header: string; readonly hotline: string };
  readonly rules: CollectionRules;
  readonly tariffs: TariffCatalog;
  readonly accounts: AccountService;
  readonly printer: ReceiptPrinter | null;
  /** Font files with Chinese glyphs for the A4 notice, first found wins (TTF/OTF/TTC). */
  readonly noticeFonts: readonly { readonly path: string; readonly family?: string }[];
  /** Days of reminder lead per credit grade (credit.json `treatment`); absent grades use the worklist's window. */
  readonly reminderLeadDays: Readonly<Record<string, number>>;
  /** Days after the last contact or notice before a follow-up, per credit grade; absent grades use the worklist's rule. */
  readonly followUpDays?: Readonly<Record<string, number>>;
  /** Accounts from which the worklist's pass is split over two threads (default 200,000; Infinity: never). */
  readonly parallelWorklistFrom?: number;
  /** After a commit with outbox rows: push now. */
  readonly afterCommit: () => void;
}
