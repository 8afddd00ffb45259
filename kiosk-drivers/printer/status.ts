/**
 * ESC/POS real-time status (`DLE EOT n`, Epson's definition). Pure: request bytes and parsers of
 * the one-byte answers. Every answer has bit 1 and bit 4 set and bits 0 and 7 clear; a byte that
 * violates that is not a status answer (wrong device, line noise, a stale byte) and is rejected
 * with `printer.bad_status` rather than guessed at.
 */
import { DeviceError } from '../errors.js';
import type { PrinterErrorCode } from './error-codes.js';
import type { PrinterStatus } from './receipt-printer.js';

export type StatusFunction = 1 | 2 | 3 | 4;
export const STATUS_FUNCTIONS: readonly StatusFunction[] = [1, 2, 3, 4];

export const DLE = 0x10;
export const EOT = 0x04;

/** Mask and value of the fixed bits: bits 1 and 4 are 1, bits 0 and 7 are 0. */
export const STATUS_FIXED_MASK = 0b1001_0011;
export const STATUS_FIXED_VALUE = 0b0001_0010;

export function statusRequest(n: StatusFunction): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/**
 * `GS r 1`, transmit paper sensor status. Not real-time: the printer answers only once everything
 * sent before it has been processed (printed), so its answer marks the end of a job.
 */
export const TRANSMIT_PAPER_STATUS: Uint8Array = Uint8Array.of(0x1d, 0x72, 0x01);

/**
 * A `GS r 1` answer: bits 4 and 7 are 0 (bits 0–1 near end, 2–3 paper end). DLE EOT answers always
 * have bit 4 set, so the two kinds can share one input stream.
 */
export function isTransmitStatusAnswer(byte: number): boolean {
  return Number.isInteger(byte) && byte >= 0 && byte <= 0xff && (byte & 0x90) === 0;
}

export function isValidStatusByte(byte: number): boolean {
  return Number.isInteger(byte) && byte >= 0 && byte <= 0xff && (byte & STATUS_FIXED_MASK) === STATUS_FIXED_VALUE;
}

function checkByte(n: StatusFunction, byte: number): void {
  if (!isValidStatusByte(byte)) {
    throw new DeviceError('printer.bad_status', { function: n, byte: Number.isInteger(byte) ? byte : String(byte) });
  }
}

const bit = (byte: number, b: number): boolean => ((byte >> b) & 1) === 1;

/** n = 1: printer status. */
export interface PrinterStatusByte {
  /** bit 2: drawer kick-out connector pin 3 is high. */
  readonly drawerPin3High: boolean;
  /** bit 3. */
  readonly offline: boolean;
  /** bit 5: waiting for online recovery. */
  readonly waitingForRecovery: boolean;
  /** bit 6: paper feed button is being pressed. */
  readonly feedButtonPressed: boolean;
}
export function parsePrinterStatus(byte: number): PrinterStatusByte {
  checkByte(1, byte);
  return {
    drawerPin3High: bit(byte, 2),
    offline: bit(byte, 3),
    waitingForRecovery: bit(byte, 5),
    feedButtonPressed: bit(byte, 6),
  };
}

/** n = 2: offline cause. */
export interface OfflineCauseByte {
  readonly coverOpen: boolean; // bit 2
  readonly paperFedByButton: boolean; // bit 3
  readonly stoppedForPaperEnd: boolean; // bit 5
  readonly error: boolean; // bit 6
}
export function parseOfflineCause(byte: number): OfflineCauseByte {
  checkByte(2, byte);
  return { coverOpen: bit(byte, 2), paperFedByButton: bit(byte, 3), stoppedForPaperEnd: bit(byte, 5), error: bit(byte, 6) };
}

/** n = 3: error cause. */
export interface ErrorCauseByte {
  readonly autoCutterError: boolean; // bit 3
  readonly unrecoverableError: boolean; // bit 5
  readonly autoRecoverableError: boolean; // bit 6
}
export function parseErrorCause(byte: number): ErrorCauseByte {
  checkByte(3, byte);
  return { autoCutterError: bit(byte, 3), unrecoverableError: bit(byte, 5), autoRecoverableError: bit(byte, 6) };
}

/** n = 4: roll paper sensor. */
export interface PaperSensorByte {
  readonly paperNearEnd: boolean; // bits 2-3
  readonly paperOut: boolean; // bits 5-6
}
export function parsePaperSensor(byte: number): PaperSensorByte {
  checkByte(4, byte);
  // Epson sets both bits of a pair together; some clones set only one, so either counts.
  return { paperNearEnd: (byte & 0x0c) !== 0, paperOut: (byte & 0x60) !== 0 };
}

/** PrinterStatus plus the causes behind `error`. */
export interface DetailedPrinterStatus extends PrinterStatus {
  readonly autoCutterError: boolean;
  readonly unrecoverableError: boolean;
  readonly autoRecoverableError: boolean;
  /** The four raw answers, n = 1..4. */
  readonly raw: readonly [number, number, number, number];
}

/** Combines the answers to DLE EOT 1..4 (in that order). */
export function combineStatus(b1: number, b2: number, b3: number, b4: number): DetailedPrinterStatus {
  const p = parsePrinterStatus(b1);
  const o = parseOfflineCause(b2);
  const e = parseErrorCause(b3);
  const s = parsePaperSensor(b4);
  return {
    online: !p.offline,
    paperNearEnd: s.paperNearEnd,
    paperOut: s.paperOut || o.stoppedForPaperEnd,
    coverOpen: o.coverOpen,
    error: o.error || e.autoCutterError || e.unrecoverableError || e.autoRecoverableError,
    autoCutterError: e.autoCutterError,
    unrecoverableError: e.unrecoverableError,
    autoRecoverableError: e.autoRecoverableError,
    raw: [b1, b2, b3, b4],
  };
}

/**
 * The error a print job fails with under this status, or null when the printer can print
 * (paper near end is a warning, not a failure). Order: what the clerk must fix first.
 */
export function statusFault(s: PrinterStatus & Partial<DetailedPrinterStatus>): PrinterErrorCode | null {
  if (s.coverOpen) return 'printer.cover_open';
  if (s.paperOut) return 'printer.paper_out';
  if (s.autoCutterError) return 'printer.cutter_error';
  if (s.unrecoverableError) return 'printer.unrecoverable_error';
  if (s.autoRecoverableError) return 'printer.auto_recoverable_error';
  if (s.error) return 'printer.job_failed';
  if (!s.online) return 'printer.offline';
  return null;
}
