/**
 * Error codes of the receipt-printer family. Each has zh-CN and en text under `errors.<code>`
 * in resources/locales/<lng>/printer.json. Transport failures use the shared `device.*` codes
 * (not_found, timeout, disconnected) from kiosk-drivers/errors.ts.
 */
export const PRINTER_ERROR_CODES = [
  'printer.paper_out',
  'printer.cover_open',
  'printer.offline',
  /** The printer reported an error without a more specific cause, or the job failed for an unexpected reason. */
  'printer.job_failed',
  'printer.cutter_error',
  'printer.unrecoverable_error',
  'printer.auto_recoverable_error',
  /** A DLE EOT answer violated the fixed bits: not an ESC/POS printer, or a corrupted line. */
  'printer.bad_status',
  /** The receipt cannot be encoded (e.g. barcode data outside CODE128 set B, QR data too long). */
  'printer.invalid_receipt',
  /** The device node exists but cannot be opened (permissions / udev rule, or held by another process). */
  'printer.access_denied',
] as const;

export type PrinterErrorCode = (typeof PRINTER_ERROR_CODES)[number];
