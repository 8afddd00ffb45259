/**
 * `npm run fleet -- --terminals 1000 [--seconds 30] [--fault-rate 0.05] [--sales 2] [--push-interval 1000]
 *   [--batch 100] [--pg-pool 10] [--hosts N] [--seed 1]`: PostgreSQL, the reference backend on it and N simulated
 * terminals (docs/fleet.md); sells for the given time, drains, checks the invariant for every
 * terminal and prints one summary line. Exits 1 when the invariant fails.
 */
import { parseArgs } from 'node:util';
import { Fleet, summaryLine } from './fleet-run.js';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'fault-rate': { type: 'string', default: '0.05' },
    sales: { type: 'string', default: '2' },
    'push-interval': { type: 'string', default: '1000' },
    batch: { type: 'string', default: '100' },
    'pg-pool': { type: 'string' },
    hosts: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

function num(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number in [${min}, ${max}] (got ${JSON.stringify(text)})`);
  return v;
}

const terminals = Math.floor(num('terminals', values.terminals, 1, 5000));
const seconds = num('seconds', values.seconds, 1, 24 * 3600);
const faultRate = num('fault-rate', values['fault-rate'], 0, 0.9);
const fleet = await Fleet.start({
  terminals,
  seed: Math.floor(num('seed', values.seed, 0, 2 ** 31)),
  salesPerSecond: num('sales', values.sales, 0.01, 100),
  pushIntervalMs: Math.floor(num('push-interval', values['push-interval'], 50, 600_000)),
  pushBatchSize: Math.floor(num('batch', values.batch, 1, 500)),
  ...(values.hosts !== undefined ? { hosts: Math.floor(num('hosts', values.hosts, 1, 16)) } : {}),
  ...(values['pg-pool'] !== undefined ? { pgPool: Math.floor(num('pg-pool', values['pg-pool'], 1, 90)) } : {}),
  log: (line) => console.log(line),
});
let ok = false;
try {
  const result = await fleet.run({ seconds, faultRate });
  for (const p of result.terminalProblems.slice(0, 10)) console.log(`terminal problem: ${p}`);
  for (const p of result.report.problems.slice(0, 20)) console.log(`invariant: ${p}`);
  console.log(summaryLine(result));
  ok = result.report.ok;
} finally {
  await fleet.close();
}
process.exit(ok ? 0 : 1);
