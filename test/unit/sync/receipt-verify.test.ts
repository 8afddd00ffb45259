/**
 * The provisional receipt's verify code: fixed for its inputs, different for any other terminal,
 * payment, amount or secret, read forgivingly (case, dashes, O/I/L), and a guess is refused.
 */
import { describe, expect, it } from 'vitest';
import { checkReceiptVerifyCode, normalizeVerifyCode, receiptVerifyCode } from '../../../main/sync/receipt-verify.js';

const S = 'demo-terminal-secret-not-for-production';
const P = '0193c2a4-5f00-7000-8000-000000000001';

describe('receipt verify code', () => {
  it('is 8 Crockford characters, the same for the same inputs, another for anything else', () => {
    const code = receiptVerifyCode(S, 'T-HALL-01', P, 12345);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(receiptVerifyCode(S, 'T-HALL-01', P, 12345)).toBe(code);
    const others = [
      receiptVerifyCode(S, 'T-HALL-02', P, 12345),
      receiptVerifyCode(S, 'T-HALL-01', P.replace(/1$/, '2'), 12345),
      receiptVerifyCode(S, 'T-HALL-01', P, 12346),
      receiptVerifyCode(`${S}x`, 'T-HALL-01', P, 12345),
    ];
    for (const o of others) expect(o).not.toBe(code);
  });

  it('checks as typed and refuses forgeries', () => {
    const code = receiptVerifyCode(S, 'T-HALL-01', P, 12345);
    expect(checkReceiptVerifyCode(S, 'T-HALL-01', P, 12345, code)).toBe(true);
    expect(checkReceiptVerifyCode(S, 'T-HALL-01', P, 12345, ` ${code.toLowerCase().replace('-', ' ')} `)).toBe(true);
    expect(normalizeVerifyCode('o1il-ABCD')).toBe('0111-ABCD');
    expect(checkReceiptVerifyCode(S, 'T-HALL-01', P, 12346, code)).toBe(false);
    expect(checkReceiptVerifyCode(S, 'T-HALL-01', P, 12345, '0000-0000')).toBe(false);
    expect(checkReceiptVerifyCode(S, 'T-HALL-01', P, 12345, '')).toBe(false);
  });
});
