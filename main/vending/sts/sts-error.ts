import { AppError, type ErrorDetails } from '../../contract/errors/index.js';
import type { VendingErrorCode } from '../../contract/errors/vending.js';

/**
 * An expected STS failure (bad token digits, amount overflow, malformed key...). Carries a
 * vending code so the help desk UI can translate it; details never contain key material.
 */
export class StsError extends AppError {
  declare readonly code: VendingErrorCode;
  constructor(code: VendingErrorCode, details: ErrorDetails = {}) {
    super(code, details, `${code}${formatDetails(details)}`);
    this.name = 'StsError';
  }
}

export function isStsError(value: unknown): value is StsError {
  return value instanceof StsError;
}

function formatDetails(details: ErrorDetails): string {
  const entries = Object.entries(details);
  if (entries.length === 0) return '';
  return ` (${entries.map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
}
