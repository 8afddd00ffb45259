/**
 * The worklist's narrow facts (migration v21, triggers on account_history) say what the history
 * says, as far as the worklist rules look: for generated accounts of every behaviour, the facts
 * pass (worklistRows) gives the same assessment as the rules over the full history, on several days;
 * a history rewritten by a later snapshot rewrites its facts; the backfill of an older cache agrees.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { assessAccount, lateTimes, parseCollectionRules, worklistDay, type CollectionRules, type HistoryFacts } from '../../../main/domain/collection/index.js';
import { recordHistory } from '../../../main/store/account-history.js';
import { LOAD_WINDOW_KEY } from '../../../main/store/account-search.js';
import { FactsHistory, worklistRows } from '../../../main/store/collection.js';
import { migrate, MIGRATIONS } from '../../../main/store/migrations.js';
import { applySnapshotBatch } from '../../../main/store/snapshot-batch.js';
import type { AccountHistory } from '../../../main/wire/backend-wire.js';
import { DEFAULT_SEED, seedAccounts } from '../../billing-backend/seed.js';

const rules: CollectionRules = parseCollectionRules(JSON.parse(readFileSync(path.resolve('resources/rules/collection.json'), 'utf8')), 'collection.json');

function cache(n: number) {
  const db = new Database(':memory:');
  migrate(db);
  const snaps = [...seedAccounts({ seed: DEFAULT_SEED, accounts: n, seedDate: '2026-11-27' })];
  db.transaction(() => applySnapshotBatch(db, snaps, 0))();
  return { db, histories: new Map(snaps.map((s) => [s.accountNo, s.history])) };
}

describe('worklist facts', () => {
  const { db, histories } = cache(1500);
  // The generator's first accounts have no dropped consumption or stopped tokens: two made so.
  const prepaid = (db.prepare("SELECT account_no FROM accounts WHERE payment_mode = 'prepaid' ORDER BY account_no LIMIT 2").pluck().all() as string[]);
  for (const accountNo of prepaid) {
    const h = { ...(histories.get(accountNo) as AccountHistory), kwh: [300, 310, 290, 305, 2], vends: [2, 1, 1, 0, 0] };
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify(h), accountNo);
    histories.set(accountNo, h);
  }
  const rows = [...worklistRows(db, rules.worklist.rateMonths + 1)];

  it('every generated account with a history has its facts', () => {
    expect(rows.length).toBeGreaterThan(1000);
    for (const r of rows) expect(r.history === null).toBe(histories.get(r.accountNo) === undefined);
  });

  it('the same assessment as the full history, on several days (every reason kind seen)', () => {
    const kinds = new Set<string>();
    for (const today of ['2026-11-27', '2026-12-03', '2027-01-15']) {
      const day = worklistDay(today, rules);
      for (const r of rows) {
        const full = histories.get(r.accountNo) ?? null;
        const a = { ...r, centifenPerKwh: 5600, reminderLeadDays: 7 };
        const viaFacts = assessAccount(a, day, rules);
        const viaHistory = assessAccount({ ...a, history: full as HistoryFacts | null }, worklistDay(today, rules), rules);
        expect(viaFacts).toEqual(viaHistory);
        for (const reason of viaFacts?.reasons ?? []) kinds.add(reason.kind);
      }
    }
    expect([...kinds].sort()).toEqual(['consumption_dropped', 'due_soon_late_payer', 'last_minute_buyer', 'overdue', 'prepaid_running_out', 'tokens_stopped']);
  });

  it('months late counted over any window agree with the history', () => {
    for (const r of rows.slice(0, 300)) {
      const full = histories.get(r.accountNo) as AccountHistory | undefined;
      if (!full || !r.history) continue;
      for (const months of [1, 3, 12, 24]) expect(lateTimes(r.history.late, months)).toBe(lateTimes(full.late, months));
      expect(r.history.cutoffs).toEqual(full.cutoffs);
      expect(r.history.kwh).toEqual(full.kwh?.slice(-(rules.worklist.rateMonths + 1)));
    }
  });

  it('a later snapshot rewrites the facts; absent and empty arrays stay apart', () => {
    const accountNo = rows[0]!.accountNo;
    const h = { since: '2020-01-01', to: '2026-11', late: [3, 0, -1, 7], kwh: [5, 6], vends: [1, 0, 0], cutoffs: [] } as unknown as AccountHistory;
    // Through the snapshot writers' own upsert.
    recordHistory(db, { accountNo, history: h });
    const f = [...worklistRows(db, 4)].find((r) => r.accountNo === accountNo)!.history as FactsHistory;
    expect([f.to, lateTimes(f.late, 24), lateTimes(f.late, 1), f.kwh, f.vends, f.cutoffs]).toEqual(['2026-11', 2, 1, [5, 6], [1, 0, 0], []]);
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(JSON.stringify({ since: '2020-01-01', to: '2026-11' }), accountNo);
    const none = [...worklistRows(db, 4)].find((r) => r.accountNo === accountNo)!.history as FactsHistory;
    expect([lateTimes(none.late, 24), none.kwh, none.vends, none.cutoffs]).toEqual([0, undefined, undefined, undefined]);
  });

  it('an older cache is backfilled by the migration', () => {
    const old = new Database(':memory:');
    migrate(old, MIGRATIONS.filter((m) => m.version <= 20));
    const snaps = [...seedAccounts({ seed: DEFAULT_SEED, accounts: 200, seedDate: '2026-11-27' })];
    old.transaction(() => applySnapshotBatch(old, snaps, 0))();
    migrate(old);
    const mine = [...worklistRows(old, 4)];
    const fresh = new Map([...worklistRows(cache(200).db, 4)].map((r) => [r.accountNo, r.history]));
    for (const r of mine) expect(JSON.stringify(r.history)).toBe(JSON.stringify(fresh.get(r.accountNo)));
  });
});

describe('worklist facts written in the load window', () => {
  // Histories of every kind the generator makes, and the edges of each field.
  const generated = [...seedAccounts({ seed: DEFAULT_SEED, accounts: 1500, seedDate: '2026-11-27' })].flatMap((s) => (s.history ? [s.history] : []));
  const edges: AccountHistory[] = [
    { since: '2020-01-01', to: '2026-11' },
    { since: '2020-01-01', to: '2026-11', kwh: [], late: [], vends: [], cutoffs: [] },
    { since: '2020-01-01', to: '2026-11', kwh: [7], late: [-1], vends: [0] },
    { since: '2020-01-01', to: '2026-11', kwh: Array.from({ length: 13 }, (_, i) => i * 10), late: Array.from({ length: 24 }, () => 5) },
    { since: '2020-01-01', to: '2026-11', kwh: Array.from({ length: 14 }, (_, i) => 500 - i), vends: Array.from({ length: 24 }, (_, i) => i % 3) },
    { since: '2020-01-01', to: '2026-11', kwh: Array.from({ length: 24 }, (_, i) => (i === 3 ? 9999 : i)), cutoffs: ['2025-03-01', '2026-07-15'] },
  ];
  const histories = [...generated, ...edges];
  const factsOf = (window: boolean) => {
    const db = new Database(':memory:');
    migrate(db);
    if (window) db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run(LOAD_WINDOW_KEY, '[]');
    db.transaction(() => histories.forEach((history, i) => recordHistory(db, { accountNo: String(1_000_000_000 + i), history })))();
    return { db, rows: db.prepare('SELECT * FROM worklist_facts ORDER BY account_no').all() };
  };

  it('the history writer writes exactly the rows the triggers write', () => {
    const byTriggers = factsOf(false).rows;
    expect(byTriggers).toHaveLength(histories.length);
    expect(factsOf(true).rows).toEqual(byTriggers);
  });

  it('the triggers stand aside while the window is open, and act again once it closed', () => {
    const { db } = factsOf(true);
    const h = JSON.stringify({ since: '2020-01-01', to: '2026-12', late: [1] });
    db.prepare('INSERT INTO account_history (account_no, history_json) VALUES (?, ?)').run('2000000000', h);
    expect(db.prepare('SELECT COUNT(*) FROM worklist_facts WHERE account_no = ?').pluck().get('2000000000')).toBe(0);
    db.prepare('DELETE FROM kv WHERE key = ?').run(LOAD_WINDOW_KEY);
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(h, '2000000000');
    expect(db.prepare('SELECT to_period, late_mask FROM worklist_facts WHERE account_no = ?').get('2000000000')).toEqual({ to_period: '2026-12', late_mask: 1 });
  });
});
