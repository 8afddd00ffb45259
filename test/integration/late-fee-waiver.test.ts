/**
 * The late-fee explainer and a supervisor's waiver against the real core, cache and backend: the
 * explanation is the same computation the account view and a payment use (segments add up to the
 * fee); a waiver needs an approval, is journaled, printed, synced, laid over snapshots that do not
 * hold it yet, shown on the next payment's receipt, and the fee keeps accruing after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack({ payments: { invoices: false } });
});
afterEach(async () => stack.dispose());

const ACCOUNT = '3100000001';
const APPROVAL = { supervisorId: 'S001', supervisorPin: '9999' };

describe('late-fee explainer and waiver', () => {
  it('explains day range by day range, waives part with approval, syncs, and the next receipt shows it', async () => {
    const s = await signedIn(stack.core);
    const view = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    const overdue = view.openBills.find((b) => b.lateFeeFen > 0)!;
    const e = await call(stack.core, 'lateFee.explain', { accountNo: ACCOUNT, billId: overdue.billId }, s);
    expect(e).toMatchObject({ ruleId: 'residential', ruleNameKey: 'tariff.lateFee.rules.residential', dueFen: overdue.lateFeeFen, paidFen: 0, waivedFen: 0 });
    expect(e.days).toBe(overdue.daysOverdue);
    expect(e.segments.length).toBeGreaterThan(0);
    expect(e.segments.reduce((sum, x) => sum + x.days, 0)).toBe(e.days);
    expect(e.segments.reduce((sum, x) => sum + x.fen, 0)).toBe(e.accruedFen);
    expect(e.segments.every((x) => x.dailyRatePpm === 1000 && x.baseFen === overdue.outstandingFen)).toBe(true);

    const half = Math.floor(e.dueFen / 2);
    const amount = (half / 100).toFixed(2);
    const wrong = await stack.core.dispatch(
      'lateFee.waive',
      { requestId: crypto.randomUUID(), accountNo: ACCOUNT, billId: overdue.billId, amount, reasonCode: 'first_time', ...APPROVAL, supervisorPin: '0000' },
      s,
    );
    expect(wrong).toMatchObject({ ok: false, error: { code: 'approval.denied' } });
    const tooMuch = await stack.core.dispatch(
      'lateFee.waive',
      { requestId: crypto.randomUUID(), accountNo: ACCOUNT, billId: overdue.billId, amount: ((e.dueFen + 1) / 100).toFixed(2), reasonCode: 'first_time', ...APPROVAL },
      s,
    );
    expect(tooMuch).toMatchObject({ ok: false, error: { code: 'lateFee.waiver_exceeds_fee' } });
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM late_fee_waivers').get()).toEqual({ n: 0 });

    // The waiver waits in the outbox while the backend holds events: snapshots are laid over.
    stack.backend.setKnobs({ holdEvents: true });
    const w = await call(
      stack.core,
      'lateFee.waive',
      { requestId: crypto.randomUUID(), accountNo: ACCOUNT, billId: overdue.billId, amount, reasonCode: 'first_time', note: '首次逾期', ...APPROVAL },
      s,
    );
    expect(w).toMatchObject({ waiver: { fen: half, feeBeforeFen: e.dueFen, reasonCode: 'first_time', approvedBy: 'S001' }, feeAfterFen: e.dueFen - half });
    expect(w.receipt.printed).toBe(true);
    const slip = await stack.printer.waitForJob(0, 5000);
    expect(slip.text).toContain('违约金减免凭条');
    expect(slip.text).toContain('首次逾期');
    const laidOver = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(laidOver.openBills.find((b) => b.billId === overdue.billId)).toMatchObject({ lateFeeFen: e.dueFen - half, lateFeeWaivedFen: half });

    stack.backend.setKnobs({ holdEvents: false });
    await stack.core.syncNow();
    expect(stack.backend.db.prepare('SELECT late_fee_waived_fen AS w FROM bills WHERE bill_id = ?').get(overdue.billId)).toEqual({ w: half });
    const synced = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(synced.openBills.find((b) => b.billId === overdue.billId)).toMatchObject({ lateFeeFen: e.dueFen - half, lateFeeWaivedFen: half });
    const after = await call(stack.core, 'lateFee.explain', { accountNo: ACCOUNT, billId: overdue.billId }, s);
    expect(after).toMatchObject({ totalFeeFen: e.totalFeeFen, waivedFen: half, dueFen: e.dueFen - half });
    expect(after.waivers).toEqual([expect.objectContaining({ fen: half, reasonCode: 'first_time', approvedBy: 'S001' })]);

    // Paying everything due settles the fee left; the receipt shows what was waived.
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: (synced.totalDueFen / 100).toFixed(2) }, s);
    expect(paid.allocations.find((a) => a.billId === overdue.billId)).toMatchObject({ lateFeeFen: e.dueFen - half, lateFeeWaivedFen: half });
    const receipt = await stack.printer.waitForJob(1, 5000);
    expect(receipt.text).toContain(`违约金减免 ${overdue.period}`);
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'late_fee.waived'").get()).toEqual({ n: 1 });
  });

  it('a bill with no fee has nothing to waive; an unknown bill is refused before any PIN is tried', async () => {
    const s = await signedIn(stack.core);
    const view = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    const current = view.openBills.find((b) => b.lateFeeFen === 0)!;
    const none = await stack.core.dispatch('lateFee.waive', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, billId: current.billId, amount: '1.00', reasonCode: 'hardship', ...APPROVAL }, s);
    expect(none).toMatchObject({ ok: false, error: { code: 'lateFee.nothing_to_waive' } });
    const unknown = await stack.core.dispatch('lateFee.explain', { accountNo: ACCOUNT, billId: 'B-NOPE' }, s);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'lateFee.bill_not_found' } });
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'approval.failed'").get()).toEqual({ n: 0 });
  });
});
