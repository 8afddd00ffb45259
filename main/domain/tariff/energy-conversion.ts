/**
 * Money ↔ energy under a price ladder, exactly.
 *
 * Units: money in fen, energy in 0.01 kWh (ckwh), prices in centifen (0.0001 yuan) per kWh.
 * One ckwh at p centifen/kWh costs p/10 000 fen, so costs are carried exactly as integers of
 * 1/10 000 fen ("cost units": energy_ckwh × price) in BigInt, and rounded only here:
 *
 *  - energy from money follows the tariff's one rounding rule to the energy step (0.01 kWh, or
 *    0.1 kWh for STS): `energy_round_down` grants whole steps fully paid for; `energy_round_half_up`
 *    grants a step at least half paid for;
 *  - the energy's money is its exact cost rounded up to the fen (never more than was offered);
 *    whatever whole fen are left over are returned as `remainderFen`, so
 *    energyFen + remainderFen === the money offered, always;
 *  - the per-block fen are differences of the running cost rounded half up, the last block taking
 *    the rest, so they add up to energyFen exactly.
 */
import { TariffError } from './error-codes.js';
import { divCeil, divHalfUp, minBig, requireSafeNonNegativeInteger, requireSafeNumber } from './integer-math.js';
import { tierPositionAt, type PriceLadder, type TierPosition } from './price-ladder.js';
import type { EnergyRounding } from './tariff-schema.js';

/** Cost units per fen: energy_ckwh × centifen_per_kWh is in 1/10 000 fen. */
const UNITS_PER_FEN = 10_000n;

export const ENERGY_STEPS_CKWH = [1, 10] as const;
/** 1 = 0.01 kWh (storage resolution); 10 = 0.1 kWh (what an STS token can carry). */
export type EnergyStepCkwh = (typeof ENERGY_STEPS_CKWH)[number];

export interface ConversionOptions {
  readonly rounding: EnergyRounding;
  readonly energyStepCkwh: EnergyStepCkwh;
}

export interface EnergyBlockPart {
  readonly tier: number;
  readonly centifenPerKwh: number;
  /** Period consumption position where this part starts / ends (0.01 kWh). */
  readonly fromCkwh: number;
  readonly toCkwh: number;
  readonly energyCkwh: number;
  readonly fen: number;
}

export interface EnergyPurchase {
  readonly moneyFen: number;
  readonly energyCkwh: number;
  /** Money the energy costs (exact cost rounded up to the fen, at most moneyFen). */
  readonly energyFen: number;
  /** Money that buys less than one energy step: goes to the customer's balance. */
  readonly remainderFen: number;
  readonly blocks: readonly EnergyBlockPart[];
  readonly rounding: EnergyRounding;
  readonly energyStepCkwh: EnergyStepCkwh;
  readonly tierBefore: TierPosition;
  readonly tierAfter: TierPosition;
}

export interface EnergyQuote {
  readonly energyCkwh: number;
  /** The least money whose purchase grants at least energyCkwh under the rounding rule. */
  readonly fen: number;
  readonly blocks: readonly EnergyBlockPart[];
  readonly rounding: EnergyRounding;
  readonly energyStepCkwh: EnergyStepCkwh;
  readonly tierBefore: TierPosition;
  readonly tierAfter: TierPosition;
}

interface Segment {
  readonly tier: number;
  readonly start: bigint;
  /** null = open-ended. */
  readonly capacity: bigint | null;
  readonly price: bigint;
  readonly centifenPerKwh: number;
}

function segmentsFrom(ladder: PriceLadder, position: bigint): Segment[] {
  return ladder.blocks.flatMap((b): Segment[] => {
    const end = b.endCkwh === null ? null : BigInt(b.endCkwh);
    if (end !== null && end <= position) return [];
    const start = BigInt(b.startCkwh) > position ? BigInt(b.startCkwh) : position;
    return [{ tier: b.tier, start, capacity: end === null ? null : end - start, price: BigInt(b.centifenPerKwh), centifenPerKwh: b.centifenPerKwh }];
  });
}

/** Exact energy bought by `units` cost units: whole + rem/price ckwh. */
function exactEnergy(segments: readonly Segment[], units: bigint): { whole: bigint; rem: bigint; price: bigint } {
  let whole = 0n;
  let rem = units;
  for (const s of segments) {
    if (s.capacity !== null && rem >= s.capacity * s.price) {
      whole += s.capacity;
      rem -= s.capacity * s.price;
      continue;
    }
    return { whole, rem, price: s.price };
  }
  throw new Error('price ladder has no open last block');
}

/** Twice the exact cost, in cost units, of `halfCkwh` half-hundredths of a kWh from the start. */
function doubledCost(segments: readonly Segment[], halfCkwh: bigint): bigint {
  let left = halfCkwh;
  let sum = 0n;
  for (const s of segments) {
    if (left <= 0n) break;
    const take = s.capacity === null ? left : minBig(left, s.capacity * 2n);
    sum += take * s.price;
    left -= take;
  }
  return sum;
}

