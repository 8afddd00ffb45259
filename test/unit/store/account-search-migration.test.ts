/**
 * Migration v12 → v13 (offline name search as built): v11's trigger-kept indexes go, and the
 * accounts cached before are indexed by the migration itself, closed ones (v11's closed_accounts)
 * in the closed column — the same documents the writers make from then on, so a backfilled cache
 * and one written after the migration answer every search alike.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';
import { findByName, recordNameAndStatus, searchAccounts } from '../../../main/store/account-search.js';

const NAMES: readonly [string, string][] = [
  ['3100000001', '雷洋子'],
  ['3100000002', '王'],
  ['3100000003', '王洋'],
  ['3100000004', '三门峡宏达机械厂'],
  ['3100000005', '#号便利店'],
  ['3100000006', 'A7 超市'],
  ['0012345678', '钱飞'], // a leading zero survives the way back from the index
  ['A1', '王洋洋'], // not digits: not in the index (the wire's numbers are digits)
];

function insertAccounts(db: Database.Database): void {
  const insert = db.prepare(
    `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, card_no,
       consumption_year, consumption_month, version, updated_at, cached_at)
     VALUES (?, ?, '', '13800000000', 'residential', 'postpaid', 'RES-TIER-M', 0, 'A', NULL, 0, 0, 1, '2026-11-27T00:00:00Z', 0)`,
  );
  for (const [no, name] of NAMES) insert.run(no, name);
}

const QUERIES = ['王', '洋', '王洋', '洋子', '雷洋子', '宏达机', '三门峡', '号便', '#号', '超市', 'A7', 'a7 超', '钱飞', '飞', '不在'];

describe('migration v13', () => {
  it('indexes the names cached before it as the writers would, closed ones as closed, and drops v11\'s triggers', () => {
    const migrated = new Database(':memory:');
    migrate(migrated, MIGRATIONS.filter((m) => m.version <= 12));
    expect(currentVersion(migrated)).toBe(12);
    insertAccounts(migrated);
    migrated.prepare("INSERT INTO closed_accounts (account_no) VALUES ('3100000003')").run();
    migrate(migrated, MIGRATIONS.filter((m) => m.version <= 13));
    expect(currentVersion(migrated)).toBe(13);
    const leftovers = migrated.prepare("SELECT name FROM sqlite_master WHERE name GLOB 'account_name_*' OR name = 'name_positions' OR type = 'trigger'").all();
    expect(leftovers).toEqual([]);

    const written = new Database(':memory:');
    migrate(written, MIGRATIONS.filter((m) => m.version <= 13));
    insertAccounts(written);
    for (const [no, name] of NAMES) recordNameAndStatus(written, no, undefined, name, no === '3100000003');

    for (const q of QUERIES) expect(findByName(migrated, q, 20), q).toEqual(findByName(written, q, 20));
    expect(searchAccounts(migrated, '王')).toMatchObject([
      { accountNo: '3100000002', status: 'active' },
      { accountNo: '3100000003', status: 'closed' },
    ]);
    expect(findByName(migrated, '洋', 20)).toEqual(['3100000001', '3100000003']);
    expect(searchAccounts(migrated, '洋子')).toMatchObject([{ accountNo: '3100000001', status: 'active' }]);
    expect(searchAccounts(migrated, '飞')).toMatchObject([{ accountNo: '0012345678' }]);
    expect(findByName(migrated, '王洋洋', 20)).toEqual([]);
  });
});
