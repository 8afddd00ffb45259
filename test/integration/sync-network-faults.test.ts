/**
 * Sync through a loopback proxy: refused connections and lost acknowledgements. A payment whose
 * acknowledgement was lost is pushed again and counted once by the backend.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let proxy: FaultProxy;
let core: Core;

beforeEach(async () => {
  stack = await startStack();
  const target = new URL(stack.backend.url);
  proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) });
  core = buildCore(testTerminalConfig({ dataDir: path.join(stack.dir, 'proxied'), backend: { url: proxy.url, lookupTimeoutMs: 1000 } }), {
    printer: null,
    withoutDevices: true,
    clock: stack.clock,
    lateFees: shippedLateFees(),
  });
  await core.refreshOperators();
});
afterEach(async () => {
  await core.close();
  await proxy.close();
  await stack.dispose();
});

// Payments only: each payment also queues its e-invoice request, which travels the same way.
const ledger = () =>
  stack.backend.db.prepare("SELECT event_id AS id FROM events WHERE terminal_id = ? AND type = 'payment.created'").all(DEMO_TERMINAL.id) as { id: string }[];
const waitingPayments = () => peekOutbox(core.db, 10).filter((r) => r.type === 'payment.created').map((r) => r.eventId);

describe('sync through network faults', () => {
  it('a lost acknowledgement leaves the row in the outbox; the re-push is a duplicate and the backend counts it once', async () => {
    const s = await signedIn(core);
    await call(core, 'account.lookup', { accountNo: '3100000005' }, s);
    proxy.mode = 'lose_answers';
    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000005', method: 'cash', amount: '30.00' }, s);
    const lost = await core.syncNow();
    expect(lost.online).toBe(false);
    expect(waitingPayments()).toEqual([paid.paymentId]);
    expect(ledger()).toEqual([{ id: paid.paymentId }]); // the backend did act on it

    const balance = stack.backend.db.prepare("SELECT balance_fen AS b FROM accounts WHERE account_no = '3100000005'").get();
    proxy.mode = 'pass';
    expect(await core.syncNow()).toMatchObject({ pending: 0, online: true });
    expect(ledger()).toEqual([{ id: paid.paymentId }]);
    expect(stack.backend.db.prepare("SELECT balance_fen AS b FROM accounts WHERE account_no = '3100000005'").get()).toEqual(balance);
  });

  it('refused connections: lookups fall back to the cache, payments wait, nothing is lost', async () => {
    const s = await signedIn(core);
    await call(core, 'account.lookup', { accountNo: '3100000001' }, s);
    proxy.mode = 'refuse';
    expect((await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).source).toBe('cache');
    // An account this terminal never cached is not called unknown while the backend is out of reach.
    expect(await core.dispatch('account.lookup', { accountNo: '3100000007' }, s)).toMatchObject({ ok: false, error: { code: 'account.not_cached' } });
    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '12.34' }, s);
    expect((await core.syncNow()).pending).toBe(2); // the payment and its e-invoice request
    expect(waitingPayments()).toEqual([paid.paymentId]);
    expect(ledger()).toEqual([]);
    proxy.mode = 'pass';
    expect((await core.syncNow()).pending).toBe(0);
    expect(ledger()).toEqual([{ id: paid.paymentId }]);
  });
});
