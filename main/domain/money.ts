/**
 * Money is an integer number of fen everywhere. Input from people arrives as yuan text and is
 * parsed here, exactly, without ever passing through a float.
 */

/** Largest single amount the terminal accepts: ¥10,000,000.00. Far above any counter payment,
 * far below Number.MAX_SAFE_INTEGER, so sums of many payments stay exact. */
export const MAX_AMOUNT_FEN = 1_000_000_000;

export type MoneyParseError = 'not_numeric' | 'not_positive' | 'too_many_decimals' | 'too_large';

export type MoneyParseResult =
  | { readonly ok: true; readonly fen: number }
  | { readonly ok: false; readonly reason: MoneyParseError };

const YUAN_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Parse yuan text typed by a person ("12", "12.5", "12.50", "¥1,234.56") into fen. */
export function parseYuan(text: string): MoneyParseResult {
  const cleaned = text.trim().replace(/^[¥￥]/, '').replace(/,/g, '').trim();
  const m = YUAN_PATTERN.exec(cleaned);
  if (!m || cleaned === '' || cleaned === '.' || /^[+-]\.?$/.test(cleaned)) return { ok: false, reason: 'not_numeric' };
  const sign = m[1] ?? '';
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  const frac = m[3] ?? '';
  if (whole === '' && frac === '') return { ok: false, reason: 'not_numeric' };
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) return { ok: false, reason: 'too_many_decimals' };
  // Length check before Number(): a 20-digit amount must not round silently.
  if (whole.length > 8) return { ok: false, reason: 'too_large' };
  const fen = Number(whole || '0') * 100 + Number((frac + '00').slice(0, 2));
  if (sign === '-' || fen === 0) return { ok: false, reason: 'not_positive' };
  if (fen > MAX_AMOUNT_FEN) return { ok: false, reason: 'too_large' };
  return { ok: true, fen };
}


/**
 * ¥1,234.56 — one format for zh-CN and en alike (the hall's customers read the yuan sign either
 * way), so screens and receipts in both languages show the same figures. Negative: -¥12.50.
 */
export function formatFen(fen: number): string {
  assertFen(fen);
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100).toString().padStart(2, '0');
  return `${neg ? '-' : ''}¥${yuan}.${cents}`;
}

/** Plain decimal yuan without symbol or grouping, e.g. for input fields: 1234.56 */
export function fenToYuanText(fen: number): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}

export function assertFen(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`money must be an integer number of fen, got ${fen}`);
}

/** Round a rational amount of fen (numerator/denominator) half up to the fen — the one rounding rule for money. */
export function roundHalfUpFen(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const neg = numerator < 0n;
  const abs = neg ? -numerator : numerator;
  const q = (abs * 2n + denominator) / (denominator * 2n);
  return Number(neg ? -q : q);
}
