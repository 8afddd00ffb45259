/**
 * The verify code printed on a provisional receipt (issue #8 item 4, docs/exceptions.md
 * "Provisional receipts"): a keyed MAC over the terminal, the payment id and its amount, so a code
 * cannot be made up or moved to another payment or amount without the terminal's secret. The
 * backend, which holds each terminal's secret, checks it later.
 *
 * The key is derived from the terminal's request-signing secret (HMAC-SHA256 with a fixed label),
 * so the receipt key and the signing key never coincide. 40 bits of the MAC, in Crockford base32
 * (no I, L, O, U: nothing read wrongly off paper), shown as XXXX-XXXX: short enough to read out on
 * the phone, and a guess is right once in a trillion.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const LABEL = 'griddesk/receipt-verify/v1';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function receiptKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(LABEL).digest();
}

/** The code for (terminal, payment, amount), 'XXXX-XXXX'. */
export function receiptVerifyCode(secret: string, terminalId: string, paymentId: string, amountFen: number): string {
  const mac = createHmac('sha256', receiptKey(secret)).update(JSON.stringify([terminalId, paymentId, amountFen])).digest();
  let bits = 0n;
  for (const byte of mac.subarray(0, 5)) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 7; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** A code as typed: case, spaces and dashes ignored; O read as 0, I and L as 1 (Crockford). */
export function normalizeVerifyCode(typed: string): string {
  const plain = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : plain;
}

/** Whether `typed` is the code for (terminal, payment, amount); compared in constant time. */
export function checkReceiptVerifyCode(secret: string, terminalId: string, paymentId: string, amountFen: number, typed: string): boolean {
  const expected = Buffer.from(receiptVerifyCode(secret, terminalId, paymentId, amountFen));
  const given = Buffer.from(normalizeVerifyCode(typed));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
