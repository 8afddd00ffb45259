/**
 * Migration v6 → v7 (payments.event_seq): a payment still in the outbox keeps its sequence number,
 * an acknowledged one gets none (every later snapshot holds it), and the overlay's query uses the index.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v7', () => {
  it('numbers the payments still waiting in the outbox', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 6));
    expect(currentVersion(db)).toBe(6);
    const pay = db.prepare(
      `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen, operator_id, status, created_at)
       VALUES (?, ?, '3100000001', 'cash', 100, 100, 0, 100, 'C001', 'completed', '2026-11-27T02:00:00.000Z')`,
    );
    pay.run('p-acked', 'r1');
    pay.run('p-pending', 'r2');
    db.prepare("INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES ('other', 'x', '2026-11-27T02:00:00.000Z', '{}')").run();
    db.prepare("INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES ('p-pending', 'payment.created', '2026-11-27T02:00:00.000Z', '{}')").run();

    migrate(db, MIGRATIONS.filter((m) => m.version <= 7));
    expect(currentVersion(db)).toBe(7);
    expect(db.prepare('SELECT payment_id, event_seq FROM payments ORDER BY payment_id').all()).toEqual([
      { payment_id: 'p-acked', event_seq: null },
      { payment_id: 'p-pending', event_seq: 2 },
    ]);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT COALESCE(SUM(to_balance_fen), 0) FROM payments WHERE account_no = ? AND event_seq > ?')
      .all('3100000001', 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX payments_account_event_seq/);
    db.close();
  });
});
