/**
 * Device methods and events of the contract (health, diagnostics). Owned by the device area;
 * merged into the contract's method and event maps in ./index.ts.
 *
 * The views are the device manager's own plain data (kiosk-drivers/device-manager/device-state.ts,
 * pure types): what the manager knows is exactly what crosses the wire.
 */
import { z } from 'zod';
import { ANY_STAFF, type Access, type Role } from './roles.js';
import type {
  CardInsertedEvent,
  CardRemovedEvent,
  DeviceState,
  PrinterHealth,
  ScanEvent,
} from '../../kiosk-drivers/device-manager/device-state.js';

/** Who may run diagnostics (test print, test card read, test scan, full device list). */
export const DEVICE_STAFF: readonly Role[] = ['supervisor', 'manager', 'technician'];

export const deviceMethodSchemas = {
  /** Every configured device: kind, address, connection, health, current fault, last error. */
  'devices.status': z.object({}).strict(),
  /**
   * What a payment screen needs to know before taking money: can a receipt print (and if not,
   * why), is there a card writer. Counter staff and the kiosk call it; events keep it current.
   */
  'devices.health': z.object({}).strict(),
  /** Probe every device now (or one, by id) instead of waiting for the next poll. */
  'devices.refresh': z.object({ deviceId: z.string().trim().min(1).max(32).optional() }).strict(),
  /** Print a test receipt (receipt model + locale strings); typed printer error when it cannot. */
  'devices.testPrint': z.object({ receiptLocale: z.enum(['zh-CN', 'en']).optional() }).strict(),
  /** Read the card in the reader: serial, account, meter, purchase counter, grey-lock. */
  'devices.testCardRead': z.object({}).strict(),
  /**
   * Wait for the next scan from any scanner; `device.timeout` when none arrives in `timeoutMs`.
   * Capped below the UI's 30 s call timeout so the answer always arrives.
   */
  'devices.testScan': z.object({ timeoutMs: z.number().int().min(1000).max(25_000).default(15_000) }).strict(),
} as const;

export const deviceMethodAccess: { readonly [K in keyof typeof deviceMethodSchemas]: Access } = {
  'devices.status': DEVICE_STAFF,
  'devices.health': [...ANY_STAFF, 'kiosk'],
  'devices.refresh': DEVICE_STAFF,
  'devices.testPrint': DEVICE_STAFF,
  'devices.testCardRead': DEVICE_STAFF,
  'devices.testScan': DEVICE_STAFF,
};

export type DeviceStatusView = DeviceState;
export type PrinterHealthView = PrinterHealth;

export interface DeviceHealthView {
  readonly printer: PrinterHealthView;
  /** A card writer is connected and answering (card top-up possible). */
  readonly cardWriter: { readonly configured: boolean; readonly available: boolean };
  /** At least one scanner is connected (payment codes can be scanned). */
  readonly scanner: { readonly configured: boolean; readonly available: boolean };
}

export interface TestPrintView {
  readonly printed: true;
  /** The receipt as laid out (what the paper shows), for the screen. */
  readonly preview: readonly string[];
}

export interface TestCardReadView {
  readonly deviceId: string;
  readonly cardSerial: string;
  readonly cardType: 'contact_cpu' | 'contactless';
  readonly format: string;
  readonly accountNo: string;
  readonly meterNo: string;
  readonly generation: number;
  /** Purchase counter of the last purchase on the card; null when a torn write left no record. */
  readonly purchaseCounter: number | null;
  readonly lastPurchaseFen: number | null;
  readonly greyLocked: boolean;
  readonly pendingCounter: number | null;
  /** The meter has loaded the last purchase. */
  readonly previousLoaded: boolean;
  readonly meterLastLoadedCounter: number;
  readonly meterRemainingCreditFen: number;
}

export type ScanView = ScanEvent;

export interface DeviceMethodResults {
  'devices.status': { readonly devices: readonly DeviceStatusView[]; readonly checkedAt: string };
  'devices.health': DeviceHealthView;
  'devices.refresh': { readonly devices: readonly DeviceStatusView[]; readonly checkedAt: string };
  'devices.testPrint': TestPrintView;
  'devices.testCardRead': TestCardReadView;
  'devices.testScan': ScanView;
}

export interface DeviceEventPayloads {
  /**
   * The printer's health changed: status bits (null until first read), connection, and the error
   * a print would fail with now. The counter warns before payment on a non-null `fault`.
   */
  'printer.statusChanged': PrinterHealthView;
  /** A device's connection, health, fault or last error changed. */
  'device.statusChanged': DeviceStatusView;
  'card.inserted': CardInsertedEvent;
  'card.removed': CardRemovedEvent;
  'scan.received': ScanView;
}

export const DEVICE_EVENT_NAMES: readonly (keyof DeviceEventPayloads)[] = [
  'printer.statusChanged',
  'device.statusChanged',
  'card.inserted',
  'card.removed',
  'scan.received',
];
