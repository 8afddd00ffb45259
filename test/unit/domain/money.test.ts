import { describe, expect, it } from 'vitest';
import { fenToYuanText, formatFen, MAX_AMOUNT_FEN, parseYuan, roundHalfUpFen } from '../../../main/domain/money.js';

describe('parseYuan', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.01', 1],
    ['.5', 50],
    ['¥1,234.56', 123456],
    ['  88.80 ', 8880],
    ['12.500', 1250],
    ['0007.10', 710],
    ['10000000', MAX_AMOUNT_FEN],
  ])('%s → %i fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen });
  });

  it.each([
    ['', 'not_numeric'],
    ['abc', 'not_numeric'],
    ['1e3', 'not_numeric'],
    ['12..5', 'not_numeric'],
    ['.', 'not_numeric'],
    ['-', 'not_numeric'],
    ['0', 'not_positive'],
    ['0.00', 'not_positive'],
    ['-5', 'not_positive'],
    ['12.345', 'too_many_decimals'],
    ['0.001', 'too_many_decimals'],
    ['10000000.01', 'too_large'],
    ['12345678901234567890', 'too_large'],
    ['99999999999999999999.99', 'too_large'],
  ])('%j is refused as %s', (text, reason) => {
    expect(parseYuan(text)).toEqual({ ok: false, reason });
  });

  it('is exact where floats are not: 0.1 + 0.2 style amounts', () => {
    expect(parseYuan('0.29')).toEqual({ ok: true, fen: 29 });
    expect(parseYuan('1.15')).toEqual({ ok: true, fen: 115 });
    expect(parseYuan('4.35')).toEqual({ ok: true, fen: 435 });
  });
});

describe('formatFen', () => {
  it('groups thousands and always shows two decimals', () => {
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(-1250)).toBe('-¥12.50');
    expect(fenToYuanText(100000001)).toBe('1000000.01');
  });
  it('refuses non-integer money', () => {
    expect(() => formatFen(1.5)).toThrow(RangeError);
  });
});

describe('roundHalfUpFen', () => {
  it('rounds half up, symmetric for negatives', () => {
    expect(roundHalfUpFen(5n, 10n)).toBe(1);
    expect(roundHalfUpFen(4n, 10n)).toBe(0);
    expect(roundHalfUpFen(15n, 10n)).toBe(2);
    expect(roundHalfUpFen(-15n, 10n)).toBe(-2);
    expect(roundHalfUpFen(1n, 3n)).toBe(0);
    expect(roundHalfUpFen(2n, 3n)).toBe(1);
  });
});
