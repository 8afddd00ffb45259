/**
 * The composition root: the one place that chooses every implementation the core runs on —
 * backend client, secure modules, payment gateway, tariffs and rules, receipt printer, devices
 * (real or simulated). Both shells (main/host/main.ts, main/electron/main.ts) and the test
 * stacks build their core here; `scripts/lint.sh` keeps those choices out of everywhere else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type TerminalConfig } from '../config.js';
import { createCore, type Core, type CoreAdapters } from '../core.js';
import { loadLateFeeRules } from '../loaders/late-fee-rules.js';
import { loadTariffDirectory, loadVendRules } from '../loaders/tariff-config.js';
import { lateFeePolicy } from '../services/late-fees.js';
import { loadShiftRules } from '../loaders/shift-rules.js';
import { loadAuditRules } from '../loaders/audit-rules.js';
import { loadServiceRules } from '../loaders/service-rules.js';
import { loadRecoveryDashboardRules } from '../loaders/recovery-dashboard-rules.js';
import { HttpPaymentGateway } from '../services/vending/gateway-client.js';
import { HttpInvoiceClient } from '../services/invoices.js';
import { HttpExceptionFeed, HttpReceiptVerifier } from '../sync/exception-feed.js';
import { BackendClient } from '../sync/backend-client.js';
import { fetchTransport, type HttpTransport } from '../sync/http-json.js';
import { nodeHttpTransport } from '../sync/node-http-transport.js';
import type { SecureModuleConfig } from '../vending/secure-module/index.js';
import type { SimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';
import { resourcesDir } from '../resources-dir.js';
import { deviceManagerFor } from './devices.js';
import { printerFor } from './printer.js';
import { loadSecureModules } from './secure-modules.js';

export { printerFor } from './printer.js';
export { loadSecureModules } from './secure-modules.js';

/** resources/ of this installation (packaged app or checkout); see main/resources-dir.ts. */
export const RESOURCES_DIR = resourcesDir();

/** Config files in override order: defaults, then `--config <file>` or $GRIDDESK_CONFIG. */
export function configPaths(argv: readonly string[]): string[] {
  const paths = [path.join(RESOURCES_DIR, 'config', 'terminal.default.json')];
  const i = argv.indexOf('--config');
  const site = i >= 0 ? argv[i + 1] : process.env.GRIDDESK_CONFIG;
  if (site) paths.push(path.resolve(site));
  return paths;
}

/** What a test or a special shell may replace; everything else comes from config and resources/. */
export interface CompositionOverrides extends Partial<Omit<CoreAdapters, 'secureModules'>> {
  /** Reuse simulated devices across core restarts (test stacks). */
  readonly hall?: SimulatedHall;
  /** Secure module settings instead of resources/keys/secure-module.json. */
  readonly secureModuleConfig?: SecureModuleConfig;
  /** No device manager at all (the printer alone, as before devices were supervised). */
  readonly withoutDevices?: boolean;
}

/**
 * How the terminal reaches its backend: with `backend.caFile`, node:https trusting only that CA;
 * otherwise Node's fetch with the default CAs. Every HTTP client of the backend shares it.
 */
export function backendTransport(config: TerminalConfig): HttpTransport {
  const caFile = config.backend.caFile;
  if (caFile === undefined) return fetchTransport;
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new Error(`backend.caFile: ${caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`backend.caFile: ${caFile} holds no PEM certificate`);
  return nodeHttpTransport({ ca: pem });
}

/** Every implementation the core needs, chosen from config; `overrides` replace single choices. */
export function composeAdapters(config: TerminalConfig, overrides: CompositionOverrides = {}): CoreAdapters {
  const clock = overrides.clock ?? (() => new Date());
  const transport = backendTransport(config);
  const rawPrinter: ReceiptPrinter | null = overrides.printer !== undefined ? overrides.printer : printerFor(config);
  let printer = rawPrinter;
  let devices = overrides.devices ?? null;
  if (!devices && !overrides.withoutDevices) {
    // Devices are supervised by the manager; the core prints through its health-tracking printer.
    devices = deviceManagerFor(config, rawPrinter, { clock, ...(overrides.hall ? { hall: overrides.hall } : {}) }).devices;
    printer = devices.printer;
  }
  return {
    clock,
    printer,
    devices,
    backend:
      overrides.backend ??
      new BackendClient({
        baseUrl: config.backend.url,
        terminalId: config.terminalId,
        secret: config.backend.terminalSecret,
        now: clock,
        transport,
        ...(overrides.log ? { log: overrides.log } : {}),
      }),
    secureModules: loadSecureModules(config, clock, overrides.secureModuleConfig, transport),
    gateway: overrides.gateway ?? new HttpPaymentGateway(config.backend.url, config.payments.gatewayTimeoutMs, transport),
    invoices:
      overrides.invoices !== undefined
        ? overrides.invoices
        : new HttpInvoiceClient({ baseUrl: config.backend.url, terminalId: config.terminalId, secret: config.backend.terminalSecret, now: clock, transport }),
    tariffs: overrides.tariffs ?? loadTariffDirectory(path.join(RESOURCES_DIR, 'tariffs')),
    vendRules: overrides.vendRules ?? loadVendRules(path.join(RESOURCES_DIR, 'rules', 'vend.json')),
    lateFees: overrides.lateFees ?? lateFeePolicy(loadLateFeeRules(path.join(RESOURCES_DIR, 'rules', 'late-fee.json'))),
    ...(overrides.log ? { log: overrides.log } : {}),
    shiftRules: overrides.shiftRules ?? loadShiftRules(path.join(RESOURCES_DIR, 'rules', 'shift.json')),
    exceptionFeed:
      overrides.exceptionFeed !== undefined
        ? overrides.exceptionFeed
        : new HttpExceptionFeed({ baseUrl: config.backend.url, terminalId: config.terminalId, secret: config.backend.terminalSecret, now: clock, transport }),
    receiptVerifier:
      overrides.receiptVerifier !== undefined
        ? overrides.receiptVerifier
        : new HttpReceiptVerifier({ baseUrl: config.backend.url, terminalId: config.terminalId, secret: config.backend.terminalSecret, now: clock, transport }),
    auditRules: overrides.auditRules ?? loadAuditRules(path.join(RESOURCES_DIR, 'rules', 'audit.json')),
    serviceRules: loadServiceRules(path.join(RESOURCES_DIR, 'rules', 'service.json')),
    recoveryDashboardRules: loadRecoveryDashboardRules(path.join(RESOURCES_DIR, 'rules', 'recovery-dashboard.json')),
  };
}

/** The core on the composed adapters, its devices started. */
export function buildCore(config: TerminalConfig, overrides: CompositionOverrides = {}): Core {
  const adapters = composeAdapters(config, overrides);
  const core = createCore(config, adapters);
  adapters.devices?.start();
  return core;
}

export async function buildCoreFromConfig(argv: readonly string[]): Promise<{ core: Core; config: TerminalConfig }> {
  const config = loadConfig(configPaths(argv));
  const core = buildCore(config);
  await core.refreshOperators();
  return { core, config };
}
