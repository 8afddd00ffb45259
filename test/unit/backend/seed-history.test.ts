/**
 * The seeded 24-month facts (AccountSnapshot.history, docs/recovery.md): deterministic, consistent
 * with the snapshot's own bills, varied like a real service area, and the demo accounts as
 * documented.
 */
import { describe, expect, it } from 'vitest';
import { AccountHistorySchema, type AccountHistory, type AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { dueDateOf } from '../../billing-backend/calendar.js';
import { DEFAULT_SEED, DEFAULT_SEED_DATE, generateSeed } from '../../billing-backend/seed.js';

const data = generateSeed({ seed: DEFAULT_SEED, accounts: 2000, seedDate: DEFAULT_SEED_DATE });
const historyOf = (a: AccountSnapshot): AccountHistory => {
  if (a.history === undefined) throw new Error(`no history on ${a.accountNo}`);
  return a.history;
};
const byNo = (no: string): AccountHistory => historyOf(data.accounts.find((a) => a.accountNo === no) ?? (() => { throw new Error(no); })());
const latePaid = (h: AccountHistory): number => (h.late ?? []).filter((d, i) => d > 0 && (h.billed?.[i] ?? 0) > 0).length;

function addMonths(period: string, delta: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

describe('seeded account history', () => {
  it('is on every account, valid on the wire, and the same for the same seed', () => {
    for (const a of data.accounts) expect(AccountHistorySchema.parse(historyOf(a))).toEqual(a.history);
    const again = generateSeed({ seed: DEFAULT_SEED, accounts: 50, seedDate: DEFAULT_SEED_DATE });
    expect(again.accounts.map((a) => a.history)).toEqual(data.accounts.slice(0, 50).map((a) => a.history));
  });

  it('covers up to 24 months ending at the last billed month, all arrays the same length', () => {
    for (const a of data.accounts) {
      const h = historyOf(a);
      expect(h.to).toBe('2026-10');
      const lengths = [h.billed, h.due, h.late, h.kwh, h.vends].filter((x) => x !== undefined).map((x) => x.length);
      expect(new Set(lengths).size).toBe(1);
      expect(lengths[0]).toBeLessThanOrEqual(24);
      expect(h.since <= DEFAULT_SEED_DATE).toBe(true);
    }
  });

  it('agrees with the bills the snapshot carries: open ones unpaid, paid ones paid, amounts and due dates the same', () => {
    for (const a of data.accounts) {
      const h = historyOf(a);
      for (const b of a.bills) {
        const at = (h.billed?.length ?? 0) - 1 - monthsBack(b.period, h.to);
        expect(h.billed?.[at], `${a.accountNo} ${b.period}`).toBe(b.amountFen);
        expect(h.late?.[at] === -1, `${a.accountNo} ${b.period}`).toBe(b.status === 'open');
        const first = Date.UTC(Number(b.period.slice(0, 4)), Number(b.period.slice(5, 7)) - 1, 1);
        const due = Date.UTC(Number(b.dueDate.slice(0, 4)), Number(b.dueDate.slice(5, 7)) - 1, Number(b.dueDate.slice(8, 10)));
        expect(h.due?.[at]).toBe((due - first) / 86_400_000);
        expect(b.dueDate).toBe(dueDateOf(b.period));
      }
    }
  });

  it('has good payers, chronic late payers, prepaid buyers, violations and cut-offs in realistic shares', () => {
    const postpaid = data.accounts.filter((a) => a.paymentMode === 'postpaid').map(historyOf);
    const neverLate = postpaid.filter((h) => latePaid(h) === 0 && (h.late ?? []).slice(0, -1).every((d) => d >= 0)).length / postpaid.length;
    const chronic = postpaid.filter((h) => latePaid(h) >= 6).length / postpaid.length;
    expect(neverLate).toBeGreaterThan(0.25);
    expect(chronic).toBeGreaterThan(0.05);
    expect(chronic).toBeLessThan(0.4);
    const prepaid = data.accounts.filter((a) => a.paymentMode === 'prepaid').map(historyOf);
    expect(prepaid.every((h) => h.prepaidSince !== undefined && (h.vends ?? []).some((v) => v > 0))).toBe(true);
    const all = data.accounts.map(historyOf);
    const violations = all.filter((h) => (h.violations ?? []).length > 0).length / all.length;
    expect(violations).toBeGreaterThan(0.005);
    expect(violations).toBeLessThan(0.08);
    expect(all.some((h) => (h.violations ?? []).some((v) => v.k === 'theft'))).toBe(true);
    const cut = all.filter((h) => (h.cutoffs ?? []).length > 0).length / all.length;
    expect(cut).toBeGreaterThan(0.01);
    expect(cut).toBeLessThan(0.2);
    // Newer customers: some histories start inside the window.
    expect(all.some((h) => (h.kwh?.length ?? 24) < 24)).toBe(true);
  });

  it('gives the demo accounts their documented behaviour', () => {
    const chronic = byNo('3100000001');
    expect(latePaid(chronic)).toBeGreaterThanOrEqual(6);
    const worst = byNo('3100000005');
    expect(worst.violations?.map((v) => v.k)).toEqual(['breach']);
    expect(worst.cutoffs).toHaveLength(1);
    expect(latePaid(worst)).toBeGreaterThanOrEqual(6);
    const seasonal = byNo('3100000006');
    const lateMonths = (seasonal.late ?? []).flatMap((d, i) => (d > 0 ? [Number(addMonths(seasonal.to, i - 23).slice(5, 7))] : []));
    expect(lateMonths.every((m) => [12, 1, 2, 7, 8].includes(m))).toBe(true);
    const good = byNo('3100000007');
    expect(latePaid(good)).toBeLessThanOrEqual(1);
    expect(good.since < '2010-01-01').toBe(true);
    expect(byNo('3100000003').prepaidSince?.slice(0, 7)).toBe('2025-12');
    expect(byNo('3100000008').violations?.map((v) => v.k)).toEqual(['theft']);
    expect(byNo('3100000008').cutoffs).toHaveLength(2);
  });
});

function monthsBack(period: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(period.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(period.slice(5, 7));
}
