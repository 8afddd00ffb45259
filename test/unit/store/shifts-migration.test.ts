/**
 * Migration v7 → v8 (shifts and the drawer): existing payments and vends keep their rows with no
 * shift, only one unclosed shift can exist, and the hot queries use their indexes.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v8', () => {
  it('adds shifts and drawer movements beside the existing rows', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 7));
    expect(currentVersion(db)).toBe(7);
    db.prepare(
      `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen, operator_id, status, created_at)
       VALUES ('p1', 'r1', '3100000001', 'cash', 100, 100, 0, 100, 'C001', 'completed', '2026-11-27T02:00:00.000Z')`,
    ).run();
    db.prepare(
      `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd,
         amount_tenths, split_json, locale, operator_id, created_at, updated_at)
       VALUES ('v1', 'r2', '3100000003', '47000000001', 'sts', 'delivered', 'cash', 1000, 'online', 1, 3, 10, '{}', 'zh-CN', 'C001', 'x', 'x')`,
    ).run();

    migrate(db, MIGRATIONS.filter((m) => m.version <= 8));
    expect(currentVersion(db)).toBe(8);
    expect(db.prepare('SELECT shift_id FROM payments').get()).toEqual({ shift_id: null });
    expect(db.prepare('SELECT shift_id FROM vends').get()).toEqual({ shift_id: null });

    const open = db.prepare(
      `INSERT INTO shifts (shift_id, terminal_id, operator_id, state, open_seq, opened_at, float_fen, float_counts)
       VALUES (?, 'T-HALL-01', 'C001', ?, 1, '2026-11-27T01:00:00.000Z', 50000, '{}')`,
    );
    open.run('s1', 'open');
    expect(() => open.run('s2', 'open')).toThrow(/UNIQUE/);
    db.prepare("UPDATE shifts SET state = 'counted' WHERE shift_id = 's1'").run();
    expect(() => open.run('s2', 'open')).toThrow(/UNIQUE/);
    db.prepare("UPDATE shifts SET state = 'closed' WHERE shift_id = 's1'").run();
    open.run('s2', 'open');

    const mv = db.prepare(
      `INSERT INTO drawer_movements (movement_id, request_id, shift_id, kind, amount_fen, reason, operator_id, created_at)
       VALUES (?, ?, 's2', ?, ?, 'change_fund', 'C001', '2026-11-27T02:00:00.000Z')`,
    );
    mv.run('m1', 'q1', 'in', 1000);
    expect(() => mv.run('m2', 'q2', 'in', 0)).toThrow(/CHECK/);
    expect(() => mv.run('m3', 'q3', 'sideways', 10)).toThrow(/CHECK/);

    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((p) => p.detail).join(' ');
    expect(plan("SELECT * FROM shifts WHERE terminal_id = ? AND state <> 'closed'", 'T-HALL-01')).toMatch(/shifts_one_unclosed/);
    expect(plan('SELECT * FROM journal WHERE at >= ? AND at < ?', 'a', 'b')).toMatch(/USING INDEX journal_at/);
    expect(plan('SELECT * FROM payments WHERE shift_id = ?', 's2')).toMatch(/USING INDEX payments_shift/);
    db.close();
  });
});
