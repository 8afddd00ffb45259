/**
 * Reproduces KNOWN_DEFECTS['balance-overlay-doubled'] (docs/faults.md, "Defects found"), found by
 * the fault run (seed 41, `npm run soak -- 2 --seed 41`): `npx tsx test/faults/repro/balance-overlay-doubled.ts`.
 * Exits 1 while the defect is there, 0 once it is fixed (then turn this into a regression test and
 * drop the entry from KNOWN_DEFECTS).
 *
 * A cash payment to a prepaid account goes entirely to the balance. Its push reaches the backend
 * but the acknowledgement is lost, so it stays in the outbox. A pull now brings the account's
 * snapshot, which already includes the payment; cacheSnapshot adds the outbox payment's balance
 * part again. The re-push is acknowledged, and no later change of the account comes through the
 * feed, so the terminal keeps showing the balance with the payment counted twice.
 */
import path from 'node:path';
import { buildCore } from '../../../main/compose/index.js';
import { shippedLateFees, testTerminalConfig } from '../../support/config.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { call, signedIn, startStack } from '../../support/stack.js';

const ACCOUNT = '3100000002';
const stack = await startStack();
const target = new URL(stack.backend.url);
const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) });
const core = buildCore(testTerminalConfig({ dataDir: path.join(stack.dir, 'proxied'), backend: { url: proxy.url, lookupTimeoutMs: 1000 } }), {
  printer: null,
  withoutDevices: true,
  clock: stack.clock,
  lateFees: shippedLateFees(),
});
let exitCode = 0;
try {
  await core.refreshOperators();
  const clerk = await signedIn(core);
  await core.pullNow();
  await call(core, 'account.lookup', { accountNo: ACCOUNT }, clerk);
  proxy.mode = 'lose_answers';
  await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '100.00' }, clerk);
  await core.syncNow(); // the backend applies it; the answer is lost
  proxy.mode = 'pass';
  await core.pullNow(); // the snapshot holds the payment, which is still in the outbox
  await core.syncNow(); // acknowledged now
  await core.pullNow(); // nothing newer for the account
  const backend = (stack.backend.db.prepare('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?').get(ACCOUNT) as { fen: number }).fen;
  const shown = (core.db.prepare('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?').get(ACCOUNT) as { fen: number }).fen;
  if (shown !== backend) {
    console.log(`DEFECT balance-overlay-doubled: the terminal shows a balance of ${shown} fen for ${ACCOUNT}, the backend has ${backend} fen (+${shown - backend})`);
    exitCode = 1;
  } else console.log(`fixed: the terminal shows the backend's balance (${shown} fen)`);
} finally {
  await core.close();
  await proxy.close();
  await stack.dispose();
}
process.exit(exitCode);
