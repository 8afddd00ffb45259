import { describe, expect, it } from 'vitest';
import type { TariffResult } from '../../../main/domain/tariff/error-codes.js';
import { parseTariff, parseVendRules, type Tariff, type VendRules } from '../../../main/domain/tariff/tariff-schema.js';
import { previewVend, quoteVendForEnergy, type VendBreakdown, type VendInput } from '../../../main/domain/tariff/vend-split.js';
import { randomInt, seededRandom, tariff, vendRules } from './fixtures.js';

function base(overrides: Partial<VendInput> = {}): VendInput {
  return {
    amountFen: 10_000,
    asOfDate: '2025-03-15',
    tariff: tariff('RES-TIER-M'),
    rules: vendRules,
    channel: 'counter_cash',
    arrearsFen: 0,
    consumption: null,
    fixedChargesCharged: [],
    ...overrides,
  };
}

function value(r: TariffResult<VendBreakdown>): VendBreakdown {
  if (!r.ok) throw new Error(`expected ok, got ${r.code} ${JSON.stringify(r.details)}`);
  return r.value;
}

function total(b: VendBreakdown): number {
  return b.channelFee.fen + b.arrears.fen + b.fixedChargesFen + b.energyFen + b.remainderFen;
}

function withRules(patch: Partial<VendRules>): VendRules {
  return parseVendRules({ ...vendRules, ...patch });
}

function withTariff(t: Tariff, patch: Record<string, unknown>): Tariff {
  return parseTariff({ ...t, ...patch });
}

describe('the documented example: of ¥100, ¥20 arrears, ¥80 energy', () => {
  it('recovers 20 % of the purchase and prices the rest in tier 1', () => {
    const b = value(previewVend(base({ arrearsFen: 50_000 })));
    expect(b.arrears).toMatchObject({ fen: 2_000, debtBeforeFen: 50_000, debtAfterFen: 48_000, ruleSource: 'global' });
    expect(b.energyFen + b.remainderFen).toBe(8_000);
    expect(b.energyCkwh).toBe(14_285); // 8000 / 0.56 = 14285.7 → 142.85 kWh
    expect(b.tierAfter).toMatchObject({ tier: 1, remainingInTierCkwh: 3_715 });
    expect(b.roundingRule).toBe('energy_round_down');
    expect(b.roundingRuleKey).toBe('tariff.roundingRules.energy_round_down');
    expect(b.tierPeriodKey).toBe('2025-03');
    expect(total(b)).toBe(10_000);
  });

  it('at the STS resolution of 0.1 kWh: 142.8 kWh, 37.2 kWh left in tier 1, 3 fen to balance', () => {
    const b = value(previewVend(base({ arrearsFen: 50_000, energyStepCkwh: 10 })));
    expect(b.energyCkwh).toBe(14_280);
    expect(b.tierAfter.remainingInTierCkwh).toBe(3_720);
    expect(b.energyFen).toBe(7_997); // 14280 × 0.56 = 7996.8 → 7997
    expect(b.remainderFen).toBe(3);
    expect(total(b)).toBe(10_000);
  });
});

