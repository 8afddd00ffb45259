/**
 * The receipt-printer seam. Core services print through `ReceiptPrinter`; the ESC/POS
 * implementation (escpos-receipt-printer.ts) talks to a `PrinterTransport`.
 */
import type { Receipt } from './receipt-model.js';

export interface PrinterStatus {
  readonly online: boolean;
  readonly paperNearEnd: boolean;
  readonly paperOut: boolean;
  readonly coverOpen: boolean;
  readonly error: boolean;
}

export interface ReceiptPrinter {
  /** Real-time DLE EOT queries; a missing answer rejects with DeviceError `device.timeout`. */
  status(): Promise<PrinterStatus>;
  /**
   * Resolves only when all bytes were written and the printer's status after the job is fine;
   * otherwise rejects with a DeviceError (never silently dropped).
   */
  print(receipt: Receipt): Promise<void>;
  /** Waits for the queued jobs, then releases the device. */
  close(): Promise<void>;
}

/**
 * A byte pipe to the printer. Thin by design: no ESC/POS knowledge. Every failure is a
 * DeviceError (`device.timeout`, `device.disconnected`, `device.not_found`, `printer.access_denied`).
 */
export interface PrinterTransport {
  /** Resolves when the bytes were handed to the OS (socket / device node); bounded by the transport's write timeout. */
  write(bytes: Uint8Array): Promise<void>;
  /** Exactly `n` bytes, or `device.timeout` after `timeoutMs`. */
  read(n: number, timeoutMs: number): Promise<Uint8Array>;
  /** Drops input received so far (a late answer to an earlier, timed-out query must not be read as the next one). */
  discardInput(): Promise<void>;
  close(): Promise<void>;
}
