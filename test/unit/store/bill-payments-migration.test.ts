/**
 * Migration v6 (bill_payments): dated principal payments per bill, which late fees replay. From
 * v5 with data: this terminal's earlier payments become dated rows (by their UTC day); fee-only
 * allocations add none. The read by account uses indexes.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

const V6 = MIGRATIONS.find((m) => m.name.startsWith('dated principal payments per bill'))!.version;

describe('migration to bill_payments', () => {
  it('dates the principal of the payments already on this terminal', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < V6));
    db.exec(`
      INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, change_fen, to_balance_fen, operator_id, status, created_at)
        VALUES ('p1', 'r1', '3100000001', 'cash', 52000, 0, 0, 'C001', 'completed', '2025-04-04T02:00:00.000Z'),
               ('p2', 'r2', '3100000001', 'cash', 100, 0, 0, 'C001', 'completed', '2025-04-05T02:00:00.000Z');
      INSERT INTO payment_allocations (payment_id, bill_id, principal_fen, late_fee_fen)
        VALUES ('p1', 'B1', 50000, 2000), ('p2', 'B1', 0, 100);
    `);
    migrate(db, MIGRATIONS.filter((m) => m.version <= V6));
    expect(currentVersion(db)).toBe(V6);
    expect(db.prepare('SELECT bill_id, payment_id, paid_on, principal_fen FROM bill_payments').all()).toEqual([
      { bill_id: 'B1', payment_id: 'p1', paid_on: '2025-04-04', principal_fen: 50000 },
    ]);
    db.close();
  });

  it('reads an account\'s bill payments through the indexes', () => {
    const db = new Database(':memory:');
    migrate(db);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT bp.bill_id, bp.payment_id, bp.paid_on, bp.principal_fen
         FROM bill_payments bp JOIN bills b ON b.bill_id = bp.bill_id WHERE b.account_no = ? ORDER BY bp.paid_on, bp.payment_id`,
      )
      .all('3100000001') as { detail: string }[];
    const text = plan.map((p) => p.detail).join(' | ');
    expect(text).toMatch(/bills_account/);
    expect(text).toMatch(/SEARCH bp USING PRIMARY KEY \(bill_id=\?\)/);
    expect(text).not.toMatch(/SCAN/);
    db.close();
  });
});
