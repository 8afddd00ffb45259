/**
 * The whole service area offline (#8 item 1): the initial pull of 1,000,000 account snapshots from
 * the reference backend on loopback (backend and core each in their own process; the core's RSS
 * after the pull is the core's alone), then searches in the resulting cache — parts of Chinese
 * names (one, two and three or more characters, prefixes and whole names, drawn from the cached
 * names) and exact keys (account, meter, phone, card, bill barcode).
 *
 * The backend's database is seeded once into .tmp/bench-snapshots/ and reused (seeding a million
 * accounts takes minutes; its time is reported when it happens). GD_BENCH_ACCOUNTS overrides the
 * area's size for a quick run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { searchAccounts } from '../../main/store/account-search.js';
import { mulberry32 } from '../support/prng.js';
import { atMost, info, percentile, timeEach, type BenchResult } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = Number(process.env.GD_BENCH_ACCOUNTS ?? 1_000_000);
const QUERIES = 5_000;

/** The allocator settings `npm start` runs the core with (scripts/start.sh says why). */
const CORE_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

/** `script` run by node: a .ts file through tsx, an .mjs bundle as it is. */
function child(script: string, args: readonly string[], onLine: (line: string) => boolean, env: NodeJS.ProcessEnv = process.env): Promise<{ stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const argv = script.endsWith('.ts') ? ['--import', 'tsx', path.join(here, script)] : [script];
    const proc = spawn(process.execPath, [...argv, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    let done = false;
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf('\n'); nl >= 0 && !done; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (onLine(line)) {
          done = true;
          resolve({
            stop: () =>
              new Promise<void>((r) => {
                if (proc.exitCode !== null) return r();
                proc.once('exit', () => r());
                proc.kill('SIGTERM');
              }),
          });
        }
      }
    });
    proc.on('exit', (code) => {
      if (!done) reject(new Error(`${script} exited ${code} before it answered`));
    });
  });
}

export async function run(): Promise<BenchResult[]> {
  const root = path.resolve('.tmp', 'bench-snapshots');
  mkdirSync(root, { recursive: true });
  const results: BenchResult[] = [];
  const label = ACCOUNTS.toLocaleString('en');

  let url = '';
  const backend = await child('snapshots-backend.child.ts', [path.join(root, `backend-${ACCOUNTS === 1_000_000 ? '1m' : ACCOUNTS}.db`), String(ACCOUNTS)], (line) => {
    const m = /^READY (\S+) (\S+) (\S+)$/.exec(line);
    if (!m) return false;
    url = m[1] as string;
    if (m[2] === 'seeded') results.push(info(`reference backend seed of ${label} accounts (once; the file is reused)`, Number(m[3]), 's'));
    return true;
  });
  const dataDir = path.join(root, 'terminal');
  rmSync(dataDir, { recursive: true, force: true });
  // The core runs as shipped — compiled JavaScript, not through the tsx loader (whose compiler and
  // its thread would be a third of the RSS measured): bundled once per run into .tmp/bench-core/
  // (two levels below the repository, so the core finds resources/ as from dist/main/).
  const coreBundle = path.resolve('.tmp', 'bench-core', 'snapshots-core.mjs');
  await build({
    entryPoints: [path.join(here, 'snapshots-core.child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: coreBundle,
    logLevel: 'warning',
  });
  let pull: { seconds: number; cpuSeconds: number; accounts: number; rssMb: number; maxRssMb: number } | null = null;
  try {
    const core = await child(
      coreBundle,
      [dataDir, url],
      (line) => {
        if (!line.startsWith('{')) return false;
        pull = JSON.parse(line) as typeof pull;
        return true;
      },
      { ...process.env, ...CORE_MALLOC_ENV },
    );
    await core.stop();
  } finally {
    await backend.stop();
  }
  if (pull === null) throw new Error('the core reported nothing');
  const p = pull as { seconds: number; cpuSeconds: number; accounts: number; rssMb: number; maxRssMb: number };
  if (p.accounts !== ACCOUNTS) throw new Error(`pulled ${p.accounts} accounts, not ${ACCOUNTS}`);
  results.push(
    atMost(`initial pull of ${label} snapshots from the reference backend on loopback`, p.seconds, 's', 60),
    // The machine is shared: the core's CPU seconds say how much of the wall time was its own work.
    info(`core CPU time during the initial pull of ${label} (user + system)`, p.cpuSeconds, 's'),
    info(`initial pull rate (${label} accounts)`, p.accounts / p.seconds, 'accounts/s'),
    atMost(`core RSS after the initial pull of ${label}`, p.rssMb, 'MB', 200),
    info(`core peak RSS during the initial pull of ${label}`, p.maxRssMb, 'MB'),
  );

  // Searches in the cache the pull made.
  const db = new Database(path.join(dataDir, 'T-HALL-01.db'), { readonly: true });
  const rng = mulberry32(20261127);
  // A random account by its number (an OFFSET would walk the table at every pick).
  const { lo, hi } = db.prepare('SELECT MIN(CAST(account_no AS INTEGER)) AS lo, MAX(CAST(account_no AS INTEGER)) AS hi FROM accounts').get() as { lo: number; hi: number };
  const sample = db.prepare('SELECT account_no, name, phone, card_no FROM accounts WHERE account_no >= ? ORDER BY account_no LIMIT 1');
  const pick = () => sample.get(String(lo + Math.floor(rng() * (hi - lo + 1)))) as { account_no: string; name: string; phone: string; card_no: string | null };
  const parts: string[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const chars = [...pick().name];
    const len = [1, 2, 2, 3, chars.length][i % 5] as number;
    const at = i % 4 === 0 ? 0 : Math.floor(rng() * Math.max(1, chars.length - len + 1));
    parts.push(chars.slice(at, at + len).join('') || (chars[0] as string));
  }
  for (const q of ['王', '张', '洋', '英', '子涵', '大药房', '三门峡', '村灌溉站']) parts.push(q);
  const nameTimes = timeEach(parts.length, (i) => searchAccounts(db, parts[i] as string));
  results.push(
    info(`partial-name search median in ${label} (1, 2 and 3+ characters, ranked, 20 hits)`, percentile(nameTimes, 50), 'ms'),
    atMost(`partial Chinese-name search p99 in ${label}`, percentile(nameTimes, 99), 'ms', 20),
  );

  const keys: string[] = [];
  const meter = db.prepare('SELECT meter_no FROM meters WHERE account_no = ? LIMIT 1').pluck();
  const bill = db.prepare("SELECT bill_id FROM bills WHERE account_no = ? AND status = 'open' LIMIT 1").pluck();
  while (keys.length < QUERIES) {
    const a = pick();
    const k = keys.length % 5;
    const key = k === 0 ? a.account_no : k === 1 ? (meter.get(a.account_no) as string | undefined) : k === 2 ? a.phone : k === 3 ? a.card_no : (bill.get(a.account_no) as string | undefined);
    if (key) keys.push(key);
  }
  const keyTimes = timeEach(keys.length, (i) => {
    if (searchAccounts(db, keys[i] as string).length === 0) throw new Error(`key ${keys[i]} not found`);
  });
  db.close();
  results.push(
    info(`exact-key lookup median in ${label} (account, meter, phone, card, bill barcode)`, percentile(keyTimes, 50), 'ms'),
    atMost(`exact keys p99 in ${label}`, percentile(keyTimes, 99), 'ms', 1),
  );
  return results;
}
