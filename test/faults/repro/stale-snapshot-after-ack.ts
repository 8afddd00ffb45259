/**
 * Reproduces the stale-snapshot defect (docs/faults.md, "Defects found"), seen while building the
 * fault harness: `npx tsx test/faults/repro/stale-snapshot-after-ack.ts`. Exits 1 while the defect
 * is there, 0 once it is fixed (then turn this into a regression test).
 *
 * P1 pays the overdue bill's late fee and part of its principal and waits in the outbox. A lookup
 * of the account reaches the backend before P1 does; its answer is slow to arrive. Meanwhile P1 is
 * pushed and acknowledged, so it leaves the outbox. When the lookup's answer lands, cacheSnapshot
 * lays a snapshot without P1 over a cache that no longer lists P1 as pending: the terminal forgets
 * P1. The next payment, taken from the cache while the backend is out of reach, pays the late fee
 * again and settles the bill's whole principal again: the customer pays the late fee twice, and the
 * backend moves the excess to the balance with a bill_overpaid exception instead of paying the
 * next bill.
 */
import path from 'node:path';
import { buildCore } from '../../../main/compose/index.js';
import { shippedLateFees, testTerminalConfig } from '../../support/config.js';
import { call, signedIn, startStack } from '../../support/stack.js';
import { FAULT_KINDS, startHttpFaultProxy, type FaultKind } from '../http-fault-proxy.js';

const ACCOUNT = '3100000001';
const stack = await startStack();
const target = new URL(stack.backend.url);
let phase: 'pass' | 'slow_answer' | 'unreachable' = 'pass';
const only = (kind: FaultKind) => Object.fromEntries(FAULT_KINDS.map((k) => [k, k === kind ? 1 : 0]));
const lookup = (r: { target: string }) => r.target.startsWith(`/api/accounts/${ACCOUNT}`);
// Two proxies in a row: the inner one slows the lookup's answer down, the outer one drops lookups.
const slow = await startHttpFaultProxy({
  target: { host: target.hostname, port: Number(target.port) },
  seed: 1,
  rate: 1,
  weights: only('delay'),
  eligible: (r) => phase === 'slow_answer' && lookup(r),
  timing: { delayMs: [1500, 1500], delayAt: 'answer' },
});
const cut = await startHttpFaultProxy({
  target: { host: '127.0.0.1', port: slow.port },
  seed: 2,
  rate: 1,
  weights: only('drop'),
  eligible: (r) => phase === 'unreachable' && lookup(r),
  timing: { dropHoldMs: [10, 10] },
});
const core = buildCore(testTerminalConfig({ dataDir: path.join(stack.dir, 'proxied'), backend: { url: cut.url, lookupTimeoutMs: 5000 } }), {
  printer: null,
  withoutDevices: true,
  clock: stack.clock,
  lateFees: shippedLateFees(),
});
let exitCode = 0;
try {
  await core.refreshOperators();
  const clerk = await signedIn(core);
  const before = await call(core, 'account.lookup', { accountNo: ACCOUNT }, clerk);
  const oldest = before.openBills[0];
  if (!oldest || oldest.lateFeeFen === 0) throw new Error('the demo account should have an overdue bill with a late fee');
  stack.backend.setKnobs({ holdEvents: true });
  await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '100.00' }, clerk);
  // The backend answers the lookup at once; the answer takes 1.5 s to come back.
  phase = 'slow_answer';
  const slowLookup = call(core, 'account.lookup', { accountNo: ACCOUNT }, clerk);
  await new Promise((r) => setTimeout(r, 500));
  phase = 'pass';
  stack.backend.setKnobs({ holdEvents: false });
  await core.syncNow(); // P1 acknowledged while the lookup's answer is on its way
  await slowLookup;
  phase = 'unreachable';
  await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '250.00' }, clerk);
  phase = 'pass';
  await core.syncNow();
  const bill = stack.backend.db.prepare('SELECT late_fee_paid_fen AS fee FROM bills WHERE bill_id = ?').get(oldest.billId) as { fee: number };
  const exceptions = stack.backend.db.prepare('SELECT kind, fen, detail FROM exceptions').all() as { kind: string; fen: number; detail: string }[];
  if (bill.fee > oldest.lateFeeFen || exceptions.length > 0) {
    console.log(`DEFECT stale snapshot: late fee of ${oldest.billId} collected ${bill.fee} fen (due ${oldest.lateFeeFen}); backend exceptions ${JSON.stringify(exceptions)}`);
    exitCode = 1;
  } else console.log('fixed: the late fee was collected once and the backend recorded no exception');
} finally {
  await core.close();
  await cut.close();
  await slow.close();
  await stack.dispose();
}
process.exit(exitCode);
