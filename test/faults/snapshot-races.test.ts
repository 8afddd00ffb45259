/**
 * Regression tests, end to end through fault proxies, for the two defects the fault run found in
 * laying backend snapshots over the terminal's cache (docs/faults.md, "Defects found"; fixed by
 * snapshots carrying appliedSeq):
 * - a payment whose acknowledgement was lost, overlaid on a snapshot that already held it, counted
 *   its balance part twice — and kept it after the re-push was acknowledged;
 * - a lookup answered before a pending payment reached the backend, but arriving after that
 *   payment was acknowledged, made the terminal forget the payment: the next payment settled the
 *   same principal and the same late fee again.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';
import { FAULT_KINDS, startHttpFaultProxy, type FaultKind, type HttpFaultProxy } from './http-fault-proxy.js';

let stack: Stack;
let core: Core;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await core.close();
  for (const close of closers.splice(0).reverse()) await close();
  await stack.dispose();
});

function proxiedCore(url: string): Core {
  return buildCore(testTerminalConfig({ dataDir: path.join(stack.dir, 'proxied'), backend: { url, lookupTimeoutMs: 5000 } }), {
    printer: null,
    withoutDevices: true,
    clock: stack.clock,
    lateFees: shippedLateFees(),
  });
}

const only = (kind: FaultKind) => Object.fromEntries(FAULT_KINDS.map((k) => [k, k === kind ? 1 : 0]));

describe('snapshots laid over the cache, through faults', () => {
  it('a lost acknowledgement does not count a payment twice in the balance, before or after the re-push', async () => {
    const account = '3100000002';
    stack = await startStack();
    const target = new URL(stack.backend.url);
    const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) });
    closers.push(() => proxy.close());
    core = proxiedCore(proxy.url);
    await core.refreshOperators();
    const clerk = await signedIn(core);
    await core.pullNow();
    await call(core, 'account.lookup', { accountNo: account }, clerk);
    proxy.mode = 'lose_answers';
    await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: account, method: 'cash', amount: '100.00' }, clerk);
    await core.syncNow(); // the backend applies it; the answer is lost
    proxy.mode = 'pass';
    const backendBalance = () => (stack.backend.db.prepare('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?').get(account) as { fen: number }).fen;
    const shown = () => (core.db.prepare('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?').get(account) as { fen: number }).fen;
    await core.pullNow(); // the snapshot holds the payment, which is still in the outbox
    expect(shown()).toBe(backendBalance());
    await core.syncNow(); // acknowledged now
    await core.pullNow(); // nothing newer for the account
    expect(shown()).toBe(backendBalance());
  });

  it('a lookup answer older than an acknowledgement does not make the next payment settle the same bill and late fee again', async () => {
    const account = '3100000001';
    stack = await startStack();
    const target = new URL(stack.backend.url);
    let phase: 'pass' | 'slow_answer' | 'unreachable' = 'pass';
    const lookup = (r: { target: string }) => r.target.startsWith(`/api/accounts/${account}`);
    // Two proxies in a row: the inner one holds the lookup's answer back, the outer one drops lookups.
    const slow: HttpFaultProxy = await startHttpFaultProxy({
      target: { host: target.hostname, port: Number(target.port) },
      seed: 1,
      rate: 1,
      weights: only('delay'),
      eligible: (r) => phase === 'slow_answer' && lookup(r),
      timing: { delayMs: [3000, 3000], delayAt: 'answer' },
    });
    closers.push(() => slow.close());
    const cut = await startHttpFaultProxy({
      target: { host: '127.0.0.1', port: slow.port },
      seed: 2,
      rate: 1,
      weights: only('drop'),
      eligible: (r) => phase === 'unreachable' && lookup(r),
      timing: { dropHoldMs: [10, 10] },
    });
    closers.push(() => cut.close());
    core = proxiedCore(cut.url);
    await core.refreshOperators();
    const clerk = await signedIn(core);
    const before = await call(core, 'account.lookup', { accountNo: account }, clerk);
    const oldest = before.openBills[0];
    expect(oldest?.lateFeeFen).toBeGreaterThan(0);

    stack.backend.setKnobs({ holdEvents: true });
    await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: account, method: 'cash', amount: '100.00' }, clerk);
    // The backend answers the lookup at once (without the payment); the answer takes 3 s to come back …
    phase = 'slow_answer';
    let answeredAt = 0;
    const slowLookup = call(core, 'account.lookup', { accountNo: account }, clerk).then(() => (answeredAt = Date.now()));
    await new Promise((r) => setTimeout(r, 500));
    phase = 'pass';
    // … and meanwhile the payment is pushed and acknowledged.
    stack.backend.setKnobs({ holdEvents: false });
    expect((await core.syncNow()).pending).toBe(0);
    const acknowledgedAt = Date.now();
    await slowLookup;
    expect(acknowledgedAt).toBeLessThan(answeredAt); // the race really happened
    expect(slow.decisions().filter((d) => d.kind === 'delay')).toHaveLength(1);
    // The next payment comes from the cache (the backend out of reach).
    phase = 'unreachable';
    await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: account, method: 'cash', amount: '250.00' }, clerk);
    phase = 'pass';
    expect((await core.syncNow()).pending).toBe(0);

    const bill = stack.backend.db.prepare('SELECT late_fee_paid_fen AS fee FROM bills WHERE bill_id = ?').get(oldest?.billId) as { fee: number };
    expect(bill.fee).toBe(oldest?.lateFeeFen);
    expect(stack.backend.db.prepare('SELECT kind, fen, detail FROM exceptions').all()).toEqual([]);
  });
});
