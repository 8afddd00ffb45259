/**
 * A terminal host: one process of the fleet run (./fleet-run.ts) running its share of the simulated
 * terminals (./sim-terminal.ts). The job comes in an environment variable; the run's steps come as
 * IPC messages (./fleet-protocol.ts): sell (each terminal, once per push interval, the interval's
 * sales and then a push), stop, drain, report the terminals' accounts, close.
 */
import { nodeHttpTransport } from '../../main/sync/node-http-transport.js';
import type { AccountSnapshot } from '../../main/wire/backend-wire.js';
import { DEFAULT_SEED, DEFAULT_SEED_DATE, seedAccounts } from '../billing-backend/seed.js';
import { shippedLateFees } from '../support/config.js';
import { mulberry32 } from '../support/prng.js';
import { HOST_JOB_VARIABLE, type FromHost, type HostJob, type ToHost } from './fleet-protocol.js';
import { faultyTransport, LinkFaultPlan } from './link-faults.js';
import { SimTerminal } from './sim-terminal.js';

/** Accounts each terminal has cached and sells to (a hall's customers; halls overlap). */
const ACCOUNTS_PER_TERMINAL = 6;
const MAX_PROBLEMS = 100;

const job = JSON.parse(process.env[HOST_JOB_VARIABLE] ?? 'null') as HostJob;
const send = (m: FromHost): void => {
  process.send?.(m);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A Poisson-distributed count with the given mean (Knuth's method; a normal approximation for large means). */
function poisson(mean: number, rng: () => number): number {
  if (mean > 30) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng(); p > limit; p *= rng()) k++;
  return k;
}

/** A terminal's cached accounts: a few of the area's open accounts, at least one with an STS meter (vends). */
function hallAccounts(area: readonly AccountSnapshot[], sts: readonly AccountSnapshot[], rng: () => number): AccountSnapshot[] {
  const picked = new Map<string, AccountSnapshot>();
  const withMeter = sts[Math.floor(rng() * sts.length)];
  if (withMeter) picked.set(withMeter.accountNo, withMeter);
  while (picked.size < Math.min(ACCOUNTS_PER_TERMINAL, area.length)) {
    const a = area[Math.floor(rng() * area.length)] as AccountSnapshot;
    picked.set(a.accountNo, a);
  }
  return [...picked.values()];
}

const t0 = performance.now();
const problems: string[] = [];
let recording = false;
let latencies: number[] = [];
let pushedEvents = 0;
// The same snapshots the backend seeded (same generator and parameters), as the terminals would have pulled them.
const area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: job.areaSize, seedDate: DEFAULT_SEED_DATE })].filter((a) => a.status !== 'closed');
const sts = area.filter((a) => a.meters.some((m) => m.kind === 'sts'));
const faults = new LinkFaultPlan(0);
const lateFees = shippedLateFees();
const terminals = job.terminals.map(({ id, secret, index }) => {
  const rng = mulberry32((job.seed * 1_000_003 + index * 7919) >>> 0);
  return new SimTerminal({
    terminalId: id,
    secret,
    baseUrl: job.baseUrl,
    transport: faultyTransport(nodeHttpTransport({ maxSockets: 2 }), faults, mulberry32((job.seed * 31 + index) >>> 0)),
    accounts: hallAccounts(area, sts, rng),
    lateFees,
    rng,
    pushBatchSize: job.pushBatchSize,
    pushTimeoutMs: job.pushTimeoutMs,
    timeZone: 'Asia/Shanghai',
    onPush: (ms, events) => {
      if (!recording) return;
      latencies.push(ms);
      pushedEvents += events;
    },
    onProblem: (text) => {
      if (problems.length < MAX_PROBLEMS) problems.push(text);
    },
  });
});

let selling = false;
let sellers: Promise<void>[] = [];
let committed = 0;
let payments = 0;

function sell(): void {
  selling = true;
  recording = true;
  latencies = [];
  pushedEvents = 0;
  committed = 0;
  payments = 0;
  const rng = mulberry32((job.seed * 65_537 + job.hostIndex) >>> 0);
  const perTick = (job.salesPerSecond * job.pushIntervalMs) / 1000;
  sellers = terminals.map(async (t) => {
    await sleep(rng() * job.pushIntervalMs);
    while (selling) {
      const tickStart = performance.now();
      for (let k = poisson(perTick, rng); k > 0; k--) {
        const n = t.commitSale();
        committed += n;
        if (n === 1) payments++;
      }
      void t.push();
      await sleep(job.pushIntervalMs - (performance.now() - tickStart));
    }
  });
}

async function stop(): Promise<FromHost> {
  selling = false;
  recording = false;
  const backlog = terminals.reduce((sum, t) => sum + t.pending(), 0);
  // Each seller finishes the sleep it is in (at most one interval) and sells no more.
  await Promise.all(sellers);
  return { t: 'stopped', committed, payments, latencies, pushedEvents, backlog, faults: { ...faults.counts } };
}

/** Every terminal pushes until its outbox is empty (or the time is up). */
async function drain(timeoutMs: number): Promise<FromHost> {
  faults.rate = 0;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = terminals.filter((t) => t.pending() > 0);
    if (left.length === 0 || performance.now() > deadline) break;
    await Promise.all(left.map((t) => t.push()));
    if (left.some((t) => t.pending() > 0)) await sleep(200);
  }
  return { t: 'drained', pending: terminals.reduce((sum, t) => sum + t.pending(), 0) };
}

process.on('message', (raw) => {
  const m = raw as ToHost;
  switch (m.t) {
    case 'sell':
      faults.rate = m.faultRate;
      sell();
      return;
    case 'stop':
      void stop().then(send);
      return;
    case 'drain':
      void drain(m.timeoutMs).then(send);
      return;
    case 'accounts':
      send({
        t: 'accounts',
        accounts: terminals.map((t) => ({ terminalId: t.terminalId, committed: [...t.committed], paymentsFen: t.paymentsFen(), pending: t.pending(), rejections: t.rejections() })),
        problems,
      });
      return;
    case 'close':
      for (const t of terminals) t.close();
      process.exit(0);
  }
});
// The parent gone (killed, crashed): no orphan host keeps pushing.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready', setupMs: Math.round(performance.now() - t0) });
