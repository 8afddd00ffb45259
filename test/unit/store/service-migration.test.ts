/**
 * Migration v14 → v15 (service quality): an existing kiosk rating keeps its row and gains empty
 * hall/terminal/outcome columns; complaints, applications, their history and recommendation answers
 * are checked by the schema (status, kind, type, one row per request and per number), and the
 * complaint sweep's query uses its partial index.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v15', () => {
  it('extends ratings and adds the service tables beside the existing rows', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 14));
    expect(currentVersion(db)).toBe(14);
    db.prepare(
      `INSERT INTO ratings (rating_id, transaction_id, transaction_kind, account_no, score, reasons_json, operator_id, channel, created_at)
       VALUES ('r1', 'p1', 'payment', '3100000001', 4, '[]', 'kiosk:T', 'kiosk', '2026-11-27T02:00:00.000Z')`,
    ).run();

    migrate(db, MIGRATIONS.filter((m) => m.version <= 15));
    expect(currentVersion(db)).toBe(15);
    expect(db.prepare('SELECT rating_id, score, hall_id, terminal_id, outcome_json FROM ratings').all()).toEqual([
      { rating_id: 'r1', score: 4, hall_id: null, terminal_id: null, outcome_json: null },
    ]);

    const complaint = db.prepare(
      `INSERT INTO complaints (complaint_id, request_id, tracking_no, kind, category, text, status, reply_due_at, resolve_due_at, operator_id, hall_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'billing', 't', ?, 'x', 'y', 'C001', 'H1', 'x', 'x')`,
    );
    complaint.run('c1', 'q1', 'TS-1', 'complaint', 'open');
    expect(() => complaint.run('c2', 'q1', 'TS-2', 'complaint', 'open')).toThrow(/UNIQUE/);
    expect(() => complaint.run('c3', 'q3', 'TS-1', 'complaint', 'open')).toThrow(/UNIQUE/);
    expect(() => complaint.run('c4', 'q4', 'TS-4', 'praise', 'open')).toThrow(/CHECK/);
    expect(() => complaint.run('c5', 'q5', 'TS-5', 'complaint', 'lost')).toThrow(/CHECK/);

    const application = db.prepare(
      `INSERT INTO service_applications (application_id, request_id, reference_no, type, fields_json, documents_json, status, operator_id, hall_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, '{}', '[]', 'accepted', 'C001', 'H1', 'x', 'x')`,
    );
    application.run('a1', 'q1', 'YK-1', 'name_change');
    expect(() => application.run('a2', 'q2', 'YK-2', 'relocation')).toThrow(/CHECK/);

    const history = db.prepare("INSERT INTO service_history VALUES (?, ?, 'x', 'C001', 'created', 'open', NULL)");
    history.run('c1', 1);
    expect(() => history.run('c1', 1)).toThrow(/UNIQUE|PRIMARY/);

    const answer = db.prepare("INSERT INTO recommendation_responses VALUES (?, '3100000001', ?, 'accepted', 'k', NULL, 'C001', 'x')");
    answer.run('x1', 'tou');
    expect(() => answer.run('x2', 'solar')).toThrow(/CHECK/);

    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM complaints WHERE resolved_at IS NULL ORDER BY resolve_due_at').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/complaints_unresolved/);
  });
});
