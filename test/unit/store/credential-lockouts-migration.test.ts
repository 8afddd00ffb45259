/**
 * Migration v4 → v5 (credential lockouts in their own table) on a v4 database holding operators:
 * an operator locked under v4 stays locked, and the escalation continues after it; failures
 * counted under v4 keep counting; the old per-operator columns are gone.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../main/contract/index.js';
import { checkCredentials } from '../../../main/services/auth.js';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';
import { hashPin } from '../../billing-backend/pin-hash.js';

describe('migration v5', () => {
  it('carries v4 lockouts into credential_lockouts and drops the old columns', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
    expect(currentVersion(db)).toBe(4);
    const now = Date.parse('2026-11-27T02:00:00.000Z');
    const insert = db.prepare('INSERT INTO operators (operator_id, name, role, pin_hash, active, failed_attempts, locked_until) VALUES (?, ?, ?, ?, 1, ?, ?)');
    insert.run('C001', '张敏', 'clerk', hashPin('1234', Buffer.alloc(16, 1)), 0, now + 120_000); // locked under v4 (its counter was zeroed)
    insert.run('C002', '赵云', 'clerk', hashPin('2222', Buffer.alloc(16, 2)), 3, null);
    insert.run('S001', '李强', 'supervisor', hashPin('9999', Buffer.alloc(16, 3)), 0, null);

    migrate(db, MIGRATIONS.filter((m) => m.version <= 5));
    expect(currentVersion(db)).toBe(5);
    expect(db.prepare('SELECT * FROM credential_lockouts ORDER BY operator_id').all()).toEqual([
      { operator_id: 'C001', failures: 5, locked_until: now + 120_000 },
      { operator_id: 'C002', failures: 3, locked_until: null },
    ]);
    const columns = (db.prepare('PRAGMA table_info(operators)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['operator_id', 'name', 'role', 'pin_hash', 'active']);

    let at = now;
    const code = (id: string, pin: string) => {
      try {
        checkCredentials({ db, clock: () => new Date(at) }, id, pin);
        return 'ok';
      } catch (err) {
        return (err as AppError).code;
      }
    };
    expect(code('C001', '1234')).toBe('auth.locked');
    at += 121_000;
    // The v4 lock was the first step: the next failure locks again at once (5 minutes).
    expect(code('C001', '0000')).toBe('auth.locked');
    expect(code('C002', '0000')).toBe('auth.bad_pin');
    expect(code('C002', '0000')).toBe('auth.locked');
    expect(code('S001', '9999')).toBe('ok');
    db.close();
  });
});
