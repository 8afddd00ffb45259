/**
 * The one credential check: operator sign-in and supervisor approvals (vend reversals today;
 * voids, refunds and cash differences later) both go through `checkCredentials`, so they share
 * one lockout. PIN hashes come from the backend (scrypt); the terminal keeps them so clerks can
 * sign in while the backend is down.
 *
 * Lockout (table credential_lockouts, so a restart does not clear it): the 5th consecutive failure
 * locks the id for 1 minute, and every further failure before a success locks it again, for
 * longer (5, 15, then 60 minutes each). Only a success resets the count. Unknown ids are counted
 * and locked like known ones, and are checked against a dummy hash, so neither the answer, nor
 * the lockout, nor the time taken tells an unknown id from a wrong PIN. A locked id is answered
 * 'locked' without looking at the PIN at all.
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { AppError, type OperatorView, type Role } from '../contract/index.js';
import type { OperatorSnapshot } from '../wire/backend-wire.js';
import type { Db } from '../store/db.js';
import { appendJournal } from '../store/journal.js';
import type { Clock } from './clock.js';

export const LOCKOUT = {
  /** Consecutive failures before the first lock. */
  maxFailures: 5,
  /** Lock lengths: the first lock, then one per further failure; the last repeats. */
  lockMs: [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000],
} as const;

/** Roles that may approve another operator's request (a supervisor or higher). */
export const APPROVER_ROLES: readonly Role[] = ['supervisor', 'manager'];

/** kv key set whenever a staff list arrives from the backend. */
const STAFF_LIST_KEY = 'staff.listReceivedAt';

// Same scrypt cost as a real hash: an unknown id takes as long to refuse as a wrong PIN.
const DUMMY_HASH = `scrypt$${'00'.repeat(16)}$${'00'.repeat(32)}`;

interface OperatorRow {
  operator_id: string;
  name: string;
  role: Role;
  pin_hash: string;
  active: number;
}

export interface AuthDeps {
  readonly db: Db;
  readonly clock: Clock;
}

