/**
 * The fleet run (docs/fleet.md): a throwaway PostgreSQL cluster, the reference backend on it as
 * its own process over HTTP (test/billing-backend/main.ts --store pg, every terminal's id and
 * secret on its command line), and N simulated terminals (./sim-terminal.ts) spread over a few
 * host processes (./terminal-host.ts), each selling at its own random pace and pushing through a
 * faulty link (./link-faults.ts).
 *
 * `Fleet.start` sets it all up; `run` sells for the given time, then drains (sales stop, faults
 * off, every terminal pushes until its outbox is empty) and checks the invariant for every
 * terminal (./fleet-invariant.ts). `check` can be called again (a test tampers with the ledger
 * first), `close` stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { percentile } from '../bench/harness.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { checkFleet, readPgLedger, type FleetReport, type TerminalAccount } from './fleet-invariant.js';
import { HOST_JOB_VARIABLE, type FromHost, type HostJob, type ToHost } from './fleet-protocol.js';
import { LINK_FAULT_KINDS, LinkFaultPlan } from './link-faults.js';
import { pgClusterCpuSeconds, processCpuSeconds } from './process-cpu.js';

const BACKEND_MAIN = path.resolve(import.meta.dirname, '..', 'billing-backend', 'main.ts');
const BACKEND_START_TIMEOUT_MS = 60_000;
const HOST_ENTRY = path.resolve(import.meta.dirname, 'terminal-host.ts');
const HOST_TIMEOUT_MS = 180_000;

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
  /** Processes the terminals are spread over. Default one per 250 terminals, at most 4. */
  readonly hosts?: number;
  /**
   * The hosts' nice value (default 19, the lowest priority): on the real fleet the terminals are
   * other machines, so here the backend and PostgreSQL get the CPU first and the simulation what is
   * left. At nice 10 the hosts (70 s of CPU a minute for 1,000 terminals) still preempted the backend
   * often enough to put its p99 over a second; at 19 it is ~340 ms.
   */
  readonly hostNice?: number;
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
  /** The terminal hosts together. */
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
  /** The same pushes inside the backend (request in → answer out, from its request log): its share of the latency. */
  readonly backendPushP50Ms: number;
  readonly backendPushP99Ms: number;
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

/** The backend's own time per push (ms), collected while selling. */
interface BackendPushes {
  recording: boolean;
  ms: number[];
}

interface BackendChild {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** The reference backend as its own process on the cluster, knowing every terminal. */
async function startBackendChild(
  pgUrl: string, secrets: ReadonlyMap<string, string>, accounts: number, pgPool: number | undefined, onPush: (ms: number, status: number) => void,
): Promise<BackendChild> {
  // Profiling the backend (docs/fleet.md): e.g. GRIDDESK_FLEET_BACKEND_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.GRIDDESK_FLEET_BACKEND_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  // Not --quiet: its request log says how long each push took inside the backend.
  const args = [...nodeArgs, '--import', 'tsx', BACKEND_MAIN, '--store', 'pg', '--pg-url', pgUrl, '--port', '0', '--accounts', String(accounts)];
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
    const onStart = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onStart);
        child.stdout?.on('data', onLog);
        resolve(m[1] as string);
      }
    };
    // `[backend] POST /api/events 200 12ms`: the backend's own time for a push (request in → answer out).
    let partial = '';
    const onLog = (d: Buffer): void => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\[backend\] POST \/api\/events (\d+) (\d+)ms$/.exec(line);
        if (m) onPush(Number(m[2]), Number(m[1]));
      }
    };
    child.stdout?.on('data', onStart);
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

/** A terminal host process and its replies, one awaited at a time. */
class Host {
  private readonly waiting = new Map<FromHost['t'], (m: FromHost) => void>();
  private readonly stderr: string[] = [];
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromHost) => {
      const resolve = this.waiting.get(m.t);
      this.waiting.delete(m.t);
      resolve?.(m);
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 20) this.stderr.shift();
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static spawn(job: HostJob, nice: number): Host {
    const child = spawn(process.execPath, ['--import', 'tsx', HOST_ENTRY], {
      env: { ...process.env, [HOST_JOB_VARIABLE]: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    if (child.pid !== undefined && nice !== 0) {
      try {
        os.setPriority(child.pid, nice);
      } catch {
        // Not allowed here: the hosts share the CPU evenly, which only makes the figures worse.
      }
    }
    return new Host(child);
  }

  send(m: ToHost): void {
    this.child.send(m);
  }

  /** The next reply of kind `t` (sent after asking for it). */
  expect<T extends FromHost['t']>(t: T): Promise<Extract<FromHost, { t: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`terminal host ${this.child.pid}: no ${t} in ${HOST_TIMEOUT_MS} ms: ${this.stderr.join('').slice(-2000)}`)), HOST_TIMEOUT_MS);
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`terminal host ${this.child.pid} exited (${this.child.exitCode ?? this.child.signalCode}) waiting for ${t}: ${this.stderr.join('').slice(-2000)}`));
      });
      this.waiting.set(t, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromHost, { t: T }>);
      });
    });
  }

  async ask<T extends FromHost['t']>(m: ToHost, t: T): Promise<Extract<FromHost, { t: T }>> {
    const reply = this.expect(t);
    this.send(m);
    return reply;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.send({ t: 'close' });
    const late = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(late);
  }
}

