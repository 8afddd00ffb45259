/**
 * The terminal's core for the snapshot benchmark, in its own process so its RSS is the core's
 * alone: built by the composition root on a fresh data dir against `backendUrl`, it pulls until
 * the initial pull is complete and the change pages are done, then prints one JSON line with the
 * time, its CPU time, the accounts, its RSS now and at its peak.
 */
import { readFileSync } from 'node:fs';
import { buildCore } from '../../main/compose/index.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';

const [dataDir, backendUrl] = process.argv.slice(2);
if (dataDir === undefined || backendUrl === undefined) throw new Error('usage: snapshots-core.child.ts <dataDir> <backendUrl>');
const core = buildCore(testTerminalConfig({ dataDir, backend: { url: backendUrl, pushTimeoutMs: 30_000 } }), {
  printer: null,
  withoutDevices: true,
  lateFees: shippedLateFees(),
});
process.stderr.write(`  core at start: rss ${Math.round(process.memoryUsage().rss / 1e6)} MB, V8 heap ${Math.round(process.memoryUsage().heapTotal / 1e6)} MB; ${rssByMapping().slice(0, 3).map(([name, mb]) => `${name} ${mb} MB`).join(', ')}\n`);
const t0 = performance.now();
let accounts = 0;
let lastLog = 0;
let lastError: string | null = null;
core.on('sync.progressed', (s) => {
  lastError = s.lastError;
  // GD_LOG_MS: how often the progress line is printed (default every 10 s).
  if (performance.now() - lastLog < Number(process.env.GD_LOG_MS ?? 10_000)) return;
  lastLog = performance.now();
  const p = s.initialPull;
  process.stderr.write(`  ${p.accounts}/${p.total ?? '?'} accounts, ${p.perSecond}/s, ${p.secondsLeft ?? '?'} s left, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB (${rssByMapping().slice(0, 3).map(([name, mb]) => `${name} ${mb}`).join(', ')})\n`);
});
for (let run = 0; run < 20; run++) {
  const outcome = await core.pullNow();
  // A failed run (cut, timeout) resumes from its cursor in the next one.
  if (outcome === null) {
    process.stderr.write(`  pull interrupted: ${lastError ?? 'unknown'}; resuming\n`);
    continue;
  }
  accounts += outcome.accounts;
  if (outcome.done) break;
}
const seconds = (performance.now() - t0) / 1000;
const memory = process.memoryUsage();
const rssMb = memory.rss / 1e6;
process.stderr.write(`  core memory after the pull: rss ${Math.round(rssMb)} MB, V8 heap ${Math.round(memory.heapTotal / 1e6)} MB (${Math.round(memory.heapUsed / 1e6)} used), external ${Math.round(memory.external / 1e6)} MB\n`);
const usage = process.resourceUsage();
const maxRssMb = usage.maxRSS / 1e3;
// The machine is shared: CPU seconds next to wall seconds say whether the core waited or worked.
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
// Where the RSS is: V8's heap by space, and the process's mappings (glibc's heap, the node binary, …).
const spaces = (await import('node:v8')).getHeapSpaceStatistics().filter((sp) => sp.space_size > 1e6);
process.stderr.write(`  V8 spaces: ${spaces.map((sp) => `${sp.space_name} ${Math.round(sp.space_size / 1e6)} MB`).join(', ')}\n`);
process.stderr.write(`  mappings: ${rssByMapping().slice(0, 4).map(([name, mb]) => `${name} ${mb} MB`).join(', ')}\n`);
// GD_HEAP=file: a heap snapshot of the core after the pull (what is still live).
if (process.env.GD_HEAP) (await import('node:v8')).writeHeapSnapshot(process.env.GD_HEAP);
await core.close();
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, accounts, rssMb, maxRssMb })}\n`);
process.exit(0);

/** RSS by mapping name from /proc/self/smaps (Linux), largest first, in MB. */
function rssByMapping(): [string, number][] {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return [];
  }
  const kb = new Map<string, number>();
  let name = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || '[anon]';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb.set(name, (kb.get(name) ?? 0) + Number(rss[1]));
  }
  return [...kb].sort((a, b) => b[1] - a[1]).map(([n, k]) => [n, Math.round(k / 1024)]);
}
