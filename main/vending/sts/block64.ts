import { StsError } from './sts-error.js';

/**
 * A 64-bit block as two unsigned 32-bit halves. The engine's hot paths work on these instead of
 * bigint: every STS operation is a fixed-width bit shuffle that fits in two machine words.
 */
export interface Block64 {
  readonly hi: number;
  readonly lo: number;
}

const HEX16 = /^[0-9a-fA-F]{16}$/;

/** Parses exactly 16 hex digits (a key or a data block); anything else is `vending.bad_key`. */
export function blockFromHex(hex: string): Block64 {
  if (!HEX16.test(hex)) throw new StsError('vending.bad_key', { length: hex.length });
  return { hi: Number.parseInt(hex.slice(0, 8), 16) >>> 0, lo: Number.parseInt(hex.slice(8), 16) >>> 0 };
}

/** 16 uppercase hex digits. */
export function blockToHex(b: Block64): string {
  return (b.hi >>> 0).toString(16).padStart(8, '0').toUpperCase() + (b.lo >>> 0).toString(16).padStart(8, '0').toUpperCase();
}

export function xorBlock(a: Block64, b: Block64): Block64 {
  return { hi: (a.hi ^ b.hi) >>> 0, lo: (a.lo ^ b.lo) >>> 0 };
}

export function blocksEqual(a: Block64, b: Block64): boolean {
  return a.hi >>> 0 === b.hi >>> 0 && a.lo >>> 0 === b.lo >>> 0;
}

/** Bit `i` (0 = least significant) of a block. */
export function bitOf(b: Block64, i: number): number {
  return i < 32 ? (b.lo >>> i) & 1 : (b.hi >>> (i - 32)) & 1;
}
