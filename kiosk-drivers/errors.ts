/**
 * Device errors. Each driver family owns its list of codes (printer/error-codes.ts,
 * hid/error-codes.ts); the contract re-exports the union so the UI can translate them.
 */
import { PRINTER_ERROR_CODES } from './printer/error-codes.js';
import { HID_ERROR_CODES } from './hid/error-codes.js';

export const DEVICE_ERROR_CODES = [
  'device.not_found',
  'device.timeout',
  'device.disconnected',
  ...PRINTER_ERROR_CODES,
  ...HID_ERROR_CODES,
] as const;

export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

export type DeviceErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** A typed device failure: every device problem ends here, never as a hang or an untyped throw. */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  readonly details: DeviceErrorDetails;
  constructor(code: DeviceErrorCode, details: DeviceErrorDetails = {}, message?: string) {
    super(message ?? code);
    this.name = 'DeviceError';
    this.code = code;
    this.details = details;
  }
}
