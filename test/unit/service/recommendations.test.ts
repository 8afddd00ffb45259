/**
 * The time-of-use saving, computed by hand for a sample customer on the shipped tariffs
 * (RES-TIER-M: 180/260 kWh at 0.56/0.61/0.86; RES-TOU: peak 0.648 × 70 % + valley 0.348 × 30 %
 * = 0.558 yuan/kWh), and the application forms counted against the paper forms they replace.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApplicationForm, formCost, isResidentId } from '../../../main/domain/service/applications.js';
import { compareTou, seasonOf, tieredMonthFen, touMonthFen } from '../../../main/domain/service/recommendations.js';
import { loadServiceRules } from '../../../main/loaders/service-rules.js';
import { loadTariffDirectory } from '../../../main/loaders/tariff-config.js';

const RESOURCES = path.join(import.meta.dirname, '../../../resources');
const tariffs = loadTariffDirectory(path.join(RESOURCES, 'tariffs'));
const tiered = tariffs.get('RES-TIER-M');
const tou = tariffs.get('RES-TOU');
const rules = loadServiceRules(path.join(RESOURCES, 'rules', 'service.json'));
if (!tiered || !tou) throw new Error('shipped tariffs missing');

// kWh per month, oldest first: a summer peak that reaches tiers 2 and 3.
const SAMPLE_KWH = [150, 140, 160, 200, 320, 380, 400, 350, 220, 170, 160, 190];

describe('TOU saving by hand', () => {
  it('prices single months on both tariffs', () => {
    // 320 kWh: 180 × 0.56 + 80 × 0.61 + 60 × 0.86 = 100.80 + 48.80 + 51.60 = ¥201.20
    expect(tieredMonthFen(tiered, 32_000)).toBe(20_120);
    // 320 kWh × 0.558 = ¥178.56
    expect(touMonthFen(tou, 32_000)).toBe(17_856);
    // 150 kWh: all tier 1 (¥84.00) against ¥83.70
    expect(tieredMonthFen(tiered, 15_000)).toBe(8_400);
    expect(touMonthFen(tou, 15_000)).toBe(8_370);
    // Rounded half up once per month: 0.01 kWh at 0.56 is 0.56 fen → 1; 1 kWh at 0.558 → 55.8 fen → 56.
    expect(tieredMonthFen(tiered, 1)).toBe(1);
    expect(touMonthFen(tou, 100)).toBe(56);
  });

  it('the sample year: ¥1,732.90 tiered against ¥1,584.72 on TOU, a saving of ¥148.18', () => {
    // Tiered by month: 84.00 78.40 89.60 113.00 201.20 252.80 270.00 227.00 125.20 95.20 89.60 106.90 = 1732.90
    // TOU: 2840 kWh × 0.558 = 1584.72
    const cmp = compareTou(tiered, tou, SAMPLE_KWH.map((k) => k * 100));
    expect(cmp).toMatchObject({ currentFen: 173_290, touFen: 158_472, savingFen: 14_818 });
    expect((cmp?.savingFen ?? 0) >= rules.recommendations.tou.minAnnualSavingFen).toBe(true);
  });

  it('a small user saves too little to be offered it; an unknown month means no comparison', () => {
    const small = compareTou(tiered, tou, Array.from({ length: 12 }, () => 15_000));
    expect(small?.savingFen).toBe(12 * 30);
    expect((small?.savingFen ?? 0) < rules.recommendations.tou.minAnnualSavingFen).toBe(true);
    expect(compareTou(tiered, tou, [...SAMPLE_KWH.slice(1).map((k) => k * 100), null])).toBeNull();
    expect(compareTou(tiered, tou, SAMPLE_KWH.slice(1).map((k) => k * 100))).toBeNull();
  });

  it('seasons come from the rules', () => {
    expect(seasonOf(7, rules.recommendations.seasons)).toBe('summer');
    expect(seasonOf(1, rules.recommendations.seasons)).toBe('winter');
    expect(seasonOf(11, rules.recommendations.seasons)).toBe('mild');
  });
});

describe('application forms', () => {
  it('every type asks fewer fields and steps than its paper form', () => {
    for (const t of rules.applications.types) {
      const cost = formCost(t);
      expect(cost.fields, t.id).toBeLessThan(t.paperForm.fields);
      expect(cost.steps, t.id).toBeLessThan(t.paperForm.steps);
    }
    const nameChange = rules.applications.types.find((t) => t.id === 'name_change');
    expect(nameChange && formCost(nameChange)).toEqual({ fields: 3, steps: 4 });
    expect(nameChange?.paperForm).toEqual({ fields: 17, steps: 5 });
  });

  it('checks each field: required, ID check character, mobile, nothing the type does not ask', () => {
    const t = rules.applications.types.find((x) => x.id === 'name_change');
    if (!t) throw new Error('name_change missing');
    expect(isResidentId('11010519491231002X')).toBe(true);
    expect(isResidentId('110105194912310021')).toBe(false);
    expect(checkApplicationForm(t, { applicantName: ' 王小明 ', idNumber: '11010519491231002x', phone: '13800138000' })).toEqual({
      ok: true,
      values: { applicantName: '王小明', idNumber: '11010519491231002X', phone: '13800138000' },
    });
    expect(checkApplicationForm(t, { applicantName: '', idNumber: '11010519491231002X', phone: '13800138000' })).toEqual({ ok: false, field: 'applicantName', problem: 'required' });
    expect(checkApplicationForm(t, { applicantName: 'A', idNumber: '110105194912310021', phone: '13800138000' })).toEqual({ ok: false, field: 'idNumber', problem: 'invalid' });
    expect(checkApplicationForm(t, { applicantName: 'A', idNumber: '11010519491231002X', phone: '2380013800' })).toEqual({ ok: false, field: 'phone', problem: 'invalid' });
    expect(checkApplicationForm(t, { applicantName: 'A', idNumber: '11010519491231002X', phone: '13800138000', address: 'x' })).toEqual({ ok: false, field: 'address', problem: 'invalid' });
  });
});
