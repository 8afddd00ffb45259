import type { Block64 } from './block64.js';
import { parseEa07Tables, SAMPLE_TEST_TABLES, type Ea07Tables } from './ea07-tables.js';

/**
 * EA07 (Standard Transfer Algorithm) on one 64-bit block with a 64-bit decoder key.
 * Round key K0 = NOT(DK) rotated right by 12; 16 rounds of
 *   substitute each nibble n through S1 when bit 4n+3 of the round key is 0, else S2;
 *   permute (input bit i → output bit P[i]);
 *   rotate the round key left by 1.
 * There is no XOR with the key: the key only chooses S1 or S2 per nibble.
 *
 * Speed: substitution and permutation of one byte are folded into one lookup per (byte position,
 * pair of S-box choices, byte value), so a round is 8 lookups on two 32-bit halves.
 */

interface CompiledTables {
  /** [(b*4 + sel)*256 + v]*2 → (hi, lo) of the permuted, substituted byte b. */
  readonly encrypt: Uint32Array;
  /** [b*256 + v]*2 → (hi, lo) of the inverse permutation of byte b. */
  readonly invPermute: Uint32Array;
  /** [sel*256 + v] → byte with both nibbles inverse-substituted. */
  readonly invSubstitute: Uint8Array;
}

const compiledCache = new WeakMap<Ea07Tables, CompiledTables>();

function compile(tables: Ea07Tables): CompiledTables {
  const cached = compiledCache.get(tables);
  if (cached) return cached;
  const t = tables === SAMPLE_TEST_TABLES ? tables : parseEa07Tables(tables);
  const { s1, s2, p } = t;
  const boxes = [s1, s2] as const;
  const inv1 = new Array<number>(16);
  const inv2 = new Array<number>(16);
  s1.forEach((v, i) => (inv1[v] = i));
  s2.forEach((v, i) => (inv2[v] = i));
  const invBoxes = [inv1, inv2] as const;
  const pInv = new Array<number>(64);
  p.forEach((dst, src) => (pInv[dst] = src));

  const encrypt = new Uint32Array(8 * 4 * 256 * 2);
  const invPermute = new Uint32Array(8 * 256 * 2);
  const invSubstitute = new Uint8Array(4 * 256);
  for (let b = 0; b < 8; b++) {
    for (let v = 0; v < 256; v++) {
      for (let sel = 0; sel < 4; sel++) {
        const lowBox = boxes[sel & 1] as readonly number[];
        const highBox = boxes[sel >>> 1] as readonly number[];
        const u = (lowBox[v & 15] as number) | ((highBox[v >>> 4] as number) << 4);
        let hi = 0;
        let lo = 0;
        for (let k = 0; k < 8; k++) {
          if (!((u >>> k) & 1)) continue;
          const dst = p[8 * b + k] as number;
          if (dst < 32) lo |= 1 << dst;
          else hi |= 1 << (dst - 32);
        }
        const idx = ((b * 4 + sel) * 256 + v) * 2;
        encrypt[idx] = hi >>> 0;
        encrypt[idx + 1] = lo >>> 0;
      }
      let hi = 0;
      let lo = 0;
      for (let k = 0; k < 8; k++) {
        if (!((v >>> k) & 1)) continue;
        const dst = pInv[8 * b + k] as number;
        if (dst < 32) lo |= 1 << dst;
        else hi |= 1 << (dst - 32);
      }
      invPermute[(b * 256 + v) * 2] = hi >>> 0;
      invPermute[(b * 256 + v) * 2 + 1] = lo >>> 0;
    }
  }
  for (let sel = 0; sel < 4; sel++) {
    const lowBox = invBoxes[sel & 1] as readonly number[];
    const highBox = invBoxes[sel >>> 1] as readonly number[];
    for (let v = 0; v < 256; v++) {
      invSubstitute[sel * 256 + v] = (lowBox[v & 15] as number) | ((highBox[v >>> 4] as number) << 4);
    }
  }
  const compiled = { encrypt, invPermute, invSubstitute };
  compiledCache.set(tables, compiled);
  return compiled;
}

