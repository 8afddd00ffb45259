/** Payment idempotency and concurrency against the real core, cache and backend. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

describe('payments', () => {
  it('a request id reused for a different payment is refused, and nothing is written', async () => {
    const s = await signedIn(stack.core);
    const requestId = crypto.randomUUID();
    const first = await call(stack.core, 'payment.create', { requestId, accountNo: '3100000001', method: 'cash', amount: '10.00' }, s);
    const retyped = await stack.core.dispatch('payment.create', { requestId, accountNo: '3100000001', method: 'cash', amount: '20.00' }, s);
    expect(retyped).toMatchObject({ ok: false, error: { code: 'payment.request_conflict', details: { paymentId: first.paymentId } } });
    const other = await stack.core.dispatch('payment.create', { requestId, accountNo: '3100000005', method: 'cash', amount: '10.00' }, s);
    expect(other).toMatchObject({ ok: false, error: { code: 'payment.request_conflict' } });
    expect((stack.core.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n).toBe(1);
  });

  it('two clerks paying the same bills at once: the second payment finds them paid and goes to balance', async () => {
    const a = await signedIn(stack.core);
    const b = await signedIn(stack.core);
    const view = await call(stack.core, 'account.lookup', { accountNo: '3100000001' }, a);
    const amount = (view.totalDueFen / 100).toFixed(2);
    const [p1, p2] = await Promise.all([
      call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount }, a),
      call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount }, b),
    ]);
    const allocated = [...p1.allocations, ...p2.allocations].reduce((sum, x) => sum + x.principalFen + x.lateFeeFen, 0);
    expect(allocated).toBe(view.totalDueFen);
    expect(p1.toBalanceFen + p2.toBalanceFen).toBe(view.totalDueFen);
    await stack.core.syncNow();
    expect(stack.backend.db.prepare("SELECT COUNT(*) AS n FROM exceptions WHERE account_no = '3100000001'").get()).toEqual({ n: 0 });
  });

  it('shutdown lets a payment in flight finish and refuses new calls', async () => {
    const s = await signedIn(stack.core);
    const paying = stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '10.00' }, s);
    const closing = stack.core.close();
    expect(await stack.core.dispatch('system.info', {}, s)).toMatchObject({ ok: false, error: { code: 'rpc.shutting_down' } });
    const paid = await paying;
    await closing;
    expect(paid).toMatchObject({ ok: true });
    const core = await stack.restartCore();
    expect((core.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n).toBe(1);
  });
});
