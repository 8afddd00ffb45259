import type { Block64 } from './block64.js';

/**
 * Single DES (FIPS 46-3), ECB on one 64-bit block, in plain TypeScript. DKGA02 needs single DES,
 * which Node 20's OpenSSL 3 only offers through its legacy provider; this keeps the engine free of
 * that configuration and of native code. The S-box and P permutation are folded into eight
 * 64-entry SP tables, and IP/FP run through byte lookup tables, all built once at load.
 * Tables use FIPS numbering: position 1 is the most significant bit.
 */

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
] as const;

const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25] as const;

const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
] as const;

const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
] as const;

const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1] as const;

/** S1..S8, each 4 rows of 16. */
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
] as const;

/** Bit at FIPS position `pos` (1 = MSB) of a 64-bit (hi, lo) value. */
function bit64(hi: number, lo: number, pos: number): number {
  return pos <= 32 ? (hi >>> (32 - pos)) & 1 : (lo >>> (64 - pos)) & 1;
}

/**
 * Byte lookup tables for a 64→64 permutation `table` (output position i takes input position
 * table[i−1]): entry (byte b, value v) holds the output bits contributed by input byte b.
 */
function buildPermutation64(table: readonly number[]): Uint32Array {
  const out = new Uint32Array(8 * 256 * 2);
  for (let b = 0; b < 8; b++) {
    for (let v = 0; v < 256; v++) {
      let hi = 0;
      let lo = 0;
      for (let i = 0; i < 64; i++) {
        const src = table[i] as number;
        const srcByte = (src - 1) >> 3;
        if (srcByte !== b) continue;
        const srcBit = (v >>> (7 - ((src - 1) & 7))) & 1;
        if (!srcBit) continue;
        if (i < 32) hi |= 1 << (31 - i);
        else lo |= 1 << (63 - i);
      }
      out[(b * 256 + v) * 2] = hi >>> 0;
      out[(b * 256 + v) * 2 + 1] = lo >>> 0;
    }
  }
  return out;
}

function applyPermutation64(t: Uint32Array, hi: number, lo: number): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let b = 0; b < 8; b++) {
    const v = b < 4 ? (hi >>> (24 - 8 * b)) & 0xff : (lo >>> (56 - 8 * b)) & 0xff;
    const k = (b * 256 + v) * 2;
    oh |= t[k] as number;
    ol |= t[k + 1] as number;
  }
  return [oh >>> 0, ol >>> 0];
}

const FP: number[] = new Array<number>(64);
IP.forEach((src, i) => {
  FP[src - 1] = i + 1;
});

const IP_TABLE = buildPermutation64(IP);
const FP_TABLE = buildPermutation64(FP);

/** SP[j*64 + x]: S-box j applied to 6-bit input x, placed in its nibble and passed through P. */
const SP = buildSp();

function buildSp(): Uint32Array {
  const sp = new Uint32Array(8 * 64);
  for (let j = 0; j < 8; j++) {
    const box = S[j] as readonly number[];
    for (let x = 0; x < 64; x++) {
      const row = ((x >>> 4) & 2) | (x & 1);
      const col = (x >>> 1) & 0xf;
      const pre = ((box[row * 16 + col] as number) << (28 - 4 * j)) >>> 0;
      let post = 0;
      for (let i = 0; i < 32; i++) {
        const src = P[i] as number;
        if ((pre >>> (32 - src)) & 1) post |= 1 << (31 - i);
      }
      sp[j * 64 + x] = post >>> 0;
    }
  }
  return sp;
}

/** 16 round keys, each as eight 6-bit groups (S-box order). */
export type DesKeySchedule = Uint8Array;

export function desKeySchedule(key: Block64): DesKeySchedule {
  let c = 0;
  let d = 0;
  for (let i = 0; i < 28; i++) c = (c << 1) | bit64(key.hi, key.lo, PC1[i] as number);
  for (let i = 28; i < 56; i++) d = (d << 1) | bit64(key.hi, key.lo, PC1[i] as number);
  const ks = new Uint8Array(16 * 8);
  for (let r = 0; r < 16; r++) {
    const s = SHIFTS[r] as number;
    c = ((c << s) | (c >>> (28 - s))) & 0x0fffffff;
    d = ((d << s) | (d >>> (28 - s))) & 0x0fffffff;
    for (let j = 0; j < 8; j++) {
      let g = 0;
      for (let k = 0; k < 6; k++) {
        const pos = PC2[j * 6 + k] as number;
        const b = pos <= 28 ? (c >>> (28 - pos)) & 1 : (d >>> (56 - pos)) & 1;
        g = (g << 1) | b;
      }
      ks[r * 8 + j] = g;
    }
  }
  return ks;
}

function feistel(r: number, ks: DesKeySchedule, round: number): number {
  const rr = ((r >>> 1) | (r << 31)) >>> 0;
  const k = round * 8;
  let f = 0;
  for (let j = 0; j < 7; j++) {
    f |= SP[j * 64 + (((rr >>> (26 - 4 * j)) & 63) ^ (ks[k + j] as number))] as number;
  }
  f |= SP[7 * 64 + ((((rr << 2) | (rr >>> 30)) & 63) ^ (ks[k + 7] as number))] as number;
  return f >>> 0;
}

function crypt(ks: DesKeySchedule, block: Block64, decrypt: boolean): Block64 {
  let [l, r] = applyPermutation64(IP_TABLE, block.hi >>> 0, block.lo >>> 0);
  for (let i = 0; i < 16; i++) {
    const t = (l ^ feistel(r, ks, decrypt ? 15 - i : i)) >>> 0;
    l = r;
    r = t;
  }
  const [hi, lo] = applyPermutation64(FP_TABLE, r, l);
  return { hi, lo };
}

/** DES-ECB encryption of one block. */
export function desEncrypt(key: Block64, block: Block64): Block64 {
  return crypt(desKeySchedule(key), block, false);
}

/** DES-ECB decryption of one block. */
export function desDecrypt(key: Block64, block: Block64): Block64 {
  return crypt(desKeySchedule(key), block, true);
}

/** Encryption with a precomputed schedule, for callers that reuse one key. */
export function desEncryptWithSchedule(ks: DesKeySchedule, block: Block64): Block64 {
  return crypt(ks, block, false);
}
