/**
 * Migration v8 → v9 (every payment method, voids and refunds, waivers, e-invoices): payments made
 * before it become single tenders of their own method; bills gain a waived late fee of 0; a bank
 * POS reference is recorded once; the reads the overlay and the resume sweep make use indexes.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

const V9 = MIGRATIONS.find((m) => m.name.startsWith('every payment method'))!.version;

describe('migration to payment tenders, reversals, waivers and invoices', () => {
  it('backfills one tender per earlier payment and leaves everything else as it was', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < V9));
    expect(currentVersion(db)).toBe(V9 - 1);
    db.exec(`
      INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, version, updated_at, cached_at)
        VALUES ('3100000001', '王伟', '', '13800000000', 'residential', 'postpaid', 'RES-TIER-M', 0, 'B', 1, '2026-11-27T00:00:00Z', 0);
      INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, late_fee_paid_fen, due_date, status)
        VALUES ('B1', '3100000001', '2026-09', 100, 20000, 5000, 120, '2026-10-31', 'open');
      INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen, operator_id, external_ref, status, created_at)
        VALUES ('p1', 'r1', '3100000001', 'cash', 5120, 6000, 880, 0, 'C001', NULL, 'completed', '2026-11-27T02:00:00.000Z'),
               ('p2', 'vend:v1', '3100000001', 'qr', 300, NULL, 0, 0, 'C001', 'v1', 'completed', '2026-11-27T03:00:00.000Z');
    `);
    migrate(db, MIGRATIONS.filter((m) => m.version <= V9));
    expect(currentVersion(db)).toBe(V9);
    expect(db.prepare('SELECT payment_id, seq, method, amount_fen, tendered_fen, change_fen, external_ref, out_trade_no FROM payment_tenders ORDER BY payment_id').all()).toEqual([
      { payment_id: 'p1', seq: 1, method: 'cash', amount_fen: 5120, tendered_fen: 6000, change_fen: 880, external_ref: null, out_trade_no: null },
      { payment_id: 'p2', seq: 1, method: 'qr', amount_fen: 300, tendered_fen: null, change_fen: 0, external_ref: 'v1', out_trade_no: null },
    ]);
    expect(db.prepare('SELECT paid_fen, late_fee_paid_fen, late_fee_waived_fen FROM bills').get()).toEqual({ paid_fen: 5000, late_fee_paid_fen: 120, late_fee_waived_fen: 0 });
    for (const t of ['code_charges', 'payment_reversals', 'late_fee_waivers', 'invoices']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
    }
    db.close();
  });

  it('a bank POS reference belongs to one payment; one reversal per payment unless it failed', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= V9));
    db.exec(`
      INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, operator_id, status, created_at)
        VALUES ('p1', 'r1', '3100000001', 'card', 100, 'C001', 'completed', 'x'), ('p2', 'r2', '3100000001', 'card', 100, 'C001', 'completed', 'x');
      INSERT INTO payment_tenders (payment_id, seq, method, amount_fen, external_ref) VALUES ('p1', 1, 'card', 100, 'REF001');
    `);
    expect(() => db.exec("INSERT INTO payment_tenders (payment_id, seq, method, amount_fen, external_ref) VALUES ('p2', 1, 'card', 100, 'REF001')")).toThrow(/UNIQUE/);
    const reversal = db.prepare(
      `INSERT INTO payment_reversals (reversal_id, request_id, payment_id, account_no, kind, state, amount_fen, reason_code, operator_id, approved_by, created_at)
       VALUES (?, ?, 'p1', '3100000001', 'void', ?, 100, 'other', 'C001', 'S001', 'x')`,
    );
    reversal.run('v1', 'q1', 'failed');
    reversal.run('v2', 'q2', 'completed');
    expect(() => reversal.run('v3', 'q3', 'requested')).toThrow(/UNIQUE/);
    db.close();
  });

  it('the overlay and the resume sweep read through indexes', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= V9));
    const plan = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((p) => p.detail).join(' | ');
    expect(plan("SELECT * FROM code_charges WHERE state IN ('requested', 'paid', 'reversing') ORDER BY created_at")).toMatch(/code_charges_unresolved/);
    expect(plan("SELECT * FROM payment_reversals WHERE account_no = ? AND state = 'completed' AND event_seq > ?", 'a', 0)).toMatch(/payment_reversals_account_event_seq/);
    expect(plan('SELECT COALESCE(SUM(fen), 0) FROM late_fee_waivers WHERE bill_id = ? AND event_seq > ?', 'B1', 0)).toMatch(/late_fee_waivers_bill/);
    expect(plan("SELECT * FROM invoices WHERE state = 'requested' ORDER BY requested_at LIMIT 20")).toMatch(/invoices_requested/);
    db.close();
  });
});
