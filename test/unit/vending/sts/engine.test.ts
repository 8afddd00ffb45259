import { describe, expect, it } from 'vitest';
import {
  blockFromHex,
  blockToHex,
  decodeAmount,
  decodeToken,
  deriveDecoderKeyDkga02,
  explainToken,
  formatMeterNumber,
  TokenEngine,
  type MeterIdentity,
} from '../../../../main/vending/sts/index.js';
import { mulberry32 } from './prng.js';

const VK = 'ABABABABABABABAB';
const METER: MeterIdentity = {
  iin: '600727',
  drn: '00000000000',
  keyType: 2,
  sgc: '123456',
  ti: '01',
  krn: 1,
  baseDate: '1993-01-01',
  algorithm: 'EA07',
};
const OTHER: MeterIdentity = { ...METER, drn: '12345678903', baseDate: '2014-01-01' };

describe('TokenEngine', () => {
  it('issues credit tokens the meter key decodes, reporting the rounded-up delivered amount', () => {
    const engine = new TokenEngine({ vendingKey: VK, random: mulberry32(1) });
    const issued = engine.creditToken(METER, { amountTenths: 20000, tid: 1698595 });
    expect(issued.deliveredTenths).toBe(20004);
    expect(issued.field).toBe(0x416a);
    const dk = deriveDecoderKeyDkga02(blockFromHex(VK), METER);
    expect(blockToHex(engine.decoderKey(METER))).toBe('E653341F9D5BF36F');
    expect(decodeToken(dk, issued.digits)).toMatchObject({
      tokenClass: 0,
      subclass: 0,
      rnd: issued.rnd,
      tid: 1698595,
      amount: { field: 0x416a, tenths: 20004 },
      crcOk: true,
    });
  });

  it('uses the injected random source for RND, and a given RND as is', () => {
    const a = new TokenEngine({ vendingKey: VK, random: mulberry32(5) });
    const b = new TokenEngine({ vendingKey: VK, random: mulberry32(5) });
    const rnds = Array.from({ length: 20 }, (_, i) => a.creditToken(METER, { amountTenths: 10, tid: i }).rnd);
    expect(Array.from({ length: 20 }, (_, i) => b.creditToken(METER, { amountTenths: 10, tid: i }).rnd)).toEqual(rnds);
    expect(new Set(rnds).size).toBeGreaterThan(4);
    expect(a.creditToken(METER, { amountTenths: 10, tid: 1, rnd: 9 }).rnd).toBe(9);
  });

  it('caches decoder keys per meter identity, evicting the oldest beyond cacheSize', () => {
    let derivations = 0;
    const engine = new TokenEngine({
      vendingKey: () => {
        derivations++;
        return blockFromHex(VK);
      },
      cacheSize: 2,
      random: mulberry32(2),
    });
    engine.creditToken(METER, { amountTenths: 1, tid: 1 });
    engine.creditToken(METER, { amountTenths: 1, tid: 2 });
    expect(derivations).toBe(1);
    engine.creditToken(OTHER, { amountTenths: 1, tid: 3 });
    engine.creditToken({ ...METER, ti: '02' }, { amountTenths: 1, tid: 4 });
    expect(engine.cachedKeys).toBe(2);
    expect(derivations).toBe(3);
    engine.creditToken(METER, { amountTenths: 1, tid: 5 }); // evicted: derived again
    expect(derivations).toBe(4);
    const uncached = new TokenEngine({ vendingKey: VK, cacheSize: 0, random: mulberry32(3) });
    uncached.creditToken(METER, { amountTenths: 1, tid: 1 });
    expect(uncached.cachedKeys).toBe(0);
  });

  it('key type 3 (common key): meters of the group share one decoder key and one cache entry, whatever their DRN', () => {
    let derivations = 0;
    const engine = new TokenEngine({
      vendingKey: () => {
        derivations++;
        return blockFromHex(VK);
      },
      random: mulberry32(7),
    });
    const a: MeterIdentity = { ...METER, drn: '12345678903', keyType: 3 };
    const b: MeterIdentity = { ...a, drn: '99999999999' };
    const ta = engine.creditToken(a, { amountTenths: 100, tid: 7 });
    engine.creditToken(b, { amountTenths: 100, tid: 8 });
    expect(derivations).toBe(1);
    expect(engine.cachedKeys).toBe(1);
    expect(blockToHex(engine.decoderKey(b))).toBe('026610D71A0C7DEB');
    expect(decodeToken(blockFromHex('026610D71A0C7DEB'), ta.digits)).toMatchObject({ crcOk: true, tid: 7 });
    // A unique-key meter with the same DRN has its own key.
    expect(blockToHex(engine.decoderKey({ ...a, keyType: 2 }))).not.toBe('026610D71A0C7DEB');
    expect(derivations).toBe(2);
  });

  it('rejects an invalid meter identity', () => {
    const engine = new TokenEngine({ vendingKey: VK });
    expect(() => engine.creditToken({ ...METER, drn: '123' }, { amountTenths: 1, tid: 1 })).toThrow(
      expect.objectContaining({ code: 'vending.bad_meter_identity', details: { field: 'drn' } }),
    );
    expect(() => engine.creditToken({ ...METER, krn: 0 }, { amountTenths: 1, tid: 1 })).toThrow(
      expect.objectContaining({ code: 'vending.bad_meter_identity' }),
    );
  });

  it('issues management tokens: max power limit, clear credit, clear tamper', () => {
    const engine = new TokenEngine({ vendingKey: VK, random: mulberry32(4) });
    const mpl = engine.maxPowerLimitToken(METER, { watts: 5000, tid: 100 });
    const d1 = engine.decode(METER, mpl.digits);
    expect(d1).toMatchObject({ tokenClass: 2, subclass: 0, crcOk: true, tid: 100, payload: { kind: 'management', watts: 5000 } });
    const cc = engine.clearCreditToken(METER, { tid: 101 });
    expect(engine.decode(METER, cc.digits)).toMatchObject({ tokenClass: 2, subclass: 1, crcOk: true, payload: { field: 0xffff } });
    const ct = engine.clearTamperToken(METER, { tid: 102 });
    expect(engine.decode(METER, ct.digits)).toMatchObject({ tokenClass: 2, subclass: 5, crcOk: true, tid: 102, payload: { field: 0 } });
  });

  it('key change pair: encrypted under the current key, carrying the new key, KRN, TI, type and rollover', () => {
    const engine = new TokenEngine({ vendingKey: VK, random: mulberry32(6) });
    const next: MeterIdentity = { ...METER, krn: 2, ti: '07', baseDate: '2014-01-01' };
    const { first, second } = engine.keyChangeTokens(METER, next);
    const d1 = engine.decode(METER, first.digits);
    const d2 = engine.decode(METER, second.digits);
    const newDk = deriveDecoderKeyDkga02(blockFromHex(VK), next);
    expect(d1).toMatchObject({ tokenClass: 2, subclass: 3, crcOk: true });
    expect(d1.payload).toEqual({ kind: 'key_change_1st', kenho: 0xf, krn: 2, ro: 1, keyType: 2, nkho: newDk.hi });
    expect(d2).toMatchObject({ tokenClass: 2, subclass: 4, crcOk: true });
    expect(d2.payload).toEqual({ kind: 'key_change_2nd', kenlo: 0xf, ti: 7, nklo: newDk.lo });
    // After the change the meter decodes with the new key.
    const credit = engine.creditToken(next, { amountTenths: 500, tid: 42 });
    expect(decodeToken(newDk, credit.digits)).toMatchObject({ crcOk: true, tid: 42 });

    const sameBase = engine.keyChangeTokens(METER, { ...METER, krn: 3 }, { ken: 0xa5 });
    expect(engine.decode(METER, sameBase.first.digits).payload).toMatchObject({ ro: 0, kenho: 0xa, krn: 3 });
    expect(engine.decode(METER, sameBase.second.digits).payload).toMatchObject({ kenlo: 0x5, ti: 1 });
    expect(() => engine.keyChangeTokens(METER, OTHER)).toThrow(expect.objectContaining({ code: 'vending.bad_meter_identity' }));
  });
});

