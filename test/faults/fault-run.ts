/**
 * The fault run: payments and vends against the reference backend while everything in between
 * fails. The core runs in a child process (test/faults/load-core.ts) behind the request-level
 * fault proxy (test/faults/http-fault-proxy.ts) and is SIGKILLed at a random moment of each
 * generation, calls in flight, then restarted on the same data directory (it resumes its vends;
 * the clerk's unanswered calls are retried with the same requestId). The backend runs in its own
 * child process (test/support/backend-process.ts) and some generations cut its power (SIGKILL) and
 * restart it on the same database file. Every timing and fault decision comes from the seed.
 *
 * When enough has been injected, the proxy lets everything pass, a last process finishes and
 * syncs, and the invariant checker (test/faults/invariants.ts) compares both databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CrashPoint } from '../../main/vending/vend/crash-point.js';
import { startBackendProcess } from '../support/backend-process.js';
import { mulberry32 } from '../support/prng.js';
import { DEMO_NOW } from '../support/stack.js';
import { DEFAULT_ACCOUNTS, DEFAULT_SEED, generateSeed } from '../billing-backend/seed.js';
import { FAULT_KINDS, startHttpFaultProxy, type FaultTiming, type ProxyStats } from './http-fault-proxy.js';
import { checkInvariants, type AcknowledgedPayment, type AcknowledgedVend, type InvariantReport } from './invariants.js';
import { LOAD_JOB_VARIABLE, LOAD_LINE_PREFIX, type LoadCall, type LoadJob, type LoadLine } from './load-protocol.js';

const LOAD_ENTRY = path.resolve(import.meta.dirname, 'load-core.ts');

export interface FaultRunOptions {
  readonly seed: number;
  /** The load goes on until this many request faults were injected … */
  readonly minFaults: number;
  /** … the core was SIGKILLed this often … */
  readonly minCoreKills: number;
  /** … this many of those kills at a vend crash point, right after a commit (default 0) … */
  readonly minCrashPointKills?: number;
  /** … the backend lost power this often while the load ran … */
  readonly minPowerCuts: number;
  /** … and (soak) this much time passed. */
  readonly minLoadMs?: number;
  /** The load stops here whatever was reached (the result says what was). */
  readonly maxLoadMs: number;
  /** Share of requests faulted; default 0.6. */
  readonly faultRate?: number;
  readonly paymentWorkers?: number;
  readonly vendWorkers?: number;
  readonly log?: (line: string) => void;
  /** Keep the data directory (it is always kept when the invariants fail). */
  readonly keepDir?: boolean;
}

export interface CallCounts {
  started: number;
  answered: number;
  ok: number;
}

export interface FaultRunResult {
  readonly seed: number;
  readonly durationMs: number;
  readonly loadMs: number;
  readonly generations: number;
  /** SIGKILLs of the core: by the runner's timer, calls in flight … */
  readonly coreKills: number;
  /** … and by the core itself at a vend crash point ($GRIDDESK_CRASH_AT), right after a commit. */
  readonly crashPointKills: number;
  readonly powerCuts: number;
  readonly proxy: ProxyStats;
  readonly payments: CallCounts;
  readonly vends: CallCounts;
  /** Error codes of answered calls (account.not_cached while offline, …). */
  readonly codes: Readonly<Record<string, number>>;
  /** Lines the core logged for errors it could not classify (bugs), a few of them. */
  readonly internalErrors: readonly string[];
  readonly final: Extract<LoadLine, { t: 'final' }> | null;
  readonly report: InvariantReport;
  /** The data directory when kept (failed invariants or keepDir). */
  readonly dir: string | null;
}

/** Faults sized for loopback: no injected wait outlasts the core's push timeout. */
const RUN_TIMING: Partial<FaultTiming> = {
  delayMs: [20, 400],
  dropHoldMs: [50, 500],
  reorderHoldMs: 400,
  trickleChunkBytes: [64, 512],
  trickleGapMs: [1, 5],
  upstreamTimeoutMs: 15_000,
};

/** Demo accounts every clerk keeps coming back to: concurrent lookups and pushes for one account. */
const HOT_ACCOUNTS = ['3100000001', '3100000002', '3100000004', '3100000005', '3100000006', '3100000007'] as const;
/** How many further postpaid accounts with open bills take part payments (settlement, late fees). */
const BILLED_ACCOUNTS = 60;
/** STS meters on the 2014 base date (a 1993 meter is past its TID range at the demo date). */
const VEND_ACCOUNTS = ['3100000003', '3100000008'] as const;
/**
 * Crash points a cash vend delivered on screen passes (main/vending/vend/crash-point.ts): right
 * after a commit, or after the backend issued a token the terminal has not committed yet.
 */
