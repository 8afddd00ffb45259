/**
 * Sold energy == delivered energy for STS tokens. The tariff rounds energy to 0.1 kWh, but the
 * token's amount field carries 0.1 kWh only up to 1638.3 kWh; above that 1 kWh (to 18021.4), then
 * 10 kWh (from 18022.4), with gaps between the ranges. encodeAmount rounds UP, so a sale of
 * 1700.5 kWh would put 1701 kWh on the meter: energy nobody configured or paid for.
 *
 * Here the sold energy is put on the token's own grid under the tariff's ONE configured rule
 * (down: the largest carried value fully paid for; half up: the next carried value when at least
 * half of the step up is paid for), and the money is recomputed for exactly that energy. The
 * money not spent goes to the balance like any remainder.
 */
import {
  consumptionThisPeriod,
  energyToMoney,
  type EnergyRounding,
  type PeriodConsumption,
  type PriceLadder,
  type VendBreakdown,
} from '../../domain/tariff/index.js';
import { isRepresentableTenths, representableTenthsAtOrAbove, representableTenthsAtOrBelow } from '../sts/amount.js';

/** Where the purchase starts on the price ladder (0 for flat/TOU), as previewVend computed it. */
export function ladderPosition(ladder: PriceLadder, consumption: PeriodConsumption | null, asOfDate: string): number {
  return ladder.periodBasis === null ? 0 : consumptionThisPeriod(consumption, asOfDate, ladder.periodBasis);
}

/** Energy typed by the clerk (0.01 kWh, whole 0.1 kWh), lifted to what a token can carry exactly. */
export function tokenEnergyAtOrAbove(energyCkwh: number): number {
  return representableTenthsAtOrAbove(Math.ceil(energyCkwh / 10)) * 10;
}

/**
 * The breakdown with its energy on the token's grid. Unchanged when the tariff's energy is
 * already carried exactly (always up to 1638.3 kWh).
 */
export function alignToTokenGrid(b: VendBreakdown, ladder: PriceLadder, positionCkwh: number, rounding: EnergyRounding): VendBreakdown {
  const tenths = b.energyCkwh / 10;
  if (!Number.isInteger(tenths) || isRepresentableTenths(tenths)) return b;
  const moneyFen = b.energyFen + b.remainderFen;
  const down = representableTenthsAtOrBelow(tenths);
  let sold = down;
  if (rounding === 'energy_round_half_up') {
    const up = representableTenthsAtOrAbove(tenths);
    // Half of the step up paid for → the step is granted (the grid step is 10, 100 or 1000 tenths: the midpoint is whole).
    const mid = (down + up) / 2;
    if (energyToMoney(ladder, positionCkwh, mid * 10, { rounding: 'energy_round_down', energyStepCkwh: 10 }).fen <= moneyFen) sold = up;
  }
  const q = energyToMoney(ladder, positionCkwh, sold * 10, { rounding: 'energy_round_down', energyStepCkwh: 10 });
  const energyFen = Math.min(moneyFen, q.fen);
  // The exact cost is allocated per block by energyToMoney; a half-up step not fully paid for comes off the last block.
  const short = q.fen - energyFen;
  const blocks = q.blocks.map((x, i) => (i === q.blocks.length - 1 ? { ...x, fen: x.fen - short } : x));
  return { ...b, energyCkwh: sold * 10, energyFen, remainderFen: moneyFen - energyFen, blocks, tierAfter: q.tierAfter };
}
