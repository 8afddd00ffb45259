import { describe, expect, it } from 'vitest';
import { energyToMoney, moneyToEnergy, type ConversionOptions, type EnergyPurchase } from '../../../main/domain/tariff/energy-conversion.js';
import { TariffError } from '../../../main/domain/tariff/error-codes.js';
import { priceLadder, type PriceLadder } from '../../../main/domain/tariff/price-ladder.js';
import { parseTariff, type EnergyRounding } from '../../../main/domain/tariff/tariff-schema.js';
import { oracleCostUnits, oracleEnergyDown, randomInt, seededRandom, tariff } from './fixtures.js';

const down: ConversionOptions = { rounding: 'energy_round_down', energyStepCkwh: 1 };
const tiered = priceLadder(tariff('RES-TIER-M'));

function flatLadder(centifenPerKwh: number, rounding: EnergyRounding = 'energy_round_down'): PriceLadder {
  return priceLadder(
    parseTariff({ schemaVersion: 1, id: 'T', nameKey: 'tariff.names.t', customerClasses: ['commercial'], energyRounding: rounding, pricing: { kind: 'flat', centifenPerKwh } }),
  );
}

function expectConsistent(p: EnergyPurchase): void {
  expect(p.energyFen + p.remainderFen).toBe(p.moneyFen);
  expect(p.blocks.reduce((s, b) => s + b.energyCkwh, 0)).toBe(p.energyCkwh);
  expect(p.blocks.reduce((s, b) => s + b.fen, 0)).toBe(p.energyFen);
  for (const b of p.blocks) {
    expect(b.fen).toBeGreaterThanOrEqual(0);
    expect(b.toCkwh - b.fromCkwh).toBe(b.energyCkwh);
  }
}

describe('money → energy across the 180 kWh tier boundary (0.56 / 0.61 yuan)', () => {
  it('¥100.80 buys exactly tier 1 and leaves the position in tier 2 with 80 kWh to go', () => {
    const p = moneyToEnergy(tiered, 0, 10_080, down);
    expect(p.energyCkwh).toBe(18_000);
    expect(p.energyFen).toBe(10_080);
    expect(p.remainderFen).toBe(0);
    expect(p.blocks).toEqual([{ tier: 1, centifenPerKwh: 5600, fromCkwh: 0, toCkwh: 18_000, energyCkwh: 18_000, fen: 10_080 }]);
    expect(p.tierAfter).toMatchObject({ tier: 2, remainingInTierCkwh: 8_000, positionCkwh: 18_000 });
    expectConsistent(p);
  });

  it('one fen more buys 0.01 kWh at the tier 2 price (1 fen / 0.0061 fen per 0.01 kWh = 1.6 → 1)', () => {
    const p = moneyToEnergy(tiered, 0, 10_081, down);
    expect(p.energyCkwh).toBe(18_001);
    expect(p.blocks.map((b) => [b.tier, b.energyCkwh, b.fen])).toEqual([
      [1, 18_000, 10_080],
      [2, 1, 1],
    ]);
    expect(p.tierAfter).toMatchObject({ tier: 2, remainingInTierCkwh: 7_999 });
    expectConsistent(p);
  });

  it('one fen less stops 0.02 kWh short of the boundary (10079 / 0.56 = 17998.2)', () => {
    const p = moneyToEnergy(tiered, 0, 10_079, down);
    expect(p.energyCkwh).toBe(17_998);
    expect(p.energyFen).toBe(10_079); // 17998 × 0.56 = 10078.88 → 10079
    expect(p.tierAfter).toMatchObject({ tier: 1, remainingInTierCkwh: 2 });
    expectConsistent(p);
  });

  it('a purchase starting exactly at 180 kWh is priced entirely in tier 2', () => {
    const p = moneyToEnergy(tiered, 18_000, 610, down);
    expect(p.tierBefore).toMatchObject({ tier: 2, remainingInTierCkwh: 8_000 });
    expect(p.energyCkwh).toBe(1_000);
    expect(p.blocks).toHaveLength(1);
  });

  it('splits a purchase from 170 kWh into 10 kWh of tier 1 and the rest in tier 2', () => {
    const p = moneyToEnergy(tiered, 17_000, 2_000, down);
    // 10 kWh × 0.56 = 560 fen; 1440 fen / 0.61 = 2360.6 → 2360 (cost 1439.6)
    expect(p.blocks.map((b) => [b.tier, b.energyCkwh, b.fen])).toEqual([
      [1, 1_000, 560],
      [2, 2_360, 1_440],
    ]);
    expect(p.energyCkwh).toBe(3_360);
    expect(p.tierAfter).toMatchObject({ tier: 2, positionCkwh: 20_360, remainingInTierCkwh: 5_640 });
  });

  it('walks from tier 2 into the open tier 3', () => {
    const p = moneyToEnergy(tiered, 25_000, 10_000, down);
    // 10 kWh × 0.61 = 610; 9390 / 0.86 = 10918.6 → 10918
    expect(p.energyCkwh).toBe(11_918);
    expect(p.tierAfter).toMatchObject({ tier: 3, remainingInTierCkwh: null });
    expectConsistent(p);
  });
});

