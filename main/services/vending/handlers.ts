/**
 * Vending handlers for the core's dispatch. Owned by the vending area; core.ts spreads them into
 * the handler map, so adding a vending method never touches the core's own handlers.
 */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { TerminalConfig } from '../../config.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';

export interface VendingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly accounts: AccountService;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
}

export function createVendingHandlers(_deps: VendingDeps) {
  return {} as const;
}
