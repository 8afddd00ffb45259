import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { parsePointsRules, pointsExpireAt, pointsFor, type PointsRules } from '../../../main/domain/credit/points.js';
import { loadPointsRules } from '../../../main/loaders/points-rules.js';

const RULES: PointsRules = { schemaVersion: 1, pointsPerYuan: 1, rounding: 'floor', methods: ['cash', 'qr'], expiryMonths: null, recentEntries: 5 };

describe('prepaid points arithmetic', () => {
  it('one point per whole yuan of energy, a part of a yuan dropped', () => {
    expect(pointsFor(RULES, { energyFen: 8_800, method: 'cash' })).toBe(88);
    expect(pointsFor(RULES, { energyFen: 8_899, method: 'qr' })).toBe(88);
    expect(pointsFor(RULES, { energyFen: 99, method: 'cash' })).toBe(0);
    expect(pointsFor(RULES, { energyFen: 0, method: 'cash' })).toBe(0);
  });

  it('half up counts from half a yuan; several points per yuan multiply before rounding', () => {
    const half = { ...RULES, rounding: 'half_up' as const };
    expect(pointsFor(half, { energyFen: 8_849, method: 'cash' })).toBe(88);
    expect(pointsFor(half, { energyFen: 8_850, method: 'cash' })).toBe(89);
    const three = { ...RULES, pointsPerYuan: 3 };
    // 12.34 yuan × 3 = 37.02 points
    expect(pointsFor(three, { energyFen: 1_234, method: 'cash' })).toBe(37);
    expect(pointsFor({ ...three, rounding: 'half_up' }, { energyFen: 1_250, method: 'cash' })).toBe(38); // 37.5
  });

  it('a method not listed earns nothing; 0 per yuan turns the scheme off', () => {
    expect(pointsFor({ ...RULES, methods: ['cash'] }, { energyFen: 10_000, method: 'qr' })).toBe(0);
    expect(pointsFor({ ...RULES, pointsPerYuan: 0 }, { energyFen: 10_000, method: 'cash' })).toBe(0);
  });

  it('refuses a negative or fractional energy amount', () => {
    expect(() => pointsFor(RULES, { energyFen: -1, method: 'cash' })).toThrow();
    expect(() => pointsFor(RULES, { energyFen: 1.5, method: 'cash' })).toThrow();
  });

  it('expiry: none, or whole calendar months later with the day clamped to a shorter month', () => {
    expect(pointsExpireAt(RULES, new Date('2026-11-27T10:00:00Z'))).toBeNull();
    const twelve = { ...RULES, expiryMonths: 12 };
    expect(pointsExpireAt(twelve, new Date('2026-11-27T10:00:00Z'))?.toISOString()).toBe('2027-11-27T10:00:00.000Z');
    expect(pointsExpireAt({ ...RULES, expiryMonths: 1 }, new Date('2027-01-31T08:00:00Z'))?.toISOString()).toBe('2027-02-28T08:00:00.000Z');
    expect(pointsExpireAt({ ...RULES, expiryMonths: 1 }, new Date('2028-01-31T08:00:00Z'))?.toISOString()).toBe('2028-02-29T08:00:00.000Z');
    expect(pointsExpireAt(twelve, new Date('2028-02-29T00:00:00Z'))?.toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });

  it('the shipped rules load; bad rules are refused with the field named', () => {
    expect(loadPointsRules(path.resolve('resources/rules/points.json'))).toMatchObject({ pointsPerYuan: 1, rounding: 'floor', expiryMonths: null });
    expect(() => parsePointsRules({ ...RULES, pointsPerYuan: -1 }, 'x.json')).toThrow(/pointsPerYuan/);
    expect(() => parsePointsRules({ ...RULES, methods: ['card'] }, 'x.json')).toThrow(/methods/);
    expect(() => parsePointsRules({ ...RULES, extra: 1 }, 'x.json')).toThrow();
  });
});
