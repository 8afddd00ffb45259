/**
 * Migration v1 → v2 (vends) on a real SQLite file, the TID uniqueness it enforces, the state
 * machine's pure rules and deterministic step event ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, currentVersion } from '../../../../main/store/migrations.js';
import { nextTid, stepEventId } from '../../../../main/services/vending/vend-store.js';
import { canTransition, formatCkwh, isReversible, parseEnergyKwh, VEND_TRANSITIONS } from '../../../../main/vending/vend/vend-states.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDb() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-vend-store-'));
  dirs.push(dir);
  return new Database(path.join(dir, 't.db'));
}

function insertVend(db: Database.Database, id: string, meterNo: string, tid: number) {
  db.prepare(
    `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd,
       amount_tenths, split_json, locale, operator_id, created_at, updated_at)
     VALUES (?, ?, '3100000003', ?, 'sts', 'created', 'cash', 1000, 'online', ?, 3, 100, '{}', 'zh-CN', 'C001', 'x', 'x')`,
  ).run(id, `r-${id}`, meterNo, tid);
}

describe('migration v2', () => {
  it('upgrades a v1 database with data in it, keeping that data', () => {
    const db = tempDb();
    migrate(db, MIGRATIONS.filter((m) => m.version === 1));
    db.prepare("INSERT INTO kv (key, value) VALUES ('k', 'v')").run();
    expect(currentVersion(db)).toBe(1);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 2));
    expect(currentVersion(db)).toBe(2);
    expect(db.prepare('SELECT value FROM kv').get()).toEqual({ value: 'v' });
    insertVend(db, 'a', 'M1', 100);
    expect(db.prepare('SELECT state FROM vends').get()).toEqual({ state: 'created' });
  });

  it('refuses a second vend with the same TID for a meter, allows it for another meter', () => {
    const db = tempDb();
    migrate(db);
    insertVend(db, 'a', 'M1', 100);
    expect(() => insertVend(db, 'b', 'M1', 100)).toThrow(/UNIQUE/);
    insertVend(db, 'c', 'M2', 100);
    expect(nextTid(db, 'M1', 90)).toBe(101);
    expect(nextTid(db, 'M1', 500)).toBe(500);
    expect(nextTid(db, 'M3', 42)).toBe(42);
  });

  it('finds unfinished vends through the partial index', () => {
    const db = tempDb();
    migrate(db);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM vends WHERE state IN ('created', 'paid', 'token_issued')").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('vends_unfinished');
  });
});

describe('vend state machine rules', () => {
  it('moves only forward, and reverses only before delivery', () => {
    expect(canTransition('created', 'paid')).toBe(true);
    expect(canTransition('paid', 'created')).toBe(false);
    expect(canTransition('paid', 'delivered')).toBe(false);
    expect(isReversible('token_issued')).toBe(true);
    expect(isReversible('delivered')).toBe(false);
    for (const end of ['delivered', 'reversed', 'cancelled'] as const) expect(VEND_TRANSITIONS[end]).toEqual([]);
  });

  it('parses energy in whole 0.1 kWh and formats it back', () => {
    expect(parseEnergyKwh('100')).toBe(10000);
    expect(parseEnergyKwh(' 55.5 ')).toBe(5550);
    expect(parseEnergyKwh('55.55')).toBeNull();
    expect(parseEnergyKwh('0')).toBeNull();
    expect(parseEnergyKwh('-3')).toBeNull();
    expect(parseEnergyKwh('abc')).toBeNull();
    expect(formatCkwh(14280)).toBe('142.8');
    expect(formatCkwh(3725)).toBe('37.25');
    expect(formatCkwh(1206)).toBe('12.06');
  });

  it('derives one stable, valid UUID per vend step', () => {
    const a = stepEventId('01a21abb-4a0f-7084-8249-0f20d5c89b96', 'paid');
    expect(a).toBe(stepEventId('01a21abb-4a0f-7084-8249-0f20d5c89b96', 'paid'));
    expect(a).not.toBe(stepEventId('01a21abb-4a0f-7084-8249-0f20d5c89b96', 'token_issued'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