describe('rounding and remainder', () => {
  it('returns the fen that buy less than one step as remainder (1.50 yuan/kWh: 100 fen → 0.66 kWh, 99 fen)', () => {
    const p = moneyToEnergy(flatLadder(15_000), 0, 100, down);
    expect(p.energyCkwh).toBe(66);
    expect(p.energyFen).toBe(99);
    expect(p.remainderFen).toBe(1);
  });

  it('with the STS step of 0.1 kWh the leftover grows and still goes to remainder', () => {
    const p = moneyToEnergy(flatLadder(6_815), 0, 100, { rounding: 'energy_round_down', energyStepCkwh: 10 });
    // 100 / 0.6815 = 146.7 ckwh → 140; cost 95.41 → 96
    expect(p.energyCkwh).toBe(140);
    expect(p.energyFen).toBe(96);
    expect(p.remainderFen).toBe(4);
  });

  it('half up grants a step at least half paid for and never charges more than offered', () => {
    const ladder = flatLadder(15_000, 'energy_round_half_up');
    const half: ConversionOptions = { rounding: 'energy_round_half_up', energyStepCkwh: 1 };
    // 100 fen / 1.5 fen per 0.01 kWh = 66.67 → 67 (cost 100.5 > 100: energyFen capped at 100)
    const up = moneyToEnergy(ladder, 0, 100, half);
    expect([up.energyCkwh, up.energyFen, up.remainderFen]).toEqual([67, 100, 0]);
    // 98 / 1.5 = 65.33 → 65 (cost 97.5 → 98)
    const keep = moneyToEnergy(ladder, 0, 98, half);
    expect([keep.energyCkwh, keep.energyFen, keep.remainderFen]).toEqual([65, 98, 0]);
    // exactly half a step: 3 fen at 1.2 fen per 0.01 kWh = 2.5 steps → 3 half up, 2 down
    expect(moneyToEnergy(flatLadder(12_000), 0, 3, half).energyCkwh).toBe(3);
    expect(moneyToEnergy(flatLadder(12_000), 0, 3, down).energyCkwh).toBe(2);
  });

  it('zero money buys zero energy', () => {
    const p = moneyToEnergy(tiered, 12_345, 0, down);
    expect([p.energyCkwh, p.energyFen, p.remainderFen, p.blocks.length]).toEqual([0, 0, 0, 0]);
    expect(p.tierAfter).toEqual(p.tierBefore);
  });
});

describe('huge and invalid inputs', () => {
  it('handles Number.MAX_SAFE_INTEGER fen exactly when the energy still fits', () => {
    const money = Number.MAX_SAFE_INTEGER;
    const p = moneyToEnergy(flatLadder(10_000_000), 0, money, down);
    // 1000 yuan/kWh: 1 fen buys 0.001 ckwh, so energy = floor(money / 1000)
    expect(p.energyCkwh).toBe(Math.floor(money / 1000));
    expect(p.energyFen + p.remainderFen).toBe(money);
  });

  it('rejects results beyond Number.MAX_SAFE_INTEGER instead of losing precision', () => {
    const attempt = (): unknown => moneyToEnergy(flatLadder(1), 0, Number.MAX_SAFE_INTEGER, down);
    expect(attempt).toThrow(TariffError);
    expect(attempt).toThrow(/result_out_of_range/);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY])('rejects %s fen as amount_invalid', (money) => {
    expect(() => moneyToEnergy(tiered, 0, money, down)).toThrow(/tariff\.amount_invalid/);
  });

  it('rejects a negative consumption and a step that is not 0.01 or 0.1 kWh', () => {
    expect(() => moneyToEnergy(tiered, -1, 100, down)).toThrow(/tariff\.input_invalid/);
    expect(() => moneyToEnergy(tiered, 0, 100, { rounding: 'energy_round_down', energyStepCkwh: 5 as 1 })).toThrow(/tariff\.input_invalid/);
  });

  it('quotes only whole energy steps', () => {
    expect(() => energyToMoney(tiered, 0, 15, { rounding: 'energy_round_down', energyStepCkwh: 10 })).toThrow(/tariff\.energy_invalid/);
    expect(() => energyToMoney(tiered, 0, -10, down)).toThrow(/tariff\.energy_invalid/);
  });
});

