/**
 * The recovery-rate arithmetic (电费回收率), pure and in integers.
 *
 * Recovery rate of a set of bills = principal collected on them ÷ principal billed, on the
 * receivable-period basis: the bills of the chosen months, and what has been collected on them as of
 * now (whenever it was paid). Household rate (户数回收率) = bills fully paid ÷ bills (one bill per
 * account and month). Rates are basis points (1/100 of a per cent), rounded half up once; null when
 * nothing was billed, so an empty month never reads as 0 % or 100 %.
 */

/** The additive figures of one group of bills. Every field adds up across groups. */
export interface RecoveryFigures {
  /** Principal billed, fen. */
  readonly billedFen: number;
  /** Principal collected on those bills so far, fen (≤ billed). */
  readonly collectedFen: number;
  /** Of it, collected by each bill's due date, fen. */
  readonly collectedOnTimeFen: number;
  /** Bills (= households billed that month). */
  readonly bills: number;
  /** Bills fully paid. */
  readonly paidBills: number;
  /** Late fees (违约金) collected on those bills, fen. */
  readonly lateFeeFen: number;
}

/** A cell as the backend sends it: one month × area × customer class × grade. */
export interface RecoveryCell extends RecoveryFigures {
  readonly period: string;
  readonly area: string;
  readonly customerClass: string;
  readonly grade: string;
}

export const RECOVERY_DIMENSIONS = ['period', 'area', 'customerClass', 'grade'] as const;
export type RecoveryDimension = (typeof RECOVERY_DIMENSIONS)[number];

export interface RecoveryRow extends RecoveryFigures {
  /** The group's value of the dimension (a month, an area, a class or a grade). */
  readonly key: string;
  readonly outstandingFen: number;
  readonly rateBp: number | null;
  readonly onTimeRateBp: number | null;
  readonly householdRateBp: number | null;
}

export const ZERO_FIGURES: RecoveryFigures = { billedFen: 0, collectedFen: 0, collectedOnTimeFen: 0, bills: 0, paidBills: 0, lateFeeFen: 0 };

/** numerator ÷ denominator in basis points, rounded half up; null when the denominator is 0. */
export function rateBp(numerator: number, denominator: number): number | null {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator < 0) {
    throw new RangeError(`rate of ${numerator} / ${denominator}: counts must be non-negative integers`);
  }
  if (denominator === 0) return null;
  // BigInt: a year of a million accounts is ~1e12 fen, and ×20,000 would pass 2^53.
  const n = BigInt(numerator) * 20_000n + BigInt(denominator);
  return Number(n / (2n * BigInt(denominator)));
}

export function addFigures(a: RecoveryFigures, b: RecoveryFigures): RecoveryFigures {
  return {
    billedFen: a.billedFen + b.billedFen,
    collectedFen: a.collectedFen + b.collectedFen,
    collectedOnTimeFen: a.collectedOnTimeFen + b.collectedOnTimeFen,
    bills: a.bills + b.bills,
    paidBills: a.paidBills + b.paidBills,
    lateFeeFen: a.lateFeeFen + b.lateFeeFen,
  };
}

export function toRow(key: string, f: RecoveryFigures): RecoveryRow {
  return {
    key,
    billedFen: f.billedFen,
    collectedFen: f.collectedFen,
    collectedOnTimeFen: f.collectedOnTimeFen,
    bills: f.bills,
    paidBills: f.paidBills,
    lateFeeFen: f.lateFeeFen,
    outstandingFen: f.billedFen - f.collectedFen,
    rateBp: rateBp(f.collectedFen, f.billedFen),
    onTimeRateBp: rateBp(f.collectedOnTimeFen, f.billedFen),
    householdRateBp: rateBp(f.paidBills, f.bills),
  };
}

/** The cells summed by one dimension, rows in ascending key order. */
export function groupBy(cells: readonly RecoveryCell[], dimension: RecoveryDimension): RecoveryRow[] {
  const sums = new Map<string, RecoveryFigures>();
  for (const c of cells) {
    const key = c[dimension];
    sums.set(key, addFigures(sums.get(key) ?? ZERO_FIGURES, c));
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, f]) => toRow(key, f));
}

export function total(cells: readonly RecoveryCell[]): RecoveryRow {
  return toRow('total', cells.reduce<RecoveryFigures>((sum, c) => addFigures(sum, c), ZERO_FIGURES));
}
