import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../main/contract/errors/index.js';
import {
  blockFromHex,
  buildCreditBlock,
  buildRegisterBlock,
  decodeToken,
  encodeAmount,
  explainToken,
  parseEa07Tables,
  parseMeterNumber,
  SAMPLE_TEST_TABLES,
  StsError,
  tenthsFromHundredthsKwh,
  tidFromDate,
  type BaseDate,
} from '../../../../main/vending/sts/index.js';

const dk = blockFromHex('0ABC12DEF3456789');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StsError);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toBeInstanceOf(Error);
    return (e as StsError).code;
  }
  return undefined;
}

describe('bad token input is a typed error', () => {
  it.each([
    ['5104346544342085621', 'vending.token_length'],
    ['510434654434208562130', 'vending.token_length'],
    ['', 'vending.token_length'],
    ['5104 3465 4434 2085 621X', 'vending.token_not_digits'],
    ['51043465443420856213.', 'vending.token_not_digits'],
    ['73786976294838206464', 'vending.token_out_of_range'], // 2^66
    ['99999999999999999999', 'vending.token_out_of_range'],
  ])('%j → %s', (digits, code) => {
    expect(codeOf(() => decodeToken(dk, digits))).toBe(code);
  });

  it('explainToken: no candidates, and CRC failing for every candidate', () => {
    const base: BaseDate = '1993-01-01';
    expect(codeOf(() => explainToken('51043465443420856213', []))).toBe('vending.no_candidates');
    const others = [
      { meterNo: 'A', dk: blockFromHex('1111111111111111'), baseDate: base },
      { meterNo: 'B', dk: blockFromHex('2222222222222222'), baseDate: base },
    ];
    expect(codeOf(() => explainToken('51043465443420856213', others))).toBe('vending.token_crc');
    const err = (() => {
      try {
        explainToken('51043465443420856213', others);
      } catch (e) {
        return e as StsError;
      }
      return undefined;
    })();
    expect(err?.toWire()).toEqual({ code: 'vending.token_crc', i18nKey: 'errors.vending.token_crc', details: { candidates: 2 } });
  });
});

describe('bad field values', () => {
  it('amount', () => {
    expect(codeOf(() => encodeAmount(-1))).toBe('vending.amount_invalid');
    expect(codeOf(() => encodeAmount(1.5))).toBe('vending.amount_invalid');
    expect(codeOf(() => encodeAmount(Number.NaN))).toBe('vending.amount_invalid');
    expect(codeOf(() => encodeAmount(18201625))).toBe('vending.amount_overflow');
    expect(codeOf(() => tenthsFromHundredthsKwh(-5))).toBe('vending.amount_invalid');
    expect(tenthsFromHundredthsKwh(2561)).toBe(257);
    expect(tenthsFromHundredthsKwh(2560)).toBe(256);
  });
  it('TID, subclass, RND, register field', () => {
    expect(codeOf(() => buildCreditBlock({ subclass: 0, rnd: 0, tid: 0x1000000, amountTenths: 1 }))).toBe('vending.tid_out_of_range');
    expect(codeOf(() => buildCreditBlock({ subclass: 0, rnd: 0, tid: -1, amountTenths: 1 }))).toBe('vending.tid_out_of_range');
    expect(codeOf(() => buildCreditBlock({ subclass: 16, rnd: 0, tid: 0, amountTenths: 1 }))).toBe('vending.token_field_invalid');
    expect(codeOf(() => buildCreditBlock({ subclass: 0, rnd: 16, tid: 0, amountTenths: 1 }))).toBe('vending.token_field_invalid');
    expect(codeOf(() => buildRegisterBlock(2, { subclass: 0, rnd: 0, tid: 0, field: 0x10000 }))).toBe('vending.token_field_invalid');
    expect(codeOf(() => tidFromDate(new Date('invalid'), '1993-01-01'))).toBe('vending.tid_out_of_range');
  });
  it('keys', () => {
    expect(codeOf(() => blockFromHex('0ABC12DEF345678'))).toBe('vending.bad_key');
    expect(codeOf(() => blockFromHex('0ABC12DEF345678G'))).toBe('vending.bad_key');
  });
  it('tables: each must be a permutation', () => {
    const good = { s1: [...SAMPLE_TEST_TABLES.s1], s2: [...SAMPLE_TEST_TABLES.s2], p: [...SAMPLE_TEST_TABLES.p] };
    expect(parseEa07Tables(good)).toEqual(good);
    const dupS1 = { ...good, s1: [...good.s1.slice(0, 15), good.s1[0]] };
    const shortS2 = { ...good, s2: good.s2.slice(0, 15) };
    const dupP = { ...good, p: [...good.p.slice(0, 63), good.p[0]] };
    const outOfRangeP = { ...good, p: good.p.map((v) => (v === 63 ? 64 : v)) };
    const fractional = { ...good, s2: good.s2.map((v) => (v === 3 ? 3.5 : v)) };
    expect(codeOf(() => parseEa07Tables(dupS1))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables(shortS2))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables(dupP))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables(outOfRangeP))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables(fractional))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables(null))).toBe('vending.bad_tables');
    expect(codeOf(() => parseEa07Tables({ s1: good.s1, s2: good.s2 }))).toBe('vending.bad_tables');
  });
  it('meter numbers: check digit and format', () => {
    expect(parseMeterNumber('600727000000000009')).toEqual({ iin: '600727', drn: '00000000000' });
    expect(parseMeterNumber('6007 2700 0000 0000 09', 4)).toEqual({ iin: '6007', drn: '2700000000000' });
    expect(codeOf(() => parseMeterNumber('600727000000000008'))).toBe('vending.meter_number_invalid');
    expect(codeOf(() => parseMeterNumber('60072700000000000'))).toBe('vending.meter_number_invalid');
  });
});
