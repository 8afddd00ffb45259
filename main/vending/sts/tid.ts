import { StsError } from './sts-error.js';

/** The two STS base dates: the original one, and the one meters moved to for the 2024 TID rollover. */
export const BASE_DATES = ['1993-01-01', '2014-01-01'] as const;
export type BaseDate = (typeof BASE_DATES)[number];

/** A TID is 24 bits: 2^24 − 1 minutes ≈ 31.9 years after the base date. */
export const TID_MAX = 0xffffff;

const BASE_MS: Readonly<Record<BaseDate, number>> = {
  '1993-01-01': Date.UTC(1993, 0, 1),
  '2014-01-01': Date.UTC(2014, 0, 1),
};

export function isBaseDate(value: unknown): value is BaseDate {
  return typeof value === 'string' && (BASE_DATES as readonly string[]).includes(value);
}

/**
 * Whole minutes (UTC) since the meter's base date. A moment before the base date, or one that
 * no longer fits in 24 bits (for 1993 meters: from 2024-11-24 20:16 UTC), is rejected rather
 * than wrapped: a wrapped TID would look "old" to the meter and be refused.
 */
export function tidFromDate(at: Date, baseDate: BaseDate): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new StsError('vending.tid_out_of_range', { reason: 'invalid_date' });
  const minutes = Math.floor((ms - BASE_MS[baseDate]) / 60_000);
  if (minutes < 0 || minutes > TID_MAX) {
    throw new StsError('vending.tid_out_of_range', { baseDate, minutes });
  }
  return minutes;
}

/** The UTC moment a TID stands for. */
export function dateFromTid(tid: number, baseDate: BaseDate): Date {
  assertTid(tid);
  return new Date(BASE_MS[baseDate] + tid * 60_000);
}

export function assertTid(tid: number): void {
  if (!Number.isInteger(tid) || tid < 0 || tid > TID_MAX) {
    throw new StsError('vending.tid_out_of_range', { tid: String(tid) });
  }
}
