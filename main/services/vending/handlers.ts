/**
 * Vending handlers for the core's dispatch. Owned by the vending area; core.ts spreads them into
 * the handler map, so adding a vending method never touches the core's own handlers.
 *
 * Tariffs, vend rules, the secure modules and the payment gateway arrive chosen by the
 * composition root (main/compose/). Unfinished vends are resumed right after the core starts.
 */
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { DeviceManager } from '../../../kiosk-drivers/device-manager/device-manager.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import type { OperatorView } from '../../contract/index.js';
import type { TerminalConfig } from '../../config.js';
import path from 'node:path';
import type { PointsRules } from '../../domain/credit/points.js';
import type { TariffCatalog, VendRules } from '../../domain/tariff/index.js';
import { loadPointsRules } from '../../loaders/points-rules.js';
import { resourcesDir } from '../../resources-dir.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { LocalSecureModule, OnlineSecureModule, SecureModuleConfig } from '../../vending/secure-module/index.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';
import { toWireError, type Session } from '../dispatch.js';
import type { PaymentGateway } from './gateway-client.js';
import { ManagementTokens, type ManageInput } from './management-tokens.js';
import { vendReceipt } from './vend-receipt.js';
import { VendService } from './vend-service.js';
import type { ShiftGate } from '../shift/drawer.js';

export interface VendingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly accounts: AccountService;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
  /**
   * The device manager: card meters are topped up through its card writer, and an inserted card
   * finishes the vends waiting for it. Null/absent = card vends are refused up front.
   */
  readonly devices?: Pick<DeviceManager, 'readCard' | 'cardWriter' | 'on'> | null;
  /** Chosen by the composition root (main/compose/). */
  readonly secureModules: SecureModules;
  readonly gateway: PaymentGateway;
  readonly tariffs: TariffCatalog;
  readonly vendRules: VendRules;
  readonly randomNibble?: () => number;
  /** Resume unfinished vends right after start (default true). */
  readonly resumeOnStart?: boolean;
  /** Receives the one vend service built here (the kiosk drives the same vends: one per-vend lock). */
  readonly onBuilt?: (vends: VendService) => void;
  /** Called after every vend commit (the core nudges sync). */
  readonly afterCommit?: () => void;
  /** The drawer: vends belong to the open shift (no shift → no money taken in counter mode). */
  readonly shifts?: ShiftGate;
  /** What a prepaid purchase earns; resources/rules/points.json when absent. */
  readonly pointsRules?: PointsRules;
}

/** The secure modules of one terminal, chosen by the composition root (main/compose/secure-modules.ts). */
export interface SecureModules {
  readonly config: SecureModuleConfig;
  readonly local: LocalSecureModule | null;
  readonly online: OnlineSecureModule;
}

export function createVendingService(deps: VendingDeps, modules: SecureModules = deps.secureModules): VendService {
  const { db, config, clock } = deps;
  const { config: sm, local: localModule, online } = modules;
  const operatorName = (id: string) =>
    (db.prepare('SELECT name FROM operators WHERE operator_id = ?').get(id) as { name: string } | undefined)?.name ?? '';
  return new VendService({
    db,
    clock,
    timeZone: config.timeZone,
    terminalId: config.terminalId,
    accounts: deps.accounts,
    tariffs: deps.tariffs,
    rules: deps.vendRules,
    secureModule: sm.mode === 'local' && localModule ? localModule : online,
    localModule,
    localFallback: sm.localFallback,
    offlineCreditLimitFen: sm.offlineCreditLimitFen,
    staleCashVendMs: sm.staleCashVendMinutes * 60_000,
    gateway: deps.gateway,
    defaultLocale: config.defaultLocale,
    cards: deps.devices ?? null,
    afterCommit: deps.afterCommit ?? (() => undefined),
    ...(deps.shifts ? { shifts: deps.shifts } : {}),
    ...(deps.randomNibble ? { randomNibble: deps.randomNibble } : {}),
    pointsRules: deps.pointsRules ?? loadPointsRules(path.join(resourcesDir(), 'rules', 'points.json')),
    log: (line) => console.error(line),
    printVend: async (vend, reprint, locale) => {
      if (!deps.printer) return toWireError(new DeviceError('device.not_found', { device: 'printer' }));
      let accountName = '';
      try {
        accountName = deps.accounts.cached(vend.accountNo).name;
      } catch {
        accountName = '';
      }
      const receipt = vendReceipt(vend, {
        t: deps.translators[locale],
        header: config.receipt.header,
        hotline: config.receipt.hotline,
        terminalId: config.terminalId,
        timeZone: config.timeZone,
        operatorName: operatorName(vend.operatorId),
        accountName,
        reprint,
      });
      try {
        await deps.printer.print(receipt);
        return null;
      } catch (err) {
        return toWireError(err);
      }
    },
  });
}

