import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db.js';
import { currentVersion, migrate, MIGRATIONS, type Migration } from '../../../main/store/migrations.js';

const tempDb = () => path.join(mkdtempSync(path.join(tmpdir(), 'gd-mig-')), 'terminal.db');
const LATEST = MIGRATIONS.at(-1)!.version;

describe('migrations', () => {
  it('bring an empty database to the latest version with WAL and synchronous=FULL', () => {
    const db = openDatabase(tempDb());
    expect(currentVersion(db)).toBe(LATEST);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ['operators', 'accounts', 'meters', 'bills', 'payments', 'payment_allocations', 'journal', 'outbox']) expect(tables).toContain(t);
    db.close();
  });

  it('leave an existing database and its rows alone when reopened', () => {
    const file = tempDb();
    const db = openDatabase(file);
    db.prepare("INSERT INTO kv (key, value) VALUES ('cursor', 'abc')").run();
    db.close();
    const again = openDatabase(file);
    expect(currentVersion(again)).toBe(LATEST);
    expect(again.prepare("SELECT value FROM kv WHERE key = 'cursor'").get()).toEqual({ value: 'abc' });
    again.close();
  });

  it('each migration N−1 → N applies on a database holding version N−1 data', () => {
    for (const m of MIGRATIONS) {
      const db = new Database(':memory:');
      migrate(db, MIGRATIONS.filter((x) => x.version < m.version));
      expect(currentVersion(db)).toBe(m.version - 1);
      migrate(db, MIGRATIONS.filter((x) => x.version <= m.version));
      expect(currentVersion(db)).toBe(m.version);
      db.close();
    }
  });

  it('a failing migration rolls back completely and keeps the old version', () => {
    const db = new Database(':memory:');
    const broken: Migration[] = [...MIGRATIONS, { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE x (a); INSERT INTO nope VALUES (1);' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(currentVersion(db)).toBe(LATEST);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get()).toBeUndefined();
  });

  it('refuses a database from a newer build', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST + 5}`);
    expect(() => migrate(db)).toThrow(/newer/);
  });

  it('account lookup by number uses the primary key, not a scan', () => {
    const db = openDatabase(tempDb());
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM accounts WHERE account_no = ?').all('1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING PRIMARY KEY/);
    db.close();
  });
});