const VEND_CRASH_POINTS: readonly CrashPoint[] = ['vend.created', 'vend.paid', 'vend.issue_answered', 'vend.token_issued', 'vend.delivered'];
const SEED_DATE = '2026-11-27';
const READY_TIMEOUT_MS = 60_000;
const FINAL_TIMEOUT_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the clerks started and were told, across all generations. */
class CallLedger {
  readonly pending = new Map<string, LoadCall>();
  readonly payments: CallCounts = { started: 0, answered: 0, ok: 0 };
  readonly vends: CallCounts = { started: 0, answered: 0, ok: 0 };
  readonly codes: Record<string, number> = {};
  readonly ackPayments = new Map<string, AcknowledgedPayment>();
  readonly ackVends = new Map<string, AcknowledgedVend>();
  private readonly begun = new Set<string>();

  take(line: LoadLine): void {
    if (line.t === 'begin') {
      this.pending.set(line.call.requestId, line.call);
      if (!this.begun.has(line.call.requestId)) {
        this.begun.add(line.call.requestId);
        this.counts(line.call).started++;
      }
    } else if (line.t === 'end') {
      this.pending.delete(line.call.requestId);
      const counts = this.counts(line.call);
      counts.answered++;
      if (!line.ok) {
        const code = line.code ?? 'unknown';
        this.codes[code] = (this.codes[code] ?? 0) + 1;
        return;
      }
      counts.ok++;
      if (line.call.kind === 'payment' && line.paymentId !== undefined && line.amountFen !== undefined) {
        this.ackPayments.set(line.call.requestId, { requestId: line.call.requestId, paymentId: line.paymentId, amountFen: line.amountFen });
      }
      if (line.call.kind === 'vend' && line.vendId !== undefined && line.state !== undefined) {
        this.ackVends.set(line.call.requestId, { requestId: line.call.requestId, vendId: line.vendId, state: line.state });
      }
    }
  }

  private counts(call: LoadCall): CallCounts {
    return call.kind === 'payment' ? this.payments : this.vends;
  }
}

interface LoadProcess {
  readonly child: ChildProcess;
  /** The last lines the process wrote to stderr, for an error message. */
  readonly stderrTail: string[];
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  final: Extract<LoadLine, { t: 'final' }> | null;
}

function spawnLoad(job: LoadJob, ledger: CallLedger, internalErrors: string[], crashAt: CrashPoint | null = null): LoadProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, [LOAD_JOB_VARIABLE]: JSON.stringify(job) };
  delete env.GRIDDESK_CRASH_AT;
  delete env.GRIDDESK_SECURE_MODULE_CONFIG;
  if (crashAt !== null) env.GRIDDESK_CRASH_AT = crashAt;
  const child = spawn(process.execPath, ['--import', 'tsx', LOAD_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const proc: LoadProcess = {
    child,
    stderrTail: [],
    ready,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
    final: null,
  };
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? ''; // a line the kill cut short is never complete
    for (const text of lines) {
      if (!text.startsWith(LOAD_LINE_PREFIX)) continue;
      const line = JSON.parse(text.slice(LOAD_LINE_PREFIX.length)) as LoadLine;
      if (line.t === 'ready') markReady();
      else if (line.t === 'final') proc.final = line;
      else ledger.take(line);
    }
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    const lines = err.split('\n');
    err = lines.pop() ?? '';
    for (const text of lines) {
      if (/^\[core\] .* failed:|^\[vend\] /.test(text) && internalErrors.length < 20) internalErrors.push(text.slice(0, 300));
      proc.stderrTail.push(text.slice(0, 300));
      if (proc.stderrTail.length > 30) proc.stderrTail.shift();
    }
  });
  return proc;
}

/** One comma-separated list of the injected faults by kind, every kind named. */
export function formatFaultCounts(stats: ProxyStats): string {
  return FAULT_KINDS.map((k) => `${k} ${stats.faults[k]}`).join(', ');
}

