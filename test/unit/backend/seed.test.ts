import { describe, expect, it } from 'vitest';
import { AccountSnapshotSchema, type AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { isLuhnValid } from '../../billing-backend/luhn.js';
import { verifyPin } from '../../billing-backend/pin-hash.js';
import { DEFAULT_SEED, DEFAULT_SEED_DATE, generateSeed } from '../../billing-backend/seed.js';
import { billAmountFen, TARIFFS, type TariffCode } from '../../billing-backend/tariff.js';

const params = { seed: DEFAULT_SEED, accounts: 300, seedDate: DEFAULT_SEED_DATE };
const data = generateSeed(params);
const byNo = (no: string): AccountSnapshot => {
  const a = data.accounts.find((x) => x.accountNo === no);
  if (a === undefined) throw new Error(`no account ${no}`);
  return a;
};
const overdue = (a: AccountSnapshot): boolean => a.bills.some((b) => b.status === 'open' && b.dueDate < DEFAULT_SEED_DATE);

describe('seed data', () => {
  it('is the same for the same seed and differs for another seed', () => {
    expect(generateSeed(params)).toEqual(data);
    const other = generateSeed({ ...params, seed: DEFAULT_SEED + 1 });
    expect(other.accounts.map((a) => a.name)).not.toEqual(data.accounts.map((a) => a.name));
    expect(other.accounts.map((a) => a.accountNo)).toEqual(data.accounts.map((a) => a.accountNo));
  });

  it('produces valid snapshots numbered upward from 3100000001 with unique meters, cards and phones', () => {
    expect(data.accounts).toHaveLength(300);
    data.accounts.forEach((a, i) => {
      expect(AccountSnapshotSchema.parse(a)).toEqual(a);
      expect(a.accountNo).toBe(String(3100000001 + i));
    });
    const meters = data.accounts.flatMap((a) => a.meters.map((m) => m.meterNo));
    expect(new Set(meters).size).toBe(meters.length);
    const phones = data.accounts.map((a) => a.phone);
    expect(new Set(phones).size).toBe(phones.length);
    const bills = data.accounts.flatMap((a) => a.bills.map((b) => b.billId));
    expect(new Set(bills).size).toBe(bills.length);
  });

  it('has about 30% prepaid, half STS and half card, and about a third of postpaid in arrears', () => {
    const prepaid = data.accounts.filter((a) => a.paymentMode === 'prepaid');
    expect(prepaid.length).toBeGreaterThan(60);
    expect(prepaid.length).toBeLessThan(120);
    const sts = prepaid.filter((a) => a.meters.some((m) => m.kind === 'sts'));
    const card = prepaid.filter((a) => a.meters.some((m) => m.kind === 'card'));
    expect(sts.length + card.length).toBe(prepaid.length);
    expect(Math.abs(sts.length - card.length)).toBeLessThan(prepaid.length / 3);
    const postpaid = data.accounts.filter((a) => a.paymentMode === 'postpaid');
    const inArrears = postpaid.filter(overdue).length / postpaid.length;
    expect(inArrears).toBeGreaterThan(0.2);
    expect(inArrears).toBeLessThan(0.5);
    expect(postpaid.some((a) => a.customerClass === 'commercial')).toBe(true);
    expect(postpaid.some((a) => a.bills.some((b) => b.status === 'open' && b.period < '2026-01'))).toBe(true);
  });

  it('gives STS meters IIN 600727 + DRN + Luhn digit and the agreed key parameters', () => {
    const stsMeters = data.accounts.flatMap((a) => a.meters).filter((m) => m.kind === 'sts');
    const baseDates = new Set<string>();
    for (const m of stsMeters) {
      const sts = m.sts;
      if (sts === undefined) throw new Error(`STS meter ${m.meterNo} without parameters`);
      expect(m.meterNo).toBe(sts.iin + sts.drn + m.meterNo.slice(-1));
      expect(m.meterNo).toHaveLength(18);
      expect(isLuhnValid(m.meterNo)).toBe(true);
      expect(sts).toMatchObject({ iin: '600727', keyType: 2, ti: '01', krn: 1, algorithm: 'EA07' });
      expect(['123456', '654321']).toContain(sts.sgc);
      baseDates.add(sts.baseDate);
    }
    expect(baseDates).toEqual(new Set(['1993-01-01', '2014-01-01']));
    for (const a of data.accounts.filter((x) => x.meters.some((m) => m.kind === 'card'))) {
      expect(a.cardNo).toMatch(/^\d{16}$/);
      expect(a.meters[0]?.cardGeneration).toBeGreaterThan(0);
    }
  });

  it('prices every bill by its tariff and consumption', () => {
    for (const a of data.accounts) {
      expect(Object.keys(TARIFFS)).toContain(a.tariffCode);
      for (const b of a.bills) {
        expect(b.amountFen).toBe(billAmountFen(a.tariffCode as TariffCode, b.consumption));
        expect(b.paidFen <= b.amountFen).toBe(true);
        expect(b.status === 'paid').toBe(b.paidFen === b.amountFen);
      }
      expect(a.bills.filter((b) => b.status === 'paid').length).toBeLessThanOrEqual(6);
    }
  });

  it('fixes the documented demo accounts', () => {
    const demo = byNo('3100000001');
    expect(demo).toMatchObject({ paymentMode: 'postpaid', customerClass: 'residential', tariffCode: 'RES-TIER-M' });
    const open = demo.bills.filter((b) => b.status === 'open');
    expect(open).toHaveLength(2);
    expect(open.filter((b) => b.dueDate < DEFAULT_SEED_DATE)).toHaveLength(1);
    expect(byNo('3100000002').meters[0]?.sts).toMatchObject({ drn: '00000000000', sgc: '123456', baseDate: '1993-01-01' });
    expect(byNo('3100000003').meters[0]?.sts?.baseDate).toBe('2014-01-01');
    expect(byNo('3100000004').cardNo).toBeDefined();
    expect(byNo('3100000005').bills.some((b) => b.status === 'open' && b.period.startsWith('2025'))).toBe(true);
    expect(byNo('3100000006').customerClass).toBe('commercial');
    expect(overdue(byNo('3100000006'))).toBe(true);
    expect(byNo('3100000007').bills.every((b) => b.status === 'paid')).toBe(true);
    expect(byNo('3100000008')).toMatchObject({ paymentMode: 'prepaid' });
    expect(overdue(byNo('3100000008'))).toBe(true);
  });

  it('seeds the two demo operators with their PINs', () => {
    const [clerk, supervisor] = data.operators;
    expect(clerk).toMatchObject({ operatorId: 'C001', name: '张敏', role: 'clerk', active: true });
    expect(supervisor).toMatchObject({ operatorId: 'S001', name: '李强', role: 'supervisor', active: true });
    expect(verifyPin('1234', clerk?.pinHash ?? '')).toBe(true);
    expect(verifyPin('9999', supervisor?.pinHash ?? '')).toBe(true);
    expect(verifyPin('1234', supervisor?.pinHash ?? '')).toBe(false);
  });
});