describe('energy → money', () => {
  it('180 kWh from zero costs ¥100.80; 181 kWh adds 0.61', () => {
    expect(energyToMoney(tiered, 0, 18_000, down).fen).toBe(10_080);
    expect(energyToMoney(tiered, 0, 18_100, down).fen).toBe(10_141);
  });

  it('rounds a fractional fen cost up (0.01 kWh at 0.56 yuan costs 1 fen)', () => {
    expect(energyToMoney(tiered, 0, 1, down).fen).toBe(1);
    expect(energyToMoney(tiered, 0, 0, down).fen).toBe(0);
  });

  it('breaks the quote down per tier with fen adding up', () => {
    const q = energyToMoney(tiered, 17_000, 10_000, down);
    // 10 kWh × 0.56 + 80 kWh × 0.61 + 10 kWh × 0.86 = 5.60 + 48.80 + 8.60
    expect(q.blocks.map((b) => [b.tier, b.energyCkwh, b.fen])).toEqual([
      [1, 1_000, 560],
      [2, 8_000, 4_880],
      [3, 1_000, 860],
    ]);
    expect(q.fen).toBe(6_300);
  });
});

function randomLadder(rand: () => number, rounding: EnergyRounding): PriceLadder {
  const blocks = [];
  const n = randomInt(rand, 1, 4);
  let bound = 0;
  for (let i = 0; i < n; i++) {
    bound += randomInt(rand, 1, 300);
    blocks.push({ upToKwh: i === n - 1 ? null : bound, centifenPerKwh: randomInt(rand, 1_000, 20_000) });
  }
  return priceLadder(
    parseTariff({ schemaVersion: 1, id: 'R', nameKey: 'tariff.names.r', customerClasses: ['residential'], energyRounding: rounding, pricing: { kind: 'tiered', period: 'month', blocks } }),
  );
}

describe('properties over seeded random tariffs', () => {
  it('round down matches an independent oracle, conserves money, and cannot afford one more step', () => {
    const rand = seededRandom(20_251_127);
    for (let i = 0; i < 2_000; i++) {
      const ladder = randomLadder(rand, 'energy_round_down');
      const step = rand() < 0.5 ? 1 : 10;
      const options: ConversionOptions = { rounding: 'energy_round_down', energyStepCkwh: step as 1 | 10 };
      const from = randomInt(rand, 0, 60_000);
      const money = randomInt(rand, 0, 200_000);
      const p = moneyToEnergy(ladder, from, money, options);
      expect(p.energyCkwh).toBe(oracleEnergyDown(ladder, from, money, step));
      expectConsistent(p);
      expect(BigInt(p.energyFen)).toBe((oracleCostUnits(ladder, from, p.energyCkwh) + 9_999n) / 10_000n);
      expect(energyToMoney(ladder, from, p.energyCkwh + step, options).fen).toBeGreaterThan(money);
    }
  });

  it('energy → money → energy gives at least the energy asked for, and one fen less does not', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 2_000; i++) {
      const rounding: EnergyRounding = rand() < 0.5 ? 'energy_round_down' : 'energy_round_half_up';
      const ladder = randomLadder(rand, rounding);
      const step = rand() < 0.5 ? 1 : 10;
      const options: ConversionOptions = { rounding, energyStepCkwh: step as 1 | 10 };
      const from = randomInt(rand, 0, 60_000);
      const wanted = randomInt(rand, 0, 5_000) * step;
      const q = energyToMoney(ladder, from, wanted, options);
      expect(q.blocks.reduce((s, b) => s + b.fen, 0)).toBe(q.fen);
      const bought = moneyToEnergy(ladder, from, q.fen, options);
      expectConsistent(bought);
      expect(bought.energyCkwh).toBeGreaterThanOrEqual(wanted);
      if (q.fen > 0) expect(moneyToEnergy(ladder, from, q.fen - 1, options).energyCkwh).toBeLessThan(wanted);
      // and back: quoting what was bought never costs more than was paid
      expect(energyToMoney(ladder, from, bought.energyCkwh, options).fen).toBeLessThanOrEqual(q.fen);
    }
  });
});
