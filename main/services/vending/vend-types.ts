/**
 * The vend service's inputs: its dependencies (chosen at the composition root, handlers.ts) and a
 * purchase as the contract hands it over. Kept apart so every step module can name them without
 * importing the façade.
 */
import type { WireError } from '../../contract/index.js';
import type { VendView } from '../../contract/vending.js';
import type { PointsRules } from '../../domain/credit/points.js';
import type { TariffCatalog, VendRules } from '../../domain/tariff/index.js';
import type { ShiftGate } from '../shift/drawer.js';
import type { Locale } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { LocalSecureModule, SecureModule } from '../../vending/secure-module/index.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';
import type { CardDevices } from './card-delivery.js';
import type { PaymentGateway } from './gateway-client.js';

export interface VendServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  /** This terminal: the help desk says where a token was issued. */
  readonly terminalId: string;
  readonly accounts: AccountService;
  readonly tariffs: TariffCatalog;
  readonly rules: VendRules;
  /** The configured issuer (online: the backend; local: this terminal's software module). */
  readonly secureModule: SecureModule;
  /** The local software module when a key file is configured: local mode, offline fallback, help desk. */
  readonly localModule: LocalSecureModule | null;
  readonly localFallback: boolean;
  readonly offlineCreditLimitFen: number;
  /** Cash vends still `created` older than this are cancelled by resume (see resume()). */
  readonly staleCashVendMs: number;
  readonly gateway: PaymentGateway;
  /** Prints a vend receipt; resolves to the device error, or null when printed. */
  readonly printVend: (vend: VendView, reprint: boolean, locale: Locale) => Promise<WireError | null>;
  readonly defaultLocale: Locale;
  /** The card reader/writer for card meters (local fee control); null = card vends are refused. */
  readonly cards: CardDevices | null;
  readonly afterCommit: () => void;
  /** The drawer (shift area): a vend belongs to the open shift; a cash reversal pays out of it. */
  readonly shifts?: ShiftGate;
  /** Prepaid points (resources/rules/points.json); absent = purchases earn none. */
  readonly pointsRules?: PointsRules;
  /** RND for new tokens, 0..15. Injectable for tests. */
  readonly randomNibble?: () => number;
  readonly log?: (line: string) => void;
}

export interface PurchaseInput {
  readonly requestId: string;
  readonly accountNo: string;
  readonly meterNo?: string | undefined;
  readonly method: 'cash' | 'qr';
  readonly amount: string;
  readonly tendered?: string | undefined;
  readonly authCode?: string | undefined;
  readonly delivery: 'print' | 'screen';
  readonly receiptLocale?: Locale | undefined;
  readonly splitDigest?: string | undefined;
  /** Payment channel for the fee (vend.json); the counter's by method when absent. The kiosk: 'kiosk_qr'. */
  readonly channel?: string | undefined;
}