export class Fleet {
  private problems: string[] = [];

  private constructor(
    private readonly opts: FleetOptions,
    private readonly cluster: PgCluster,
    private readonly backend: BackendChild,
    private readonly db: pg.Client,
    private readonly hosts: readonly Host[],
    readonly terminalIds: readonly string[],
    private readonly backendPushes: BackendPushes,
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
    const backendPushes: BackendPushes = { recording: false, ms: [] };
    const hostCount = Math.max(1, Math.min(opts.terminals, opts.hosts ?? Math.min(4, Math.ceil(opts.terminals / 250))));
    const t0 = performance.now();
    const cluster = await startPgCluster(opts.pgSettings ? { settings: opts.pgSettings } : {});
    let backend: BackendChild | undefined;
    const hosts: Host[] = [];
    let db: pg.Client | undefined;
    try {
      backend = await startBackendChild(cluster.url, secrets, areaSize, opts.pgPool, (ms) => {
        if (backendPushes.recording) backendPushes.ms.push(ms);
      });
      log(`fleet: PostgreSQL and the backend (${areaSize} accounts) up in ${Math.round(performance.now() - t0)} ms at ${backend.url}`);
      // One connection of its own (not the backend's): the intake counts, the ledger for the check, a test's statements.
      db = new pg.Client({ connectionString: cluster.url });
      db.on('error', () => undefined);
      await db.connect();
      const t1 = performance.now();
      for (let h = 0; h < hostCount; h++) {
        const mine = ids.map((id, index) => ({ id, secret: secrets.get(id) as string, index })).filter((t) => t.index % hostCount === h);
        hosts.push(
          Host.spawn({
            hostIndex: h,
            baseUrl: backend.url,
            terminals: mine,
            seed,
            areaSize,
            salesPerSecond: opts.salesPerSecond ?? 2,
            pushIntervalMs: opts.pushIntervalMs ?? 1000,
            pushBatchSize: opts.pushBatchSize ?? 100,
            pushTimeoutMs: opts.pushTimeoutMs ?? 10_000,
          }, opts.hostNice ?? 19),
        );
      }
      await Promise.all(hosts.map((host) => host.expect('ready')));
      log(`fleet: ${ids.length} terminals ready in ${hostCount} host process(es) in ${Math.round(performance.now() - t1)} ms`);
      return new Fleet(opts, cluster, backend, db, hosts, ids, backendPushes);
    } catch (e) {
      await Promise.all(hosts.map((host) => host.close().catch(() => undefined)));
      await db?.end().catch(() => undefined);
      await backend?.stop();
      await cluster.stop();
      throw e;
    }
  }

  private async heldEvents(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT COUNT(*) AS n FROM events')).rows[0]?.n ?? 0);
  }

