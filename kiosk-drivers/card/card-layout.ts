/**
 * Byte layout of GridDesk's reference prepaid card on a Mifare-Classic-1K-like card
 * (docs/devices/prepaid-card.md §2). Pure encode/decode; MACs come from the injected CardKeys.
 */
import { constantTimeEqual, type CardKeys } from './card-crypto.js';

export const LAYOUT = {
  identity: [4, 5],
  purchase: [8, 9],
  mark: 10,
  backup: [12, 13],
  writeBack: [16, 17],
  /** Sectors whose key A the format uses (1–4). */
  sectors: [1, 2, 3, 4],
} as const;

export const MAGIC = [0x47, 0x44] as const; // "GD"
export const FORMAT_VERSION = 1;

export const MAC_DOMAIN = { identity: 0x01, purchase: 0x02, mark: 0x03, writeBack: 0x04 } as const;

export interface IdentityRecord {
  readonly formatVersion: number;
  readonly generation: number;
  /** Account number (户号), up to 16 digits. */
  readonly accountNo: string;
  /** Meter number (表号), up to 16 digits. */
  readonly meterNo: string;
}

export interface PurchaseRecord {
  /** Purchase count (购电次数); the meter accepts only last loaded + 1. */
  readonly counter: number;
  readonly amountFen: number;
  /** 0.01 kWh. */
  readonly energyCentiKwh: number;
  /** 8 bytes identifying the purchase that wrote this record (all zero on a new card). */
  readonly tag: Uint8Array;
}

export interface MarkRecord {
  readonly writeInProgress: boolean;
  readonly counterBefore: number;
  readonly counterAfter: number;
}

export interface WriteBackRecord {
  readonly lastLoadedCounter: number;
  /** Signed: a meter in emergency credit reports a negative balance. */
  readonly remainingCreditFen: number;
  readonly totalLoadedFen: number;
  readonly totalEnergyCentiKwh: number;
  /** Meter status bits, see METER_STATUS. */
  readonly status: number;
  /** Unix seconds of the meter's last write-back (0 = never). */
  readonly loadedAt: number;
}

