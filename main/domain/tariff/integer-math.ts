/**
 * Exact integer arithmetic for tariff and late-fee rules. Intermediate products (fen × 10 000,
 * energy × price, days × rate × amount) can exceed Number.MAX_SAFE_INTEGER long before any result
 * does, so they are done in BigInt and every result is checked on the way back to number.
 * All divisions here take a non-negative numerator and a positive denominator.
 */
import { TariffError, type TariffErrorCode } from './error-codes.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function isSafeNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Throws a TariffError with `code` unless `value` is a non-negative safe integer. */
export function requireSafeNonNegativeInteger(value: unknown, code: TariffErrorCode, field: string): number {
  if (!isSafeNonNegativeInteger(value)) {
    throw new TariffError(code, { field, value: typeof value === 'number' ? value : String(value) });
  }
  return value;
}

function checkOperands(numerator: bigint, denominator: bigint): void {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator < 0n) throw new RangeError('numerator must be non-negative');
}

export function divFloor(numerator: bigint, denominator: bigint): bigint {
  checkOperands(numerator, denominator);
  return numerator / denominator;
}

export function divCeil(numerator: bigint, denominator: bigint): bigint {
  checkOperands(numerator, denominator);
  return (numerator + denominator - 1n) / denominator;
}

/** Round half up (0.5 goes up) — the house rule for money (see main/domain/money.ts). */
export function divHalfUp(numerator: bigint, denominator: bigint): bigint {
  checkOperands(numerator, denominator);
  return (numerator * 2n + denominator) / (denominator * 2n);
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The bigint as a number, or null when it would not be exact. */
export function toSafeNumber(value: bigint): number | null {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : null;
}

/** The bigint as a number; throws `tariff.result_out_of_range` when it would not be exact. */
export function requireSafeNumber(value: bigint, field: string): number {
  const n = toSafeNumber(value);
  if (n === null) throw new TariffError('tariff.result_out_of_range', { field, value: value.toString() });
  return n;
}

/** '12.34' for 1234 fen: for error-message interpolation only (the UI formats money itself). */
export function fenToYuanDetail(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}
