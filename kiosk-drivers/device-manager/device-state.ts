/**
 * What the device manager knows about each device, as plain readonly data. Pure (no Node): the
 * contract derives its wire views from these types, and the renderer sees them only through it.
 */
import type { DeviceErrorCode, DeviceErrorDetails } from '../errors.js';
import type { PrinterStatus } from '../printer/receipt-printer.js';

export type DeviceKind = 'printer' | 'cardReader' | 'scanner';

/**
 * connecting: first open not finished yet; connected: opened and answering; disconnected: gone
 * (unplugged, refused, silent) and being re-enumerated with backoff.
 */
export type DeviceConnection = 'connecting' | 'connected' | 'disconnected';

/** ok; warning: works but needs attention soon (paper near end); fault: cannot do its job now. */
export type DeviceHealth = 'unknown' | 'ok' | 'warning' | 'fault';

export interface DeviceErrorView {
  readonly code: DeviceErrorCode;
  readonly details: DeviceErrorDetails;
  /** ISO instant from the manager's clock. */
  readonly at: string;
}

export interface DeviceState {
  /** Stable id: 'printer', 'cardReader', 'scanner:0', 'scanner:1', … */
  readonly id: string;
  readonly kind: DeviceKind;
  /** Where the device is, for technicians: "tcp 127.0.0.1:9100", "hid 1209:cad0 sim:card-reader:0". */
  readonly address: string;
  /** Scanner mode (pos / wedge); null for other kinds. */
  readonly mode: string | null;
  readonly connection: DeviceConnection;
  readonly health: DeviceHealth;
  /**
   * The error a use of the device would fail with now (`printer.paper_out`, `device.disconnected`,
   * `hid.timeout`), or null. Warnings (paper near end) are not errors: see `health` and `stateKey`.
   */
  readonly fault: DeviceErrorCode | null;
  /** i18n key of a one-line state description under `diagnostics.state.*`. */
  readonly stateKey: string;
  readonly lastError: DeviceErrorView | null;
  /** When `connection` last changed (ISO). */
  readonly since: string;
  /** Printer only: the last real-time status read, null before the first answer. */
  readonly printer: PrinterStatus | null;
  /** Card reader only: the serial of the card in the reader, null when none. */
  readonly cardSerial: string | null;
}

/** What the UI needs before taking a payment: can a receipt be printed, can a card be written. */
export interface PrinterHealth {
  readonly configured: boolean;
  readonly connected: boolean;
  readonly status: PrinterStatus | null;
  /** The error a print would fail with now (cover open, paper out, offline, disconnected), or null. */
  readonly fault: DeviceErrorCode | null;
  readonly paperNearEnd: boolean;
}

export interface CardInsertedEvent {
  readonly deviceId: string;
  readonly cardSerial: string;
  readonly cardType: 'contact_cpu' | 'contactless';
}

export interface CardRemovedEvent {
  readonly deviceId: string;
  readonly cardSerial: string | null;
}

export interface ScanEvent {
  readonly deviceId: string;
  readonly data: string;
  readonly symbology: string | null;
  readonly source: 'wedge' | 'pos' | 'keystroke';
}

export interface DeviceManagerEvents {
  statusChanged: DeviceState;
  printerStatusChanged: PrinterHealth;
  cardInserted: CardInsertedEvent;
  cardRemoved: CardRemovedEvent;
  scanned: ScanEvent;
}
