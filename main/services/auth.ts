/**
 * Operator sign-in by PIN. PIN hashes come from the backend (scrypt); the terminal keeps them so
 * clerks can sign in while the backend is down. Five wrong PINs lock the operator for 5 minutes.
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { AppError, type OperatorView, type Role } from '../contract/index.js';
import type { OperatorSnapshot } from '../wire/backend-wire.js';
import type { Db } from '../store/db.js';
import type { Clock } from './clock.js';

const MAX_FAILURES = 5;
const LOCK_MS = 5 * 60_000;

interface OperatorRow {
  operator_id: string;
  name: string;
  role: Role;
  pin_hash: string;
  active: number;
  failed_attempts: number;
  locked_until: number | null;
}

export function verifyPin(pin: string, pinHash: string): boolean {
  const [scheme, saltHex, hashHex] = pinHash.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(pin, Buffer.from(saltHex, 'hex'), expected.length, { N: 16384, r: 8, p: 1 });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function cacheOperators(db: Db, operators: readonly OperatorSnapshot[]): void {
  const upsert = db.prepare(
    `INSERT INTO operators (operator_id, name, role, pin_hash, active) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, role = excluded.role,
       pin_hash = excluded.pin_hash, active = excluded.active`,
  );
  db.transaction(() => {
    for (const o of operators) upsert.run(o.operatorId, o.name, o.role, o.pinHash, o.active ? 1 : 0);
  })();
}

export function signIn(db: Db, clock: Clock, operatorId: string, pin: string): OperatorView {
  const row = db.prepare('SELECT * FROM operators WHERE operator_id = ?').get(operatorId) as OperatorRow | undefined;
  // Unknown operator and wrong PIN look the same to the caller.
  if (!row || row.active !== 1) throw new AppError('auth.bad_pin');
  const now = clock().getTime();
  if (row.locked_until !== null && row.locked_until > now) {
    throw new AppError('auth.locked', { minutes: Math.ceil((row.locked_until - now) / 60_000) });
  }
  if (!/^\d{4,8}$/.test(pin) || !verifyPin(pin, row.pin_hash)) {
    const failures = row.failed_attempts + 1;
    const lockedUntil = failures >= MAX_FAILURES ? now + LOCK_MS : null;
    db.prepare('UPDATE operators SET failed_attempts = ?, locked_until = ? WHERE operator_id = ?').run(
      lockedUntil ? 0 : failures,
      lockedUntil,
      operatorId,
    );
    if (lockedUntil) throw new AppError('auth.locked', { minutes: LOCK_MS / 60_000 });
    throw new AppError('auth.bad_pin');
  }
  db.prepare('UPDATE operators SET failed_attempts = 0, locked_until = NULL WHERE operator_id = ?').run(operatorId);
  return { operatorId: row.operator_id, name: row.name, role: row.role };
}
