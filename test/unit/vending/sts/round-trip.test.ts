import { describe, expect, it } from 'vitest';
import {
  AMOUNT_MAX_TENTHS,
  buildCreditBlock,
  buildKeyChange1stBlock,
  buildKeyChange2ndBlock,
  buildRegisterBlock,
  decodeAmount,
  decodeToken,
  desDecrypt,
  desEncrypt,
  ea07Decrypt,
  ea07Encrypt,
  encodeAmount,
  parseBlock,
  parseEa07Tables,
  parseTokenDigits,
  tokenDigits,
  type Block64,
} from '../../../../main/vending/sts/index.js';
import { mulberry32, randInt, randU32, shuffled } from './prng.js';

const N = 3000;

function randBlock(rand: () => number): Block64 {
  return { hi: randU32(rand), lo: randU32(rand) };
}

/** Random amounts spread over all four exponent ranges, not just the (much larger) top one. */
function randAmount(rand: () => number): number {
  const tops = [16383, 180214, 1818524, AMOUNT_MAX_TENTHS];
  return randInt(rand, (tops[randInt(rand, 4)] as number) + 1);
}

describe('round trips over seeded random inputs', () => {
  it('encode → encrypt → digits → parse → decrypt → decode gives back every credit field', () => {
    const rand = mulberry32(0x5151);
    for (let i = 0; i < N; i++) {
      const dk = randBlock(rand);
      const fields = { subclass: randInt(rand, 4), rnd: randInt(rand, 16), tid: randInt(rand, 0x1000000), amountTenths: randAmount(rand) };
      const digits = tokenDigits(0, ea07Encrypt(dk, buildCreditBlock(fields)));
      expect(digits).toMatch(/^\d{20}$/);
      const d = decodeToken(dk, digits);
      expect(d.crcOk).toBe(true);
      expect(d.tokenClass).toBe(0);
      expect(d.subclass).toBe(fields.subclass);
      expect(d.rnd).toBe(fields.rnd);
      expect(d.tid).toBe(fields.tid);
      expect(d.amount?.field).toBe(encodeAmount(fields.amountTenths));
      expect(d.amount?.tenths).toBe(decodeAmount(encodeAmount(fields.amountTenths)));
    }
  });

  it('amount encoding never delivers less, and delivers the smallest representable value ≥ the request', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < N; i++) {
      const t = randAmount(rand);
      const field = encodeAmount(t);
      const delivered = decodeAmount(field);
      expect(delivered).toBeGreaterThanOrEqual(t);
      // The next smaller field value (same or previous exponent) is below the request.
      if (field > 0) expect(decodeAmount(field - 1)).toBeLessThan(t);
      // A representable value encodes to itself.
      expect(encodeAmount(delivered)).toBe(field);
    }
  });

  it('class 2 register and key change blocks parse back to their fields', () => {
    const rand = mulberry32(99);
    for (let i = 0; i < N; i++) {
      const reg = { subclass: [0, 1, 2, 5, 6][randInt(rand, 5)] as number, rnd: randInt(rand, 16), tid: randInt(rand, 0x1000000), field: randInt(rand, 0x10000) };
      const p = parseBlock(2, buildRegisterBlock(2, reg));
      expect(p.crcOk).toBe(true);
      expect(p.subclass).toBe(reg.subclass);
      expect(p.payload).toMatchObject({ kind: 'management', rnd: reg.rnd, tid: reg.tid, field: reg.field });

      const k1 = { kenho: randInt(rand, 16), krn: randInt(rand, 16), ro: randInt(rand, 2) as 0 | 1, keyType: randInt(rand, 4), nkho: randU32(rand) };
      const p1 = parseBlock(2, buildKeyChange1stBlock(k1));
      expect(p1).toEqual({ subclass: 3, crcOk: true, payload: { kind: 'key_change_1st', ...k1 } });
      const k2 = { kenlo: randInt(rand, 16), ti: randInt(rand, 100), nklo: randU32(rand) };
      const p2 = parseBlock(2, buildKeyChange2ndBlock(k2));
      expect(p2).toEqual({ subclass: 4, crcOk: true, payload: { kind: 'key_change_2nd', ...k2 } });
    }
  });

  it('66-bit ↔ 20 digits is a bijection on class + block', () => {
    const rand = mulberry32(1234);
    for (let i = 0; i < N; i++) {
      const cls = randInt(rand, 4);
      const block = randBlock(rand);
      const digits = tokenDigits(cls, block);
      const back = parseTokenDigits(digits);
      expect(back.tokenClass).toBe(cls);
      expect(back.block).toEqual(block);
      // Independent check against a plain bigint reading of the transposition.
      const v = BigInt(digits);
      expect(Number((v >> 27n) & 3n)).toBe(cls);
    }
  });

  it('EA07 decryption inverts encryption for random valid tables too', () => {
    const rand = mulberry32(4242);
    for (let t = 0; t < 20; t++) {
      const tables = parseEa07Tables({ s1: shuffled(rand, 16), s2: shuffled(rand, 16), p: shuffled(rand, 64) });
      for (let i = 0; i < 100; i++) {
        const dk = randBlock(rand);
        const block = randBlock(rand);
        const enc = ea07Encrypt(dk, block, tables);
        expect(ea07Decrypt(dk, enc, tables)).toEqual(block);
      }
    }
  });

  it('DES decryption inverts encryption', () => {
    const rand = mulberry32(77);
    for (let i = 0; i < 500; i++) {
      const key = randBlock(rand);
      const block = randBlock(rand);
      expect(desDecrypt(key, desEncrypt(key, block))).toEqual(block);
    }
  });

  it('a token decoded with another meter\'s key almost never passes the CRC', () => {
    const rand = mulberry32(31337);
    let passes = 0;
    for (let i = 0; i < N; i++) {
      const dk = randBlock(rand);
      const other = randBlock(rand);
      const digits = tokenDigits(0, ea07Encrypt(dk, buildCreditBlock({ subclass: 0, rnd: 1, tid: i, amountTenths: 100 })));
      if (decodeToken(other, digits).crcOk) passes++;
    }
    // Expected 3000 / 65536 ≈ 0.05; more than 2 would mean the CRC does not depend on the data.
    expect(passes).toBeLessThanOrEqual(2);
  });
});