export function summaryLine(r: FaultRunResult): string {
  const vendStates = r.final ? Object.entries(r.final.vendStates).map(([s, n]) => `${s} ${n}`).join(', ') : 'unknown';
  const verdict = r.report.ok ? 'invariants OK' : `invariants FAILED (${r.report.problems.length} problems; data kept in ${r.dir ?? '?'})`;
  return (
    `fault run seed ${r.seed}: ${r.proxy.totalFaults} request faults (${formatFaultCounts(r.proxy)}; ${r.proxy.reorderOvertaken} reorders overtaken) ` +
    `over ${r.proxy.requests} requests, ${r.coreKills + r.crashPointKills} core SIGKILLs (${r.crashPointKills} at a vend crash point), ${r.powerCuts} backend power cuts (${r.proxy.upstreamFailures} requests met a dead backend); ` +
    `payments ${r.report.checked.payments - r.report.checked.settlements} (+${r.report.checked.settlements} vend settlements; ${r.payments.ok} confirmed of ${r.payments.started} started), ` +
    `vends ${r.report.checked.vends} (${vendStates}; ${r.vends.ok} confirmed of ${r.vends.started}); ` +
    `${(r.report.checked.paymentFen / 100).toFixed(2)} yuan paid, ${(r.report.checked.paidVendFen / 100).toFixed(2)} yuan vended; ` +
    `${Math.round(r.durationMs / 1000)} s; ${verdict}`
  );
}