function requireOperator(s: Session): OperatorView {
  if (!s.operator) throw new Error('dispatch let an anonymous session through');
  return s.operator;
}

/** The vend service and the management tokens over ONE set of secure modules. */
export function createVending(deps: VendingDeps): { vends: VendService; management: ManagementTokens; modules: SecureModules } {
  const modules = deps.secureModules;
  const vends = createVendingService(deps, modules);
  const management = new ManagementTokens({
    db: deps.db,
    clock: deps.clock,
    accounts: deps.accounts,
    localModule: modules.local,
    afterCommit: deps.afterCommit ?? (() => undefined),
    ...(deps.randomNibble ? { randomNibble: deps.randomNibble } : {}),
  });
  return { vends, management, modules };
}

/** `built`: the vend service and management tokens when the core shares them (the kiosk drives the same vends). */
export function createVendingHandlers(deps: VendingDeps, built: { vends: VendService; management: ManagementTokens } = createVending(deps)) {
  const { vends, management } = built;
  deps.onBuilt?.(vends);
  // The customer brought back a card whose write was interrupted (or never started): finish it.
  deps.devices?.on('cardInserted', (e) => {
    void vends.onCardInserted(e.cardSerial).catch((err: unknown) => console.error('[vend] card delivery on insert failed:', err));
  });
  if (deps.resumeOnStart !== false) {
    // After the current tick, so the core is fully built; a vend already being driven is locked.
    setImmediate(() => {
      if (deps.db.open) void vends.resume().catch((e: unknown) => console.error('[vend] resume on start failed:', e));
    });
  }
  return {
    'vend.preview': (p: { accountNo: string; meterNo?: string | undefined; method: 'cash' | 'qr'; amount?: string | undefined; energyKwh?: string | undefined }) =>
      vends.preview(p),
    'vend.purchase': (
      p: {
        requestId: string;
        accountNo: string;
        meterNo?: string | undefined;
        method: 'cash' | 'qr';
        amount: string;
        tendered?: string | undefined;
        authCode?: string | undefined;
        delivery: 'print' | 'screen';
        receiptLocale?: Locale | undefined;
        splitDigest?: string | undefined;
      },
      s: Session,
    ) => vends.purchase(p, requireOperator(s)),
    'vend.get': (p: { vendId: string }) => vends.get(p.vendId),
    'vend.list': (p: { accountNo: string; limit: number }) => vends.list(p.accountNo, p.limit),
    'vend.deliver': (p: { vendId: string; via: 'print' | 'screen' | 'card'; receiptLocale?: Locale | undefined }, s: Session) =>
      vends.deliverAgain(p.vendId, p.via, requireOperator(s), p.receiptLocale),
    'vend.cardCheck': (p: { accountNo: string; meterNo?: string | undefined }) => vends.cardCheck(p),
    'vend.reprint': (p: { vendId: string; receiptLocale?: Locale | undefined }, s: Session) => vends.reprint(p.vendId, requireOperator(s), p.receiptLocale),
    'vend.reverse': (p: { vendId: string; supervisorId: string; supervisorPin: string; reason: string }, s: Session) =>
      vends.reverse(p, requireOperator(s)),
    'vend.resume': () => vends.resume(),
    'token.explain': (p: { token: string; accountNo?: string | undefined; meterNo?: string | undefined }) => vends.explain(p),
    'token.manage': (p: ManageInput, s: Session) => management.issue(p, requireOperator(s)),
  } as const;
}
