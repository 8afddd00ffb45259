/**
 * The audit area's figures (issue #12 item 5): the whole journal verified — 1,000,000 entries,
 * every hash recomputed, target ≤ 10 s — and the anomaly report of one month of a busy hall,
 * target ≤ 2 s. The journal is a busy hall's four months (8 clerks, about 8,300 entries a day:
 * lookups, payments with receipts, voids and refunds with approvals, reprints, waivers, shift
 * closes with differences, some off-hours work), written once into .tmp/bench-audit/ and reused.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RESOURCES_DIR } from '../../main/compose/index.js';
import { loadAuditRules } from '../../main/loaders/audit-rules.js';
import { anomalyReport } from '../../main/services/audit/anomaly-report.js';
import { openDatabase, type Db } from '../../main/store/db.js';
import { entryHash, GENESIS_HASH } from '../../main/store/journal.js';
import { verifyChain } from '../../main/store/journal-audit.js';
import { atMost, info, type BenchResult } from './harness.js';

const ENTRIES = 1_000_000;
const DAYS = 120;
const CLERKS = ['C001', 'C002', 'C003', 'C004', 'C005', 'C006', 'C007', 'C008'];
const TZ = 'Asia/Shanghai';
/** Local midnight of the first day (2026-08-01 in Shanghai). */
const START_MS = Date.parse('2026-07-31T16:00:00.000Z');

/** A deterministic PRNG (mulberry32), so every build of the file is the same journal. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildJournal(file: string): void {
  const tmp = `${file}.building`;
  rmSync(tmp, { force: true });
  const db = openDatabase(tmp);
  db.pragma('synchronous = OFF');
  const rnd = prng(12);
  const insert = db.prepare('INSERT INTO journal (seq, at, type, ref, actor, payload, prev_hash, hash, hash_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)');
  const perDay = ENTRIES / DAYS;
  let prev = GENESIS_HASH;
  const add = (seq: number, at: string, type: string, ref: string, actor: string, payload: object) => {
    const text = JSON.stringify(payload);
    const hash = entryHash(prev, seq, at, type, ref, actor, text);
    insert.run(seq, at, type, ref, actor, text, prev, hash);
    prev = hash;
  };
  db.transaction(() => {
    for (let seq = 1; seq <= ENTRIES; seq++) {
      const day = Math.floor((seq - 1) / perDay);
      const inDay = ((seq - 1) % perDay) / perDay;
      // Opening hours 08:00–18:00 mostly; about 1 % of the work before or after.
      const offHours = rnd() < 0.01;
      const minute = offHours ? 18 * 60 + Math.floor(rnd() * 120) : 8 * 60 + Math.floor(inDay * 600);
      const at = new Date(START_MS + day * 86_400_000 + minute * 60_000 + Math.floor(rnd() * 60_000)).toISOString();
      const actor = CLERKS[Math.floor(rnd() * CLERKS.length)] as string;
      const accountNo = `31${String(Math.floor(rnd() * 200_000)).padStart(8, '0')}`;
      const r = rnd();
      const ref = `ref-${seq}`;
      if (r < 0.3) add(seq, at, 'account.looked_up', accountNo, actor, { accountNo, source: 'online' });
      else if (r < 0.6) add(seq, at, 'payment.created', ref, actor, { paymentId: ref, accountNo, method: 'cash', amountFen: 1000 + Math.floor(rnd() * 50_000), operatorId: actor, tenderedFen: 0, changeFen: 0 });
      else if (r < 0.9) add(seq, at, 'receipt.printed', ref, actor, { reprint: false });
      else if (r < 0.905) add(seq, at, 'payment.voided', ref, actor, { paymentId: ref, accountNo, amountFen: 2000, approvedBy: 'S001' });
      else if (r < 0.907) add(seq, at, 'payment.refunded', ref, actor, { paymentId: ref, accountNo, amountFen: 3000, approvedBy: 'S001' });
      else if (r < 0.915) add(seq, at, 'receipt.reprinted', ref, actor, { reprint: true, reprintNo: 1 });
      else if (r < 0.917) add(seq, at, 'late_fee.waived', ref, actor, { accountNo, fen: 150, approvedBy: 'S002' });
      else if (r < 0.918) add(seq, at, 'shift.closed', ref, actor, { differenceFen: Math.floor(rnd() * 3) * 1000 - 1000, approvedBy: null });
      else if (r < 0.919) add(seq, at, 'vend.delivery_attempted', ref, actor, { via: 'print', attempt: 2 });
      else add(seq, at, 'vend.card_step', ref, actor, { step: 'written', attempt: 1 });
    }
  })();
  db.close();
  renameSync(tmp, file);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
}

/** Wall time, and this process's CPU time beside it: on a shared, loaded machine the two part ways. */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

export async function run(): Promise<BenchResult[]> {
  const dir = path.resolve('.tmp', 'bench-audit');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `journal-${ENTRIES}.db`);
  const results: BenchResult[] = [];
  if (!existsSync(file)) {
    const built = time(() => buildJournal(file));
    results.push(info('audit: build the 1,000,000-entry journal (once, reused)', Math.round(built.ms / 100) / 10, 's'));
  }
  const db: Db = openDatabase(file);
  try {
    const verified = time(() => verifyChain(db, null));
    if (!verified.value.ok || verified.value.entries !== ENTRIES) throw new Error(`bench journal does not verify: ${JSON.stringify(verified.value.breaks.slice(0, 3))}`);
    results.push(atMost('audit: verify a journal of 1,000,000 entries', Math.round(verified.ms / 10) / 100, 's', 10));
    results.push(info('audit: verify 1,000,000 entries, CPU time of the process', Math.round(verified.cpuMs / 10) / 100, 's'));

    const rules = loadAuditRules(path.join(RESOURCES_DIR, 'rules', 'audit.json'));
    const month = { from: '2026-09-01', to: '2026-09-30' };
    anomalyReport(db, rules, TZ, month); // warm the page cache: the hall's terminal has its journal open all day
    const report = time(() => anomalyReport(db, rules, TZ, month));
    results.push(atMost('audit: anomaly report for a month of a busy hall', Math.round(report.ms) / 1000, 's', 2));
    results.push(info('audit: anomaly report, CPU time of the process', Math.round(report.cpuMs) / 1000, 's'));
    results.push(info('audit: entries in that month', report.value.scanned, 'entries'));
    results.push(info('audit: anomalies found in that month', report.value.total, 'anomalies'));
  } finally {
    db.close();
  }
  return results;
}
