/**
 * Builds the device manager from terminal config — the one place that decides real or simulated
 * HID devices. Called by the composition roots (main/compose/index.ts; tests through its buildCore).
 *
 * Card key: the prepaid card master key comes from the file named by $GRIDDESK_CARD_MASTER_KEY_FILE
 * (hex), never from terminal config. Without it a real reader still detects cards, but reading
 * them is refused (`card.format_unsupported`). The simulated hall uses DEMO_CARD_MASTER_KEY; a key
 * file holding it is refused outside the demo (a backend that is not loopback). The staff badge key
 * ($GRIDDESK_BADGE_MASTER_KEY_FILE, DEMO_BADGE_MASTER_KEY) is handled the same way.
 */
import { readFileSync } from 'node:fs';
import { GridDeskPrepaidCardFormat } from '../../kiosk-drivers/card/griddesk-card-format.js';
import type { PrepaidCardFormat } from '../../kiosk-drivers/card/prepaid-card-format.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { StaffBadgeFormat } from '../../kiosk-drivers/card/staff-badge.js';
import { createDeviceManager, type DeviceManager } from '../../kiosk-drivers/device-manager/device-manager.js';
import { systemScheduler, type Scheduler } from '../../kiosk-drivers/device-manager/scheduler.js';
import { createSimulatedHall, type SimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import { createHidModule } from '../../kiosk-drivers/hid/hid-module.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';
import { isDemoBackend, type TerminalConfig } from '../config.js';
import { printerAddress } from './printer.js';

/** TEST KEY MATERIAL for simulated cards only; real cards are keyed by the utility's key store. */
export const DEMO_CARD_MASTER_KEY = Uint8Array.from(Buffer.from('475249444445534b2d44454d4f2d4b31', 'hex'));

/** TEST KEY MATERIAL for simulated staff badges only (docs/devices/staff-badge.md §2); apart from the card key. */
export const DEMO_BADGE_MASTER_KEY = Uint8Array.from(Buffer.from('475249444445534b2d42414447452d31', 'hex'));

/** The card the demo's simulated reader starts with: demo account 3100000004's prepaid card (docs/backend.md). */
export const DEMO_CARD = { uid: Uint8Array.of(0x04, 0xd3, 0x5a, 0x21), accountNo: '3100000004', meterNo: '412030179444', generation: 2 } as const;

/** How the diagnostics screen names the printer (main/compose/printer.ts decides, with the transport). */
export { printerAddress };

function keyFromEnv(config: TerminalConfig, env: string, what: string, demoKey: Uint8Array): Uint8Array | null {
  const file = process.env[env];
  if (!file) return null;
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(hex)) throw new Error(`${what} master key file ${file}: expected 16–64 bytes of hex`);
  const key = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (!isDemoBackend(config) && Buffer.from(key).equals(Buffer.from(demoKey))) {
    throw new Error(`${what} master key file ${file} ($${env}): the demo ${what} master key is refused outside the demo (backend.url ${config.backend.url} is not loopback)`);
  }
  return key;
}

function cardFormatFromEnv(config: TerminalConfig): PrepaidCardFormat | null {
  const key = keyFromEnv(config, 'GRIDDESK_CARD_MASTER_KEY_FILE', 'card', DEMO_CARD_MASTER_KEY);
  return key ? new GridDeskPrepaidCardFormat(key) : null;
}

/** The staff badge key ($GRIDDESK_BADGE_MASTER_KEY_FILE), like the card key; without it the staff exit is keyed only. */
function badgeFormatFromEnv(config: TerminalConfig): StaffBadgeFormat | null {
  const key = keyFromEnv(config, 'GRIDDESK_BADGE_MASTER_KEY_FILE', 'badge', DEMO_BADGE_MASTER_KEY);
  return key ? new StaffBadgeFormat(key) : null;
}

export interface DeviceComposition {
  readonly devices: DeviceManager;
  /** The simulated devices, when config says `devices.simulated` (tests and the demo drive them). */
  readonly hall: SimulatedHall | null;
}

export interface DeviceCompositionOptions {
  /** Reuse a hall (a test stack keeps its simulators across core restarts). */
  readonly hall?: SimulatedHall;
  readonly scheduler?: Scheduler;
  /** The core's clock, so device times agree with journal times (timers stay real). */
  readonly clock?: () => Date;
}

/** Not started: the caller starts it once the core listens to its events. */
export function deviceManagerFor(config: TerminalConfig, printer: ReceiptPrinter | null, opts: DeviceCompositionOptions = {}): DeviceComposition {
  const d = config.devices;
  const base = {
    printer: printer ? { printer, address: printerAddress(config) } : null,
    ...(opts.scheduler
      ? { scheduler: opts.scheduler }
      : opts.clock
        ? { scheduler: { now: () => (opts.clock as () => Date)().getTime(), after: systemScheduler.after } }
        : {}),
    ...(d
      ? { printerPollMs: d.printerPollMs, cardPollMs: d.cardPollMs, scannerPollMs: d.scannerPollMs, backoff: { initialMs: d.reconnect.initialMs, maxMs: d.reconnect.maxMs } }
      : {}),
  };
  if (!d) return { devices: createDeviceManager(base), hall: null };

  if (d.simulated) {
    let hall = opts.hall;
    if (!hall) {
      hall = createSimulatedHall();
      hall.cardReader.insert(issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, ...DEMO_CARD }));
    }
    const h = hall;
    return {
      hall: h,
      devices: createDeviceManager({
        ...base,
        hid: async () => h.module,
        cardReader: d.cardReader ?? h.matches.cardReader,
        cardFormat: new GridDeskPrepaidCardFormat(DEMO_CARD_MASTER_KEY),
        badgeFormat: new StaffBadgeFormat(DEMO_BADGE_MASTER_KEY),
        scanners: d.scanners.length > 0 ? d.scanners : h.matches.scanners,
      }),
    };
  }

  return {
    hall: null,
    devices: createDeviceManager({
      ...base,
      hid: () => createHidModule({ kind: 'node-hid' }),
      cardReader: d.cardReader,
      cardFormat: cardFormatFromEnv(config),
      badgeFormat: badgeFormatFromEnv(config),
      scanners: d.scanners,
    }),
  };
}
