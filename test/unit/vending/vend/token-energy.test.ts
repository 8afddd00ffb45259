/**
 * Sold energy == delivered energy: above 1638.3 kWh the token carries 1 kWh steps (10 kWh from
 * 18022.4 kWh, with a gap just below), so the sold energy is put on that grid under the tariff's one
 * configured rule and the money is recomputed; what is not spent goes to the balance.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTariffFile, loadVendRules } from '../../../../main/loaders/tariff-config.js';
import { previewVend, priceLadder, type EnergyRounding, type Tariff, type VendBreakdown } from '../../../../main/domain/tariff/index.js';
import { decodeAmount, encodeAmount, isRepresentableTenths, representableTenthsAtOrBelow } from '../../../../main/vending/sts/index.js';
import { alignToTokenGrid, tokenEnergyAtOrAbove } from '../../../../main/vending/vend/token-energy.js';

const RES = path.resolve('resources');
const base = loadTariffFile(path.join(RES, 'tariffs', 'com-flat.json'));
// 1 yuan per kWh, no fixed charges or arrears: 1 fen buys 0.01 kWh, so the numbers read directly.
function tariff(rounding: EnergyRounding): Tariff {
  return { ...base, energyRounding: rounding, pricing: { kind: 'flat', centifenPerKwh: 10_000 }, fixedCharges: [] };
}
const rules = { ...loadVendRules(path.join(RES, 'rules', 'vend.json')), limits: { minimumFen: 100, maximumFen: 100_000_000 } };

function sell(amountFen: number, rounding: EnergyRounding = 'energy_round_down'): VendBreakdown {
  const t = tariff(rounding);
  const r = previewVend({ asOfDate: '2026-11-27', tariff: t, rules, channel: 'counter_cash', arrearsFen: 0, consumption: null, fixedChargesCharged: [], energyStepCkwh: 10, amountFen });
  if (!r.ok) throw new Error(r.code);
  return alignToTokenGrid(r.value, priceLadder(t), 0, t.energyRounding);
}

function delivered(b: VendBreakdown): number {
  return decodeAmount(encodeAmount(b.energyCkwh / 10)) * 10;
}

function consistent(b: VendBreakdown, amountFen: number): void {
  expect(isRepresentableTenths(b.energyCkwh / 10)).toBe(true);
  expect(delivered(b)).toBe(b.energyCkwh);
  expect(b.energyFen + b.remainderFen).toBe(amountFen);
  expect(b.blocks.reduce((s, x) => s + x.fen, 0)).toBe(b.energyFen);
  expect(b.blocks.reduce((s, x) => s + x.energyCkwh, 0)).toBe(b.energyCkwh);
}

describe('sold energy on the token grid (energy_round_down)', () => {
  it.each([
    // [amount fen, sold ckwh, energy fen]
    [163_830, 163_830, 163_830], // 1638.3 kWh: the top of the 0.1 kWh range
    [163_840, 163_840, 163_840], // 1638.4 kWh: the first 1 kWh step
    [163_890, 163_840, 163_840], // 1638.9 kWh paid: the token carries 1638.4; 0.50 yuan to balance
    [163_940, 163_940, 163_940], // 1639.4 kWh: the next 1 kWh step
    [1_802_140, 1_802_140, 1_802_140], // 18021.4 kWh: the top of the 1 kWh range
    [1_802_200, 1_802_140, 1_802_140], // 18022.0 kWh paid: in the gap → 18021.4
    [1_802_240, 1_802_240, 1_802_240], // 18022.4 kWh: the first 10 kWh step
    [1_803_000, 1_802_240, 1_802_240], // 18030.0 kWh paid → 18022.4
  ])('%i fen → %i ckwh for %i fen', (amountFen, ckwh, energyFen) => {
    const b = sell(amountFen);
    expect(b.energyCkwh).toBe(ckwh);
    expect(b.energyFen).toBe(energyFen);
    expect(b.remainderFen).toBe(amountFen - energyFen);
    consistent(b, amountFen);
  });

  it('without alignment the token would carry more than was sold (the gap it closes)', () => {
    expect(decodeAmount(encodeAmount(16_389))).toBe(16_394);
    expect(decodeAmount(encodeAmount(180_220))).toBe(180_224);
  });

  it('any amount: delivered == sold, never more energy than paid for', () => {
    for (let fen = 163_000; fen < 1_803_500; fen += 7_919) {
      const b = sell(fen);
      consistent(b, fen);
      expect(b.energyCkwh).toBeLessThanOrEqual(fen);
    }
  });
});

describe('energy_round_half_up: the step up when at least half of it is paid for', () => {
  it.each([
    [163_880, 163_840, 163_840], // 1638.8: less than half of the step to 1639.4 paid → 1638.4, 0.40 yuan to balance
    [163_890, 163_940, 163_890], // 1638.9: exactly half → 1639.4 granted for the money offered
    [1_802_190, 1_802_240, 1_802_190], // 18021.9: half of the gap step to 18022.4 → granted
    [1_802_180, 1_802_140, 1_802_140], // 18021.8 → 18021.4, 0.40 yuan to balance
  ])('%i fen → %i ckwh for %i fen', (amountFen, ckwh, energyFen) => {
    const b = sell(amountFen, 'energy_round_half_up');
    expect(b.energyCkwh).toBe(ckwh);
    expect(b.energyFen).toBe(energyFen);
    consistent(b, amountFen);
  });
});

describe('kWh typed by the clerk', () => {
  it('is lifted to a value the token carries exactly', () => {
    expect(tokenEnergyAtOrAbove(163_830)).toBe(163_830);
    expect(tokenEnergyAtOrAbove(163_850)).toBe(163_940);
    expect(tokenEnergyAtOrAbove(1_802_150)).toBe(1_802_240);
    expect(representableTenthsAtOrBelow(180_223)).toBe(180_214);
    expect(representableTenthsAtOrBelow(180_224)).toBe(180_224);
  });
});
