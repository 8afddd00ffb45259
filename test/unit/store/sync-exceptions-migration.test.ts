/**
 * Migration v16 → v17 (the sync exceptions queue): a rejection already held joins the queue once,
 * a new rejection (written by the pusher as before) joins it through the trigger, a rejection of an
 * event whose item is still open adds nothing, a backend exception is kept once per backend id, and
 * a resolution is all or nothing.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

describe('migration v17', () => {
  it('queues held and new rejections, keeps backend exceptions once, checks resolutions', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 16));
    expect(currentVersion(db)).toBe(16);
    const reject = db.prepare('INSERT OR REPLACE INTO sync_rejections (event_id, seq, type, payload, reason, rejected_at) VALUES (?, ?, ?, ?, ?, ?)');
    reject.run('e1', 1, 'payment.created', JSON.stringify({ accountNo: '3100000001', amountFen: 500 }), 'knob', '2026-11-27T02:00:00.000Z');

    migrate(db, MIGRATIONS.filter((m) => m.version <= 17));
    expect(currentVersion(db)).toBe(17);
    const items = () => db.prepare('SELECT source, event_id, kind, account_no, fen, detail FROM sync_exceptions ORDER BY id').all();
    expect(items()).toEqual([{ source: 'rejected', event_id: 'e1', kind: 'rejected', account_no: '3100000001', fen: 500, detail: 'knob' }]);

    reject.run('e2', 2, 'shift.opened', 'not json', 'malformed: x', 'x');
    reject.run('e1', 1, 'payment.created', '{}', 'knob', 'x'); // still open: nothing new
    expect(items()).toEqual([
      { source: 'rejected', event_id: 'e1', kind: 'rejected', account_no: '3100000001', fen: 500, detail: 'knob' },
      { source: 'rejected', event_id: 'e2', kind: 'rejected', account_no: null, fen: 0, detail: 'malformed: x' },
    ]);

    const backend = db.prepare(
      "INSERT OR IGNORE INTO sync_exceptions (source, backend_id, event_id, kind, fen, detail, recorded_at) VALUES ('backend', ?, 'e3', 'bill_already_paid', 100, 'd', 'x')",
    );
    expect(backend.run(7).changes).toBe(1);
    expect(backend.run(7).changes).toBe(0);
    expect(() => db.prepare("INSERT INTO sync_exceptions (source, event_id, kind, detail, recorded_at) VALUES ('backend', 'e4', 'k', 'd', 'x')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE sync_exceptions SET resolved_at = 'x' WHERE event_id = 'e1'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE sync_exceptions SET resolved_at = 'x', resolved_by = 'S001', resolution = 'resend' WHERE event_id = 'e1'").run();
    reject.run('e1', 1, 'payment.created', '{}', 'knob', 'y'); // resolved before: a new item
    expect(db.prepare("SELECT COUNT(*) AS n FROM sync_exceptions WHERE event_id = 'e1'").get()).toEqual({ n: 2 });

    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM sync_exceptions WHERE resolved_at IS NULL ORDER BY id")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('sync_exceptions_open');
  });
});

describe('migration v18', () => {
  it('gives existing items no facts and takes only JSON facts', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 17));
    db.prepare("INSERT INTO sync_exceptions (source, backend_id, event_id, kind, fen, detail, recorded_at) VALUES ('backend', 1, 'e1', 'bill_already_paid', 100, 'd', 'x')").run();
    migrate(db, MIGRATIONS.filter((m) => m.version <= 18));
    expect(currentVersion(db)).toBe(18);
    expect(db.prepare('SELECT facts_json FROM sync_exceptions').get()).toEqual({ facts_json: null });
    db.prepare(`UPDATE sync_exceptions SET facts_json = '{"period":"2026-09"}'`).run();
    expect(() => db.prepare("UPDATE sync_exceptions SET facts_json = 'period'").run()).toThrow(/CHECK/);
  });
});
