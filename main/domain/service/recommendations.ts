/**
 * Recommendations from the customer's own record: what the last 12 months would have cost on the
 * time-of-use tariff against their present tiered tariff (both from resources/tariffs), a prepaid
 * meter for frequent late payers, e-billing and auto-pay for frequent counter payers, and a tip
 * for the season. Money in fen, energy in 0.01 kWh. Pure.
 *
 * The terminal knows monthly totals, not hourly readings, so the split of a month over the TOU
 * periods is the TOU tariff's configured residential load profile (its `load_share`); the saving
 * then comes from the customer's own months — above all those that reach the upper tiers.
 */
import type { Tariff } from '../tariff/index.js';

/** centifen × 0.01 kWh → fen, half up (one bill per month is rounded once). */
function fenOf(centifenCkwh: number): number {
  return Math.floor((centifenCkwh + 5_000) / 10_000);
}

function monthlyFixedFen(t: Tariff): number {
  return t.fixedCharges.filter((c) => c.per === 'month').reduce((s, c) => s + c.amountFen, 0);
}

/** One month's bill on a tiered tariff with monthly blocks (consumption in 0.01 kWh). */
export function tieredMonthFen(t: Tariff, ckwh: number): number {
  if (t.pricing.kind !== 'tiered') throw new Error(`${t.id} is not tiered`);
  let left = ckwh;
  let floor = 0;
  let cost = 0;
  for (const b of t.pricing.blocks) {
    const cap = b.upToKwh === null ? Infinity : b.upToKwh * 100 - floor;
    const part = Math.min(left, cap);
    cost += part * b.centifenPerKwh;
    left -= part;
    if (b.upToKwh !== null) floor = b.upToKwh * 100;
    if (left <= 0) break;
  }
  return fenOf(cost) + monthlyFixedFen(t);
}

/** One month's bill on a TOU tariff, the month split by the tariff's load profile. */
export function touMonthFen(t: Tariff, ckwh: number): number {
  if (t.pricing.kind !== 'tou' || t.pricing.vendPrice.rule !== 'load_share') throw new Error(`${t.id} is not a TOU tariff with a load profile`);
  const shares = t.pricing.vendPrice.sharesPercent;
  let weighted = 0;
  for (const p of t.pricing.periods) weighted += (shares[p.id] ?? 0) * p.centifenPerKwh;
  // weighted is centifen/kWh × 100 (percent): one more /100.
  return Math.floor((ckwh * weighted + 500_000) / 1_000_000) + monthlyFixedFen(t);
}

export interface TouComparison {
  /** The 12 months compared, oldest first (0.01 kWh). */
  readonly monthsCkwh: readonly number[];
  readonly currentFen: number;
  readonly touFen: number;
  /** currentFen − touFen: positive = the TOU tariff would have been cheaper. */
  readonly savingFen: number;
}

/** The last 12 months on both tariffs; null unless all 12 months are known. */
export function compareTou(current: Tariff, tou: Tariff, monthsCkwh: readonly (number | null)[]): TouComparison | null {
  if (monthsCkwh.length !== 12 || monthsCkwh.some((m) => m === null)) return null;
  const months = monthsCkwh as readonly number[];
  const currentFen = months.reduce((s, m) => s + tieredMonthFen(current, m), 0);
  const touFen = months.reduce((s, m) => s + touMonthFen(tou, m), 0);
  return { monthsCkwh: months, currentFen, touFen, savingFen: currentFen - touFen };
}

export type Season = 'summer' | 'winter' | 'mild';

export function seasonOf(month: number, seasons: { readonly summer: readonly number[]; readonly winter: readonly number[] }): Season {
  if (seasons.summer.includes(month)) return 'summer';
  if (seasons.winter.includes(month)) return 'winter';
  return 'mild';
}