export async function runFaultLoad(opts: FaultRunOptions): Promise<FaultRunResult> {
  const log = opts.log ?? ((): void => undefined);
  const started = Date.now();
  const t0 = started;
  const rng = mulberry32((opts.seed ^ 0x9e3779b9) >>> 0);
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-fault-run-'));
  const dataDir = path.join(dir, 'terminal');
  const backendDbPath = path.join(dir, 'backend.db');
  const startIso = DEMO_NOW.toISOString();

  const backend = await startBackendProcess({ dbPath: backendDbPath, startIso, t0Ms: t0, seedDate: SEED_DATE });
  const proxy = await startHttpFaultProxy({
    target: { host: '127.0.0.1', port: backend.port },
    seed: opts.seed,
    rate: opts.faultRate ?? 0.6,
    timing: RUN_TIMING,
  });
  const ledger = new CallLedger();
  const internalErrors: string[] = [];
  const billed = generateSeed({ seed: DEFAULT_SEED, accounts: DEFAULT_ACCOUNTS, seedDate: SEED_DATE })
    .accounts.filter((a) => a.paymentMode === 'postpaid' && !(HOT_ACCOUNTS as readonly string[]).includes(a.accountNo) && a.bills.some((b) => b.paidFen < b.amountFen))
    .slice(0, BILLED_ACCOUNTS)
    .map((a) => a.accountNo);
  const job = (generation: number, mode: LoadJob['mode']): LoadJob => ({
    dataDir,
    backendUrl: proxy.url,
    startIso,
    t0Ms: t0,
    seed: opts.seed,
    generation,
    mode,
    retry: [...ledger.pending.values()],
    paymentWorkers: opts.paymentWorkers ?? 8,
    vendWorkers: opts.vendWorkers ?? 4,
    hotAccounts: HOT_ACCOUNTS,
    paymentAccounts: billed,
    vendAccounts: VEND_ACCOUNTS,
  });

  let generation = 0;
  let coreKills = 0;
  let crashPointKills = 0;
  let powerCuts = 0;
  /** Power cuts while the core was up and loading (not while it was starting). */
  let powerCutsUnderLoad = 0;
  let final: FaultRunResult['final'] = null;
  let loadMs = 0;
  try {
    for (;;) {
      const elapsed = Date.now() - started;
      const enough =
        proxy.stats().totalFaults >= opts.minFaults &&
        coreKills + crashPointKills >= opts.minCoreKills &&
        crashPointKills >= (opts.minCrashPointKills ?? 0) &&
        powerCutsUnderLoad >= opts.minPowerCuts &&
        elapsed >= (opts.minLoadMs ?? 0);
      if (enough || elapsed >= opts.maxLoadMs) break;
      generation++;
      // Every draw is made up front, the same draws each generation, so the seed fixes them all.
      const [uEarly, uKill, uCut, uCutAt, uDark, uCrash, uPoint] = Array.from({ length: 7 }, rng) as [number, number, number, number, number, number, number];
      const early = uEarly < 0.15;
      const killAfterMs = early ? 100 + Math.floor(uKill * 2400) : 1500 + Math.floor(uKill * 9000);
      // A power cut the run still owes falls while the load runs (not while the core is starting).
      const cutPower = (powerCutsUnderLoad < opts.minPowerCuts && generation >= 2 && !early) || uCut < 0.2;
      const cutAtMs = Math.floor(uCutAt * killAfterMs);
      const darkMs = 300 + Math.floor(uDark * 1500);
      const owedCrash = crashPointKills < (opts.minCrashPointKills ?? 0) && generation % 3 === 0;
      const crashAt = uCrash < 0.3 || owedCrash ? (VEND_CRASH_POINTS[Math.floor(uPoint * VEND_CRASH_POINTS.length)] as CrashPoint) : null;

      const proc = spawnLoad(job(generation, 'load'), ledger, internalErrors, crashAt);
      let selfKilled = false;
      if (!early) {
        const outcome = await Promise.race([proc.ready.then(() => 'ready'), proc.exited.then(() => 'exited'), sleep(READY_TIMEOUT_MS).then(() => 'late')]);
        if (outcome === 'late') {
          proc.child.kill('SIGKILL');
          throw new Error(`load process ${generation} not ready in ${READY_TIMEOUT_MS} ms:\n${proc.stderrTail.join('\n')}`);
        }
        selfKilled = outcome === 'exited';
      }
      const cut = cutPower
        ? (async () => {
            await sleep(cutAtMs);
            const underLoad = !early && proc.child.exitCode === null && proc.child.signalCode === null;
            await backend.powerCut();
            powerCuts++;
            if (underLoad) powerCutsUnderLoad++;
            await sleep(darkMs);
            await backend.restart();
          })()
        : null;
      // Whichever comes first: the runner's kill, or the core's own at its crash point (also while resuming at start).
      selfKilled ||= await Promise.race([sleep(killAfterMs).then(() => false), proc.exited.then(() => true)]);
      if (selfKilled) {
        await proc.exited;
        if (crashAt === null || proc.child.signalCode !== 'SIGKILL') {
          throw new Error(`load process ${generation} exited by itself (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.stderrTail.join('\n')}`);
        }
        crashPointKills++;
      } else {
        proc.child.kill('SIGKILL');
        coreKills++;
        await proc.exited;
      }
      if (cut) await cut;
      const s = proxy.stats();
      log(
        `generation ${generation}: ${selfKilled ? `killed itself at ${crashAt}` : `killed after ${killAfterMs} ms${early ? ' (during start)' : ''}`}${cutPower ? `, power cut at ${cutAtMs} ms for ${darkMs} ms` : ''}; ` +
          `${s.totalFaults} faults over ${s.requests} requests; ${ledger.payments.ok} payments and ${ledger.vends.ok} vends confirmed; ${ledger.pending.size} unanswered`,
      );
    }
    loadMs = Date.now() - started;

    // The clean end: no more faults, the backend up, one last process finishes and syncs.
    proxy.setRate(0);
    await backend.restart();
    const last = spawnLoad(job(generation + 1, 'final'), ledger, internalErrors);
    const finished = await Promise.race([last.exited.then(() => true), sleep(FINAL_TIMEOUT_MS).then(() => false)]);
    if (!finished) {
      last.child.kill('SIGKILL');
      throw new Error('the final process did not finish');
    }
    if (last.child.exitCode !== 0) throw new Error(`the final process exited ${last.child.exitCode ?? last.child.signalCode}:\n${last.stderrTail.join('\n')}`);
    final = last.final;
  } finally {
    await backend.stop().catch(() => undefined);
    await proxy.close();
  }

  const report = checkInvariants({
    terminalDbPath: path.join(dataDir, 'T-HALL-01.db'),
    backendDbPath,
    acknowledged: { payments: [...ledger.ackPayments.values()], vends: [...ledger.ackVends.values()] },
    compareViews: true,
  });
  const keep = !report.ok || opts.keepDir === true;
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return {
    seed: opts.seed,
    durationMs: Date.now() - started,
    loadMs,
    generations: generation,
    coreKills,
    crashPointKills,
    powerCuts,
    proxy: proxy.stats(),
    payments: ledger.payments,
    vends: ledger.vends,
    codes: ledger.codes,
    internalErrors,
    final,
    report,
    dir: keep ? dir : null,
  };
}