describe('explainToken (help desk)', () => {
  const engine = new TokenEngine({ vendingKey: VK, random: mulberry32(8) });
  const candidates = [
    { meterNo: formatMeterNumber(METER), dk: engine.decoderKey(METER), baseDate: METER.baseDate, usedTids: [] },
    { meterNo: formatMeterNumber(OTHER), dk: engine.decoderKey(OTHER), baseDate: OTHER.baseDate, usedTids: new Set([3155520]) },
  ];

  it('finds the meter, dates the TID in that meter\'s base date, and flags a used TID', () => {
    const tok = engine.creditToken(OTHER, { amountTenths: 1234, tid: 3155520 });
    const x = explainToken(tok.digits, candidates);
    expect(x.meterNo).toBe('600727123456789030');
    expect(x.tidDate).toBe('2020-01-01T08:00:00.000Z');
    expect(x.baseDate).toBe('2014-01-01');
    expect(x.amountTenths).toBe(decodeAmount(tok.field));
    expect(x).toMatchObject({ tokenClass: 0, subclass: 0, kind: 'credit', tid: 3155520, rnd: tok.rnd, tidAlreadyUsed: true, alsoMatches: [] });
  });

  it('reports an unused TID as not used', () => {
    const tok = engine.creditToken(METER, { amountTenths: 256, tid: 1698595 });
    const x = explainToken(tok.digits, candidates);
    expect(x.meterNo).toBe('600727000000000009');
    expect(x.tidDate).toBe(new Date(Date.UTC(1993, 0, 1) + 1698595 * 60_000).toISOString());
    expect(x.tidAlreadyUsed).toBe(false);
  });
});
