/**
 * The worklist's fast path (SQLite sums the bills and picks the accounts that can be on the list,
 * main/store/worklist-candidates.ts) gives exactly the list the rules give over every account of
 * the cache, brute force: generated accounts of every behaviour, every credit grade's reminder lead
 * and follow-up interval, promises (kept, lapsed, on accounts only due soon), contacts and notices,
 * a closed account, on several days.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { priceLadder } from '../../../main/domain/tariff/price-ladder.js';
import { assessAccount, dailyKwh, parseCollectionRules, worklistDay, type CollectionRules } from '../../../main/domain/collection/index.js';
import { loadTariffDirectory } from '../../../main/loaders/tariff-config.js';
import type { CollectionDeps } from '../../../main/services/collection/context.js';
import { lapsedPromises, lastTouchFacts, sortedBy, Worklist } from '../../../main/services/collection/worklist.js';
import { worklistRows } from '../../../main/store/collection.js';
import { migrate } from '../../../main/store/migrations.js';
import { applySnapshotBatch } from '../../../main/store/snapshot-batch.js';
import type { AccountHistory } from '../../../main/wire/backend-wire.js';
import { DEFAULT_SEED, seedAccounts } from '../../billing-backend/seed.js';

const root = path.resolve('.');
const rules: CollectionRules = parseCollectionRules(JSON.parse(readFileSync(path.join(root, 'resources/rules/collection.json'), 'utf8')), 'collection.json');
const GRADES = ['AAA', 'AA', 'A', 'B', 'C'] as const;
const LEAD = { AAA: 0, AA: 1, A: 3, B: 7, C: 10 };
const FOLLOW_UP = { AAA: 14, AA: 10, A: 7, B: 5, C: 3 };

function area() {
  const db = new Database(':memory:');
  migrate(db);
  const snaps = [...seedAccounts({ seed: DEFAULT_SEED, accounts: 1500, seedDate: '2026-11-27' })];
  db.transaction(() => applySnapshotBatch(db, snaps, 0))();
  const all = db.prepare('SELECT account_no FROM accounts ORDER BY account_no').pluck().all() as string[];
  // Consumption dropped, tokens stopped, a prepaid balance nearly gone.
  const prepaid = db.prepare("SELECT account_no FROM accounts WHERE payment_mode = 'prepaid' ORDER BY account_no LIMIT 3").pluck().all() as string[];
  for (const accountNo of prepaid) {
    const h = JSON.parse(db.prepare('SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(accountNo) as string) as AccountHistory;
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify({ ...h, kwh: [300, 310, 290, 305, 2], vends: [2, 1, 1, 0, 0] }), accountNo);
  }
  const postpaid = db.prepare("SELECT account_no FROM accounts WHERE payment_mode = 'postpaid' ORDER BY account_no LIMIT 2 OFFSET 40").pluck().all() as string[];
  for (const accountNo of postpaid) {
    const h = JSON.parse(db.prepare('SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(accountNo) as string) as AccountHistory;
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify({ ...h, kwh: [...(h.kwh ?? []).slice(0, -1), 1] }), accountNo);
  }
  // On the edge: last month just under the near-zero share of the usual 100 kWh.
  const edge = db.prepare("SELECT account_no FROM accounts WHERE payment_mode = 'postpaid' ORDER BY account_no LIMIT 1 OFFSET 50").pluck().get() as string;
  const edgeHistory = JSON.parse(db.prepare('SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(edge) as string) as AccountHistory;
  db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify({ ...edgeHistory, kwh: [100, 100, 100, 100, 100 * rules.worklist.nearZeroShare - 1] }), edge);
  // A prepaid balance lasting exactly the run-out window at the customer's own rate.
  const [lasting] = db.prepare("SELECT account_no FROM accounts WHERE payment_mode = 'prepaid' ORDER BY account_no LIMIT 1 OFFSET 10").pluck().all() as string[];
  const lastingHistory = JSON.parse(db.prepare('SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(lasting) as string) as AccountHistory;
  db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify({ ...lastingHistory, to: '2026-10', kwh: [310, 300, 310, 300, 310] }), lasting);
  const tariff = db.prepare('SELECT tariff_code FROM accounts WHERE account_no = ?').pluck().get(lasting) as string;
  const price = priceLadder(loadTariffDirectory(path.join(root, 'resources', 'tariffs')).get(tariff)!).blocks[0]!.centifenPerKwh;
  const perDay = dailyKwh([310, 300, 310, 300, 310], '2026-10', rules.worklist.rateMonths)!;
  db.prepare('UPDATE accounts SET balance_fen = ? WHERE account_no = ?').run(Math.floor((rules.worklist.prepaidRunOutDays * perDay * price) / 100) + 1, lasting);
  // Every grade, and some accounts never graded.
  const grade = db.prepare("INSERT INTO credit_current VALUES (?, 60, ?, ?, '[]', NULL, '2026-11-27T00:00:00Z', '2026-11-27')");
  all.forEach((accountNo, i) => {
    if (i % 7 !== 6) grade.run(accountNo, GRADES[i % 5], GRADES[i % 5]);
  });
  db.prepare('INSERT INTO closed_accounts VALUES (?)').run(all[11]);
  // Contacts: promises on accounts that owe (whatever they owe), calls without an answer, notices.
  const owing = db.prepare("SELECT DISTINCT account_no FROM bills WHERE status = 'open' AND amount_fen > paid_fen ORDER BY account_no").pluck().all() as string[];
  const contact = db.prepare(
    "INSERT INTO collection_contacts VALUES (?, ?, ?, 'call', ?, '', NULL, ?, ?, 'S001', ?)",
  );
  owing.slice(0, 60).forEach((accountNo, i) => {
    const promised = i % 3 === 0;
    const at = `2026-11-${String(10 + (i % 15)).padStart(2, '0')}T02:00:00.000Z`;
    contact.run(`c${i}`, `r${i}`, accountNo, promised ? 'promised' : 'no_answer', promised ? `2026-11-${String(20 + (i % 9)).padStart(2, '0')}` : null, promised && i % 2 === 0 ? 5000 : null, at);
  });
  const notice = db.prepare(
    "INSERT INTO collection_notices (notice_id, request_id, notice_no, account_no, kind, customer_class, overdue_fen, oldest_due_date, served_on, steps_json, bills_json, operator_id, created_at) VALUES (?, ?, ?, ?, 'reminder', 'residential', 100, '2026-10-31', '2026-11-15', '[]', '[]', 'S001', ?)",
  );
  owing.slice(60, 80).forEach((accountNo, i) => notice.run(`n${i}`, `nr${i}`, `NO${i}`, accountNo, '2026-11-15T02:00:00.000Z'));
  return db;
}

describe('worklist fast path', () => {
  const db = area();
  const tariffs = loadTariffDirectory(path.join(root, 'resources', 'tariffs'));
  const depsOn = (today: string): CollectionDeps => ({
    db,
    clock: () => new Date(`${today}T04:00:00.000Z`),
    terminalId: 'T-TEST',
    timeZone: 'Asia/Shanghai',
    defaultLocale: 'zh-CN',
    translators: { 'zh-CN': (k) => k, en: (k) => k },
    receipt: { header: '', hotline: '' },
    rules,
    tariffs,
    accounts: null as never,
    printer: null,
    noticeFonts: [],
    reminderLeadDays: LEAD,
    followUpDays: FOLLOW_UP,
    afterCommit: () => undefined,
  });

  for (const today of ['2026-11-27', '2026-12-03', '2026-12-20', '2027-01-15']) {
    it(`the same entries as the rules over every account (${today})`, async () => {
      const deps = depsOn(today);
      const fast = (await new Worklist(deps).entries()).entries;
      const day = worklistDay(today, rules);
      const promises = lapsedPromises(deps, today);
      const touches = lastTouchFacts(deps);
      const worklist = new Worklist(deps) as unknown as { prices: Map<string, number> };
      const brute = [];
      for (const row of worklistRows(db, rules.worklist.rateMonths + 1)) {
        const lead = row.grade === null ? undefined : LEAD[row.grade as keyof typeof LEAD];
        const followUpDays = row.grade === null ? undefined : FOLLOW_UP[row.grade as keyof typeof FOLLOW_UP];
        const a = assessAccount(
          { ...row, centifenPerKwh: worklist.prices.get(row.tariffCode) ?? 0, reminderLeadDays: lead, followUpDays },
          day,
          rules,
          promises.get(row.accountNo) ?? [],
          touches.get(row.accountNo) ?? null,
        );
        if (a) brute.push({ ...a, customerClass: row.customerClass, grade: row.grade });
      }
      expect(brute.length).toBeGreaterThan(100);
      expect(fast).toEqual(brute);
    });
  }

  it('the accounts on the edge of a rule are on the list', async () => {
    const listed = (await new Worklist(depsOn('2026-11-27')).entries()).entries;
    expect(listed.filter((e) => e.reasons.some((r) => r.kind === 'consumption_dropped' && r.usualKwh === 100)).length).toBe(1);
    expect(listed.filter((e) => e.reasons.some((r) => r.kind === 'prepaid_running_out' && r.daysLeft === rules.worklist.prepaidRunOutDays)).length).toBeGreaterThan(0);
  });

  it('split over two threads (a cache on file), the same list in the same order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'worklist-'));
    const file = path.join(dir, 'cache.db');
    await db.backup(file);
    const onFile = new Database(file);
    try {
      for (const today of ['2026-12-03', '2027-01-15']) {
        const one = await new Worklist(depsOn(today)).entries();
        const two = await new Worklist({ ...depsOn(today), db: onFile, parallelWorklistFrom: 1 }).entries();
        expect(two.entries).toEqual(one.entries);
        expect([two.byReason, two.byBucket]).toEqual([one.byReason, one.byBucket]);
      }
    } finally {
      onFile.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every reason is met on these days', async () => {
    const kinds = new Set<string>();
    for (const today of ['2026-11-27', '2026-12-03', '2026-12-20', '2027-01-15']) {
      for (const e of (await new Worklist(depsOn(today)).entries()).entries) for (const r of e.reasons) kinds.add(r.kind);
    }
    expect([...kinds].sort()).toEqual(['consumption_dropped', 'due_soon_late_payer', 'follow_up_due', 'last_minute_buyer', 'overdue', 'prepaid_running_out', 'promise_lapsed', 'tokens_stopped']);
  });
});

describe('worklist sorting', () => {
  const entry = (accountNo: string, priority: number, daysLeft: number | null, overdueFen = 0) =>
    ({ accountNo, priority, daysLeft, overdueFen, overdueDays: 0, reasons: [], ageBucket: null, customerClass: 'residential', grade: null }) as Parameters<typeof sortedBy>[0][number];
  const entries = [entry('01', 5, null), entry('02', 9, 3), entry('03', 5, 0), entry('04', -2, 3), entry('05', 9, null, 2 ** 60)];
  const brute = (key: (e: (typeof entries)[number]) => number) =>
    [...entries].sort((a, b) => key(a) - key(b) || (a.accountNo < b.accountNo ? -1 : 1)).map((e) => e.accountNo);

  it('sorts by each key with ties in account order, as a comparator would', () => {
    expect(sortedBy(entries, 'priority').map((e) => e.accountNo)).toEqual(brute((e) => -e.priority));
    expect(sortedBy(entries, 'days_left').map((e) => e.accountNo)).toEqual(brute((e) => e.daysLeft ?? Number.MAX_SAFE_INTEGER));
    expect(sortedBy(entries, 'account').map((e) => e.accountNo)).toEqual(['01', '02', '03', '04', '05']);
    // A key too large to pack exactly: the comparator.
    expect(sortedBy(entries, 'overdue_fen').map((e) => e.accountNo)).toEqual(['05', '01', '02', '03', '04']);
  });
});
