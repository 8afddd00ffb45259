/**
 * A late fee is collected once: after it is paid and synced, neither the terminal's cache nor a
 * fresh snapshot from the backend asks for it again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

const ARREARS = '3100000005';

describe('late fees', () => {
  it('are not charged again after they were paid, before or after sync', async () => {
    const s = await signedIn(stack.core);
    const before = await call(stack.core, 'account.lookup', { accountNo: ARREARS }, s);
    const oldest = before.openBills[0]!;
    expect(oldest.lateFeeFen).toBeGreaterThan(0);

    // Pay exactly the oldest bill's late fee: settlement takes the fee before the principal.
    const fee = oldest.lateFeeFen;
    await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ARREARS, method: 'cash', amount: (fee / 100).toFixed(2) }, s);
    const pending = await call(stack.core, 'account.lookup', { accountNo: ARREARS }, s);
    expect(pending.openBills[0]).toMatchObject({ billId: oldest.billId, lateFeeFen: 0, outstandingFen: oldest.outstandingFen });

    await stack.core.syncNow();
    const backendBill = stack.backend.db.prepare('SELECT late_fee_paid_fen AS fee, paid_fen AS paid FROM bills WHERE bill_id = ?').get(oldest.billId);
    expect(backendBill).toEqual({ fee, paid: oldest.paidFen });

    const synced = await call(stack.core, 'account.lookup', { accountNo: ARREARS }, s);
    expect(synced.source).toBe('online');
    expect(synced.openBills[0]).toMatchObject({ billId: oldest.billId, lateFeeFen: 0, outstandingFen: oldest.outstandingFen });
    expect(synced.totalDueFen).toBe(before.totalDueFen - fee);
  });
});
