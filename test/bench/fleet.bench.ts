/**
 * `npm run bench fleet` (#13): 1,000 simulated terminals pushing at once to the reference backend on
 * PostgreSQL over HTTP (test/fleet/, docs/fleet.md) — the whole path: each terminal's commit, its
 * signed push, the backend process, the store's transaction. Figures: the events/s the backend's
 * ledger gains while every terminal sells and pushes (the sustained intake), the push latency, and
 * the invariant for every terminal after the drain. The terminals, the backend and PostgreSQL share
 * this machine's cores, so the CPU seconds of each are printed too. The terminals' hosts run at nice
 * 19 (on the real fleet they are other machines): the latency target is read inside the backend
 * (its request log: request in → answer out); what the simulated terminals see, which adds their
 * hosts' wait for CPU, is printed beside it.
 *
 * Knobs for exploring (environment): GD_BENCH_FLEET_TERMINALS (1000), GD_BENCH_FLEET_SECONDS (60),
 * GD_BENCH_FLEET_SALES (sales/s per terminal), GD_BENCH_FLEET_PUSH_MS (push interval),
 * GD_BENCH_FLEET_BATCH (events per push at most), GD_BENCH_FLEET_POOL (the backend's pg pool),
 * GD_BENCH_FLEET_NICE (the terminals' hosts' nice value, 19).
 */
import { Fleet, summaryLine } from '../fleet/fleet-run.js';
import { atLeast, atMost, info, type BenchResult } from './harness.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

const TERMINALS = env('GD_BENCH_FLEET_TERMINALS', 1000);
const SECONDS = env('GD_BENCH_FLEET_SECONDS', 60);
/** 4.25 sales/s per terminal, 30 % of them vends (two events): ~5,500 events/s offered by 1,000 terminals. */
const SALES = env('GD_BENCH_FLEET_SALES', 4.25);
/** The shipped terminal's push interval (resources/config/terminal.default.json). */
const PUSH_MS = env('GD_BENCH_FLEET_PUSH_MS', 5000);
const BATCH = env('GD_BENCH_FLEET_BATCH', 100);
const POOL = process.env.GD_BENCH_FLEET_POOL === undefined ? undefined : env('GD_BENCH_FLEET_POOL', 10);
const NICE = process.env.GD_BENCH_FLEET_NICE === undefined ? undefined : env('GD_BENCH_FLEET_NICE', 19);

export async function run(): Promise<BenchResult[]> {
  const fleet = await Fleet.start({
    terminals: TERMINALS,
    seed: 2026,
    salesPerSecond: SALES,
    pushIntervalMs: PUSH_MS,
    pushBatchSize: BATCH,
    ...(POOL !== undefined ? { pgPool: POOL } : {}),
    ...(NICE !== undefined ? { hostNice: NICE } : {}),
    log: (line) => console.log(line),
  });
  try {
    const r = await fleet.run({ seconds: SECONDS, faultRate: 0 });
    console.log(summaryLine(r));
    for (const p of r.report.problems.slice(0, 10)) console.log(`invariant: ${p}`);
    const cpuTotal = r.cpu.fleet + r.cpu.backend + r.cpu.postgres;
    const perK = (s: number): number => (r.takenPerSecond > 0 ? (s * 1000 * 1000) / (r.takenPerSecond * r.loadSeconds) : 0);
    const n = `${TERMINALS.toLocaleString('en')} terminals`;
    return [
      atLeast(`fleet: events/s taken, ${n} pushing at once (PostgreSQL, HTTP)`, r.takenPerSecond, 'events/s', 5_000),
      atMost(`fleet: p99 push latency in the backend (request in → answer out), ${n}`, r.backendPushP99Ms, 'ms', 500),
      atLeast(`fleet: invariant holds for every terminal (1 = yes), ${n}`, r.report.ok ? 1 : 0, 'bool', 1),
      info(`fleet: events/s offered (committed), ${n}`, r.offeredPerSecond, 'events/s'),
      info(`fleet: p50 push latency in the backend, ${n}`, r.backendPushP50Ms, 'ms'),
      info(`fleet: p99 push latency as the simulated terminals see it (incl. their hosts' CPU wait), ${n}`, r.pushP99Ms, 'ms'),
      info(`fleet: p50 push latency as the simulated terminals see it, ${n}`, r.pushP50Ms, 'ms'),
      info(`fleet: events per push, ${n}`, r.eventsPerPush, 'events'),
      info(`fleet: outbox backlog when selling stopped, ${n}`, r.backlogAtStop, 'events'),
      info(`fleet: CPU s while selling — terminals (their host processes), ${n}`, r.cpu.fleet, 's'),
      info(`fleet: CPU s while selling — backend process, ${n}`, r.cpu.backend, 's'),
      info(`fleet: CPU s while selling — PostgreSQL, ${n}`, r.cpu.postgres, 's'),
      info(`fleet: CPU ms per 1,000 events taken — backend + PostgreSQL, ${n}`, perK(r.cpu.backend + r.cpu.postgres), 'ms'),
      info(`fleet: CPU ms per 1,000 events taken — all three, ${n}`, perK(cpuTotal), 'ms'),
      info(`fleet: selling time, ${n}`, r.loadSeconds, 's'),
      info(`fleet: load average (1 min) at the end, ${n}`, r.loadAverage, 'load'),
    ];
  } finally {
    await fleet.close();
  }
}
