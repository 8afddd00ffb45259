import { describe, expect, it } from 'vitest';
import { deriveCardKeys, purchaseTag } from '../../../kiosk-drivers/card/card-crypto.js';
import {
  decodeBcd16,
  decodeIdentity,
  decodeMark,
  decodePurchase,
  decodeWriteBack,
  encodeBcd16,
  encodeIdentity,
  encodeMark,
  encodePurchase,
  encodeWriteBack,
  METER_STATUS,
} from '../../../kiosk-drivers/card/card-layout.js';

// Worked example of docs/devices/prepaid-card.md §3.
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
const master = Uint8Array.from(Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'));
const uid = Uint8Array.of(0x5a, 0x10, 0x20, 0x30);
const keys = deriveCardKeys(master, uid);

describe('GridDesk card layout (doc §3 worked example)', () => {
  it('sector key', () => {
    expect(hex(keys.sectorKey)).toBe('4F 93 89 B9 E0 B6');
  });
  it('identity blocks 4 and 5', () => {
    const rec = { formatVersion: 1, generation: 2, accountNo: '3100012345', meterNo: '000012345678' };
    const [b4, b5] = encodeIdentity(rec, keys);
    expect(hex(b4)).toBe('47 44 01 02 31 00 01 23 45 FF FF FF 00 00 00 00');
    expect(hex(b5)).toBe('00 00 12 34 56 78 FF FF B9 E4 71 E3 CC A8 A2 43');
    expect(decodeIdentity(b4, b5, keys)).toEqual({ ok: true, value: rec });
    const other = deriveCardKeys(master, Uint8Array.of(0x5a, 0x10, 0x20, 0x31));
    expect(decodeIdentity(b4, b5, other)).toEqual({ ok: false, reason: 'mac' });
  });
  it('purchase blocks 8 and 9', () => {
    const tag = purchaseTag('P-1');
    expect(hex(tag)).toBe('00 44 13 1A 6A A9 00 73');
    const [b8, b9] = encodePurchase({ counter: 1, amountFen: 10_000, energyCentiKwh: 17_857, tag }, keys);
    expect(hex(b8)).toBe('00 00 00 01 00 00 27 10 00 00 45 C1 00 00 00 00');
    expect(hex(b9)).toBe('00 44 13 1A 6A A9 00 73 2D 04 1D 87 52 89 DD 39');
    const dec = decodePurchase(b8, b9, keys);
    expect(dec.ok && dec.value.counter).toBe(1);
    b8[7] = 0x11;
    expect(decodePurchase(b8, b9, keys).ok).toBe(false);
  });
  it('mark block 10', () => {
    const b10 = encodeMark({ writeInProgress: true, counterBefore: 0, counterAfter: 1 }, keys);
    expect(hex(b10)).toBe('01 00 00 00 00 00 00 00 01 00 00 00 10 34 1F E6');
    expect(decodeMark(b10, keys)).toEqual({ ok: true, value: { writeInProgress: true, counterBefore: 0, counterAfter: 1 } });
    b10[0] = 0;
    expect(decodeMark(b10, keys).ok).toBe(false);
  });
  it('write-back blocks 16 and 17', () => {
    const rec = {
      lastLoadedCounter: 1,
      remainingCreditFen: 10_000,
      totalLoadedFen: 10_000,
      totalEnergyCentiKwh: 0,
      status: METER_STATUS.lowCredit,
      loadedAt: 1_767_225_600,
    };
    const [b16, b17] = encodeWriteBack(rec, keys);
    expect(hex(b16)).toBe('00 00 00 01 00 00 27 10 00 00 27 10 00 00 00 00');
    expect(hex(b17)).toBe('00 02 69 55 B9 00 00 00 E9 65 D7 C3 9E 5C 68 E8');
    expect(decodeWriteBack(b16, b17, keys)).toEqual({ ok: true, value: rec });
    const [n16, n17] = encodeWriteBack({ ...rec, remainingCreditFen: -1234 }, keys);
    const neg = decodeWriteBack(n16, n17, keys);
    expect(neg.ok && neg.value.remainingCreditFen).toBe(-1234);
  });
  it('BCD', () => {
    expect(hex(encodeBcd16('1234567890123456'))).toBe('12 34 56 78 90 12 34 56');
    expect(decodeBcd16(encodeBcd16('7'))).toBe('7');
    expect(decodeBcd16(Uint8Array.from(Buffer.from('1F2FFFFFFFFFFFFF', 'hex')))).toBeNull();
    expect(() => encodeBcd16('12a')).toThrow(RangeError);
  });
});
