/**
 * Migration v12 → v13 (offline name search as built): v11's trigger-kept indexes go, and the
 * accounts cached before are indexed by the migration itself, closed ones (v11's closed_accounts)
 * in the closed column — the same documents the writers make from then on, so a backfilled cache
 * and one written after the migration answer every search alike.
 * Migration v26 (the gram part as ␃c␃d␃…): the index made again in the new documents — the same
 * answers as the writers' — or, inside a load window, emptied for the window's build.
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
  ['3100000007', '号'],
  ['3100000008', `${'长'.repeat(62)}尾巴字`], // grams stop at 64 characters: '巴字' only by a longer part
  ['3100000009', '张#三'],
];

function insertAccounts(db: Database.Database): void {
  const insert = db.prepare(
    `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, card_no,
       consumption_year, consumption_month, version, updated_at, cached_at)
     VALUES (?, ?, '', '13800000000', 'residential', 'postpaid', 'RES-TIER-M', 0, 'A', NULL, 0, 0, 1, '2026-11-27T00:00:00Z', 0)`,
  );
  for (const [no, name] of NAMES) insert.run(no, name);
}

const QUERIES = ['王', '洋', '王洋', '洋子', '雷洋子', '宏达机', '三门峡', '号便', '#号', '超市', 'A7', 'a7 超', '钱飞', '飞', '不在', '号', '#', '张#', '#三', '张三', '长长', '长尾', '尾巴', '巴字', '尾巴字', '张#三'];

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
    // On to today's documents (v26 makes the index again from the accounts).
    migrate(migrated);

    const written = new Database(':memory:');
    migrate(written);
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
    // Answers by the gram part as by a look at the names (the name with '#' too; grams stop at 64).
    expect(findByName(migrated, '号', 20)).toEqual(['3100000007', '3100000005']); // the exact name first
    expect(findByName(migrated, '#', 20)).toEqual(['3100000005', '3100000009']);
    expect(findByName(migrated, '张三', 20)).toEqual([]);
    expect(findByName(migrated, '#三', 20)).toEqual(['3100000009']);
    expect(findByName(migrated, '尾巴', 20)).toEqual(['3100000008']);
    expect(findByName(migrated, '巴字', 20)).toEqual([]);
    expect(findByName(migrated, '尾巴字', 20)).toEqual(['3100000008']);
  });

  it('v26 inside a load window: the index is emptied for the window\'s build, which starts again', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 25));
    insertAccounts(db);
    db.prepare("INSERT INTO kv (key, value) VALUES ('sync.initial.bulk', '[]'), ('sync.initial.names_through', '3100000003')").run();
    migrate(db);
    expect(db.prepare('SELECT count(*) FROM account_names_docsize').pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM kv WHERE key = 'sync.initial.names_through'").pluck().get()).toBe(0);
    db.close();
  });
});