  async run(run: RunOptions): Promise<FleetRunResult> {
    const log = this.opts.log ?? ((): void => undefined);
    const pushIntervalMs = this.opts.pushIntervalMs ?? 1000;
    const faultRate = run.faultRate ?? 0;
    const cpu0 = this.cpu();
    const t0 = performance.now();
    this.backendPushes.ms = [];
    this.backendPushes.recording = true;
    for (const host of this.hosts) host.send({ t: 'sell', faultRate });

    // The sustained intake is measured once every terminal has pushed at least once.
    const warmupMs = Math.min(pushIntervalMs * 3, (run.seconds * 1000) / 4);
    await sleep(warmupMs);
    const heldAtWarm = await this.heldEvents();
    const tWarm = performance.now();
    await sleep(run.seconds * 1000 - (performance.now() - t0));
    const heldAtStop = await this.heldEvents();
    const tStop = performance.now();
    this.backendPushes.recording = false;
    const stopped = await Promise.all(this.hosts.map((host) => host.ask({ t: 'stop' }, 'stopped')));
    const cpu1 = this.cpu();
    const loadSeconds = (tStop - t0) / 1000;
    const committed = stopped.reduce((sum, x) => sum + x.committed, 0);
    const backlogAtStop = stopped.reduce((sum, x) => sum + x.backlog, 0);
    log(`fleet: sold for ${loadSeconds.toFixed(1)} s, ${committed} events committed, ${backlogAtStop} in outboxes; draining`);

    // The drain: no more faults; every terminal pushes until its outbox is empty.
    const tDrain = performance.now();
    await Promise.all(this.hosts.map((host) => host.ask({ t: 'drain', timeoutMs: run.drainTimeoutMs ?? 120_000 }, 'drained')));
    // Copies the faulty links send late (replays) reach the backend before the ledger is read.
    await sleep(800);
    const drainSeconds = (performance.now() - tDrain) / 1000;
    const report = await this.check();
    const latencies = stopped.flatMap((x) => x.latencies).sort((a, b) => a - b);
    const backendMs = [...this.backendPushes.ms].sort((a, b) => a - b);
    const pushedEvents = stopped.reduce((sum, x) => sum + x.pushedEvents, 0);
    const faults = new LinkFaultPlan(faultRate);
    for (const x of stopped) for (const k of LINK_FAULT_KINDS) faults.counts[k] += x.faults[k];
    return {
      terminals: this.terminalIds.length,
      loadSeconds,
      drainSeconds,
      committed,
      payments: stopped.reduce((sum, x) => sum + x.payments, 0),
      offeredPerSecond: committed / loadSeconds,
      takenPerSecond: (heldAtStop - heldAtWarm) / ((tStop - tWarm) / 1000),
      pushes: latencies.length,
      eventsPerPush: latencies.length === 0 ? 0 : pushedEvents / latencies.length,
      pushP50Ms: percentile(latencies, 50),
      pushP99Ms: percentile(latencies, 99),
      backendPushP50Ms: percentile(backendMs, 50),
      backendPushP99Ms: percentile(backendMs, 99),
      backlogAtStop,
      faults,
      faultRate,
      terminalProblems: [...this.problems],
      report,
      cpu: { fleet: cpu1.fleet - cpu0.fleet, backend: cpu1.backend - cpu0.backend, postgres: cpu1.postgres - cpu0.postgres },
      loadAverage: os.loadavg()[0] ?? 0,
    };
  }

  private cpu(): CpuSeconds {
    return {
      fleet: this.hosts.reduce((sum, host) => sum + processCpuSeconds(host.child.pid ?? 0), 0),
      backend: processCpuSeconds(this.backend.child.pid ?? 0),
      postgres: pgClusterCpuSeconds(this.cluster.dataDir),
    };
  }

  /** What every terminal says now: its commits, its payments table, its outbox, its rejections. */
  async accounts(): Promise<TerminalAccount[]> {
    const replies = await Promise.all(this.hosts.map((host) => host.ask({ t: 'accounts' }, 'accounts')));
    this.problems = replies.flatMap((r) => r.problems);
    return replies.flatMap((r) => r.accounts.map((a) => ({ ...a, committed: new Map(a.committed) })));
  }

  /** The invariant for every terminal, against the ledger as the backend's database holds it now. */
  async check(): Promise<FleetReport> {
    const accounts = await this.accounts();
    return checkFleet(accounts, await readPgLedger(this.db));
  }

  /**
   * A statement on the backend's database, on the connection `check` reads with (a test tampers
   * with the ledger inside BEGIN … ROLLBACK to see the check catch it).
   */
  async sql(text: string, params: readonly unknown[] = []): Promise<pg.QueryResult> {
    return this.db.query(text, [...params]);
  }

  async close(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.close().catch(() => undefined)));
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
    `push p50 ${Math.round(r.pushP50Ms)} ms, p99 ${Math.round(r.pushP99Ms)} ms (in the backend ${Math.round(r.backendPushP50Ms)} / ${Math.round(r.backendPushP99Ms)} ms; ${r.pushes} pushes, ${r.eventsPerPush.toFixed(1)} events each); ` +
    `faults ${r.faults.total()} at rate ${r.faultRate} (${r.faults.describe()}); ` +
    `CPU s fleet ${r.cpu.fleet.toFixed(0)}, backend ${r.cpu.backend.toFixed(0)}, postgres ${r.cpu.postgres.toFixed(0)}; load ${r.loadAverage.toFixed(1)}; ${verdict}`
  );
}