export const METER_STATUS = { relayOpen: 0x0001, lowCredit: 0x0002, tamper: 0x0004, batteryLow: 0x0008 } as const;

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function u32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, false);
}
function getU32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, false);
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} out of range: ${v}`);
}

/** Up to 16 decimal digits, packed two per byte, left-aligned, padded with 0xF nibbles. */
export function encodeBcd16(digits: string): Uint8Array {
  if (!/^[0-9]{1,16}$/.test(digits)) throw new RangeError(`not 1–16 digits: ${digits}`);
  const out = new Uint8Array(8).fill(0xff);
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    const byte = i >> 1;
    out[byte] = i % 2 === 0 ? (d << 4) | 0x0f : ((out[byte] as number) & 0xf0) | d;
  }
  return out;
}

export function decodeBcd16(b: Uint8Array): string | null {
  let s = '';
  let ended = false;
  for (let i = 0; i < 16; i++) {
    const byte = b[i >> 1] as number;
    const n = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (n === 0x0f) {
      ended = true;
      continue;
    }
    if (ended || n > 9) return null;
    s += String.fromCharCode(48 + n);
  }
  return s.length > 0 ? s : null;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- identity (blocks 4, 5) ----

export function encodeIdentity(rec: IdentityRecord, keys: CardKeys): [Uint8Array, Uint8Array] {
  if (!Number.isInteger(rec.generation) || rec.generation < 0 || rec.generation > 255) {
    throw new RangeError(`generation out of range: ${rec.generation}`);
  }
  const b4 = new Uint8Array(16);
  b4.set(MAGIC, 0);
  b4[2] = rec.formatVersion;
  b4[3] = rec.generation;
  b4.set(encodeBcd16(rec.accountNo), 4);
  const b5 = new Uint8Array(16);
  b5.set(encodeBcd16(rec.meterNo), 0);
  b5.set(keys.mac(MAC_DOMAIN.identity, concat(b4, b5.subarray(0, 8)), 8), 8);
  return [b4, b5];
}

/** Without keys: is this a GridDesk card at all, and which version? */
export function identityHeader(b4: Uint8Array): { magicOk: boolean; formatVersion: number } {
  return { magicOk: b4[0] === MAGIC[0] && b4[1] === MAGIC[1], formatVersion: b4[2] ?? 0 };
}

export function decodeIdentity(b4: Uint8Array, b5: Uint8Array, keys: CardKeys): Decoded<IdentityRecord> {
  const h = identityHeader(b4);
  if (!h.magicOk) return { ok: false, reason: 'magic' };
  const mac = keys.mac(MAC_DOMAIN.identity, concat(b4, b5.subarray(0, 8)), 8);
  if (!constantTimeEqual(mac, b5.subarray(8, 16))) return { ok: false, reason: 'mac' };
  const accountNo = decodeBcd16(b4.subarray(4, 12));
  const meterNo = decodeBcd16(b5.subarray(0, 8));
  if (accountNo === null || meterNo === null) return { ok: false, reason: 'bcd' };
  return { ok: true, value: { formatVersion: h.formatVersion, generation: b4[3] as number, accountNo, meterNo } };
}

// ---- purchase (blocks 8, 9; backup 12, 13) ----

export function encodePurchase(rec: PurchaseRecord, keys: CardKeys): [Uint8Array, Uint8Array] {
  checkU32('counter', rec.counter);
  checkU32('amountFen', rec.amountFen);
  checkU32('energyCentiKwh', rec.energyCentiKwh);
  if (rec.tag.length !== 8) throw new RangeError('tag must be 8 bytes');
  const b8 = new Uint8Array(16);
  u32(b8, 0, rec.counter);
  u32(b8, 4, rec.amountFen);
  u32(b8, 8, rec.energyCentiKwh);
  const b9 = new Uint8Array(16);
  b9.set(rec.tag, 0);
  b9.set(keys.mac(MAC_DOMAIN.purchase, concat(b8, rec.tag), 8), 8);
  return [b8, b9];
}

export function decodePurchase(b8: Uint8Array, b9: Uint8Array, keys: CardKeys): Decoded<PurchaseRecord> {
  const tag = b9.slice(0, 8);
  const mac = keys.mac(MAC_DOMAIN.purchase, concat(b8, tag), 8);
  if (!constantTimeEqual(mac, b9.subarray(8, 16))) return { ok: false, reason: 'mac' };
  return {
    ok: true,
    value: { counter: getU32(b8, 0), amountFen: getU32(b8, 4), energyCentiKwh: getU32(b8, 8), tag },
  };
}

// ---- write-in-progress mark (block 10) ----

export function encodeMark(rec: MarkRecord, keys: CardKeys): Uint8Array {
  checkU32('counterBefore', rec.counterBefore);
  checkU32('counterAfter', rec.counterAfter);
  const b = new Uint8Array(16);
  b[0] = rec.writeInProgress ? 1 : 0;
  u32(b, 1, rec.counterBefore);
  u32(b, 5, rec.counterAfter);
  b.set(keys.mac(MAC_DOMAIN.mark, b.subarray(0, 12), 4), 12);
  return b;
}

export function decodeMark(b: Uint8Array, keys: CardKeys): Decoded<MarkRecord> {
  const mac = keys.mac(MAC_DOMAIN.mark, b.subarray(0, 12), 4);
  if (!constantTimeEqual(mac, b.subarray(12, 16))) return { ok: false, reason: 'mac' };
  if (b[0] !== 0 && b[0] !== 1) return { ok: false, reason: 'state' };
  return { ok: true, value: { writeInProgress: b[0] === 1, counterBefore: getU32(b, 1), counterAfter: getU32(b, 5) } };
}

// ---- meter write-back (blocks 16, 17) ----

export function encodeWriteBack(rec: WriteBackRecord, keys: CardKeys): [Uint8Array, Uint8Array] {
  checkU32('lastLoadedCounter', rec.lastLoadedCounter);
  checkU32('totalLoadedFen', rec.totalLoadedFen);
  checkU32('totalEnergyCentiKwh', rec.totalEnergyCentiKwh);
  checkU32('loadedAt', rec.loadedAt);
  if (!Number.isInteger(rec.remainingCreditFen) || Math.abs(rec.remainingCreditFen) > 0x7fffffff) {
    throw new RangeError(`remainingCreditFen out of range: ${rec.remainingCreditFen}`);
  }
  const b16 = new Uint8Array(16);
  const v = new DataView(b16.buffer);
  v.setUint32(0, rec.lastLoadedCounter, false);
  v.setInt32(4, rec.remainingCreditFen, false);
  v.setUint32(8, rec.totalLoadedFen, false);
  v.setUint32(12, rec.totalEnergyCentiKwh, false);
  const b17 = new Uint8Array(16);
  const w = new DataView(b17.buffer);
  w.setUint16(0, rec.status & 0xffff, false);
  w.setUint32(2, rec.loadedAt, false);
  b17.set(keys.mac(MAC_DOMAIN.writeBack, concat(b16, b17.subarray(0, 8)), 8), 8);
  return [b16, b17];
}

export function decodeWriteBack(b16: Uint8Array, b17: Uint8Array, keys: CardKeys): Decoded<WriteBackRecord> {
  const mac = keys.mac(MAC_DOMAIN.writeBack, concat(b16, b17.subarray(0, 8)), 8);
  if (!constantTimeEqual(mac, b17.subarray(8, 16))) return { ok: false, reason: 'mac' };
  const v = new DataView(b16.buffer, b16.byteOffset, 16);
  const w = new DataView(b17.buffer, b17.byteOffset, 16);
  return {
    ok: true,
    value: {
      lastLoadedCounter: v.getUint32(0, false),
      remainingCreditFen: v.getInt32(4, false),
      totalLoadedFen: v.getUint32(8, false),
      totalEnergyCentiKwh: v.getUint32(12, false),
      status: w.getUint16(0, false),
      loadedAt: w.getUint32(2, false),
    },
  };
}

export const ZERO_TAG: Uint8Array = new Uint8Array(8);

export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}
