/**
 * Snapshot pull: the terminal caches its service area from the backend's change feed, resumes from
 * its cursor, and then serves lookups from the cache while the backend is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

const cachedAccounts = () => (stack.core.db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;

describe('snapshot pull', () => {
  it('caches every account, then serves an account never looked up while the backend is down', async () => {
    const first = await stack.core.pullNow();
    expect(first).toMatchObject({ accounts: 300, done: true });
    expect(cachedAccounts()).toBe(300);

    const again = await stack.core.pullNow();
    expect(again).toMatchObject({ accounts: 0, done: true });

    stack.backend.setKnobs({ down: true });
    const s = await signedIn(stack.core);
    const view = await call(stack.core, 'account.lookup', { accountNo: '3100000005' }, s);
    expect(view.source).toBe('cache');
    expect(view.openBills.length).toBeGreaterThan(0);
    expect(await stack.core.pullNow()).toBeNull();
  });

  it('picks up accounts changed after the last pull, from its cursor', async () => {
    await stack.core.pullNow();
    const s = await signedIn(stack.core);
    await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000006', method: 'cash', amount: '1.00' }, s);
    await stack.core.syncNow();
    const next = await stack.core.pullNow();
    expect(next).toMatchObject({ accounts: 1, done: true });
  });
});
