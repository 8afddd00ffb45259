import { describe, expect, it } from 'vitest';
import {
  displayWidth,
  layoutReceipt,
  layoutReceiptText,
  sanitizeText,
  wrapText,
  type Receipt,
} from '../../../kiosk-drivers/printer/receipt-model.js';

describe('displayWidth', () => {
  it('counts ASCII as 1 column and every multi-byte GB18030 character (CJK, ¥, ￥) as 2', () => {
    expect(displayWidth('abc 12.50')).toBe(9);
    expect(displayWidth('电费收据')).toBe(8);
    expect(displayWidth('¥12.50')).toBe(7);
    expect(displayWidth('￥1')).toBe(3);
    expect(displayWidth('')).toBe(0);
  });
});

describe('sanitizeText', () => {
  it('replaces control codes so text cannot inject printer commands', () => {
    expect(sanitizeText('张三\x1bd\x09x\x1d\x56\x00')).toBe('张三?d x?V?');
    expect(sanitizeText('a\u0085b\u007f')).toBe('a?b?');
    expect(sanitizeText('\ud800x')).toBe('?x');
  });
});

describe('wrapText', () => {
  it('breaks ASCII at spaces and CJK anywhere, within the width', () => {
    expect(wrapText('hello world foo', 11)).toEqual(['hello world', 'foo']);
    expect(wrapText('电费收据电费', 8)).toEqual(['电费收据', '电费']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('', 10)).toEqual(['']);
    expect(wrapText('ab 电费收据', 6)).toEqual(['ab 电', '费收据']);
  });
  it('never exceeds the width', () => {
    const s = '国网 State Grid 电力公司 customer service hotline 95598 营业厅';
    for (let w = 2; w < 30; w++) for (const line of wrapText(s, w)) expect(displayWidth(line)).toBeLessThanOrEqual(w);
  });
});

describe('layoutReceiptText', () => {
  const receipt: Receipt = {
    columns: 20,
    lines: [
      { kind: 'text', text: '电费收据', align: 'center', size: 2, bold: true },
      { kind: 'text', text: 'right', align: 'right' },
      { kind: 'pair', left: '金额', right: '¥12.50' },
      { kind: 'rule' },
      { kind: 'qr', data: 'https://e.invoice/abc' },
      { kind: 'barcode', data: 'PAY-001' },
      { kind: 'feed', lines: 2 },
      { kind: 'text', text: 'line one\nline two' },
    ],
  };
  it('renders alignment, double width, justified pairs, rules, graphics markers and feeds', () => {
    expect(layoutReceiptText(receipt)).toEqual([
      '  电费收据', // 8 columns doubled = 16 of 20 → pad 2
      '               right',
      '金额' + ' '.repeat(9) + '¥12.50', // 4 + 9 + 7 = 20 columns
      '--------------------',
      '[QR] https://e.invoice/abc',
      '[CODE128] PAY-001',
      '',
      '',
      'line one',
      'line two',
    ]);
  });
  it('defaults to 48 columns', () => {
    expect(layoutReceiptText({ lines: [{ kind: 'rule' }] })).toEqual(['-'.repeat(48)]);
  });
  it('puts a pair that does not fit on two lines, the right part flush right', () => {
    expect(layoutReceiptText({ columns: 10, lines: [{ kind: 'pair', left: '户名张三丰', right: 'ABC' }] })).toEqual([
      '户名张三丰',
      '       ABC',
    ]);
  });
  it('wraps double-size text at half the columns', () => {
    const lines = layoutReceipt({ columns: 10, lines: [{ kind: 'text', text: 'abcdefgh', size: 2 }] });
    expect(lines).toEqual([
      { kind: 'text', text: 'abcde', align: 'left', bold: false, size: 2 },
      { kind: 'text', text: 'fgh', align: 'left', bold: false, size: 2 },
    ]);
  });
  it('clamps feed line counts and drops empty feeds', () => {
    expect(layoutReceipt({ lines: [{ kind: 'feed', lines: 0 }, { kind: 'feed', lines: -3 }, { kind: 'feed', lines: 1e9 }] })).toEqual([
      { kind: 'feed', lines: 255 },
    ]);
  });
});