/**
 * S-box choices for all 16 rounds: entry r*8+b holds, for data byte b, bit 0 = key bit 8b+3 and
 * bit 1 = key bit 8b+7 of round r's key (0 → S1, 1 → S2). Depends only on the decoder key, so a
 * caller issuing many tokens for one meter can keep it (see ea07Schedule).
 */
export type Ea07Schedule = Uint8Array;

export function ea07Schedule(dk: Block64): Ea07Schedule {
  // K0 = NOT(DK) rotated right by 12.
  let hi = ~dk.hi >>> 0;
  let lo = ~dk.lo >>> 0;
  const nh = ((hi >>> 12) | (lo << 20)) >>> 0;
  const nl = ((lo >>> 12) | (hi << 20)) >>> 0;
  hi = nh;
  lo = nl;
  const sched = new Uint8Array(16 * 8);
  for (let r = 0; r < 16; r++) {
    for (let b = 0; b < 8; b++) {
      const byte = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
      sched[r * 8 + b] = ((byte >>> 3) & 1) | ((byte >>> 6) & 2);
    }
    const th = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = ((lo << 1) | (hi >>> 31)) >>> 0;
    hi = th;
  }
  return sched;
}

export function ea07EncryptWithSchedule(sched: Ea07Schedule, block: Block64, tables: Ea07Tables = SAMPLE_TEST_TABLES): Block64 {
  const enc = compile(tables).encrypt;
  let hi = block.hi >>> 0;
  let lo = block.lo >>> 0;
  for (let r = 0; r < 16; r++) {
    const s = r * 8;
    let oh = 0;
    let ol = 0;
    for (let b = 0; b < 4; b++) {
      const i = ((b * 4 + (sched[s + b] as number)) * 256 + ((lo >>> (8 * b)) & 0xff)) * 2;
      oh |= enc[i] as number;
      ol |= enc[i + 1] as number;
    }
    for (let b = 4; b < 8; b++) {
      const i = ((b * 4 + (sched[s + b] as number)) * 256 + ((hi >>> (8 * (b - 4))) & 0xff)) * 2;
      oh |= enc[i] as number;
      ol |= enc[i + 1] as number;
    }
    hi = oh >>> 0;
    lo = ol >>> 0;
  }
  return { hi, lo };
}

export function ea07DecryptWithSchedule(sched: Ea07Schedule, block: Block64, tables: Ea07Tables = SAMPLE_TEST_TABLES): Block64 {
  const { invPermute, invSubstitute } = compile(tables);
  let hi = block.hi >>> 0;
  let lo = block.lo >>> 0;
  for (let r = 15; r >= 0; r--) {
    let oh = 0;
    let ol = 0;
    for (let b = 0; b < 8; b++) {
      const v = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
      const i = (b * 256 + v) * 2;
      oh |= invPermute[i] as number;
      ol |= invPermute[i + 1] as number;
    }
    let nh = 0;
    let nl = 0;
    const s = r * 8;
    for (let b = 0; b < 4; b++) {
      nl |= (invSubstitute[(sched[s + b] as number) * 256 + ((ol >>> (8 * b)) & 0xff)] as number) << (8 * b);
    }
    for (let b = 4; b < 8; b++) {
      nh |= (invSubstitute[(sched[s + b] as number) * 256 + ((oh >>> (8 * (b - 4))) & 0xff)] as number) << (8 * (b - 4));
    }
    hi = nh >>> 0;
    lo = nl >>> 0;
  }
  return { hi, lo };
}

export function ea07Encrypt(dk: Block64, block: Block64, tables: Ea07Tables = SAMPLE_TEST_TABLES): Block64 {
  return ea07EncryptWithSchedule(ea07Schedule(dk), block, tables);
}

export function ea07Decrypt(dk: Block64, block: Block64, tables: Ea07Tables = SAMPLE_TEST_TABLES): Block64 {
  return ea07DecryptWithSchedule(ea07Schedule(dk), block, tables);
}
