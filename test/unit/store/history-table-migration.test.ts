/**
 * Migration v25: account_history becomes a rowid table (its ~400-byte rows made a WITHOUT ROWID
 * B-tree move large cells at every split). Every history is kept, and the worklist facts still
 * follow it through the triggers — outside the initial pull's load window only.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';

const V25 = MIGRATIONS.find((m) => m.name.startsWith('account_history as a rowid table'))!.version;
const history = (to: string, late: number[]) => JSON.stringify({ since: '2020-01-01', to, billed: late.map(() => 100), due: late.map(() => 60), late, kwh: late.map(() => 10), lateFees: 0 });

describe('migration v25: account_history as a rowid table', () => {
  it('keeps every history; the facts follow inserts, updates and deletes, and stand aside in a load window', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < V25));
    db.prepare('INSERT INTO account_history (account_no, history_json) VALUES (?, ?), (?, ?)').run('3100000001', history('2026-10', [0, 3]), '3100000002', history('2026-09', [4, 0]));
    const before = db.prepare('SELECT * FROM account_history ORDER BY account_no').all();
    const factsBefore = db.prepare('SELECT * FROM worklist_facts ORDER BY account_no').all();
    expect(factsBefore).toHaveLength(2);
    migrate(db, MIGRATIONS.filter((m) => m.version <= V25));
    expect(currentVersion(db)).toBe(V25);
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'account_history'").pluck().get()).not.toMatch(/WITHOUT ROWID/i);
    expect(db.prepare('SELECT * FROM account_history ORDER BY account_no').all()).toEqual(before);
    expect(db.prepare('SELECT * FROM worklist_facts ORDER BY account_no').all()).toEqual(factsBefore);

    const facts = (no: string) => db.prepare('SELECT to_period, late_mask FROM worklist_facts WHERE account_no = ?').get(no);
    db.prepare('INSERT INTO account_history (account_no, history_json) VALUES (?, ?)').run('3100000003', history('2026-10', [1, 0, 1]));
    expect(facts('3100000003')).toEqual({ to_period: '2026-10', late_mask: 0b101 });
    db.prepare('UPDATE account_history SET history_json = ? WHERE account_no = ?').run(history('2026-11', [0, 1]), '3100000003');
    expect(facts('3100000003')).toEqual({ to_period: '2026-11', late_mask: 0b1 });
    db.prepare('DELETE FROM account_history WHERE account_no = ?').run('3100000003');
    expect(facts('3100000003')).toBeUndefined();
    expect(() => db.prepare('INSERT INTO account_history (account_no, history_json) VALUES (?, ?)').run('3100000001', '{}')).toThrow(/UNIQUE|PRIMARY/);

    db.prepare("INSERT INTO kv (key, value) VALUES ('sync.initial.bulk', '[]')").run();
    db.prepare('INSERT INTO account_history (account_no, history_json) VALUES (?, ?)').run('3100000004', history('2026-10', [1]));
    expect(facts('3100000004')).toBeUndefined();
    db.close();
  });
});
