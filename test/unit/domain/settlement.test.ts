import { describe, expect, it } from 'vitest';
import { billSettledBy, cashChange, settle, type OpenBill } from '../../../main/domain/settlement.js';

const bill = (billId: string, dueDate: string, outstandingFen: number, lateFeeFen = 0): OpenBill => ({
  billId,
  period: dueDate.slice(0, 7),
  dueDate,
  outstandingFen,
  lateFeeFen,
});

describe('settle', () => {
  it('pays the oldest bill first, its late fee before its principal', () => {
    const s = settle(15000, [bill('new', '2026-11-25', 8000), bill('old', '2026-09-25', 10000, 300)]);
    expect(s.allocations).toEqual([
      { billId: 'old', principalFen: 10000, lateFeeFen: 300 },
      { billId: 'new', principalFen: 4700, lateFeeFen: 0 },
    ]);
    expect(s.toBalanceFen).toBe(0);
    expect(s.totalDueFen).toBe(18300);
  });

  it('orders by due date, not by billing period (a corrected bill for an older period, issued late, waits for its own due date)', () => {
    // Period order: aug-rebill, sep, oct. Due-date order: sep, oct, aug-rebill. Input order: neither.
    const bills: OpenBill[] = [
      { billId: 'aug-rebill', period: '2026-08', dueDate: '2026-12-20', outstandingFen: 5000, lateFeeFen: 0 },
      { billId: 'oct', period: '2026-10', dueDate: '2026-11-25', outstandingFen: 7000, lateFeeFen: 0 },
      { billId: 'sep', period: '2026-09', dueDate: '2026-10-25', outstandingFen: 6000, lateFeeFen: 120 },
    ];
    expect(settle(10000, bills).allocations).toEqual([
      { billId: 'sep', principalFen: 6000, lateFeeFen: 120 },
      { billId: 'oct', principalFen: 3880, lateFeeFen: 0 },
    ]);
    expect(settle(20000, bills).allocations.map((a) => a.billId)).toEqual(['sep', 'oct', 'aug-rebill']);
  });

  it('on the same due date, the older billing period goes first', () => {
    const bills: OpenBill[] = [
      { billId: 'a-new', period: '2026-10', dueDate: '2026-11-25', outstandingFen: 4000, lateFeeFen: 0 },
      { billId: 'b-old', period: '2026-09', dueDate: '2026-11-25', outstandingFen: 4000, lateFeeFen: 0 },
    ];
    expect(settle(5000, bills).allocations).toEqual([
      { billId: 'b-old', principalFen: 4000, lateFeeFen: 0 },
      { billId: 'a-new', principalFen: 1000, lateFeeFen: 0 },
    ]);
  });

  it('turns an overpayment into prepayment balance', () => {
    const s = settle(20000, [bill('a', '2026-10-25', 12345)]);
    expect(s.allocations).toEqual([{ billId: 'a', principalFen: 12345, lateFeeFen: 0 }]);
    expect(s.toBalanceFen).toBe(7655);
  });

  it('with no open bills the whole payment is a prepayment', () => {
    expect(settle(5000, [])).toEqual({ allocations: [], toBalanceFen: 5000, totalDueFen: 0 });
  });

  it('a payment smaller than the late fee pays only fee', () => {
    expect(settle(100, [bill('a', '2026-01-25', 9000, 250)]).allocations).toEqual([{ billId: 'a', principalFen: 0, lateFeeFen: 100 }]);
  });

  it('conserves money exactly over many random cases', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const bills = Array.from({ length: rand(4) }, (_, k) => bill(`b${k}`, `2026-${String(1 + rand(11)).padStart(2, '0')}-25`, 1 + rand(50000), rand(800)));
      const amount = 1 + rand(120000);
      const s = settle(amount, bills);
      const allocated = s.allocations.reduce((t, a) => t + a.principalFen + a.lateFeeFen, 0);
      expect(allocated + s.toBalanceFen).toBe(amount);
      for (const a of s.allocations) {
        const b = bills.find((x) => x.billId === a.billId)!;
        expect(a.principalFen).toBeLessThanOrEqual(b.outstandingFen);
        expect(a.lateFeeFen).toBeLessThanOrEqual(b.lateFeeFen);
      }
      if (s.toBalanceFen > 0) expect(allocated).toBe(s.totalDueFen);
    }
  });

  it('refuses zero, negative and fractional amounts', () => {
    expect(() => settle(0, [])).toThrow(RangeError);
    expect(() => settle(-1, [])).toThrow(RangeError);
    expect(() => settle(1.5, [])).toThrow(RangeError);
  });
});

describe('a part offered to bills (vend recovery), the rest to balance', () => {
  it('offers only maxToBillsFen to the bills, fee first, and credits the rest', () => {
    // A vend recovers ¥50 of a ¥50 bill carrying ¥1.50 late fee; ¥0.07 of remainder goes to balance.
    const s = settle(5_007, [bill('a', '2026-10-28', 5_000, 150)], { maxToBillsFen: 5_000 });
    expect(s.allocations).toEqual([{ billId: 'a', principalFen: 4_850, lateFeeFen: 150 }]);
    expect(s.toBalanceFen).toBe(7);
  });

  it('what the bills no longer need goes to balance too', () => {
    expect(settle(3_000, [bill('a', '2026-10-28', 1_000, 100)], { maxToBillsFen: 2_000 })).toMatchObject({ toBalanceFen: 1_900 });
    expect(settle(500, [bill('a', '2026-10-28', 1_000)], { maxToBillsFen: 0 })).toEqual({ allocations: [], toBalanceFen: 500, totalDueFen: 1_000 });
  });

  it('refuses a part outside 0..amount', () => {
    expect(() => settle(100, [], { maxToBillsFen: 101 })).toThrow(RangeError);
    expect(() => settle(100, [], { maxToBillsFen: -1 })).toThrow(RangeError);
  });
});

describe('billSettledBy', () => {
  it('a bill is settled only when its principal AND its late fee are paid', () => {
    const b = bill('a', '2026-10-28', 5_000, 150);
    expect(billSettledBy(b, { billId: 'a', principalFen: 5_000, lateFeeFen: 150 })).toBe(true);
    expect(billSettledBy(b, { billId: 'a', principalFen: 4_850, lateFeeFen: 150 })).toBe(false);
    // Principal paid, fee not: stays open for the fee.
    expect(billSettledBy(b, { billId: 'a', principalFen: 5_000, lateFeeFen: 0 })).toBe(false);
  });
});

describe('cashChange', () => {
  it('gives change, or says how much is short', () => {
    expect(cashChange(12345, 20000)).toEqual({ ok: true, changeFen: 7655 });
    expect(cashChange(12345, 12345)).toEqual({ ok: true, changeFen: 0 });
    expect(cashChange(12345, 10000)).toEqual({ ok: false, shortFen: 2345 });
  });
});