describe('limits', () => {
  it('refuses below the minimum and above the maximum with the limit in the details', () => {
    const low = previewVend(base({ amountFen: 999 }));
    expect(low).toEqual({ ok: false, code: 'tariff.amount_below_minimum', details: { minimumFen: 1_000, minimumYuan: '10.00' } });
    const high = previewVend(base({ amountFen: 500_001 }));
    expect(high).toEqual({ ok: false, code: 'tariff.amount_above_maximum', details: { maximumFen: 500_000, maximumYuan: '5000.00' } });
    expect(value(previewVend(base({ amountFen: 1_000 }))).amountFen).toBe(1_000);
    expect(value(previewVend(base({ amountFen: 500_000 }))).amountFen).toBe(500_000);
  });

  it.each([-100, 10.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])('refuses %s fen as amount_invalid', (amountFen) => {
    const r = previewVend(base({ amountFen }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('tariff.amount_invalid');
  });

  it('a huge but safe amount is refused by the maximum, not by overflow', () => {
    const r = previewVend(base({ amountFen: Number.MAX_SAFE_INTEGER }));
    expect(r.ok ? 'ok' : r.code).toBe('tariff.amount_above_maximum');
  });

  it("a tariff's own limits override the global ones", () => {
    const t = withTariff(tariff('RES-TIER-M'), { vendLimits: { minimumFen: 0, maximumFen: 2_000 } });
    const zero = value(previewVend(base({ tariff: t, amountFen: 0 })));
    expect([zero.energyCkwh, zero.energyFen, zero.remainderFen]).toEqual([0, 0, 0]);
    expect(previewVend(base({ tariff: t, amountFen: 2_001 })).ok).toBe(false);
  });

  it('reports a bad debt figure as a typed failure', () => {
    const r = previewVend(base({ arrearsFen: -1 }));
    expect(r.ok ? 'ok' : r.code).toBe('tariff.input_invalid');
  });
});

describe('arrears recovery', () => {
  it('percent is capped at the debt', () => {
    const b = value(previewVend(base({ arrearsFen: 500 })));
    expect(b.arrears).toMatchObject({ fen: 500, debtAfterFen: 0 });
    expect(b.energyFen + b.remainderFen).toBe(9_500);
  });

  it('percent is taken half up to the fen from the money after the channel fee', () => {
    const rules = withRules({ arrearsRecovery: { mode: 'percent', basisPoints: 1_250 } });
    // 12.5 % of 1004 fen = 125.5 → 126
    expect(value(previewVend(base({ rules, amountFen: 1_004, arrearsFen: 10_000 }))).arrears.fen).toBe(126);
    // 12.5 % of 1003 = 125.375 → 125
    expect(value(previewVend(base({ rules, amountFen: 1_003, arrearsFen: 10_000 }))).arrears.fen).toBe(125);
  });

  it('a fixed amount per purchase, capped at the debt and at the money available', () => {
    const rules = withRules({ arrearsRecovery: { mode: 'fixed', amountFen: 3_000 } });
    expect(value(previewVend(base({ rules, arrearsFen: 10_000 }))).arrears.fen).toBe(3_000);
    expect(value(previewVend(base({ rules, arrearsFen: 1_200 }))).arrears.fen).toBe(1_200);
    const small = value(previewVend(base({ rules, amountFen: 2_000, arrearsFen: 10_000 })));
    expect([small.arrears.fen, small.energyCkwh, small.energyFen]).toEqual([2_000, 0, 0]);
  });

  it('no debt, nothing recovered; mode none recovers nothing either', () => {
    expect(value(previewVend(base())).arrears.fen).toBe(0);
    const rules = withRules({ arrearsRecovery: { mode: 'none' } });
    expect(value(previewVend(base({ rules, arrearsFen: 10_000 }))).arrears.fen).toBe(0);
  });

  it("the tariff's rule overrides the global rule (COM-FLAT recovers 30 %)", () => {
    const b = value(previewVend(base({ tariff: tariff('COM-FLAT'), arrearsFen: 100_000, fixedChargesCharged: [{ chargeId: 'meter_service', periodKey: '2025-03' }] })));
    expect(b.arrears).toMatchObject({ fen: 3_000, ruleSource: 'tariff', rule: { mode: 'percent', basisPoints: 3_000 } });
  });
});

describe('channel fee', () => {
  it('unlisted channels use the default (none)', () => {
    expect(value(previewVend(base({ channel: 'kiosk_qr' }))).channelFee).toEqual({ channel: 'kiosk_qr', rule: { kind: 'none' }, fen: 0 });
  });

  it('percent fee is clamped to its minimum and maximum and comes before arrears', () => {
    const at = (amountFen: number): VendBreakdown => value(previewVend(base({ channel: 'agent_outlet', amountFen, arrearsFen: 1_000_000 })));
    expect(at(10_000).channelFee.fen).toBe(100); // 1 %
    expect(at(1_000).channelFee.fen).toBe(50); // 10 → minimum 50
    expect(at(100_000).channelFee.fen).toBe(500); // 1000 → maximum 500
    expect(at(10_000).arrears.fen).toBe(1_980); // 20 % of 9900
  });
});

describe('fixed charges', () => {
  const com = tariff('COM-FLAT');

  it('are collected once per month: due when not yet charged this period', () => {
    const b = value(previewVend(base({ tariff: com, amountFen: 10_000 })));
    expect(b.fixedCharges).toEqual([{ chargeId: 'meter_service', nameKey: 'tariff.fixedCharges.meter_service', periodKey: '2025-03', fen: 1_000 }]);
    expect(b.fixedChargesFen).toBe(1_000);
    expect(b.energyCkwh).toBe(13_206); // 9000 / 0.6815 = 13206.2
    expect(total(b)).toBe(10_000);
  });

  it('are not charged again in the same period, but are in the next', () => {
    const charged = [{ chargeId: 'meter_service', periodKey: '2025-03' }];
    expect(value(previewVend(base({ tariff: com, fixedChargesCharged: charged }))).fixedChargesFen).toBe(0);
    expect(value(previewVend(base({ tariff: com, fixedChargesCharged: charged, asOfDate: '2025-04-01' }))).fixedChargesFen).toBe(1_000);
  });

  it('a purchase that cannot cover them is refused with the least amount that would', () => {
    // 30 % recovery: a − round(0.3 a) ≥ 1000 first holds at a = 1428 (1428 − 428)
    const r = previewVend(base({ tariff: com, amountFen: 1_000, arrearsFen: 100_000 }));
    expect(r).toEqual({
      ok: false,
      code: 'tariff.charges_exceed_amount',
      details: { chargesFen: 1_000, chargesYuan: '10.00', availableFen: 700, minimumAmountFen: 1_428, minimumAmountYuan: '14.28' },
    });
    const at1428 = value(previewVend(base({ tariff: com, amountFen: 1_428, arrearsFen: 100_000 })));
    expect([at1428.arrears.fen, at1428.fixedChargesFen, at1428.energyFen]).toEqual([428, 1_000, 0]);
  });

  it('exactly covering the charges buys no energy but is allowed', () => {
    const b = value(previewVend(base({ tariff: com, amountFen: 1_000 })));
    expect([b.fixedChargesFen, b.energyCkwh, b.remainderFen]).toEqual([1_000, 0, 0]);
  });
});

describe('tier position across period rollover', () => {
  it('monthly: the recorded consumption counts within the month and resets on the 1st', () => {
    const consumption = { periodKey: '2025-01', consumedCkwh: 17_900 };
    const jan = value(previewVend(base({ amountFen: 1_000, asOfDate: '2025-01-31', consumption })));
    // 1 kWh left in tier 1 (56 fen), 944 fen / 0.61 = 1547.5 → 1547
    expect(jan.blocks.map((b) => [b.tier, b.energyCkwh])).toEqual([
      [1, 100],
      [2, 1_547],
    ]);
    const feb = value(previewVend(base({ amountFen: 1_000, asOfDate: '2025-02-01', consumption })));
    expect(feb.tierBefore).toMatchObject({ tier: 1, positionCkwh: 0, remainingInTierCkwh: 18_000 });
    expect(feb.energyCkwh).toBe(1_785); // 1000 / 0.56 = 1785.7
  });

  it('yearly: December counts against the year, January starts again', () => {
    const t = tariff('RES-TIER-Y');
    const consumption = { periodKey: '2025', consumedCkwh: 215_000 };
    const dec = value(previewVend(base({ tariff: t, asOfDate: '2025-12-31', consumption })));
    expect(dec.tierBefore).toMatchObject({ tier: 1, remainingInTierCkwh: 1_000 });
    expect(dec.tierAfter.tier).toBe(2);
    expect(dec.tierPeriodKey).toBe('2025');
    const jan = value(previewVend(base({ tariff: t, asOfDate: '2026-01-01', consumption })));
    expect(jan.tierBefore).toMatchObject({ tier: 1, positionCkwh: 0 });
    expect(jan.tierPeriodKey).toBe('2026');
  });

  it('a record from a later period than the terminal date is refused, not guessed at', () => {
    const r = previewVend(base({ asOfDate: '2025-01-31', consumption: { periodKey: '2025-02', consumedCkwh: 0 } }));
    expect(r.ok ? 'ok' : r.code).toBe('tariff.input_invalid');
    const wrongShape = previewVend(base({ consumption: { periodKey: '2025', consumedCkwh: 0 } }));
    expect(wrongShape.ok ? 'ok' : wrongShape.code).toBe('tariff.input_invalid');
  });

  it('flat and TOU tariffs ignore consumption and vend at one price', () => {
    const tou = value(previewVend(base({ tariff: tariff('COM-TOU'), fixedChargesCharged: [{ chargeId: 'meter_service', periodKey: '2025-03' }] })));
    expect(tou.pricingKind).toBe('tou');
    expect(tou.tierPeriodKey).toBeNull();
    // load share 40/40/20 of 0.9822/0.6548/0.3274 = 0.72028 → 7203 centifen
    expect(tou.blocks).toEqual([{ tier: 1, centifenPerKwh: 7_203, fromCkwh: 0, toCkwh: 13_883, energyCkwh: 13_883, fen: 10_000 }]);
  });
});

describe('quote for a wanted amount of energy', () => {
  it('100 kWh in tier 1 costs ¥56 with no debt', () => {
    const b = value(quoteVendForEnergy({ ...base(), energyCkwh: 10_000 }));
    expect(b.amountFen).toBe(5_600);
    expect(b.energyCkwh).toBe(10_000);
  });

  it('includes the arrears recovery: a − round(0.2 a) ≥ 5600 first at a = 7000', () => {
    const b = value(quoteVendForEnergy({ ...base(), arrearsFen: 100_000, energyCkwh: 10_000 }));
    expect(b.amountFen).toBe(7_000);
    expect(value(previewVend(base({ arrearsFen: 100_000, amountFen: 6_999 }))).energyCkwh).toBeLessThan(10_000);
  });

  it('is lifted to the minimum vend, and refused beyond the maximum', () => {
    expect(value(quoteVendForEnergy({ ...base(), energyCkwh: 100 })).amountFen).toBe(1_000);
    const r = quoteVendForEnergy({ ...base(), energyCkwh: 1_000_000 });
    expect(r.ok ? 'ok' : r.code).toBe('tariff.amount_above_maximum');
    const bad = quoteVendForEnergy({ ...base(), energyCkwh: 15, energyStepCkwh: 10 });
    expect(bad.ok ? 'ok' : bad.code).toBe('tariff.energy_invalid');
  });
});

describe('money conservation over seeded random vends', () => {
  it('channel fee + arrears + fixed charges + energy + remainder == amount paid, every time', () => {
    const rand = seededRandom(42);
    const ids = ['RES-TIER-M', 'RES-TIER-Y', 'COM-FLAT', 'COM-TOU'];
    const feeRules = [
      { kind: 'none' },
      { kind: 'fixed', amountFen: 200 },
      { kind: 'percent', basisPoints: 150, minimumFen: 10, maximumFen: 900 },
    ];
    const recovery = [{ mode: 'none' }, { mode: 'percent', basisPoints: 2_500 }, { mode: 'fixed', amountFen: 1_500 }];
    const tariffs = ids.flatMap((id) =>
      (['energy_round_down', 'energy_round_half_up'] as const).map((energyRounding) => withTariff(tariff(id), { energyRounding, arrearsRecovery: undefined })),
    );
    const ruleSets = recovery.flatMap((arrearsRecovery) =>
      feeRules.map((fee) => parseVendRules({ schemaVersion: 1, limits: { minimumFen: 0, maximumFen: 1_000_000 }, arrearsRecovery, channelFees: { default: fee } })),
    );
    let refusedForCharges = 0;
    const violations: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const t = tariffs[randomInt(rand, 0, tariffs.length - 1)] as Tariff;
      const monthly = t.pricing.kind === 'tiered' && t.pricing.period === 'year' ? '2025' : '2025-06';
      const input = base({
        tariff: t,
        rules: ruleSets[randomInt(rand, 0, ruleSets.length - 1)] as VendRules,
        asOfDate: '2025-06-18',
        channel: 'any',
        amountFen: randomInt(rand, 0, 1_000_000),
        arrearsFen: rand() < 0.3 ? 0 : randomInt(rand, 0, 300_000),
        consumption: { periodKey: monthly, consumedCkwh: randomInt(rand, 0, 400_000) },
        fixedChargesCharged: rand() < 0.5 ? [] : [{ chargeId: 'meter_service', periodKey: '2025-06' }],
        energyStepCkwh: rand() < 0.5 ? 1 : 10,
      });
      const r = previewVend(input);
      if (!r.ok) {
        expect(r.code).toBe('tariff.charges_exceed_amount');
        refusedForCharges++;
        continue;
      }
      const b = r.value;
      const parts = [b.channelFee.fen, b.arrears.fen, b.fixedChargesFen, b.energyFen, b.remainderFen];
      const broken = [
        total(b) !== input.amountFen && 'sum',
        parts.some((x) => !Number.isSafeInteger(x) || x < 0) && 'negative part',
        b.arrears.fen > input.arrearsFen && 'recovered more than the debt',
        b.blocks.reduce((sum, x) => sum + x.fen, 0) !== b.energyFen && 'block fen',
        b.blocks.reduce((sum, x) => sum + x.energyCkwh, 0) !== b.energyCkwh && 'block energy',
        b.energyCkwh % b.energyStepCkwh !== 0 && 'energy step',
      ].filter(Boolean);
      if (broken.length > 0) violations.push(`${JSON.stringify(input.amountFen)} ${t.id}: ${broken.join(', ')}`);
    }
    expect(violations).toEqual([]);
    expect(refusedForCharges).toBeLessThan(300);
  });
});
