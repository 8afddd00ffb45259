/** Prepaid promotion ranking (main/domain/credit/promotion.ts) with the shipped rules, hand-worked. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promotionCandidate } from '../../../main/domain/credit/index.js';
import { loadPromotionRules } from '../../../main/loaders/promotion-rules.js';
import { parsePromotionRules } from '../../../main/domain/credit/promotion.js';
import type { AccountHistory } from '../../../main/wire/backend-wire.js';

const rules = loadPromotionRules(path.join(process.cwd(), 'resources', 'rules', 'promotion.json'));
const steady = (kwh: number[]): AccountHistory => ({ since: '2015-01-01', to: '2026-10', kwh });

describe('promotion candidates', () => {
  it('ranks lateness (50), steadiness (30) and the grade (20)', () => {
    // late 4 of 8 → 25; CV 0 → 30; grade B → 70% of 20 = 14: 69, the bonus offer.
    expect(promotionCandidate({ paymentMode: 'postpaid', history: steady(Array(12).fill(300)), grade: 'B', latePayments12: 4 }, rules)).toEqual({
      rank: 69, latePayments12: 4, avgKwh: 300, cvPercent: 0, offerId: 'meter_and_bonus', bonusFen: 2000,
    });
    // late 9 (capped at 8) → 50; kWh 200/400 alternating: mean 300, sd 100, CV 33% → (40−33)/40 × 30 = 5.25; C → 20: 75.
    const wavy = steady(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 200 : 400)));
    expect(promotionCandidate({ paymentMode: 'postpaid', history: wavy, grade: 'C', latePayments12: 9 }, rules)).toMatchObject({ rank: 75, cvPercent: 33 });
    // A good grade still may be offered, without the bonus.
    expect(promotionCandidate({ paymentMode: 'postpaid', history: steady(Array(12).fill(300)), grade: 'AA', latePayments12: 2 }, rules)).toMatchObject({ offerId: 'meter_free', bonusFen: 0 });
  });

  it('leaves out prepaid accounts, punctual payers, short histories and uneven use', () => {
    const h = steady(Array(12).fill(300));
    expect(promotionCandidate({ paymentMode: 'prepaid', history: h, grade: 'C', latePayments12: 5 }, rules)).toBeNull();
    expect(promotionCandidate({ paymentMode: 'postpaid', history: h, grade: 'C', latePayments12: 1 }, rules)).toBeNull();
    expect(promotionCandidate({ paymentMode: 'postpaid', history: steady([300, 300, 300]), grade: 'C', latePayments12: 5 }, rules)).toBeNull();
    expect(promotionCandidate({ paymentMode: 'postpaid', history: steady(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 50 : 550))), grade: 'C', latePayments12: 5 }, rules)).toBeNull();
    expect(promotionCandidate({ paymentMode: 'postpaid', history: undefined, grade: 'C', latePayments12: 5 }, rules)).toBeNull();
  });

  it('refuses weights that do not add up to 100', () => {
    expect(() => parsePromotionRules({ ...rules, weights: { late: 50, stability: 30, grade: 30 } }, 'promotion.json')).toThrow(/promotion.json: weights/);
  });
});
