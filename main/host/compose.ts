/**
 * Builds the core from configuration with the real adapters (ESC/POS printer over the configured
 * transport, configured late-fee rules). Shared by the Electron shell and the host shell.
 */
import path from 'node:path';
import { loadConfig, type TerminalConfig } from '../config.js';
import { createCore, type Core } from '../core.js';
import { loadLateFeeRules } from '../domain/late-fee/load-late-fee-rules.js';
import { lateFeePolicy } from '../services/late-fees.js';
import { EscPosReceiptPrinter } from '../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { networkTransport, serialTransport, usbTransport } from '../../kiosk-drivers/printer/transports.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';
import { deviceManagerFor } from '../services/devices/compose-devices.js';
import { resourcesDir } from '../resources-dir.js';

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

function jobOptions(p: { completion: 'transmit_status' | 'poll'; jobTimeoutMs: number }) {
  return { completion: p.completion, jobTimeoutMs: p.jobTimeoutMs };
}

export function printerFor(config: TerminalConfig): ReceiptPrinter | null {
  const p = config.printer;
  switch (p.transport) {
    case 'network':
      return new EscPosReceiptPrinter(networkTransport(p.host, p.port), jobOptions(p));
    case 'usb':
      return new EscPosReceiptPrinter(usbTransport(p.path), jobOptions(p));
    case 'serial':
      return new EscPosReceiptPrinter(serialTransport(p.path), jobOptions(p));
    case 'none':
      return null;
    default: {
      const never: never = p;
      throw new Error(`unknown printer transport ${JSON.stringify(never)}`);
    }
  }
}

export function buildCore(config: TerminalConfig): Core {
  // Devices are supervised by the manager; the core prints through its health-tracking printer.
  const { devices } = deviceManagerFor(config, printerFor(config));
  const core = createCore(config, {
    printer: devices.printer,
    devices,
    lateFees: lateFeePolicy(loadLateFeeRules(path.join(RESOURCES_DIR, 'rules', 'late-fee.json'))),
  });
  devices.start();
  return core;
}

export async function buildCoreFromConfig(argv: readonly string[]): Promise<{ core: Core; config: TerminalConfig }> {
  const config = loadConfig(configPaths(argv));
  const core = buildCore(config);
  await core.refreshOperators();
  return { core, config };
}
