/**
 * Migration v15 → v16 (collection): notices, the contact log and worklist assignments; the schema
 * refuses a disconnection notice without its lawful date, a promise without a date, unknown kinds,
 * and a request id used twice; the worklist's promise query uses its partial index.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v16', () => {
  it('adds the collection tables to a v15 database', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 15));
    expect(currentVersion(db)).toBe(15);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 16));
    expect(currentVersion(db)).toBe(16);

    const notice = db.prepare(
      `INSERT INTO collection_notices (notice_id, request_id, notice_no, account_no, kind, customer_class, overdue_fen, oldest_due_date, served_on, earliest_disconnect_on, steps_json, bills_json, operator_id, created_at)
       VALUES (?, ?, ?, '3100000001', ?, 'residential', 100, '2026-10-01', '2026-12-03', ?, '[]', '[]', 'M001', 'x')`,
    );
    notice.run('n1', 'q1', 'N-1', 'disconnection', '2026-12-10');
    notice.run('n2', 'q2', 'N-2', 'reminder', null);
    expect(() => notice.run('n3', 'q3', 'N-3', 'disconnection', null)).toThrow(/CHECK/);
    expect(() => notice.run('n4', 'q4', 'N-4', 'warning', null)).toThrow(/CHECK/);
    expect(() => notice.run('n5', 'q1', 'N-5', 'reminder', null)).toThrow(/UNIQUE/);

    const contact = db.prepare(
      `INSERT INTO collection_contacts (contact_id, request_id, account_no, channel, outcome, note, promise_on, promise_fen, operator_id, created_at)
       VALUES (?, ?, '3100000001', ?, ?, '', ?, NULL, 'M001', 'x')`,
    );
    contact.run('c1', 'r1', 'call', 'promised', '2026-12-05');
    contact.run('c2', 'r2', 'visit', 'no_answer', null);
    expect(() => contact.run('c3', 'r3', 'call', 'promised', null)).toThrow(/CHECK/);
    expect(() => contact.run('c4', 'r4', 'call', 'reached', '2026-12-05')).toThrow(/CHECK/);
    expect(() => contact.run('c5', 'r5', 'fax', 'reached', null)).toThrow(/CHECK/);

    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT contact_id FROM collection_contacts WHERE promise_on IS NOT NULL AND promise_on < '2026-12-03'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('collection_promises');
    db.prepare("INSERT INTO worklist_assignments VALUES ('3100000001', 'C001', 'M001', 'x')").run();
    expect(() => db.prepare("INSERT INTO worklist_assignments VALUES ('3100000001', 'C002', 'M001', 'x')").run()).toThrow(/UNIQUE|PRIMARY/);
  });
});
