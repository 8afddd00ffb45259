/**
 * Calendar dates as 'YYYY-MM-DD' strings in the terminal's zone. Arithmetic is done on whole UTC
 * days (days since 1970-01-01), so no daylight-saving shift or local midnight can move a date.
 */
import { TariffError } from './error-codes.js';

/** A validated 'YYYY-MM-DD' date. */
export type CivilDate = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export interface CivilDateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Parts of a real calendar date, or null ('2024-02-30' and '2024-2-3' are not dates). */
export function parseCivilDate(text: string): CivilDateParts | null {
  const m = DATE_PATTERN.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear undoes that.
  probe.setUTCFullYear(year);
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function isCivilDate(text: unknown): text is CivilDate {
  return typeof text === 'string' && parseCivilDate(text) !== null;
}

export function requireCivilDate(text: unknown, field: string): CivilDateParts {
  const parts = typeof text === 'string' ? parseCivilDate(text) : null;
  if (parts === null) throw new TariffError('tariff.date_invalid', { field, value: String(text) });
  return parts;
}

/** Whole days since 1970-01-01 (negative before). */
export function epochDay(parts: CivilDateParts): number {
  const d = new Date(0);
  d.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

export function fromEpochDay(day: number): CivilDate {
  const d = new Date(day * MS_PER_DAY);
  const y = d.getUTCFullYear().toString().padStart(4, '0');
  const m = (d.getUTCMonth() + 1).toString().padStart(2, '0');
  const dd = d.getUTCDate().toString().padStart(2, '0');
  return `${y}-${m}-${dd}`;
}
