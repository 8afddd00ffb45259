import { StsError } from './sts-error.js';

/**
 * STS amount field (IEC 62055-41 TransferAmount): 2-bit exponent e over a 14-bit mantissa m, the
 * value t in tenths of the unit (0.1 kWh for electricity):
 *   e = 0: t = m;   e > 0: t = m·10^e + Σ_{i=1..e} 16384·10^(i−1).
 * The same encoding carries MaximumPowerLimit and MaximumPhasePowerUnbalanceLimit (in watts).
 */
const MANTISSA_MAX = 0x3fff;
/** Offsets Σ_{i=1..e} 16384·10^(i−1) and multipliers 10^e per exponent. */
const OFFSET = [0, 16384, 180224, 1818624] as const;
const SCALE = [1, 10, 100, 1000] as const;

/** Largest encodable value in tenths: field 0xFFFF = 1 820 162.4 kWh. */
export const AMOUNT_MAX_TENTHS = MANTISSA_MAX * 1000 + 1818624;

/**
 * Encodes a value in tenths with the smallest exponent that holds it, rounding the mantissa UP
 * (in the customer's favour). Values in the gaps between exponent ranges are lifted to the next
 * range's first step: 20000 (2000.0 kWh) → 0x416A (2000.4 kWh).
 */
export function encodeAmount(tenths: number): number {
  if (!Number.isSafeInteger(tenths) || tenths < 0) throw new StsError('vending.amount_invalid', { value: String(tenths) });
  if (tenths > AMOUNT_MAX_TENTHS) throw new StsError('vending.amount_overflow', { tenths, maxTenths: AMOUNT_MAX_TENTHS });
  for (let e = 0; e < 4; e++) {
    const offset = OFFSET[e] as number;
    const scale = SCALE[e] as number;
    const m = tenths <= offset ? 0 : Math.ceil((tenths - offset) / scale);
    if (m <= MANTISSA_MAX) return ((e << 14) | m) >>> 0;
  }
  // Unreachable: AMOUNT_MAX_TENTHS is the top of the e = 3 range.
  throw new StsError('vending.amount_overflow', { tenths, maxTenths: AMOUNT_MAX_TENTHS });
}

/** The value in tenths that a 16-bit amount field stands for. */
export function decodeAmount(field: number): number {
  if (!Number.isInteger(field) || field < 0 || field > 0xffff) {
    throw new StsError('vending.token_field_invalid', { field: 'amount', value: String(field) });
  }
  const e = field >>> 14;
  const m = field & MANTISSA_MAX;
  return m * (SCALE[e] as number) + (OFFSET[e] as number);
}

/**
 * Converts GridDesk's energy unit (0.01 kWh) to STS tenths, rounding up like the mantissa does,
 * so a vend never delivers less than it charged for.
 */
export function tenthsFromHundredthsKwh(hundredths: number): number {
  if (!Number.isSafeInteger(hundredths) || hundredths < 0) {
    throw new StsError('vending.amount_invalid', { value: String(hundredths) });
  }
  return Math.ceil(hundredths / 10);
}

/** Tenths the amount field carries exactly (so the meter adds precisely this much). */
export function isRepresentableTenths(tenths: number): boolean {
  return Number.isSafeInteger(tenths) && tenths >= 0 && tenths <= AMOUNT_MAX_TENTHS && decodeAmount(encodeAmount(tenths)) === tenths;
}

/** The largest value the field carries exactly that is ≤ tenths (gaps fall to the lower range's top). */
export function representableTenthsAtOrBelow(tenths: number): number {
  if (!Number.isSafeInteger(tenths) || tenths < 0) throw new StsError('vending.amount_invalid', { value: String(tenths) });
  const t = Math.min(tenths, AMOUNT_MAX_TENTHS);
  for (let e = 3; e >= 0; e--) {
    const offset = OFFSET[e] as number;
    const scale = SCALE[e] as number;
    if (e > 0 && t < offset) continue;
    const m = Math.min(MANTISSA_MAX, Math.floor((t - offset) / scale));
    return m * scale + offset;
  }
  return t;
}

/** The smallest value the field carries exactly that is ≥ tenths (what encodeAmount delivers). */
export function representableTenthsAtOrAbove(tenths: number): number {
  return decodeAmount(encodeAmount(tenths));
}
