/**
 * Device handlers for the core's dispatch (health, diagnostics). Owned by the device area;
 * core.ts spreads them into the handler map and gives them the event emitter.
 */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { EventName, EventPayloads } from '../../contract/index.js';
import type { TerminalConfig } from '../../config.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { Clock } from '../clock.js';

export interface DeviceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
}

export function createDeviceHandlers(_deps: DeviceDeps) {
  return {} as const;
}
