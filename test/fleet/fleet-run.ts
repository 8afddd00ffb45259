/**
 * The fleet run (docs/fleet.md): a throwaway PostgreSQL cluster, the reference backend on it as
 * its own process over HTTP (test/billing-backend/main.ts --store pg, every terminal's id and
 * secret on its command line), and N simulated terminals (./sim-terminal.ts) in this process,
 * each selling at its own random pace and pushing through a faulty link (./link-faults.ts).
 *
 * `startFleet` sets it all up; `run` sells for the given time, then drains (sales stop, faults
 * off, every terminal pushes until its outbox is empty) and checks the invariant for every
 * terminal (./fleet-invariant.ts). `check` can be called again (a test tampers with the ledger
 * first), `close` stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { nodeHttpTransport } from '../../main/sync/node-http-transport.js';
import type { AccountSnapshot } from '../../main/wire/backend-wire.js';
import { DEFAULT_SEED, DEFAULT_SEED_DATE, seedAccounts } from '../billing-backend/seed.js';
import { percentile } from '../bench/harness.js';
import { shippedLateFees } from '../support/config.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { mulberry32 } from '../support/prng.js';
import { checkFleet, readPgLedger, type FleetReport } from './fleet-invariant.js';
import { faultyTransport, LinkFaultPlan } from './link-faults.js';
import { ownCpuSeconds, pgClusterCpuSeconds, processCpuSeconds } from './process-cpu.js';
import { SimTerminal } from './sim-terminal.js';

const BACKEND_MAIN = path.resolve(import.meta.dirname, '..', 'billing-backend', 'main.ts');
const BACKEND_START_TIMEOUT_MS = 60_000;
/** Accounts each terminal has cached and sells to (a hall's customers; halls overlap). */
const ACCOUNTS_PER_TERMINAL = 6;

export interface FleetOptions {
  readonly terminals: number;
  /** Seeds every terminal's choices and faults. Default 1. */
  readonly seed?: number;
  /** Sales per second per terminal (a vend is two events, a payment one), committed once per push interval. Default 2. */
  readonly salesPerSecond?: number;
  /** How often each terminal sells and pushes (ms; each at its own random phase). Default 1000. */
  readonly pushIntervalMs?: number;
  /** Events per push at most. Default 100. */
  readonly pushBatchSize?: number;
  /** Default 10,000 (the terminal's default). */
  readonly pushTimeoutMs?: number;
  /** The backend's PostgreSQL pool (--pg-pool). Default the backend's own (10). */
  readonly pgPool?: number;
  /** The service area seeded into the backend. Default max(300, 2 × terminals). */
  readonly accounts?: number;
  /** Extra postgresql.conf lines for the cluster (e.g. pg_stat_statements while profiling). */
  readonly pgSettings?: Readonly<Record<string, string | number>>;
  readonly log?: (line: string) => void;
}

export interface RunOptions {
  readonly seconds: number;
  /** Share of requests with a link fault while selling. Default 0. */
  readonly faultRate?: number;
  /** The drain gives up after this long (the invariant then reports what is left). Default 120 s. */
  readonly drainTimeoutMs?: number;
}

export interface CpuSeconds {
  readonly fleet: number;
  readonly backend: number;
  readonly postgres: number;
}

export interface FleetRunResult {
  readonly terminals: number;
  readonly loadSeconds: number;
  readonly drainSeconds: number;
  /** Events committed while selling … */
  readonly committed: number;
  /** … of which payments. */
  readonly payments: number;
  /** Committed per second while selling (the offered load). */
  readonly offeredPerSecond: number;
  /** Events the backend's ledger gained per second while selling, after the first pushes (the sustained intake). */
  readonly takenPerSecond: number;
  /** Pushes answered while selling, and their latency (ms): the whole signed exchange, the PostgreSQL transaction in it. */
  readonly pushes: number;
  readonly eventsPerPush: number;
  readonly pushP50Ms: number;
  readonly pushP99Ms: number;
  /** Outbox rows left when selling stopped (what the drain had to push). */
  readonly backlogAtStop: number;
  readonly faults: LinkFaultPlan;
  readonly faultRate: number;
  /** Problems terminals reported on the way (journal refused, bad reply signature). */
  readonly terminalProblems: readonly string[];
  readonly report: FleetReport;
  /** CPU seconds while selling. */
  readonly cpu: CpuSeconds;
  readonly loadAverage: number;
}

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

