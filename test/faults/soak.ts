/**
 * `npm run soak [minutes] [--seed N]`: the fault run of test/faults/fault-run.test.ts, longer
 * (default 10 minutes of load), then the invariant check. Prints a line per core generation, the
 * problems found, and one summary line (faults by kind, payments, vends, result); exits 1 when an
 * invariant fails (the data directory is kept and named). The seed defaults to one drawn from the
 * clock and is printed, so a failing run can be replayed with --seed.
 */
import { parseArgs } from 'node:util';
import { runFaultLoad, summaryLine } from './fault-run.js';

const { values, positionals } = parseArgs({ options: { seed: { type: 'string' }, quiet: { type: 'boolean', default: false } }, allowPositionals: true });
const minutes = positionals[0] === undefined ? 10 : Number(positionals[0]);
if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`soak: minutes must be a positive number, not ${positionals[0]}`);
const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`soak: --seed must be a non-negative integer, not ${values.seed}`);

const loadMs = Math.round(minutes * 60_000);
console.log(`soak: seed ${seed}, ${minutes} min of load`);
const result = await runFaultLoad({
  seed,
  minFaults: 0,
  minCoreKills: 1,
  minCrashPointKills: 1,
  minPowerCuts: 1,
  minLoadMs: loadMs,
  // A short soak runs on until it has killed the core and cut the backend's power at least once.
  maxLoadMs: loadMs + 120_000,
  log: values.quiet ? undefined : (line) => console.log(`soak: ${line}`),
});
for (const p of result.report.problems) console.log(`soak: PROBLEM ${p}`);
for (const e of result.internalErrors) console.log(`soak: core error ${e}`);
console.log(`soak: answers with an error code: ${JSON.stringify(result.codes)}`);
console.log(summaryLine(result));
process.exit(result.report.ok ? 0 : 1);
