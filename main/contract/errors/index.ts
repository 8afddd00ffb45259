/**
 * Error codes are a closed union; each code's user-facing text lives in
 * resources/locales/<lng>/*.json under `errors.<code>` (zh-CN and en).
 * Areas own their lists: core here, devices in kiosk-drivers/errors.ts, vending in ./vending.ts, kiosk in ./kiosk.ts,
 * tariffs in main/domain/tariff/error-codes.ts.
 */
import { DEVICE_ERROR_CODES } from '../../../kiosk-drivers/errors.js';
import { VENDING_ERROR_CODES } from './vending.js';
import { KIOSK_ERROR_CODES } from './kiosk.js';
import { TARIFF_ERROR_CODES } from '../../domain/tariff/error-codes.js';
import { SHIFT_ERROR_CODES } from './shift.js';
import { PAYMENT_ERROR_CODES } from './payments.js';
import { EXCEPTIONS_ERROR_CODES } from './exceptions.js';
import { AUDIT_ERROR_CODES } from './audit.js';
import { CREDIT_ERROR_CODES } from './credit.js';
import { SERVICE_ERROR_CODES } from './service.js';
import { COLLECTION_ERROR_CODES } from './collection.js';

export const CORE_ERROR_CODES = [
  'validation.invalid_params',
  'rpc.unknown_method',
  'rpc.timeout',
  'rpc.shutting_down',
  'auth.not_signed_in',
  'auth.forbidden',
  'auth.bad_pin',
  'auth.locked',
  /** No staff list has ever reached this terminal: nobody can be checked yet (not a wrong PIN). */
  'auth.staff_list_unavailable',
  /** The session was idle longer than `session.idleTimeoutMs`; sign in again. */
  'session.expired',
  /** The signed-in operator is no longer on the staff list (removed or deactivated). */
  'session.revoked',
  /** Unknown approver or wrong PIN (one answer for both). */
  'approval.denied',
  /** The approver is the operator asking: someone else must approve. */
  'approval.self_approval',
  /** The approver's credentials are right but their role may not approve. */
  'approval.not_supervisor',
  'account.not_found',
  'account.not_cached',
  'account.no_open_bills',
  'payment.amount_not_numeric',
  'payment.amount_not_positive',
  'payment.amount_too_many_decimals',
  'payment.amount_too_large',
  'payment.duplicate_request',
  'payment.request_conflict',
  'payment.tendered_insufficient',
  'payment.method_unsupported',
  'payment.not_found',
  'payment.already_voided',
  'shift.not_open',
  'shift.already_open',
  'backend.unreachable',
  'backend.rejected',
  /**
   * The terminal's clock is further from the billing backend's than `backend.maxClockDriftMs`:
   * late fees, STS token ids and event order would be wrong, so what depends on them waits until
   * the clock is put right (details: driftSeconds, maxSeconds, measuredAt, ageSeconds).
   */
  'clock.drift_too_large',
  'receipt.print_failed',
  'internal',
] as const;

export const ERROR_CODES = [...CORE_ERROR_CODES, ...DEVICE_ERROR_CODES, ...VENDING_ERROR_CODES, ...TARIFF_ERROR_CODES, ...KIOSK_ERROR_CODES, ...SHIFT_ERROR_CODES, ...PAYMENT_ERROR_CODES, ...EXCEPTIONS_ERROR_CODES, ...AUDIT_ERROR_CODES, ...CREDIT_ERROR_CODES, ...SERVICE_ERROR_CODES, ...COLLECTION_ERROR_CODES] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** The plain shape every error takes on the wire. */
export interface WireError {
  readonly code: ErrorCode;
  /** i18n key the UI translates, with `details` as interpolation values. */
  readonly i18nKey: string;
  readonly details: ErrorDetails;
}

/** An expected, typed failure. Bugs are plain Errors and become `internal` at the boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, details: ErrorDetails = {}, message?: string) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  toWire(): WireError {
    return { code: this.code, i18nKey: i18nKeyFor(this.code), details: this.details };
  }
}

export function i18nKeyFor(code: ErrorCode): string {
  return `errors.${code}`;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