/** Per-block parts of `energy` ckwh, their fen allocated so they add up to `totalFen`. */
function blockParts(segments: readonly Segment[], energy: bigint, totalFen: bigint): EnergyBlockPart[] {
  const raw: { seg: Segment; take: bigint; cumUnits: bigint }[] = [];
  let left = energy;
  let cum = 0n;
  for (const s of segments) {
    if (left <= 0n) break;
    const take = s.capacity === null ? left : minBig(left, s.capacity);
    cum += take * s.price;
    raw.push({ seg: s, take, cumUnits: cum });
    left -= take;
  }
  let allocated = 0n;
  return raw.map((r, i) => {
    const last = i === raw.length - 1;
    const upTo = last ? totalFen : minBig(totalFen, divHalfUp(r.cumUnits, UNITS_PER_FEN));
    const fen = upTo - allocated;
    allocated = upTo;
    return {
      tier: r.seg.tier,
      centifenPerKwh: r.seg.centifenPerKwh,
      fromCkwh: requireSafeNumber(r.seg.start, 'fromCkwh'),
      toCkwh: requireSafeNumber(r.seg.start + r.take, 'toCkwh'),
      energyCkwh: requireSafeNumber(r.take, 'energyCkwh'),
      fen: requireSafeNumber(fen, 'fen'),
    };
  });
}

function checkOptions(options: ConversionOptions): bigint {
  if (!(ENERGY_STEPS_CKWH as readonly number[]).includes(options.energyStepCkwh)) {
    throw new TariffError('tariff.input_invalid', { field: 'energyStepCkwh', value: options.energyStepCkwh });
  }
  return BigInt(options.energyStepCkwh);
}

/**
 * The energy `moneyFen` buys from consumption position `consumedCkwh`, walking the blocks.
 * Throws TariffError (`tariff.amount_invalid`, `tariff.input_invalid`, `tariff.result_out_of_range`).
 */
export function moneyToEnergy(ladder: PriceLadder, consumedCkwh: number, moneyFen: number, options: ConversionOptions): EnergyPurchase {
  const money = BigInt(requireSafeNonNegativeInteger(moneyFen, 'tariff.amount_invalid', 'moneyFen'));
  const position = BigInt(requireSafeNonNegativeInteger(consumedCkwh, 'tariff.input_invalid', 'consumedCkwh'));
  const step = checkOptions(options);
  const segments = segmentsFrom(ladder, position);
  const { whole, rem, price } = exactEnergy(segments, money * UNITS_PER_FEN);
  const numerator = whole * price + rem; // exact energy × price
  const energy =
    options.rounding === 'energy_round_down'
      ? (numerator / (price * step)) * step
      : ((numerator * 2n + price * step) / (price * step * 2n)) * step;
  const cost = doubledCost(segments, energy * 2n) / 2n;
  const energyFen = minBig(money, divCeil(cost, UNITS_PER_FEN));
  const energyCkwh = requireSafeNumber(energy, 'energyCkwh');
  const after = requireSafeNumber(position + energy, 'positionAfterCkwh');
  return {
    moneyFen,
    energyCkwh,
    energyFen: Number(energyFen),
    remainderFen: Number(money - energyFen),
    blocks: blockParts(segments, energy, energyFen),
    rounding: options.rounding,
    energyStepCkwh: options.energyStepCkwh,
    tierBefore: tierPositionAt(ladder, consumedCkwh),
    tierAfter: tierPositionAt(ladder, after),
  };
}

/**
 * What `energyCkwh` costs from consumption position `consumedCkwh`: the least money that
 * moneyToEnergy turns into at least that much energy. The energy must be a multiple of the step.
 * Throws TariffError (`tariff.energy_invalid`, `tariff.input_invalid`, `tariff.result_out_of_range`).
 */
export function energyToMoney(ladder: PriceLadder, consumedCkwh: number, energyCkwh: number, options: ConversionOptions): EnergyQuote {
  const energy = BigInt(requireSafeNonNegativeInteger(energyCkwh, 'tariff.energy_invalid', 'energyCkwh'));
  const position = BigInt(requireSafeNonNegativeInteger(consumedCkwh, 'tariff.input_invalid', 'consumedCkwh'));
  const step = checkOptions(options);
  if (energy % step !== 0n) throw new TariffError('tariff.energy_invalid', { field: 'energyCkwh', value: energyCkwh, stepCkwh: options.energyStepCkwh });
  const after = requireSafeNumber(position + energy, 'positionAfterCkwh');
  const segments = segmentsFrom(ladder, position);
  // Down: the whole energy must be paid for. Half up: paying up to half a step short suffices.
  const doubled =
    energy === 0n ? 0n : doubledCost(segments, options.rounding === 'energy_round_down' ? energy * 2n : energy * 2n - step);
  const fen = divCeil(doubled, UNITS_PER_FEN * 2n);
  return {
    energyCkwh,
    fen: requireSafeNumber(fen, 'fen'),
    blocks: blockParts(segments, energy, fen),
    rounding: options.rounding,
    energyStepCkwh: options.energyStepCkwh,
    tierBefore: tierPositionAt(ladder, consumedCkwh),
    tierAfter: tierPositionAt(ladder, after),
  };
}
