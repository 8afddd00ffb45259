import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARIFF_ERROR_CODES, TariffError } from '../../../main/domain/tariff/error-codes.js';
import { loadTariffDirectory, loadTariffFile, loadVendRules } from '../../../main/loaders/tariff-config.js';
import { parseTariff, parseVendRules } from '../../../main/domain/tariff/tariff-schema.js';
import { touPeriodAt, touVendPrice } from '../../../main/domain/tariff/time-of-use.js';
import { REPO_ROOT, TARIFF_DIR, catalog, tariff, vendRules } from './fixtures.js';

const flat = { schemaVersion: 1, id: 'T', nameKey: 'tariff.names.t', customerClasses: ['commercial'], energyRounding: 'energy_round_down', pricing: { kind: 'flat', centifenPerKwh: 6000 } };

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TariffError && error.code === 'tariff.config_invalid') return String(error.details.detail);
    throw error;
  }
  throw new Error('expected tariff.config_invalid');
}

const touPeriods = [
  { id: 'peak', nameKey: 'tariff.touPeriods.peak', centifenPerKwh: 9000, hours: [{ from: 8, to: 22 }] },
  { id: 'valley', nameKey: 'tariff.touPeriods.valley', centifenPerKwh: 3000, hours: [{ from: 0, to: 8 }, { from: 22, to: 24 }] },
];

describe('shipped configuration', () => {
  it('loads every tariff in resources/tariffs with the wire tariff codes as ids', () => {
    expect([...catalog.keys()].sort()).toEqual(['COM-FLAT', 'COM-TOU', 'RES-TIER-M', 'RES-TIER-Y', 'RES-TOU']);
    expect(readdirSync(TARIFF_DIR).filter((f) => f.endsWith('.json'))).toHaveLength(catalog.size);
  });

  it('residential tiers are 180/260 kWh a month at 0.56/0.61/0.86, and ×12 for the yearly variant', () => {
    const m = tariff('RES-TIER-M').pricing;
    const y = tariff('RES-TIER-Y').pricing;
    if (m.kind !== 'tiered' || y.kind !== 'tiered') throw new Error('tiered expected');
    expect(m.blocks.map((b) => [b.upToKwh, b.centifenPerKwh])).toEqual([[180, 5600], [260, 6100], [null, 8600]]);
    expect(y.blocks.map((b) => b.upToKwh)).toEqual(m.blocks.map((b) => (b.upToKwh === null ? null : b.upToKwh * 12)));
    expect(y.blocks.map((b) => b.centifenPerKwh)).toEqual(m.blocks.map((b) => b.centifenPerKwh));
    expect([m.period, y.period]).toEqual(['month', 'year']);
  });

  it('vend rules load', () => {
    expect(loadVendRules(join(REPO_ROOT, 'resources', 'rules', 'vend.json'))).toEqual(vendRules);
    expect(vendRules.limits.minimumFen).toBeLessThanOrEqual(vendRules.limits.maximumFen);
  });
});

describe('schema rejects bad tariffs', () => {
  it('accepts a minimal flat tariff and defaults fixedCharges to none', () => {
    expect(parseTariff(flat).fixedCharges).toEqual([]);
  });

  it.each([
    ['a float price', { pricing: { kind: 'flat', centifenPerKwh: 0.56 } }, 'centifenPerKwh'],
    ['a zero price', { pricing: { kind: 'flat', centifenPerKwh: 0 } }, 'centifenPerKwh'],
    ['an unknown rounding rule', { energyRounding: 'banker' }, 'energyRounding'],
    ['an unknown customer class', { customerClasses: ['vip'] }, 'customerClasses'],
    ['a wrong schema version', { schemaVersion: 2 }, 'schemaVersion'],
    ['a closed last block', { pricing: { kind: 'tiered', period: 'month', blocks: [{ upToKwh: 180, centifenPerKwh: 5600 }] } }, 'last block'],
    ['an open middle block', { pricing: { kind: 'tiered', period: 'month', blocks: [{ upToKwh: null, centifenPerKwh: 5600 }, { upToKwh: null, centifenPerKwh: 6100 }] } }, 'only the last'],
    ['decreasing boundaries', { pricing: { kind: 'tiered', period: 'month', blocks: [{ upToKwh: 260, centifenPerKwh: 5600 }, { upToKwh: 180, centifenPerKwh: 6100 }, { upToKwh: null, centifenPerKwh: 8600 }] } }, 'increase'],
    ['fractional boundaries', { pricing: { kind: 'tiered', period: 'month', blocks: [{ upToKwh: 180.5, centifenPerKwh: 5600 }, { upToKwh: null, centifenPerKwh: 6100 }] } }, 'upToKwh'],
    ['a float fixed charge', { fixedCharges: [{ id: 'x', nameKey: 'tariff.fixedCharges.x', amountFen: 10.5, per: 'month' }] }, 'amountFen'],
    ['duplicate fixed charges', { fixedCharges: [{ id: 'x', nameKey: 'a.b', amountFen: 10, per: 'month' }, { id: 'x', nameKey: 'a.b', amountFen: 10, per: 'year' }] }, 'duplicate'],
    ['limits upside down', { vendLimits: { minimumFen: 500, maximumFen: 100 } }, 'minimumFen'],
    ['arrears over 100 %', { arrearsRecovery: { mode: 'percent', basisPoints: 10_001 } }, 'basisPoints'],
    ['TOU hours left uncovered', { pricing: { kind: 'tou', periods: [touPeriods[0]], vendPrice: { rule: 'hours_weighted' } } }, 'not covered'],
    ['TOU hours covered twice', { pricing: { kind: 'tou', periods: [...touPeriods, { ...touPeriods[0], id: 'x' }], vendPrice: { rule: 'hours_weighted' } } }, 'in both'],
    ['TOU shares not adding to 100', { pricing: { kind: 'tou', periods: touPeriods, vendPrice: { rule: 'load_share', sharesPercent: { peak: 50, valley: 40 } } } }, '100'],
    ['TOU shares for an unknown period', { pricing: { kind: 'tou', periods: touPeriods, vendPrice: { rule: 'load_share', sharesPercent: { peak: 50, dusk: 50 } } } }, 'unknown'],
  ])('%s', (_name, patch, mentions) => {
    expect(configError(() => parseTariff({ ...flat, ...patch }))).toContain(mentions);
  });

  it('rejects vend rules without a default channel fee or with a negative minimum', () => {
    expect(configError(() => parseVendRules({ ...vendRules, channelFees: { byChannel: {} } }))).toContain('default');
    expect(configError(() => parseVendRules({ ...vendRules, limits: { minimumFen: -1, maximumFen: 10 } }))).toContain('minimumFen');
  });

  it('file loader reports unreadable, non-JSON and invalid files as config_invalid, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tariffs-'));
    writeFileSync(join(dir, 'a.json'), '{ not json');
    expect(() => loadTariffFile(join(dir, 'a.json'))).toThrow(/config_invalid.*not JSON/);
    expect(() => loadTariffFile(join(dir, 'missing.json'))).toThrow(/config_invalid.*cannot read/);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(flat));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(flat));
    expect(() => loadTariffDirectory(dir)).toThrow(/duplicate tariff id T/);
  });
});

