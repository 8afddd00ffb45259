/**
 * Migration v11 → v12 (kiosk orders and ratings): existing rows are untouched, an order's state and
 * a rating's score are checked by the schema, one rating per transaction, one order per out-trade
 * number, and the sweeper's query of open orders uses its index.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v12', () => {
  it('adds kiosk_orders and ratings beside the existing rows', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 11));
    expect(currentVersion(db)).toBe(11);
    db.prepare(
      `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen, operator_id, status, created_at)
       VALUES ('p1', 'r1', '3100000001', 'cash', 100, 100, 0, 100, 'C001', 'completed', '2026-11-27T02:00:00.000Z')`,
    ).run();

    migrate(db, MIGRATIONS.filter((m) => m.version <= 12));
    expect(currentVersion(db)).toBe(12);
    expect(db.prepare('SELECT payment_id FROM payments').all()).toEqual([{ payment_id: 'p1' }]);

    const order = db.prepare(
      `INSERT INTO kiosk_orders (order_id, what, account_no, amount_fen, quote_digest, out_trade_no, state, locale, actor, created_at, updated_at)
       VALUES (?, 'bills', '3100000001', 100, 'd', ?, ?, 'zh-CN', 'kiosk:T', 'x', 'x')`,
    );
    order.run('o1', 'K1', 'awaiting_payment');
    expect(() => order.run('o2', 'K1', 'awaiting_payment')).toThrow(/UNIQUE/);
    expect(() => order.run('o3', 'K3', 'lost')).toThrow(/CHECK/);

    const rating = db.prepare(
      `INSERT INTO ratings (rating_id, transaction_id, transaction_kind, account_no, score, reasons_json, operator_id, channel, created_at)
       VALUES (?, ?, 'payment', '3100000001', ?, '[]', 'kiosk:T', 'kiosk', 'x')`,
    );
    rating.run('r1', 'p1', 5);
    expect(() => rating.run('r2', 'p1', 4)).toThrow(/UNIQUE/);
    expect(() => rating.run('r3', 'p2', 6)).toThrow(/CHECK/);

    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM kiosk_orders WHERE state IN ('creating', 'awaiting_payment', 'paid', 'cancelling', 'refunding') ORDER BY created_at, order_id")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/kiosk_orders_open/);
  });
});