interface BackendChild {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** The reference backend as its own process on the cluster, knowing every terminal. */
async function startBackendChild(pgUrl: string, secrets: ReadonlyMap<string, string>, accounts: number, pgPool: number | undefined): Promise<BackendChild> {
  // Profiling the backend (docs/fleet.md): e.g. GRIDDESK_FLEET_BACKEND_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.GRIDDESK_FLEET_BACKEND_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const args = [...nodeArgs, '--import', 'tsx', BACKEND_MAIN, '--store', 'pg', '--pg-url', pgUrl, '--port', '0', '--quiet', '--accounts', String(accounts)];
  if (pgPool !== undefined) args.push('--pg-pool', String(pgPool));
  for (const [id, secret] of secrets) args.push('--terminal', `${id}=${secret}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`backend not listening after ${BACKEND_START_TIMEOUT_MS} ms: ${err.slice(-2000)}`)), BACKEND_START_TIMEOUT_MS);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code ?? signal}) before listening: ${err.slice(-2000)}`));
    });
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw e;
  });
  return {
    child,
    url,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(late);
      }
    },
  };
}

/** Each terminal's cached accounts: a few of the area's open accounts, at least one with an STS meter (vends). */
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

export class Fleet {
  private readonly problems: string[] = [];
  private latencies: number[] = [];
  private pushedEvents = 0;
  private recording = false;

  private constructor(
    private readonly opts: FleetOptions,
    private readonly cluster: PgCluster,
    private readonly backend: BackendChild,
    private readonly db: pg.Client,
    readonly terminals: readonly SimTerminal[],
    private readonly faults: LinkFaultPlan,
  ) {}

  get backendUrl(): string {
    return this.backend.url;
  }

