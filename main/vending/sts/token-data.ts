import { decodeAmount, encodeAmount } from './amount.js';
import type { Block64 } from './block64.js';
import { stsCrc } from './crc16.js';
import { StsError } from './sts-error.js';
import { assertTid } from './tid.js';

/**
 * Plain 64-bit token data blocks (IEC 62055-41 §6.2), bits numbered from 0 = LSB. Each block
 * ends in a CRC-16 over the token class and the block's top 48 bits.
 */

export const TOKEN_CLASS = { credit: 0, meterTest: 1, management: 2, reserved: 3 } as const;

/** Class 0 subclasses. */
export const CREDIT_SUBCLASS = { electricity: 0, water: 1, gas: 2, time: 3 } as const;
export type CreditSubclassName = keyof typeof CREDIT_SUBCLASS;

/** Class 2 subclasses implemented here (others decode as raw payloads). */
export const MANAGEMENT_SUBCLASS = {
  setMaximumPowerLimit: 0,
  clearCredit: 1,
  setTariffRate: 2,
  keyChange1stSection: 3,
  keyChange2ndSection: 4,
  clearTamper: 5,
  setMaximumPhasePowerUnbalanceLimit: 6,
} as const;

/** ClearCredit register value meaning "all credit registers". */
export const CLEAR_ALL_REGISTERS = 0xffff;

/**
 * The common layout of class 0 and of class 2 "register" tokens:
 * 63..60 subclass · 59..56 RND · 55..32 TID · 31..16 16-bit field · 15..0 CRC.
 */
export interface RegisterFields {
  readonly subclass: number;
  readonly rnd: number;
  readonly tid: number;
  /** The raw 16-bit field: an encoded amount, a register number, or padding. */
  readonly field: number;
}

function assertNibble(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 15) throw new StsError('vending.token_field_invalid', { field: name, value: String(v) });
}

function assertUint(name: string, v: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    throw new StsError('vending.token_field_invalid', { field: name, value: String(v) });
  }
}

/** Appends the CRC to a block whose bits 63..16 are filled in. */
function withCrc(tokenClass: number, hi: number, lo16: number): Block64 {
  return { hi: hi >>> 0, lo: ((lo16 << 16) | stsCrc(tokenClass, hi >>> 0, lo16)) >>> 0 };
}

export function buildRegisterBlock(tokenClass: number, f: RegisterFields): Block64 {
  assertNibble('subclass', f.subclass);
  assertNibble('rnd', f.rnd);
  assertTid(f.tid);
  assertUint('field', f.field, 16);
  const hi = (f.subclass << 28) | (f.rnd << 24) | f.tid;
  return withCrc(tokenClass, hi, f.field);
}

/** Class 0 credit block; `amountTenths` in 0.1 of the subclass's unit, encoded with round-up. */
export function buildCreditBlock(f: { subclass: number; rnd: number; tid: number; amountTenths: number }): Block64 {
  return buildRegisterBlock(TOKEN_CLASS.credit, { subclass: f.subclass, rnd: f.rnd, tid: f.tid, field: encodeAmount(f.amountTenths) });
}

/** Fields of a Set1stSectionDecoderKey token (class 2, subclass 3). */
export interface KeyChange1stFields {
  /** Key expiry number, high nibble (KENHO). 0xF with KENLO 0xF = never expires. */
  readonly kenho: number;
  /** The NEW key revision number. */
  readonly krn: number;
  /** Rollover bit: 1 tells the meter to clear its TID memory (base-date change). */
  readonly ro: 0 | 1;
  /** The NEW key type 0..3. */
  readonly keyType: number;
  /** High 32 bits of the new decoder key (NKHO). */
  readonly nkho: number;
}

/** Fields of a Set2ndSectionDecoderKey token (class 2, subclass 4). */
export interface KeyChange2ndFields {
  /** Key expiry number, low nibble (KENLO). */
  readonly kenlo: number;
  /** The NEW tariff index as a binary number 0..99 (not BCD as in DKGA02's CONTROLBlock). */
  readonly ti: number;
  /** Low 32 bits of the new decoder key (NKLO). */
  readonly nklo: number;
}