export function verifyPin(pin: string, pinHash: string): boolean {
  const [scheme, saltHex, hashHex] = pinHash.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(pin, Buffer.from(saltHex, 'hex'), expected.length, { N: 16384, r: 8, p: 1 });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Store the backend's staff list as the whole truth: listed operators are upserted; operators it no
 * longer lists are deactivated and their PIN hash dropped (the row stays for names on old
 * receipts). Returns the ids that were removed.
 */
export function cacheOperators(db: Db, operators: readonly OperatorSnapshot[], at: Date = new Date()): string[] {
  const upsert = db.prepare(
    `INSERT INTO operators (operator_id, name, role, pin_hash, active) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, role = excluded.role,
       pin_hash = excluded.pin_hash, active = excluded.active`,
  );
  const listed = new Set(operators.map((o) => o.operatorId));
  return db.transaction(() => {
    for (const o of operators) upsert.run(o.operatorId, o.name, o.role, o.pinHash, o.active ? 1 : 0);
    const gone = (db.prepare("SELECT operator_id FROM operators WHERE active = 1 OR pin_hash <> ''").all() as { operator_id: string }[])
      .map((r) => r.operator_id)
      .filter((id) => !listed.has(id));
    const remove = db.prepare("UPDATE operators SET active = 0, pin_hash = '' WHERE operator_id = ?");
    for (const id of gone) remove.run(id);
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(STAFF_LIST_KEY, at.toISOString());
    return gone;
  })();
}

/** Whether a staff list has ever reached this terminal (a new terminal offline has none). */
export function staffListReceived(db: Db): boolean {
  return (
    db.prepare('SELECT 1 FROM kv WHERE key = ?').get(STAFF_LIST_KEY) !== undefined ||
    db.prepare('SELECT 1 FROM operators LIMIT 1').get() !== undefined
  );
}

/** The operator as currently listed, or null when removed or inactive. */
export function activeOperator(db: Db, operatorId: string): OperatorView | null {
  const row = db.prepare('SELECT operator_id, name, role, pin_hash, active FROM operators WHERE operator_id = ?').get(operatorId) as OperatorRow | undefined;
  if (!row || row.active !== 1 || row.pin_hash === '') return null;
  return { operatorId: row.operator_id, name: row.name, role: row.role };
}

function lockedError(lockedUntil: number, now: number): AppError {
  const ms = Math.max(0, lockedUntil - now);
  return new AppError('auth.locked', { minutes: Math.ceil(ms / 60_000), retryAfterSeconds: Math.ceil(ms / 1000) });
}

/**
 * The credential check itself. Throws 'auth.staff_list_unavailable' (no staff list ever arrived),
 * 'auth.locked' (with the time left) or 'auth.bad_pin' (unknown id, inactive, or wrong PIN — one
 * answer for all three); returns the operator on success and resets their failures.
 */
export function checkCredentials({ db, clock }: AuthDeps, operatorId: string, pin: string): OperatorView {
  if (!staffListReceived(db)) throw new AppError('auth.staff_list_unavailable');
  const now = clock().getTime();
  const lock = db.prepare('SELECT failures, locked_until FROM credential_lockouts WHERE operator_id = ?').get(operatorId) as
    | { failures: number; locked_until: number | null }
    | undefined;
  if (lock?.locked_until != null && lock.locked_until > now) throw lockedError(lock.locked_until, now);

  const row = db.prepare('SELECT operator_id, name, role, pin_hash, active FROM operators WHERE operator_id = ?').get(operatorId) as OperatorRow | undefined;
  const known = row !== undefined && row.active === 1 && row.pin_hash !== '';
  const wellFormed = /^\d{4,8}$/.test(pin);
  const pinOk = wellFormed && verifyPin(pin, known ? row.pin_hash : DUMMY_HASH) && known;
  if (!pinOk) {
    const failures = (lock?.failures ?? 0) + 1;
    const step = failures - LOCKOUT.maxFailures;
    const lockedUntil = step >= 0 ? now + LOCKOUT.lockMs[Math.min(step, LOCKOUT.lockMs.length - 1)]! : null;
    db.prepare(
      `INSERT INTO credential_lockouts (operator_id, failures, locked_until) VALUES (?, ?, ?)
       ON CONFLICT (operator_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
    ).run(operatorId, failures, lockedUntil);
    if (lockedUntil !== null) throw lockedError(lockedUntil, now);
    throw new AppError('auth.bad_pin');
  }
  if (lock) db.prepare('DELETE FROM credential_lockouts WHERE operator_id = ?').run(operatorId);
  return { operatorId: row.operator_id, name: row.name, role: row.role };
}

export function signIn(deps: AuthDeps, operatorId: string, pin: string): OperatorView {
  return checkCredentials(deps, operatorId, pin);
}

export interface ApprovalRequest {
  /** What is being approved, e.g. 'vend.reverse'; named in the journal when refused. */
  readonly action: string;
  /** The business id (vend id, payment id, …) a refusal is journaled under. */
  readonly ref: string;
  readonly approverId: string;
  readonly approverPin: string;
}

/**
 * A supervisor's approval of `requester`'s request. Call it only once the request itself is known
 * to be valid (the thing exists and may be done), so a PIN is never tried for nothing. The approver
 * must be someone else, pass the shared credential check, and be a supervisor or higher. A refusal
 * is journaled ('approval.failed': who asked, which approver id, why — never the PIN) and thrown:
 * 'approval.self_approval', 'approval.denied' (unknown id or wrong PIN, indistinguishable),
 * 'auth.locked' (with the time left), 'approval.not_supervisor'.
 */
export function approve(deps: AuthDeps, requester: OperatorView, req: ApprovalRequest): OperatorView {
  const refuse = (reason: string, error: AppError): never => {
    appendJournal(deps.db, {
      type: 'approval.failed',
      ref: req.ref,
      actor: requester.operatorId,
      at: deps.clock().toISOString(),
      payload: { action: req.action, ref: req.ref, requestedBy: requester.operatorId, approverId: req.approverId, reason },
    });
    throw error;
  };
  if (req.approverId === requester.operatorId) return refuse('self_approval', new AppError('approval.self_approval'));
  let approver: OperatorView;
  try {
    approver = checkCredentials(deps, req.approverId, req.approverPin);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'auth.bad_pin') return refuse('bad_credentials', new AppError('approval.denied'));
    return refuse(err.code === 'auth.locked' ? 'locked' : err.code, err);
  }
  if (!APPROVER_ROLES.includes(approver.role)) return refuse('not_supervisor', new AppError('approval.not_supervisor', { role: approver.role }));
  return approver;
}
