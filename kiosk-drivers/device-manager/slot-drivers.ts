/**
 * SlotDrivers for the three device families: how each is opened, watched and health-checked.
 * Printer: the ReceiptPrinter object lives on (its transport reconnects by itself), so "open" is
 * free and health is the DLE EOT status. Card reader: re-enumerated over HID, health is the card
 * STATUS poll (which also yields inserted/removed). Scanner: re-enumerated, health is presence in
 * the HID listing.
 */
import { PrepaidCardWriter } from '../card/card-reader.js';
import { HidCardReaderDevice, type HidCardReaderOptions } from '../card/hid-card-reader.js';
import type { PrepaidCardFormat } from '../card/prepaid-card-format.js';
import { DeviceError } from '../errors.js';
import { findHidDevices, type HidModule } from '../hid/hid-module.js';
import type { PrinterStatus, ReceiptPrinter } from '../printer/receipt-printer.js';
import { statusFault } from '../printer/status.js';
import { HidBarcodeScanner, type ScannerMode } from '../scanner/barcode-scanner.js';
import type { CardInsertedEvent, CardRemovedEvent, ScanEvent } from './device-state.js';
import type { ProbeResult, SlotDriver } from './device-slot.js';

/** How terminal config names a HID device. `path` pins one port when two identical devices are attached. */
export interface HidDeviceMatch {
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber?: string;
  readonly usagePage?: number;
  readonly path?: string;
}

export function hidAddress(m: HidDeviceMatch): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return [`hid ${hex(m.vendorId)}:${hex(m.productId)}`, m.serialNumber ? `sn ${m.serialNumber}` : '', m.path ?? ''].filter(Boolean).join(' ');
}

async function findPath(hid: HidModule, m: HidDeviceMatch, device: string): Promise<string> {
  const found = (await findHidDevices(hid, { vendorId: m.vendorId, productId: m.productId, ...(m.usagePage !== undefined ? { usagePage: m.usagePage } : {}), ...(m.serialNumber !== undefined ? { serialNumber: m.serialNumber } : {}) }))
    .filter((d) => m.path === undefined || d.path === m.path);
  const path = found[0]?.path;
  if (path === undefined) throw new DeviceError('device.not_found', { device, address: hidAddress(m) });
  return path;
}

/** Only the five fields the UI acts on (a DetailedPrinterStatus carries raw bytes too). */
export function plainPrinterStatus(s: PrinterStatus): PrinterStatus {
  return { online: s.online, paperNearEnd: s.paperNearEnd, paperOut: s.paperOut, coverOpen: s.coverOpen, error: s.error };
}

export function printerProbeResult(s: PrinterStatus): ProbeResult {
  const fault = statusFault(s);
  const printer = plainPrinterStatus(s);
  if (fault !== null) {
    const key = fault === 'printer.paper_out' ? 'paperOut' : fault === 'printer.cover_open' ? 'coverOpen' : fault === 'printer.offline' ? 'offline' : 'error';
    return { health: 'fault', fault, stateKey: `diagnostics.state.${key}`, printer };
  }
  if (s.paperNearEnd) return { health: 'warning', fault: null, stateKey: 'diagnostics.state.paperNearEnd', printer };
  return { health: 'ok', fault: null, stateKey: 'diagnostics.state.ready', printer };
}

export function printerDriver(printer: ReceiptPrinter, address: string): SlotDriver<ReceiptPrinter> {
  return {
    id: 'printer',
    kind: 'printer',
    address,
    mode: null,
    open: async () => printer,
    watch: () => () => undefined,
    probe: async (p) => printerProbeResult(await p.status()),
    // The printer object outlives its connections; the manager closes it once, at shutdown.
    close: async () => undefined,
  };
}

export interface CardHandle {
  readonly device: HidCardReaderDevice;
  readonly writer: PrepaidCardWriter;
}

export interface CardDriverOptions {
  readonly id: string;
  readonly hid: () => Promise<HidModule>;
  readonly match: HidDeviceMatch;
  readonly format: PrepaidCardFormat;
  readonly readerOptions?: HidCardReaderOptions;
  readonly onInserted: (e: CardInsertedEvent) => void;
  readonly onRemoved: (e: CardRemovedEvent) => void;
}

export function cardReaderDriver(o: CardDriverOptions): SlotDriver<CardHandle> {
  return {
    id: o.id,
    kind: 'cardReader',
    address: hidAddress(o.match),
    mode: null,
    async open() {
      const hid = await o.hid();
      const device = await HidCardReaderDevice.open(hid, await findPath(hid, o.match, o.id), o.readerOptions);
      // Polling is the slot's job (one timer, injectable); the writer only diffs polls into events.
      return { device, writer: new PrepaidCardWriter(device, o.format, { pollIntervalMs: 0 }) };
    },
    watch(h, lost) {
      const offs = [
        h.device.onDisconnect(lost),
        h.writer.on('inserted', (d) => {
          if (d.cardSerial !== null && d.type !== 'none') o.onInserted({ deviceId: o.id, cardSerial: d.cardSerial, cardType: d.type });
        }),
        h.writer.on('removed', (d) => o.onRemoved({ deviceId: o.id, cardSerial: d.cardSerial })),
      ];
      return () => offs.forEach((off) => off());
    },
    async probe(h) {
      const d = await h.writer.poll();
      return { health: 'ok', fault: null, stateKey: d.present ? 'diagnostics.state.cardPresent' : 'diagnostics.state.ready', cardSerial: d.cardSerial };
    },
    close: (h) => h.writer.close(),
  };
}

export interface ScannerHandle {
  readonly scanner: HidBarcodeScanner;
  readonly path: string;
}

export interface ScannerDriverOptions {
  readonly id: string;
  readonly hid: () => Promise<HidModule>;
  readonly match: HidDeviceMatch;
  readonly mode: ScannerMode;
  readonly onScan: (e: ScanEvent) => void;
  readonly onError: (e: DeviceError) => void;
}

export function scannerDriver(o: ScannerDriverOptions): SlotDriver<ScannerHandle> {
  return {
    id: o.id,
    kind: 'scanner',
    address: hidAddress(o.match),
    mode: o.mode,
    async open() {
      const hid = await o.hid();
      const path = await findPath(hid, o.match, o.id);
      return { scanner: await HidBarcodeScanner.open(hid, path, { mode: o.mode }), path };
    },
    watch(h, lost) {
      const offs = [
        h.scanner.on('disconnected', (d) => lost(d.reason)),
        h.scanner.on('scan', (s) => o.onScan({ deviceId: o.id, data: s.data, symbology: s.symbology ?? null, source: s.source })),
        h.scanner.on('error', o.onError),
      ];
      return () => offs.forEach((off) => off());
    },
    async probe(h) {
      // A scanner only speaks when it scans; presence in the listing is its health.
      const hid = await o.hid();
      const listed = (await hid.devicesAsync()).some((d) => d.path === h.path);
      if (!listed) throw new DeviceError('device.disconnected', { device: o.id, reason: 'not_enumerated' });
      return { health: 'ok', fault: null, stateKey: 'diagnostics.state.ready' };
    },
    close: (h) => h.scanner.close(),
  };
}
