import { AppError, type ErrorCode } from '../contract/index.js';
import { parseYuan, type MoneyParseError } from '../domain/money.js';

const CODES: { readonly [R in MoneyParseError]: ErrorCode } = {
  not_numeric: 'payment.amount_not_numeric',
  not_positive: 'payment.amount_not_positive',
  too_many_decimals: 'payment.amount_too_many_decimals',
  too_large: 'payment.amount_too_large',
};

/** Yuan text from a person → fen, or the AppError whose message says exactly what is wrong. */
export function moneyInput(text: string, field: string): number {
  const parsed = parseYuan(text);
  if (!parsed.ok) throw new AppError(CODES[parsed.reason], { field, input: text.slice(0, 24) });
  return parsed.fen;
}
