/** Time-of-use (峰谷) prices: the price of an hour, and the single price a prepaid vend uses. */
import { divHalfUp } from './integer-math.js';
import type { TouPeriod, TouPricing } from './tariff-schema.js';

/** The period an hour (0..23, local time) falls in; the schema guarantees exactly one. */
export function touPeriodAt(pricing: TouPricing, hour: number): TouPeriod {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new RangeError(`hour must be 0..23, got ${hour}`);
  const found = pricing.periods.find((p) => p.hours.some((r) => hour >= r.from && hour < r.to));
  if (!found) throw new Error(`TOU tariff does not cover hour ${hour}`);
  return found;
}

function hoursIn(period: TouPeriod): number {
  return period.hours.reduce((s, r) => s + (r.to - r.from), 0);
}

/** The vend price in centifen per kWh under the tariff's configured vend-price rule. */
export function touVendPrice(pricing: TouPricing): number {
  const rule = pricing.vendPrice;
  switch (rule.rule) {
    case 'fixed':
      return rule.centifenPerKwh;
    case 'hours_weighted': {
      const sum = pricing.periods.reduce((s, p) => s + BigInt(p.centifenPerKwh) * BigInt(hoursIn(p)), 0n);
      return Number(divHalfUp(sum, 24n));
    }
    case 'load_share': {
      const sum = pricing.periods.reduce((s, p) => s + BigInt(p.centifenPerKwh) * BigInt(rule.sharesPercent[p.id] ?? 0), 0n);
      return Number(divHalfUp(sum, 100n));
    }
    default: {
      const exhaustive: never = rule;
      return exhaustive;
    }
  }
}
