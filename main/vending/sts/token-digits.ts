import type { Block64 } from './block64.js';
import { StsError } from './sts-error.js';

/** The 66-bit token number: 2 class bits transposed into a 64-bit encrypted block. */
export interface TokenNumber {
  /** Token class 0..3, as the meter reads it back out of bits 28 and 27. */
  readonly tokenClass: number;
  /** The encrypted 64-bit block with its own bits 28 and 27 restored. */
  readonly block: Block64;
}

const TWO_POW_66 = 1n << 66n;
const MASK32 = 0xffffffffn;
const BIT27 = 1 << 27;
const BIT28 = 1 << 28;

/**
 * Class-bit transposition and decimal rendering: the class MSB goes into bit 28 and LSB into bit
 * 27 of the encrypted block, the block's own bits 28 and 27 move up to bits 65 and 64, and the
 * 66-bit number is written in decimal, left-padded to 20 digits.
 */
export function tokenDigits(tokenClass: number, encrypted: Block64): string {
  const lo = encrypted.lo >>> 0;
  const top = (((lo >>> 28) & 1) << 1) | ((lo >>> 27) & 1);
  const newLo = ((lo & ~(BIT28 | BIT27)) | (((tokenClass >>> 1) & 1) << 28) | ((tokenClass & 1) << 27)) >>> 0;
  // top·2^32 + hi < 2^34 is exact in a double; one bigint shift joins it with the low word.
  const value = (BigInt(top * 0x100000000 + (encrypted.hi >>> 0)) << 32n) | BigInt(newLo);
  return value.toString().padStart(20, '0');
}

/**
 * Parses 20 digits (spaces and dashes allowed, as printed 4-4-4-4-4) back into class and
 * encrypted block. Wrong length, non-digits and values ≥ 2^66 are typed errors.
 */
export function parseTokenDigits(input: string): TokenNumber {
  const digits = normalizeTokenInput(input);
  const value = BigInt(digits);
  if (value >= TWO_POW_66) throw new StsError('vending.token_out_of_range');
  const lo = Number(value & MASK32);
  const hi = Number((value >> 32n) & MASK32);
  const top = Number(value >> 64n);
  const tokenClass = (((lo >>> 28) & 1) << 1) | ((lo >>> 27) & 1);
  const restoredLo = ((lo & ~(BIT28 | BIT27)) | (((top >>> 1) & 1) << 28) | ((top & 1) << 27)) >>> 0;
  return { tokenClass, block: { hi, lo: restoredLo } };
}

/** Strips the 4-4-4-4-4 grouping and checks the result is exactly 20 digits. */
export function normalizeTokenInput(input: string): string {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^[0-9]*$/.test(digits)) throw new StsError('vending.token_not_digits');
  if (digits.length !== 20) throw new StsError('vending.token_length', { length: digits.length });
  return digits;
}

/** "5104 3465 4434 2085 6213" */
export function formatTokenGroups(digits: string): string {
  return normalizeTokenInput(digits).replace(/(\d{4})(?=\d)/g, '$1 ');
}