/** 63..60 subclass 3 · 59..56 KENHO · 55..52 KRN · 51 RO · 50 reserved 0 · 49..48 KT · 47..16 NKHO · CRC. */
export function buildKeyChange1stBlock(f: KeyChange1stFields): Block64 {
  assertNibble('kenho', f.kenho);
  assertNibble('krn', f.krn);
  assertUint('ro', f.ro, 1);
  assertUint('keyType', f.keyType, 2);
  assertUint('nkho', f.nkho, 32);
  const hi = (MANAGEMENT_SUBCLASS.keyChange1stSection << 28) | (f.kenho << 24) | (f.krn << 20) | (f.ro << 19) | (f.keyType << 16) | (f.nkho >>> 16);
  return withCrc(TOKEN_CLASS.management, hi, f.nkho & 0xffff);
}

/** 63..60 subclass 4 · 59..56 KENLO · 55..48 TI · 47..16 NKLO · CRC. */
export function buildKeyChange2ndBlock(f: KeyChange2ndFields): Block64 {
  assertNibble('kenlo', f.kenlo);
  assertUint('ti', f.ti, 8);
  assertUint('nklo', f.nklo, 32);
  const hi = (MANAGEMENT_SUBCLASS.keyChange2ndSection << 28) | (f.kenlo << 24) | (f.ti << 16) | (f.nklo >>> 16);
  return withCrc(TOKEN_CLASS.management, hi, f.nklo & 0xffff);
}

/** What a decrypted block says, by layout. */
export type TokenPayload =
  | { readonly kind: 'credit'; readonly rnd: number; readonly tid: number; readonly amountField: number; readonly amountTenths: number }
  | {
      readonly kind: 'management';
      readonly rnd: number;
      readonly tid: number;
      readonly field: number;
      /** For power limits: the field decoded like an amount, in watts. */
      readonly watts?: number;
    }
  | ({ readonly kind: 'key_change_1st' } & KeyChange1stFields)
  | ({ readonly kind: 'key_change_2nd' } & KeyChange2ndFields)
  | { readonly kind: 'other'; readonly payloadHex: string };

export interface ParsedBlock {
  readonly subclass: number;
  readonly crcOk: boolean;
  readonly payload: TokenPayload;
}

export function blockCrcOk(tokenClass: number, block: Block64): boolean {
  return stsCrc(tokenClass, block.hi >>> 0, block.lo >>> 16) === (block.lo & 0xffff);
}

/** Splits a plain block into fields by class and subclass. Never throws. */
export function parseBlock(tokenClass: number, block: Block64): ParsedBlock {
  const hi = block.hi >>> 0;
  const lo = block.lo >>> 0;
  const subclass = hi >>> 28;
  const crcOk = blockCrcOk(tokenClass, block);
  const rnd = (hi >>> 24) & 0xf;
  const tid = hi & 0xffffff;
  const field = lo >>> 16;
  let payload: TokenPayload;
  if (tokenClass === TOKEN_CLASS.credit) {
    payload = { kind: 'credit', rnd, tid, amountField: field, amountTenths: decodeAmount(field) };
  } else if (tokenClass === TOKEN_CLASS.management && subclass === MANAGEMENT_SUBCLASS.keyChange1stSection) {
    payload = {
      kind: 'key_change_1st',
      kenho: rnd,
      krn: (hi >>> 20) & 0xf,
      ro: ((hi >>> 19) & 1) as 0 | 1,
      keyType: (hi >>> 16) & 3,
      nkho: (((hi & 0xffff) << 16) | field) >>> 0,
    };
  } else if (tokenClass === TOKEN_CLASS.management && subclass === MANAGEMENT_SUBCLASS.keyChange2ndSection) {
    payload = { kind: 'key_change_2nd', kenlo: rnd, ti: (hi >>> 16) & 0xff, nklo: (((hi & 0xffff) << 16) | field) >>> 0 };
  } else if (tokenClass === TOKEN_CLASS.management && subclass <= MANAGEMENT_SUBCLASS.setMaximumPhasePowerUnbalanceLimit) {
    const isPower =
      subclass === MANAGEMENT_SUBCLASS.setMaximumPowerLimit || subclass === MANAGEMENT_SUBCLASS.setMaximumPhasePowerUnbalanceLimit;
    payload = isPower ? { kind: 'management', rnd, tid, field, watts: decodeAmount(field) } : { kind: 'management', rnd, tid, field };
  } else {
    const payloadHex = (hi & 0x0fffffff).toString(16).padStart(7, '0') + field.toString(16).padStart(4, '0');
    payload = { kind: 'other', payloadHex: payloadHex.toUpperCase() };
  }
  return { subclass, crcOk, payload };
}
