/** Shared test helpers: the shipped configs, a seeded PRNG, and an independent cost oracle. */
import { join } from 'node:path';
import { loadTariffDirectory, loadVendRules } from '../../../main/loaders/tariff-config.js';
import type { PriceLadder } from '../../../main/domain/tariff/price-ladder.js';
import type { Tariff, VendRules } from '../../../main/domain/tariff/tariff-schema.js';
export { mulberry32 as seededRandom } from '../../support/prng.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const TARIFF_DIR = join(REPO_ROOT, 'resources', 'tariffs');
export const VEND_RULES_PATH = join(REPO_ROOT, 'resources', 'rules', 'vend.json');

export const catalog = loadTariffDirectory(TARIFF_DIR);
export const vendRules: VendRules = loadVendRules(VEND_RULES_PATH);

export function tariff(id: string): Tariff {
  const t = catalog.get(id);
  if (!t) throw new Error(`no tariff ${id} in resources/tariffs`);
  return t;
}


export function randomInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/**
 * Exact cost of `energy` ckwh bought from position `from`, in 1/10 000 fen, computed as the
 * overlap of [from, from + energy) with each block — independently of the implementation's walk.
 */
export function oracleCostUnits(ladder: PriceLadder, from: number, energy: number): bigint {
  let sum = 0n;
  for (const b of ladder.blocks) {
    const lo = Math.max(from, b.startCkwh);
    const hi = Math.min(from + energy, b.endCkwh ?? Number.POSITIVE_INFINITY);
    if (hi > lo) sum += BigInt(hi - lo) * BigInt(b.centifenPerKwh);
  }
  return sum;
}

/** Largest multiple of `step` whose exact cost fits in `moneyFen` (rounding down), by bisection. */
export function oracleEnergyDown(ladder: PriceLadder, from: number, moneyFen: number, step: number): number {
  const budget = BigInt(moneyFen) * 10_000n;
  let lo = 0;
  let hi = 1;
  while (oracleCostUnits(ladder, from, hi * step) <= budget) hi *= 2;
  while (lo < hi - 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (oracleCostUnits(ladder, from, mid * step) <= budget) lo = mid;
    else hi = mid;
  }
  return lo * step;
}
