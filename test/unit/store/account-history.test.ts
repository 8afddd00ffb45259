/**
 * The 24-month facts travel into the cache with the account (main/store/account-history.ts), by
 * either snapshot writer, and migration v13 → v14 makes their tables (and the credit tables).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getHistory } from '../../../main/store/account-history.js';
import { cacheSnapshot } from '../../../main/store/accounts.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';
import { applySnapshotBatch } from '../../../main/store/snapshot-batch.js';
import { DEFAULT_SEED, DEFAULT_SEED_DATE, seedAccounts } from '../../billing-backend/seed.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-history-'));
  db = openDatabase(path.join(dir, 't.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: 40, seedDate: DEFAULT_SEED_DATE })];

describe('account history in the cache', () => {
  it('is kept by cacheSnapshot and by the batch writer alike, exactly as it travelled', () => {
    for (const a of area.slice(0, 20)) cacheSnapshot(db, a, 1);
    db.transaction(() => applySnapshotBatch(db, area.slice(20), 1))();
    for (const a of area) expect(getHistory(db, a.accountNo)).toEqual(a.history);
  });

  it('follows a newer snapshot, and a snapshot without history leaves the known one', () => {
    const [first] = area;
    if (first?.history === undefined) throw new Error('seed without history');
    cacheSnapshot(db, first, 1);
    const newer = { ...first, version: 2, history: { ...first.history, arrears: 9 } };
    cacheSnapshot(db, newer, 2);
    expect(getHistory(db, first.accountNo)?.arrears).toBe(9);
    const { history: _dropped, ...without } = { ...newer, version: 3 };
    db.transaction(() => applySnapshotBatch(db, [without], 3))();
    expect(getHistory(db, first.accountNo)?.arrears).toBe(9);
  });
});

describe('migration v14', () => {
  it('adds the history and credit tables to a v13 database, keeping its accounts', () => {
    const m = new Database(':memory:');
    migrate(m, MIGRATIONS.filter((x) => x.version <= 13));
    m.prepare(
      `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade,
         consumption_year, consumption_month, version, updated_at, cached_at)
       VALUES ('3100000001', '王伟', '', '13800000000', 'residential', 'postpaid', 'RES-TIER-M', 0, 'A', 0, 0, 1, '2026-11-27T00:00:00Z', 0)`,
    ).run();

    migrate(m, MIGRATIONS.filter((x) => x.version <= 14));
    expect(currentVersion(m)).toBe(14);
    const tables = m.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('account_history', 'credit_current', 'credit_grades', 'credit_overrides') ORDER BY name").pluck().all();
    expect(tables).toEqual(['account_history', 'credit_current', 'credit_grades', 'credit_overrides']);
    expect(m.prepare('SELECT COUNT(*) FROM accounts').pluck().get()).toBe(1);
    expect(() => m.prepare("INSERT INTO credit_grades (account_no, score, model_grade, grade, trigger, reasons_json, evaluated_at) VALUES ('1', 1, 'C', 'C', 'bogus', '[]', 'x')").run()).toThrow(/CHECK/);
  });
});