describe('time of use', () => {
  const pricing = (vendPrice: unknown) => {
    const p = parseTariff({ ...flat, pricing: { kind: 'tou', periods: touPeriods, vendPrice } }).pricing;
    if (p.kind !== 'tou') throw new Error('tou expected');
    return p;
  };

  it('knows the period of each hour, midnight-crossing valley included', () => {
    const p = pricing({ rule: 'hours_weighted' });
    expect([0, 7, 8, 21, 22, 23].map((h) => touPeriodAt(p, h).id)).toEqual(['valley', 'valley', 'peak', 'peak', 'valley', 'valley']);
    expect(() => touPeriodAt(p, 24)).toThrow(RangeError);
  });

  it('derives the vend price by each configured rule', () => {
    // 14 h × 0.90 + 10 h × 0.30 = 15.6 / 24 = 0.65
    expect(touVendPrice(pricing({ rule: 'hours_weighted' }))).toBe(6500);
    // 35 % × 0.90 + 65 % × 0.30 = 0.51
    expect(touVendPrice(pricing({ rule: 'load_share', sharesPercent: { peak: 35, valley: 65 } }))).toBe(5100);
    expect(touVendPrice(pricing({ rule: 'fixed', centifenPerKwh: 6123 }))).toBe(6123);
  });

  it('rounds a derived average half up to the centifen', () => {
    const odd = [
      { id: 'a', nameKey: 'a.b', centifenPerKwh: 1, hours: [{ from: 0, to: 12 }] },
      { id: 'b', nameKey: 'a.b', centifenPerKwh: 2, hours: [{ from: 12, to: 24 }] },
    ];
    const p = parseTariff({ ...flat, pricing: { kind: 'tou', periods: odd, vendPrice: { rule: 'hours_weighted' } } }).pricing;
    if (p.kind !== 'tou') throw new Error('tou expected');
    expect(touVendPrice(p)).toBe(2); // 1.5 → 2
  });
});

describe('locale files', () => {
  const load = (lng: string): Record<string, unknown> =>
    JSON.parse(readFileSync(join(REPO_ROOT, 'resources', 'locales', lng, 'tariff.json'), 'utf8')) as Record<string, unknown>;
  const locales = { 'zh-CN': load('zh-CN'), en: load('en') };

  function lookup(tree: Record<string, unknown>, key: string): unknown {
    return key.split('.').reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), tree);
  }

  function leafKeys(node: unknown, prefix = ''): string[] {
    if (node === null || typeof node !== 'object') return [prefix];
    return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
  }

  it('both languages have exactly the same keys', () => {
    expect(leafKeys(locales['zh-CN']).sort()).toEqual(leafKeys(locales.en).sort());
  });

  it('every tariff error code has a message in both languages', () => {
    for (const [lng, tree] of Object.entries(locales)) {
      for (const code of TARIFF_ERROR_CODES) expect(typeof lookup(tree, `errors.${code}`), `${lng} errors.${code}`).toBe('string');
    }
  });

  it('every name key in the shipped tariffs, and every rounding rule, has text in both languages', () => {
    const keys = [...catalog.values()].flatMap((t) => [
      t.nameKey,
      `tariff.kinds.${t.pricing.kind}`,
      `tariff.roundingRules.${t.energyRounding}`,
      ...t.fixedCharges.map((c) => c.nameKey),
      ...(t.pricing.kind === 'tou' ? t.pricing.periods.map((p) => p.nameKey) : []),
    ]);
    keys.push('tariff.roundingRules.energy_round_half_up');
    for (const [lng, tree] of Object.entries(locales)) {
      for (const key of keys) expect(typeof lookup(tree, key), `${lng} ${key}`).toBe('string');
    }
  });
});
