import { describe, expect, it } from 'vitest';
import { isLuhnValid, luhnCheckDigit } from '../../billing-backend/luhn.js';
import { deterministicSalt, hashPin, verifyPin } from '../../billing-backend/pin-hash.js';
import { billAmountFen } from '../../billing-backend/tariff.js';

describe('backend tiered tariff', () => {
  it('charges tier 1 up to 180 kWh at 0.56 yuan', () => {
    expect(billAmountFen('RES-TIER-M', 10_000)).toBe(5600); // 100 kWh
    expect(billAmountFen('RES-TIER-M', 18_000)).toBe(10_080); // exactly 180 kWh
  });
  it('charges 181..260 kWh at 0.61 and above at 0.86', () => {
    expect(billAmountFen('RES-TIER-M', 26_000)).toBe(10_080 + 4_880);
    // 341.32 kWh = 100.80 + 48.80 + 81.32 × 0.86 (69.9352) = 219.5352 yuan
    expect(billAmountFen('RES-TIER-M', 34_132)).toBe(21_954);
    // 0.01 kWh into tier 2: 10080 + 0.61 fen rounds up
    expect(billAmountFen('RES-TIER-M', 18_001)).toBe(10_081);
  });
  it('rounds half up to the fen', () => {
    expect(billAmountFen('IND-FLAT', 10)).toBe(7); // 6.5 fen
    expect(billAmountFen('IND-FLAT', 2)).toBe(1); // 1.3 fen
    expect(billAmountFen('COM-FLAT', 0)).toBe(0);
  });
});

describe('Luhn check digit', () => {
  it('matches the published examples', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(isLuhnValid('4539148803436467')).toBe(true);
    expect(isLuhnValid('4539148803436468')).toBe(false);
  });
  it('gives 18-digit STS meter numbers for a 6-digit IIN and 11-digit DRN', () => {
    const number = '600727' + '00000000000' + luhnCheckDigit('60072700000000000');
    expect(number).toHaveLength(18);
    expect(isLuhnValid(number)).toBe(true);
  });
});

describe('operator PIN hash', () => {
  it('uses the scrypt$salt$hash format with a salt derived from the operator id', () => {
    const hash = hashPin('1234', deterministicSalt('C001'));
    expect(hash).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(hashPin('1234', deterministicSalt('C001'))).toBe(hash);
    expect(hashPin('1234', deterministicSalt('S001'))).not.toBe(hash);
    expect(verifyPin('1234', hash)).toBe(true);
    expect(verifyPin('1235', hash)).toBe(false);
    expect(verifyPin('1234', 'bcrypt$00$00')).toBe(false);
  });
});