  static async start(opts: FleetOptions): Promise<Fleet> {
    const log = opts.log ?? ((): void => undefined);
    const seed = opts.seed ?? 1;
    const areaSize = opts.accounts ?? Math.max(300, 2 * opts.terminals);
    const ids = Array.from({ length: opts.terminals }, (_, i) => `T-FLEET-${String(i + 1).padStart(4, '0')}`);
    const secrets = new Map(ids.map((id) => [id, randomBytes(24).toString('base64url')]));
    const t0 = performance.now();
    const cluster = await startPgCluster(opts.pgSettings ? { settings: opts.pgSettings } : {});
    let backend: BackendChild | undefined;
    try {
      backend = await startBackendChild(cluster.url, secrets, areaSize, opts.pgPool);
      log(`fleet: PostgreSQL and the backend (${areaSize} accounts) up in ${Math.round(performance.now() - t0)} ms at ${backend.url}`);
      // One connection of its own (not the backend's): the intake counts, the ledger for the check, a test's statements.
      const db = new pg.Client({ connectionString: cluster.url });
      db.on('error', () => undefined);
      await db.connect();
      // The same snapshots the backend seeded (same generator and parameters), as the terminals would have pulled them.
      const area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: areaSize, seedDate: DEFAULT_SEED_DATE })].filter((a) => a.status !== 'closed');
      const sts = area.filter((a) => a.meters.some((m) => m.kind === 'sts'));
      const faults = new LinkFaultPlan(0);
      const lateFees = shippedLateFees();
      const fleetRef: { fleet?: Fleet } = {};
      const t1 = performance.now();
      const terminals = ids.map((terminalId, i) => {
        const rng = mulberry32((seed * 1_000_003 + i * 7919) >>> 0);
        return new SimTerminal({
          terminalId,
          secret: secrets.get(terminalId) as string,
          baseUrl: (backend as BackendChild).url,
          transport: faultyTransport(nodeHttpTransport({ maxSockets: 2 }), faults, mulberry32((seed * 31 + i) >>> 0)),
          accounts: hallAccounts(area, sts, rng),
          lateFees,
          rng,
          pushBatchSize: opts.pushBatchSize ?? 100,
          pushTimeoutMs: opts.pushTimeoutMs ?? 10_000,
          timeZone: 'Asia/Shanghai',
          onPush: (ms, events) => fleetRef.fleet?.recordPush(ms, events),
          onProblem: (text) => fleetRef.fleet?.recordProblem(text),
        });
      });
      log(`fleet: ${terminals.length} terminals ready in ${Math.round(performance.now() - t1)} ms`);
      const fleet = new Fleet(opts, cluster, backend, db, terminals, faults);
      fleetRef.fleet = fleet;
      return fleet;
    } catch (e) {
      await backend?.stop();
      await cluster.stop();
      throw e;
    }
  }

  private recordPush(ms: number, events: number): void {
    if (!this.recording) return;
    this.latencies.push(ms);
    this.pushedEvents += events;
  }

  private recordProblem(text: string): void {
    if (this.problems.length < 100) this.problems.push(text);
  }

  private async heldEvents(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT COUNT(*) AS n FROM events')).rows[0]?.n ?? 0);
  }

  async run(run: RunOptions): Promise<FleetRunResult> {
    const log = this.opts.log ?? ((): void => undefined);
    const salesPerSecond = this.opts.salesPerSecond ?? 2;
    const pushIntervalMs = this.opts.pushIntervalMs ?? 1000;
    const faultRate = run.faultRate ?? 0;
    const rng = mulberry32(((this.opts.seed ?? 1) * 65_537) >>> 0);
    this.faults.rate = faultRate;
    this.latencies = [];
    this.pushedEvents = 0;
    let selling = true;
    let committed = 0;
    let payments = 0;
    const cpu0 = this.cpu();
    const t0 = performance.now();
    this.recording = true;

    // Each terminal, once per push interval (its own phase): the sales of that interval (a Poisson
    // count, mean salesPerSecond × interval), then a push. Pushing after every sale, as the core does,
    // would make each push carry one event at this pace; a push still in flight when the next is due
    // is followed by one more as soon as it ends (OutboxPusher.pushAll), so a slow backend gets bigger batches.
    const perTick = (salesPerSecond * pushIntervalMs) / 1000;
    const sellers = this.terminals.map(async (t) => {
      await sleep(rng() * pushIntervalMs);
      while (selling) {
        const tickStart = performance.now();
        for (let k = poisson(perTick, rng); k > 0; k--) {
          const n = t.commitSale();
          committed += n;
          if (n === 1) payments++;
        }
        void t.push();
        await sleep(pushIntervalMs - (performance.now() - tickStart));
      }
    });

    // The sustained intake is measured once every terminal has pushed at least once.
    const warmupMs = Math.min(pushIntervalMs * 2, (run.seconds * 1000) / 4);
    await sleep(warmupMs);
    const heldAtWarm = await this.heldEvents();
    const tWarm = performance.now();
    await sleep(Math.max(0, run.seconds * 1000 - warmupMs));
    const heldAtStop = await this.heldEvents();
    const tStop = performance.now();
    selling = false;
    this.recording = false;
    await Promise.all(sellers);
    const cpu1 = this.cpu();
    const loadSeconds = (tStop - t0) / 1000;
    const backlogAtStop = this.terminals.reduce((sum, t) => sum + t.pending(), 0);
    log(`fleet: sold for ${loadSeconds.toFixed(1)} s, ${committed} events committed, ${backlogAtStop} in outboxes; draining`);

    // The drain: no more faults; every terminal pushes until its outbox is empty.
    this.faults.rate = 0;
    const tDrain = performance.now();
    const deadline = tDrain + (run.drainTimeoutMs ?? 120_000);
    for (;;) {
      const left = this.terminals.filter((t) => t.pending() > 0);
      if (left.length === 0 || performance.now() > deadline) break;
      await Promise.all(left.map((t) => t.push()));
      if (left.some((t) => t.pending() > 0)) await sleep(200);
    }
    // Copies the faulty links send late (replays) reach the backend before the ledger is read.
    await sleep(800);
    const drainSeconds = (performance.now() - tDrain) / 1000;
    const report = await this.check();
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      terminals: this.terminals.length,
      loadSeconds,
      drainSeconds,
      committed,
      payments,
      offeredPerSecond: committed / loadSeconds,
      takenPerSecond: (heldAtStop - heldAtWarm) / ((tStop - tWarm) / 1000),
      pushes: sorted.length,
      eventsPerPush: sorted.length === 0 ? 0 : this.pushedEvents / sorted.length,
      pushP50Ms: percentile(sorted, 50),
      pushP99Ms: percentile(sorted, 99),
      backlogAtStop,
      faults: this.faults,
      faultRate,
      terminalProblems: [...this.problems],
      report,
      cpu: { fleet: cpu1.fleet - cpu0.fleet, backend: cpu1.backend - cpu0.backend, postgres: cpu1.postgres - cpu0.postgres },
      loadAverage: os.loadavg()[0] ?? 0,
    };
  }

  private cpu(): CpuSeconds {
    return { fleet: ownCpuSeconds(), backend: processCpuSeconds(this.backend.child.pid ?? 0), postgres: pgClusterCpuSeconds(this.cluster.dataDir) };
  }

  /** The invariant for every terminal, against the ledger as the backend's database holds it now. */
  async check(): Promise<FleetReport> {
    const ledger = await readPgLedger(this.db);
    return checkFleet(
      this.terminals.map((t) => ({ terminalId: t.terminalId, committed: t.committed, paymentsFen: t.paymentsFen(), pending: t.pending(), rejections: t.rejections() })),
      ledger,
    );
  }

  /**
   * A statement on the backend's database, on the connection `check` reads with (a test tampers
   * with the ledger inside BEGIN … ROLLBACK to see the check catch it).
   */
  async sql(text: string, params: readonly unknown[] = []): Promise<pg.QueryResult> {
    return this.db.query(text, [...params]);
  }

  async close(): Promise<void> {
    for (const t of this.terminals) t.close();
    await this.db.end().catch(() => undefined);
    await this.backend.stop();
    await this.cluster.stop();
  }
}

export function summaryLine(r: FleetRunResult): string {
  const verdict = r.report.ok
    ? 'invariant ok'
    : `invariant FAILED (${r.report.problemCount} problems on ${r.report.failedTerminals} terminals)`;
  return (
    `fleet: ${r.terminals} terminals, ${r.loadSeconds.toFixed(0)} s + ${r.drainSeconds.toFixed(1)} s drain; ` +
    `${r.report.committed} events (${r.payments} payments, ${(r.report.paymentFen / 100).toFixed(2)} yuan), ` +
    `${Math.round(r.takenPerSecond)} events/s taken (${Math.round(r.offeredPerSecond)}/s offered); ` +
    `push p50 ${Math.round(r.pushP50Ms)} ms, p99 ${Math.round(r.pushP99Ms)} ms (${r.pushes} pushes, ${r.eventsPerPush.toFixed(1)} events each); ` +
    `faults ${r.faults.total()} at rate ${r.faultRate} (${r.faults.describe()}); ` +
    `CPU s fleet ${r.cpu.fleet.toFixed(0)}, backend ${r.cpu.backend.toFixed(0)}, postgres ${r.cpu.postgres.toFixed(0)}; load ${r.loadAverage.toFixed(1)}; ${verdict}`
  );
}
