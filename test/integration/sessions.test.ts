/**
 * Sessions end after the configured idle time (activity = any call from the session) and when
 * their operator leaves the staff list: the next protected call answers a translated
 * 'session.expired' / 'session.revoked' and the operator is cleared. Real core and SQLite file,
 * pinned clock, backend pointing nowhere.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse } from '../../main/contract/index.js';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { loadLocale, translator } from '../../main/i18n/locales.js';
import { cacheOperators } from '../../main/services/auth.js';
import type { Session } from '../../main/services/dispatch.js';
import type { OperatorSnapshot } from '../../main/wire/backend-wire.js';
import { hashPin } from '../billing-backend/pin-hash.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';

const IDLE_MS = 60_000;
const STAFF: OperatorSnapshot[] = [
  { operatorId: 'C001', name: '张敏', role: 'clerk', pinHash: hashPin('1234', Buffer.alloc(16, 1)), active: true },
  { operatorId: 'C002', name: '赵云', role: 'clerk', pinHash: hashPin('2222', Buffer.alloc(16, 2)), active: true },
  { operatorId: 'S001', name: '李强', role: 'supervisor', pinHash: hashPin('9999', Buffer.alloc(16, 3)), active: true },
];
let dir: string;
let core: Core;
let now = Date.parse('2026-11-27T02:00:00.000Z');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-sessions-'));
  const config = testTerminalConfig({ dataDir: dir, backend: { lookupTimeoutMs: 200 }, session: { idleTimeoutMs: IDLE_MS } });
  core = buildCore(config, { printer: null, withoutDevices: true, lateFees: shippedLateFees(), clock: () => new Date(now) });
  cacheOperators(core.db, STAFF);
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
const status = (s: Session) => core.dispatch('sync.status', {}, s);
const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);

describe('idle timeout', () => {
  it('the idle time is configured (counter default 15 minutes) and told to the UI', async () => {
    expect(testTerminalConfig({ dataDir: dir }).session.idleTimeoutMs).toBe(15 * 60_000);
    const info = await core.dispatch('system.info', {}, core.newSession('x'));
    expect(info).toMatchObject({ ok: true, result: { sessionIdleTimeoutMs: IDLE_MS } });
  });

  it('any call is activity; a call after the idle time answers session.expired and signs the operator out', async () => {
    const s = await session('C001', '1234');
    for (let i = 0; i < 3; i++) {
      now += IDLE_MS - 1000;
      expect(code(await status(s))).toBe('ok');
    }
    now += IDLE_MS + 1;
    const expired = await status(s);
    expect(expired).toMatchObject({ ok: false, error: { code: 'session.expired', i18nKey: 'errors.session.expired' } });
    expect(s.operator).toBeNull();
    if (!expired.ok) {
      expect(translator(loadLocale('en'))(expired.error.i18nKey)).toMatch(/sign in again/);
      expect(translator(loadLocale('zh-CN'))(expired.error.i18nKey)).toMatch(/重新登录/);
    }
    // From now on the session is simply signed out; a new sign-in on it works.
    expect(code(await status(s))).toBe('auth.not_signed_in');
    expect(await core.dispatch('session.current', {}, s)).toEqual({ ok: true, result: null });
    expect(code(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, s))).toBe('ok');
    expect(code(await status(s))).toBe('ok');
  });

  it('a public call after the idle time also ends the session (session.current answers null)', async () => {
    const s = await session('C001', '1234');
    now += IDLE_MS + 1;
    expect(await core.dispatch('session.current', {}, s)).toEqual({ ok: true, result: null });
    expect(code(await status(s))).toBe('auth.not_signed_in');
  });

  it('sessions expire one by one: activity on one keeps only that one alive', async () => {
    const busy = await session('C001', '1234');
    const idle = await session('S001', '9999');
    now += IDLE_MS / 2;
    await status(busy);
    now += IDLE_MS / 2 + 1;
    expect(code(await status(busy))).toBe('ok');
    expect(code(await status(idle))).toBe('session.expired');
  });
});

describe('staff removed or changed', () => {
  it("an operator the staff list no longer has loses the session at the next call; a changed role applies at once", async () => {
    const c2 = await session('C002', '2222');
    const s1 = await session('S001', '9999');
    expect(code(await status(c2))).toBe('ok');
    cacheOperators(core.db, STAFF.filter((o) => o.operatorId !== 'C002').map((o) => (o.operatorId === 'S001' ? { ...o, role: 'clerk' as const } : o)));
    expect(code(await status(c2))).toBe('session.revoked');
    expect(c2.operator).toBeNull();
    expect(code(await core.dispatch('session.signIn', { operatorId: 'C002', pin: '2222' }, c2))).toBe('auth.bad_pin');
    // S001 was demoted to clerk: still signed in, but no longer a supervisor.
    expect(code(await core.dispatch('vend.resume', {}, s1))).toBe('auth.forbidden');
    expect(s1.operator?.role).toBe('clerk');
    cacheOperators(core.db, STAFF);
  });
});
