/**
 * The core in a child process under load, for the fault run (test/faults/fault-run.ts): built with
 * buildCore on the job's data directory, talking to the backend through the fault proxy. In `load`
 * mode clerks take cash payments (payment.create) and sell cash vends delivered on screen
 * (vend.purchase) against the demo accounts, concurrently, until the parent SIGKILLs the process —
 * while calls are in flight. In `final` mode it finishes what is left (the calls the last process
 * never answered, unfinished vends) and syncs until the outbox is empty, then exits.
 *
 * Calls the previous process started but never answered come back in `retry` and go first, with
 * the same requestId, as a clerk retrying after a restart would. Every call is reported on stdout
 * (`LOAD {json}`): `begin` before dispatch, `end` with the answer; a line lost to the kill only
 * makes the parent's record smaller, never wrong.
 */
import { buildCore } from '../../main/compose/index.js';
import type { ResultOf } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { SecureModuleConfigSchema } from '../../main/vending/secure-module/index.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { mulberry32 } from '../support/prng.js';
import { LOAD_JOB_VARIABLE, LOAD_LINE_PREFIX, type LoadCall, type LoadJob, type LoadLine } from './load-protocol.js';

const job = JSON.parse(process.env[LOAD_JOB_VARIABLE] ?? 'null') as LoadJob;
const emit = (line: LoadLine): void => {
  process.stdout.write(`${LOAD_LINE_PREFIX}${JSON.stringify(line)}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const start = Date.parse(job.startIso);
const clock = (): Date => new Date(start + (Date.now() - job.t0Ms));
const config = testTerminalConfig({
  dataDir: job.dataDir,
  backend: { url: job.backendUrl, lookupTimeoutMs: 1000, pushIntervalMs: 2000, pushBatchSize: 50 },
  // No printer: receipts fail fast (journaled receipt.failed), the CPU goes to the load; vends are shown on screen.
  printer: { transport: 'none' },
});
const core = buildCore(config, {
  withoutDevices: true,
  clock,
  lateFees: shippedLateFees(),
  secureModuleConfig: SecureModuleConfigSchema.parse({
    mode: 'online',
    keyFile: 'demo-vending-key.json',
    localFallback: true,
    offlineCreditLimitFen: 500_000,
    onlineTimeoutMs: 1500,
  }),
});

// Operators: the first process needs them from the backend (through the faults); later ones have them cached.
for (let attempt = 0; attempt < 200; attempt++) {
  if (await core.refreshOperators()) break;
  const cached = (core.db.prepare('SELECT COUNT(*) AS n FROM operators').get() as { n: number }).n;
  if (cached > 0) break;
  await sleep(100);
}

async function session(operatorId: string, pin: string): Promise<Session> {
  const s = core.newSession(`${operatorId}-${Math.random()}`);
  const r = await core.dispatch('session.signIn', { operatorId, pin }, s);
  if (!r.ok) throw new Error(`sign-in of ${operatorId} failed: ${r.error.code}`);
  return s;
}

const yuan = (fen: number): string => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const rng = mulberry32((job.seed * 7919 + job.generation) >>> 0);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

function nextCall(kind: LoadCall['kind']): LoadCall {
  const requestId = crypto.randomUUID();
  if (kind === 'payment') {
    const accounts = rng() < 0.5 ? job.hotAccounts : job.paymentAccounts;
    return { kind, requestId, accountNo: pick(accounts), amount: yuan(1 + Math.floor(rng() * 30_000)) };
  }
  return { kind, requestId, accountNo: pick(job.vendAccounts), amount: yuan(1000 + Math.floor(rng() * 29_000)) };
}

async function run(call: LoadCall, s: Session): Promise<void> {
  emit({ t: 'begin', call });
  if (call.kind === 'payment') {
    const r = await core.dispatch('payment.create', { requestId: call.requestId, accountNo: call.accountNo, method: 'cash', amount: call.amount }, s);
    if (!r.ok) return emit({ t: 'end', call, ok: false, code: r.error.code });
    const paid = r.result as ResultOf<'payment.create'>;
    emit({ t: 'end', call, ok: true, paymentId: paid.paymentId, amountFen: paid.amountFen });
    return;
  }
  const r = await core.dispatch('vend.purchase', { requestId: call.requestId, accountNo: call.accountNo, method: 'cash', amount: call.amount, delivery: 'screen' }, s);
  if (r.ok) {
    const vend = r.result as ResultOf<'vend.purchase'>;
    emit({ t: 'end', call, ok: true, vendId: vend.vendId, state: vend.state });
  }
  else {
    const vendId = (r.error.details as { vendId?: unknown } | undefined)?.vendId;
    emit({ t: 'end', call, ok: false, code: r.error.code, ...(typeof vendId === 'string' ? { vendId } : {}) });
  }
}

const retry = [...job.retry];
const clerks = await Promise.all(Array.from({ length: Math.max(1, job.paymentWorkers + job.vendWorkers) }, () => session('C001', '1234')));
emit({ t: 'ready', generation: job.generation });

if (job.mode === 'load') {
  const worker = async (kind: LoadCall['kind'], s: Session): Promise<void> => {
    for (;;) {
      const again = retry.shift();
      await run(again ?? nextCall(kind), s);
    }
  };
  const kinds: LoadCall['kind'][] = [...Array<'payment'>(job.paymentWorkers).fill('payment'), ...Array<'vend'>(job.vendWorkers).fill('vend')];
  // Runs until the parent kills this process.
  await Promise.all(kinds.map((k, i) => worker(k, clerks[i] as Session)));
} else {
  for (const call of retry) await run(call, clerks[0] as Session);
  const supervisor = await session('S001', '9999');
  // Unfinished vends: the resume issues what is paid; an issued token nobody printed is shown on screen.
  await core.dispatch('vend.resume', {}, supervisor);
  for (const { vend_id } of core.db.prepare("SELECT vend_id FROM vends WHERE state = 'token_issued'").all() as { vend_id: string }[]) {
    await core.dispatch('vend.deliver', { vendId: vend_id, via: 'screen' }, clerks[0] as Session);
  }
  let rounds = 0;
  let status = await core.syncNow();
  while (status.pending > 0 && rounds < 100) {
    rounds++;
    await sleep(100);
    status = await core.syncNow();
  }
  await core.pullNow();
  const vendStates = Object.fromEntries(
    (core.db.prepare('SELECT state, COUNT(*) AS n FROM vends GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]),
  );
  emit({ t: 'final', pending: status.pending, vendStates, syncRounds: rounds, lastError: status.lastError });
  await core.close();
  process.exit(0);
}
