/**
 * Walking-skeleton benchmarks: the cost of a payment commit against the disk's bare commit cost,
 * and account lookup in a terminal cache of 1,000,000 accounts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../main/store/db.js';
import { getCachedAccount } from '../../main/store/accounts.js';
import { commitPayment } from '../../main/services/payments.js';
import { uuidv7 } from '../../main/store/ids.js';
import { atLeast, atMost, info, percentile, timeEach, type BenchResult } from './harness.js';

// On the project's disk, not tmpfs: fsync cost is the point.
function benchDir(): string {
  const root = path.resolve('.tmp');
  mkdirSync(root, { recursive: true });
  return mkdtempSync(path.join(root, 'bench-'));
}

function seedAccounts(db: Db, n: number): void {
  const acc = db.prepare(
    `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen,
       credit_grade, card_no, version, updated_at, cached_at)
     VALUES (?, ?, '河南省三门峡市湖滨区黄河路1号', ?, 'residential', 'postpaid', 'RES-TIER-M', 0, 'A', NULL, 1, '2026-11-27T00:00:00Z', 0)`,
  );
  const meter = db.prepare(`INSERT INTO meters (meter_no, account_no, kind) VALUES (?, ?, 'postpaid')`);
  const bill = db.prepare(
    `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status)
     VALUES (?, ?, '2026-10', 15000, 8400, 0, '2026-11-25', 'open')`,
  );
  const chunk = 50_000;
  for (let start = 0; start < n; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + chunk); i++) {
        const no = String(3100000000 + i);
        acc.run(no, `用户${i}`, `138${String(i).padStart(8, '0')}`);
        meter.run(`4100${String(i).padStart(8, '0')}`, no);
        bill.run(`B${no}`, no);
      }
    })();
  }
}

function paymentCommit(): BenchResult[] {
  const dir = benchDir();
  try {
    const db = openDatabase(path.join(dir, 'pay.db'));
    seedAccounts(db, 1);
    const bare = openDatabase(path.join(dir, 'bare.db'));
    bare.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const ins = bare.prepare('INSERT INTO t (v) VALUES (?)');
    const bareInsert = bare.transaction((v: string) => ins.run(v));
    // Interleaved rounds, so load from other processes hits both sides alike.
    const payTimes: number[] = [];
    const bareTimes: number[] = [];
    const rounds = 10;
    const perRound = 50;
    for (let r = 0; r < rounds; r++) {
      payTimes.push(...timeEach(perRound, () =>
        commitPayment(db, {
          paymentId: uuidv7(),
          requestId: crypto.randomUUID(),
          accountNo: '3100000000',
          method: 'cash',
          amountFen: 10000,
          tenderedFen: 10000,
          changeFen: 0,
          operatorId: 'C001',
          externalRef: null,
          createdAt: new Date().toISOString(),
          openBills: () => ({ asOfDate: '2026-11-25', bills: [{ billId: 'B3100000000', period: '2026-10', dueDate: '2026-11-25', outstandingFen: 8400, lateFeeFen: 0 }] }),
        }),
      ));
      bareTimes.push(...timeEach(perRound, (i) => bareInsert(`row ${r}-${i}`)));
    }
    payTimes.sort((a, b) => a - b);
    db.close();
    bare.close();
    const n = rounds * perRound;

    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const payPerSec = (n / total(payTimes)) * 1000;
    const barePerSec = (n / total(bareTimes)) * 1000;
    return [
      info('payment commit median (payment+journal+outbox, sync=FULL)', percentile(payTimes, 50), 'ms'),
      info('payment commits per second', payPerSec, '/s'),
      info('bare single-row insert commits per second', barePerSec, '/s'),
      atLeast('payment commit throughput ÷ bare insert throughput', payPerSec / barePerSec, 'ratio', 0.5),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lookupInMillion(): BenchResult[] {
  const dir = benchDir();
  try {
    const db = openDatabase(path.join(dir, 'cache.db'));
    const n = 1_000_000;
    const t0 = performance.now();
    seedAccounts(db, n);
    const seedMs = performance.now() - t0;
    let x = 12345;
    const times = timeEach(50_000, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const account = getCachedAccount(db, String(3100000000 + (x % n)));
      if (!account || account.bills.length !== 1) throw new Error('lookup missed');
    });
    db.close();
    return [
      info('cache seed of 1,000,000 accounts (+meter, +bill)', seedMs / 1000, 's'),
      info('account lookup median in 1,000,000', percentile(times, 50), 'ms'),
      atMost('account lookup p99 in 1,000,000 (account+meters+bills)', percentile(times, 99), 'ms', 1),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...paymentCommit(), ...lookupInMillion()];
}
