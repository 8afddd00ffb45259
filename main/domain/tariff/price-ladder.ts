/**
 * Every tariff, seen from a vend, is a ladder of price blocks over the consumption position in
 * the billing period: a tiered tariff has one block per tier; flat and TOU tariffs have a single
 * open block at their (vend) price. Positions and sizes are in 0.01 kWh.
 */
import type { BillingPeriodBasis, Pricing, Tariff } from './tariff-schema.js';
import { touVendPrice } from './time-of-use.js';

export interface PriceBlock {
  /** 1-based tier number (1 for flat and TOU). */
  readonly tier: number;
  readonly startCkwh: number;
  /** Exclusive end position; null for the open last block. */
  readonly endCkwh: number | null;
  readonly centifenPerKwh: number;
}

export interface PriceLadder {
  readonly kind: Pricing['kind'];
  /** The period tier positions count in; null when the price does not depend on consumption. */
  readonly periodBasis: BillingPeriodBasis | null;
  readonly blocks: readonly PriceBlock[];
}

export function priceLadder(tariff: Tariff): PriceLadder {
  const pricing = tariff.pricing;
  switch (pricing.kind) {
    case 'flat':
      return { kind: 'flat', periodBasis: null, blocks: [{ tier: 1, startCkwh: 0, endCkwh: null, centifenPerKwh: pricing.centifenPerKwh }] };
    case 'tou':
      return { kind: 'tou', periodBasis: null, blocks: [{ tier: 1, startCkwh: 0, endCkwh: null, centifenPerKwh: touVendPrice(pricing) }] };
    case 'tiered': {
      let start = 0;
      const blocks = pricing.blocks.map((b, i): PriceBlock => {
        const end = b.upToKwh === null ? null : b.upToKwh * 100;
        const block = { tier: i + 1, startCkwh: start, endCkwh: end, centifenPerKwh: b.centifenPerKwh };
        start = end ?? start;
        return block;
      });
      return { kind: 'tiered', periodBasis: pricing.period, blocks };
    }
    default: {
      const exhaustive: never = pricing;
      return exhaustive;
    }
  }
}

/** Where a consumption position stands: the block the next 0.01 kWh is priced in. */
export interface TierPosition {
  readonly tier: number;
  readonly tierCount: number;
  readonly centifenPerKwh: number;
  /** Consumption so far in the period, 0.01 kWh. */
  readonly positionCkwh: number;
  /** 0.01 kWh left before the next tier starts; null in the open last block. */
  readonly remainingInTierCkwh: number | null;
}

/** Exactly at a boundary (e.g. 180 kWh consumed) the position is already in the next tier. */
export function tierPositionAt(ladder: PriceLadder, positionCkwh: number): TierPosition {
  const block = ladder.blocks.find((b) => b.endCkwh === null || positionCkwh < b.endCkwh);
  if (!block) throw new Error('price ladder has no open last block');
  return {
    tier: block.tier,
    tierCount: ladder.blocks.length,
    centifenPerKwh: block.centifenPerKwh,
    positionCkwh,
    remainingInTierCkwh: block.endCkwh === null ? null : block.endCkwh - positionCkwh,
  };
}
