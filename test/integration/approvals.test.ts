/**
 * Supervisor approvals through the real dispatch (vend.reverse today): the request is checked
 * before any PIN is tried, the PIN check is the sign-in check with its shared lockout, nobody
 * approves their own request, only a supervisor or higher approves, and refusals are journaled.
 * Real core on a real SQLite file; the backend address points nowhere; the clock is pinned.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, VendView } from '../../main/contract/index.js';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { cacheOperators } from '../../main/services/auth.js';
import type { Session } from '../../main/services/dispatch.js';
import { journalEntries } from '../../main/store/journal.js';
import { hashPin } from '../billing-backend/pin-hash.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';

const SPLIT = JSON.stringify({ split: { amountFen: 1000, energyCkwh: 100 }, tierPeriodKey: null, fixedChargePeriods: [] });
let dir: string;
let core: Core;
let now = Date.parse('2026-11-27T02:00:00.000Z');
let tid = 1;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-approvals-'));
  const config = testTerminalConfig({ dataDir: dir, backend: { lookupTimeoutMs: 200 } });
  core = buildCore(config, { printer: null, withoutDevices: true, lateFees: shippedLateFees(), clock: () => new Date(now) });
  const op = (operatorId: string, name: string, role: 'clerk' | 'supervisor' | 'manager', pin: string, n: number) => ({
    operatorId,
    name,
    role,
    pinHash: hashPin(pin, Buffer.alloc(16, n)),
    active: true,
  });
  cacheOperators(core.db, [
    op('C001', '张敏', 'clerk', '1234', 1),
    op('C002', '赵云', 'clerk', '2222', 2),
    op('S001', '李强', 'supervisor', '9999', 3),
    op('M001', '周经理', 'manager', '7777', 4),
  ]);
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

async function session(operatorId: string, pin: string): Promise<Session> {
  const s = core.newSession(`${operatorId}-${randomUUID()}`);
  const r = await core.dispatch('session.signIn', { operatorId, pin }, s);
  if (!r.ok) throw new Error(`sign-in failed: ${r.error.code}`);
  return s;
}

/** A cash STS vend in `state`, as the vend machine would have left it. */
function vendIn(state: 'created' | 'delivered'): string {
  const vendId = randomUUID();
  core.db
    .prepare(
      `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd,
         amount_tenths, split_json, locale, operator_id, created_at, updated_at)
       VALUES (?, ?, '3100000003', '47000000001', 'sts', ?, 'cash', 1000, 'online', ?, 3, 10, ?, 'zh-CN', 'C001', 'x', 'x')`,
    )
    .run(vendId, randomUUID(), state, tid++, SPLIT);
  return vendId;
}

const reverse = (s: Session, vendId: string, supervisorId: string, supervisorPin: string) =>
  core.dispatch('vend.reverse', { vendId, supervisorId, supervisorPin, reason: 'customer changed mind' }, s);
const err = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);
const lockouts = () => core.db.prepare('SELECT operator_id, failures FROM credential_lockouts ORDER BY operator_id').all();
const approvalFailures = (ref: string) => journalEntries(core.db, ref).filter((e) => e.type === 'approval.failed').map((e) => e.payload);

describe('supervisor approval of a reversal', () => {
  it('checks the request first: no PIN is tried for a vend that does not exist or cannot be reversed', async () => {
    const clerk = await session('C001', '1234');
    const missing = randomUUID();
    const delivered = vendIn('delivered');
    for (let i = 0; i < 8; i++) {
      expect(err(await reverse(clerk, missing, 'S001', `000${i}`))).toBe('vending.vend_not_found');
      expect(err(await reverse(clerk, delivered, 'S001', `000${i}`))).toBe('vending.not_reversible');
    }
    expect(lockouts()).toEqual([]);
    expect(approvalFailures(delivered)).toEqual([]);
  });

  it('a clerk cannot try PINs: wrong and unknown answer alike, then the approver is locked — for sign-in too', async () => {
    const clerk = await session('C001', '1234');
    const vendId = vendIn('created');
    const wrong = await reverse(clerk, vendId, 'S001', '0000');
    const unknown = await reverse(clerk, vendId, 'S777', '0000');
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'approval.denied', i18nKey: 'errors.approval.denied', details: {} } });
    for (let i = 0; i < 3; i++) expect(err(await reverse(clerk, vendId, 'S001', `111${i}`))).toBe('approval.denied');
    const locked = await reverse(clerk, vendId, 'S001', '2222');
    expect(locked).toMatchObject({ ok: false, error: { code: 'auth.locked', details: { minutes: 1, retryAfterSeconds: 60 } } });
    // The right PIN is not even checked while locked, and sign-in shares the lock.
    expect(err(await reverse(clerk, vendId, 'S001', '9999'))).toBe('auth.locked');
    expect(err(await core.dispatch('session.signIn', { operatorId: 'S001', pin: '9999' }, core.newSession('s')))).toBe('auth.locked');
    expect(core.db.prepare('SELECT state FROM vends WHERE vend_id = ?').get(vendId)).toEqual({ state: 'created' });

    const failures = approvalFailures(vendId);
    expect(failures).toHaveLength(7);
    expect(failures[0]).toEqual({ action: 'vend.reverse', ref: vendId, requestedBy: 'C001', approverId: 'S001', reason: 'bad_credentials' });
    expect(failures[1]).toMatchObject({ approverId: 'S777', reason: 'bad_credentials' });
    expect(failures.slice(5).map((f) => (f as { reason: string }).reason)).toEqual(['locked', 'locked']);
    expect(JSON.stringify(journalEntries(core.db, vendId).map((e) => e.payload))).not.toMatch(/9999|2222|0000|111\d/);

    // After the lock: one more wrong PIN locks again, longer (no fresh five tries).
    now += 61_000;
    expect(await reverse(clerk, vendId, 'S001', '3333')).toMatchObject({ ok: false, error: { code: 'auth.locked', details: { minutes: 5 } } });
    now += 5 * 60_000 + 1000;
    const approved = await reverse(clerk, vendId, 'S001', '9999');
    expect(approved).toMatchObject({ ok: true, result: { state: 'reversed', approvedBy: 'S001' } });
    expect(lockouts()).toEqual([{ operator_id: 'S777', failures: 1 }]);
  });

  it('nobody approves their own request, and only a supervisor or higher approves', async () => {
    const supervisor = await session('S001', '9999');
    const vendId = vendIn('created');
    expect(err(await reverse(supervisor, vendId, 'S001', '9999'))).toBe('approval.self_approval');
    const clerk = await session('C001', '1234');
    expect(await reverse(clerk, vendId, 'C002', '2222')).toMatchObject({ ok: false, error: { code: 'approval.not_supervisor', details: { role: 'clerk' } } });
    expect(approvalFailures(vendId).map((f) => [(f as { requestedBy: string }).requestedBy, (f as { reason: string }).reason])).toEqual([
      ['S001', 'self_approval'],
      ['C001', 'not_supervisor'],
    ]);
    const r = await reverse(supervisor, vendId, 'M001', '7777');
    expect(r.ok && (r.result as VendView)).toMatchObject({ state: 'reversed', approvedBy: 'M001' });
  });
});
