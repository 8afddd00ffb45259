import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveCardKeys, purchaseTag } from '../../../kiosk-drivers/card/card-crypto.js';
import { hex as hexBytes, labelledHex, readDoc, toHex } from '../hid/doc-examples.js';
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

// Everything below — inputs and expected bytes — is read out of docs/devices/prepaid-card.md §3,
// so an edit of the worked example that disagrees with the code fails here.
const DOC = readDoc('prepaid-card.md');
const EXAMPLE = labelledHex(DOC, /^(cardKey|sectorKeyA|tag\(P-1\)|block \d+)\s{2,}([0-9A-F ]+)$/gm);
function docHex(label: string): string {
  const v = EXAMPLE.get(label);
  if (v === undefined) throw new Error(`docs/devices/prepaid-card.md has no "${label}" line`);
  // The doc writes cardKey without spaces.
  return v.includes(' ') ? v : toHex(hexBytes(v));
}
function docInput(re: RegExp): string {
  const m = re.exec(DOC);
  if (!m?.[1]) throw new Error(`docs/devices/prepaid-card.md: no match for ${String(re)}`);
  return m[1];
}
const hex = toHex;
const master = hexBytes(docInput(/master key `([0-9A-F]+)`/));
const uid = hexBytes(docInput(/UID `([0-9A-F]+)`/));
const ACCOUNT = docInput(/account `(\d+)`/);
const METER = docInput(/meter `(\d+)`/);
const GENERATION = Number(docInput(/generation (\d+)/));
const keys = deriveCardKeys(master, uid);

describe('GridDesk card layout (doc §3 worked example)', () => {
  it('the example covers every record the doc lists', () => {
    expect([...EXAMPLE.keys()].sort()).toEqual(
      ['block 10', 'block 16', 'block 17', 'block 4', 'block 5', 'block 8', 'block 9', 'cardKey', 'sectorKeyA', 'tag(P-1)'].sort(),
    );
  });
  it('card key (as the doc defines it) and sector key', () => {
    const cardKey = createHmac('sha256', master).update(Buffer.concat([Buffer.from('GD-CARD'), uid])).digest();
    expect(hex(cardKey)).toBe(docHex('cardKey'));
    expect(hex(keys.sectorKey)).toBe(docHex('sectorKeyA'));
  });
  it('identity blocks 4 and 5', () => {
    const rec = { formatVersion: 1, generation: GENERATION, accountNo: ACCOUNT, meterNo: METER };
    const [b4, b5] = encodeIdentity(rec, keys);
    expect(hex(b4)).toBe(docHex('block 4'));
    expect(hex(b5)).toBe(docHex('block 5'));
    expect(decodeIdentity(b4, b5, keys)).toEqual({ ok: true, value: rec });
    const other = deriveCardKeys(master, Uint8Array.of(0x5a, 0x10, 0x20, 0x31));
    expect(decodeIdentity(b4, b5, other)).toEqual({ ok: false, reason: 'mac' });
  });
  it('purchase blocks 8 and 9', () => {
    const tag = purchaseTag('P-1');
    expect(hex(tag)).toBe(docHex('tag(P-1)'));
    const [b8, b9] = encodePurchase({ counter: 1, amountFen: 10_000, energyCentiKwh: 17_857, tag }, keys);
    expect(hex(b8)).toBe(docHex('block 8'));
    expect(hex(b9)).toBe(docHex('block 9'));
    const dec = decodePurchase(b8, b9, keys);
    expect(dec.ok && dec.value.counter).toBe(1);
    b8[7] = 0x11;
    expect(decodePurchase(b8, b9, keys).ok).toBe(false);
  });
  it('mark block 10', () => {
    const b10 = encodeMark({ writeInProgress: true, counterBefore: 0, counterAfter: 1 }, keys);
    expect(hex(b10)).toBe(docHex('block 10'));
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
    expect(hex(b16)).toBe(docHex('block 16'));
    expect(hex(b17)).toBe(docHex('block 17'));
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
