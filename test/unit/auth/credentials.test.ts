/**
 * The one credential check behind sign-in and supervisor approvals: escalating lockout shared by
 * both and kept across a restart, unknown ids indistinguishable from wrong PINs, approvals refused
 * to oneself and to non-supervisors and journaled without the PIN, and a terminal that never got a
 * staff list saying so. Real SQLite file, pinned clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, type OperatorView } from '../../../main/contract/index.js';
import { activeOperator, approve, cacheOperators, checkCredentials, LOCKOUT, signIn, type ApprovalRequest } from '../../../main/services/auth.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { journalEntries } from '../../../main/store/journal.js';
import type { OperatorSnapshot } from '../../../main/wire/backend-wire.js';
import { hashPin } from '../../billing-backend/pin-hash.js';

const salt = (n: number) => Buffer.alloc(16, n);
const STAFF: OperatorSnapshot[] = [
  { operatorId: 'C001', name: '张敏', role: 'clerk', pinHash: hashPin('1234', salt(1)), active: true },
  { operatorId: 'C002', name: '赵云', role: 'clerk', pinHash: hashPin('2222', salt(2)), active: true },
  { operatorId: 'S001', name: '李强', role: 'supervisor', pinHash: hashPin('9999', salt(3)), active: true },
  { operatorId: 'M001', name: '周经理', role: 'manager', pinHash: hashPin('7777', salt(4)), active: true },
];
const CLERK: OperatorView = { operatorId: 'C001', name: '张敏', role: 'clerk' };
const MIN = 60_000;

let dir: string;
let file: string;
let db: Db;
let now: number;
const clock = () => new Date(now);
const deps = () => ({ db, clock });

/** The error code a call throws ('ok' when it does not), with the details that matter here. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.code === 'auth.locked' ? `auth.locked:${String(err.details.retryAfterSeconds)}s` : err.code;
  }
}
const trySignIn = (id: string, pin: string) => outcome(() => signIn(deps(), id, pin));
const reversal = (approverId: string, approverPin: string, requester: OperatorView = CLERK): ApprovalRequest & { requester: OperatorView } => ({
  action: 'vend.reverse',
  ref: 'vend-1',
  approverId,
  approverPin,
  requester,
});
const tryApprove = (r: ReturnType<typeof reversal>) => outcome(() => approve(deps(), r.requester, r));

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-auth-'));
  file = path.join(dir, 't.db');
  db = openDatabase(file);
  now = Date.parse('2026-11-27T02:00:00.000Z');
  cacheOperators(db, STAFF, clock());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lockout', () => {
  it('escalates: 5 failures lock 1 min, each further failure locks longer (5, 15, 60, 60 min); the count never resets on its own', () => {
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) expect(trySignIn('C001', '0000')).toBe('auth.bad_pin');
    expect(trySignIn('C001', '0000')).toBe('auth.locked:60s');
    // While locked, the PIN is not even looked at: the right one is refused too.
    expect(trySignIn('C001', '1234')).toBe('auth.locked:60s');
    now += 30_000;
    expect(trySignIn('C001', '1234')).toBe('auth.locked:30s');
    for (const lockMin of [5, 15, 60, 60]) {
      now += 61 * MIN; // the previous lock has run out
      expect(trySignIn('C001', '0000')).toBe(`auth.locked:${lockMin * 60}s`);
    }
    now += 61 * MIN;
    expect(trySignIn('C001', '1234')).toBe('ok');
    // A success resets it: five more tries before the next (short) lock.
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) expect(trySignIn('C001', '0000')).toBe('auth.bad_pin');
    expect(trySignIn('C001', '0000')).toBe('auth.locked:60s');
  });

  it('survives a restart (kept in SQLite)', () => {
    for (let i = 0; i < LOCKOUT.maxFailures; i++) trySignIn('C001', '0000');
    db.close();
    db = openDatabase(file);
    expect(trySignIn('C001', '1234')).toBe('auth.locked:60s');
    now += 61_000;
    expect(trySignIn('C001', '0000')).toBe('auth.locked:300s');
  });

  it('is shared by sign-in and approvals: failures through either count for both', () => {
    for (let i = 0; i < 3; i++) expect(tryApprove(reversal('S001', '0000'))).toBe('approval.denied');
    expect(trySignIn('S001', '0000')).toBe('auth.bad_pin');
    expect(trySignIn('S001', '0001')).toBe('auth.locked:60s');
    expect(tryApprove(reversal('S001', '9999'))).toBe('auth.locked:60s');
    now += 61_000;
    expect(tryApprove(reversal('S001', '9999'))).toBe('ok');
    expect(trySignIn('S001', '0000')).toBe('auth.bad_pin');
  });

  it('an unknown id answers exactly like a known one with a wrong PIN, lockout included', () => {
    const answers = (id: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 7; i++) {
        seen.push(tryApprove(reversal(id, '0000')));
        now += 2 * MIN;
      }
      return seen;
    };
    const start = now;
    const known = answers('S001');
    now = start;
    const unknown = answers('S999');
    expect(unknown).toEqual(known);
    expect(known.slice(0, 4)).toEqual(Array(4).fill('approval.denied'));
    expect(known[4]).toBe('auth.locked:60s');
    // Inactive staff answer the same way too.
    cacheOperators(db, STAFF.map((o) => (o.operatorId === 'C002' ? { ...o, active: false } : o)), clock());
    expect(trySignIn('C002', '2222')).toBe('auth.bad_pin');
  });
});

describe('approve', () => {
  it('refuses self-approval, even with the right PIN, without counting it as a PIN failure', () => {
    const supervisor: OperatorView = { operatorId: 'S001', name: '李强', role: 'supervisor' };
    for (let i = 0; i < LOCKOUT.maxFailures + 1; i++) expect(tryApprove(reversal('S001', '9999', supervisor))).toBe('approval.self_approval');
    expect(trySignIn('S001', '9999')).toBe('ok');
    expect(tryApprove(reversal('M001', '7777', supervisor))).toBe('ok');
  });

  it("requires a supervisor or higher: a clerk's right PIN is not an approval", () => {
    expect(tryApprove(reversal('C002', '2222'))).toBe('approval.not_supervisor');
    expect(tryApprove(reversal('C002', '0000'))).toBe('approval.denied');
    expect(approve(deps(), CLERK, reversal('S001', '9999'))).toEqual({ operatorId: 'S001', name: '李强', role: 'supervisor' });
    expect(approve(deps(), CLERK, reversal('M001', '7777'))).toMatchObject({ role: 'manager' });
  });

  it('journals every refusal (who asked, which approver, why) and never the PIN', () => {
    tryApprove(reversal('S001', '4321'));
    tryApprove(reversal('S999', '4321'));
    tryApprove(reversal('C001', '1234'));
    tryApprove(reversal('C002', '2222'));
    for (let i = 0; i < 4; i++) tryApprove(reversal('S001', '4321')); // the 5th locks
    tryApprove(reversal('S001', '9999'));
    const failed = journalEntries(db, 'vend-1').filter((e) => e.type === 'approval.failed');
    expect(failed.map((e) => [e.actor, (e.payload as { approverId: string }).approverId, (e.payload as { reason: string }).reason])).toEqual([
      ['C001', 'S001', 'bad_credentials'],
      ['C001', 'S999', 'bad_credentials'],
      ['C001', 'C001', 'self_approval'],
      ['C001', 'C002', 'not_supervisor'],
      ['C001', 'S001', 'bad_credentials'],
      ['C001', 'S001', 'bad_credentials'],
      ['C001', 'S001', 'bad_credentials'],
      ['C001', 'S001', 'locked'],
      ['C001', 'S001', 'locked'],
    ]);
    expect(failed[0]!.payload).toEqual({ action: 'vend.reverse', ref: 'vend-1', requestedBy: 'C001', approverId: 'S001', reason: 'bad_credentials' });
    const all = JSON.stringify(journalEntries(db, 'vend-1'));
    for (const pin of ['4321', '9999', '1234', '2222']) expect(all).not.toContain(pin);
  });
});

describe('staff list', () => {
  it('a terminal that never received a staff list says so instead of "wrong PIN"', () => {
    const fresh = openDatabase(path.join(dir, 'fresh.db'));
    try {
      expect(outcome(() => checkCredentials({ db: fresh, clock }, 'C001', '1234'))).toBe('auth.staff_list_unavailable');
      cacheOperators(fresh, STAFF, clock());
      expect(outcome(() => checkCredentials({ db: fresh, clock }, 'C001', '1234'))).toBe('ok');
      // A list that arrived empty is still a list: now it is a wrong id.
      cacheOperators(fresh, [], clock());
      expect(outcome(() => checkCredentials({ db: fresh, clock }, 'C001', '1234'))).toBe('auth.bad_pin');
    } finally {
      fresh.close();
    }
  });

  it('staff the backend no longer lists are removed: no sign-in, no PIN hash kept, name kept for old receipts', () => {
    expect(cacheOperators(db, STAFF.filter((o) => o.operatorId !== 'C002'), clock())).toEqual(['C002']);
    expect(activeOperator(db, 'C002')).toBeNull();
    expect(trySignIn('C002', '2222')).toBe('auth.bad_pin');
    expect(db.prepare("SELECT name, pin_hash, active FROM operators WHERE operator_id = 'C002'").get()).toEqual({ name: '赵云', pin_hash: '', active: 0 });
    // Listed again: back.
    expect(cacheOperators(db, STAFF, clock())).toEqual([]);
    expect(trySignIn('C002', '2222')).toBe('ok');
  });
});
