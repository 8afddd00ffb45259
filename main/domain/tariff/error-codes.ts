/**
 * Tariff, vend-split and late-fee error codes. Each has a message under `errors.tariff.*` in
 * resources/locales/<lng>/tariff.json. Expected failures travel as `TariffResult` values; the
 * `TariffError` class is for what the caller cannot branch around (bad configuration, bad
 * stored data) and carries the same codes so the boundary can turn it into a wire error.
 */
export const TARIFF_ERROR_CODES = [
  /** Not a non-negative safe integer number of fen. */
  'tariff.amount_invalid',
  /** Below the configured minimum vend; details: minimumFen, minimumYuan. */
  'tariff.amount_below_minimum',
  /** Above the configured maximum vend; details: maximumFen, maximumYuan. */
  'tariff.amount_above_maximum',
  /** Requested energy is not a positive safe integer multiple of the energy step. */
  'tariff.energy_invalid',
  /** After channel fee and arrears recovery the money does not cover this period's fixed charges. */
  'tariff.charges_exceed_amount',
  /** The result would not fit in a safe integer (absurd amount at an absurd price). */
  'tariff.result_out_of_range',
  /** Consumption so far, arrears or another numeric input is not a valid non-negative integer. */
  'tariff.input_invalid',
  /** A date is not a real calendar date in 'YYYY-MM-DD' form. */
  'tariff.date_invalid',
  /** A tariff or rule file failed its schema; details: detail. */
  'tariff.config_invalid',
] as const;

export type TariffErrorCode = (typeof TARIFF_ERROR_CODES)[number];

/** Same shape as the contract's ErrorDetails, so the boundary can pass details through unchanged. */
export type TariffErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface TariffFailure {
  readonly ok: false;
  readonly code: TariffErrorCode;
  readonly details: TariffErrorDetails;
}

export type TariffResult<T> = { readonly ok: true; readonly value: T } | TariffFailure;

export function tariffOk<T>(value: T): TariffResult<T> {
  return { ok: true, value };
}

export function tariffFail(code: TariffErrorCode, details: TariffErrorDetails = {}): TariffFailure {
  return { ok: false, code, details };
}

export class TariffError extends Error {
  readonly code: TariffErrorCode;
  readonly details: TariffErrorDetails;
  constructor(code: TariffErrorCode, details: TariffErrorDetails = {}, message?: string) {
    super(message ?? `${code}${Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : ''}`);
    this.name = 'TariffError';
    this.code = code;
    this.details = details;
  }
}

/** Unwraps a result where a failure is a bug for this caller (e.g. tests, or pre-validated input). */
export function unwrapTariffResult<T>(result: TariffResult<T>): T {
  if (result.ok) return result.value;
  throw new TariffError(result.code, result.details);
}
