/**
 * The daily arrears worklist of a whole service area (issue 11 item 3): 1,000,000 accounts seeded by
 * the reference backend's generator in a terminal cache (the credit bench's cache in .tmp/bench-credit/,
 * built once by the initial pull's batch writer and shared), then `Worklist` — one pass over accounts,
 * open bills and histories through the pure rules, then today's list filtered, sorted and paged as
 * the screen asks. Target ≤ 5 s for the list. A second call (the list kept for the day) beside it.
 *
 * The million is the generator's first 50,000 accounts (the credit bench's cache) copied 20 times
 * under new account and bill numbers inside SQLite (seconds, not the half hour a million through
 * the generator and the batch writer take on this machine): the same mix of behaviours, at scale.
 * Kept in .tmp/bench-collection/.
 *
 * BENCH_COLLECTION_ACCOUNTS overrides the count (a multiple of 50,000; 50000 for a quick look).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { loadCollectionRules } from '../../main/loaders/collection-rules.js';
import { loadTariffDirectory } from '../../main/loaders/tariff-config.js';
import type { CollectionDeps } from '../../main/services/collection/context.js';
import { Worklist } from '../../main/services/collection/worklist.js';
import { openDatabase } from '../../main/store/db.js';
import { applySnapshotBatch } from '../../main/store/snapshot-batch.js';
import type { AccountSnapshot } from '../../main/wire/backend-wire.js';
import { DEFAULT_SEED, GENERATOR_VERSION, seedAccounts } from '../billing-backend/seed.js';
import { atMost, info, type BenchResult } from './harness.js';

/** A killed run leaves its WAL beside the half-built file; SQLite would replay it into the next build. */
function removeBuilding(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

const ACCOUNTS = Number(process.env.BENCH_COLLECTION_ACCOUNTS ?? 1_000_000);
const SEED_DATE = '2026-11-27';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, '.tmp', 'bench-credit');
const BASE = 50_000;

/** `copies` × the base cache, each copy's account numbers moved up by 100,000 × its index. */
async function scaledCache(copies: number): Promise<string> {
  const base = await cacheFile(BASE);
  const out = path.join(root, '.tmp', 'bench-collection', `cache-g${GENERATOR_VERSION}-${BASE}x${copies}.db`);
  if (existsSync(out)) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  const building = `${out}.building`;
  removeBuilding(building);
  const src = openDatabase(base);
  await src.backup(building);
  src.close();
  const db = openDatabase(building);
  const cols = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const moved = (table: string, k: number, rename: Record<string, string>) => {
    const list = cols(table);
    const select = list.map((c) => rename[c] ?? c).join(', ');
    db.prepare(`INSERT INTO ${table} (${list.join(', ')}) SELECT ${select} FROM ${table} WHERE CAST(account_no AS INTEGER) < ${3100000000 + 100_000}`).run();
    void k;
  };
  const no = (k: number) => `printf('%010d', CAST(account_no AS INTEGER) + ${k * 100_000})`;
  db.transaction(() => {
    for (let k = 1; k < copies; k++) {
      moved('accounts', k, { account_no: no(k) });
      moved('bills', k, { account_no: no(k), bill_id: `bill_id || '-${k}'` });
      moved('account_history', k, { account_no: no(k) });
      moved('closed_accounts', k, { account_no: no(k) });
    }
  })();
  db.close();
  renameSync(building, out);
  return out;
}

async function cacheFile(accounts: number): Promise<string> {
  const file = path.join(dir, `cache-g${GENERATOR_VERSION}-${accounts}.db`);
  const building = `${file}.building`;
  // The credit bench may be building the same cache right now: wait for it rather than race it.
  for (let i = 0; i < 360 && !existsSync(file) && existsSync(building); i++) await new Promise((r) => setTimeout(r, 5000));
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  removeBuilding(building);
  const db = openDatabase(building);
  let batch: AccountSnapshot[] = [];
  const flush = () => {
    db.transaction(() => applySnapshotBatch(db, batch, 0))();
    batch = [];
  };
  for (const a of seedAccounts({ seed: DEFAULT_SEED, accounts, seedDate: SEED_DATE })) {
    batch.push(a);
    if (batch.length === 1000) flush();
  }
  if (batch.length > 0) flush();
  db.close();
  renameSync(building, file);
  return file;
}

export async function run(): Promise<BenchResult[]> {
  const db = openDatabase(ACCOUNTS === BASE ? await cacheFile(BASE) : await scaledCache(Math.round(ACCOUNTS / BASE)));
  try {
    const never = () => undefined;
    const deps: CollectionDeps = {
      db,
      clock: () => new Date(`${SEED_DATE}T02:00:00.000Z`),
      terminalId: 'T-BENCH',
      timeZone: 'Asia/Shanghai',
      defaultLocale: 'zh-CN',
      translators: { 'zh-CN': (k) => k, en: (k) => k },
      receipt: { header: '', hotline: '' },
      rules: loadCollectionRules(path.join(root, 'resources', 'rules', 'collection.json')),
      tariffs: loadTariffDirectory(path.join(root, 'resources', 'tariffs')),
      accounts: null as never,
      printer: null,
      noticeFonts: [],
      reminderLeadDays: { AAA: 0, AA: 1, A: 3, B: 7, C: 10 },
      afterCommit: never,
    };
    const worklist = new Worklist(deps);
    // The machine is shared: the load beside the wall clock says how far other work stretched it.
    const loadBefore = loadavg()[0] ?? 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const first = await worklist.view({ sort: 'priority' }, 0, 50);
    const firstS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const t1 = process.hrtime.bigint();
    const filtered = await worklist.view({ sort: 'overdue_days', reasons: ['overdue'], ageBucket: 3 }, 0, 50);
    const againS = Number(process.hrtime.bigint() - t1) / 1e9;
    return [
      atMost(`collection: daily worklist of ${ACCOUNTS} accounts (compute, sort, first page), wall clock`, firstS, 's', 5),
      info(`collection: daily worklist of ${ACCOUNTS} accounts, CPU time (both threads)`, (cpu.user + cpu.system) / 1e6, 's'),
      info(`collection: 1-minute load average before the run (${cpus().length} CPUs)`, loadBefore, 'load'),
      info(`collection: same day, another filter and sort (list kept)`, againS, 's'),
      info(`collection: accounts on the list`, first.all, 'accounts'),
      info(`collection: overdue over 90 days`, filtered.total, 'accounts'),
    ];
  } finally {
    db.close();
  }
}
