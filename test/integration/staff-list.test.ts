/**
 * The staff list against the reference backend over real HTTP: a new terminal whose first
 * fetches fail says so at sign-in (not "wrong PIN") and lets clerks in as soon as a retry gets the
 * list, without a restart; the list is refreshed on an interval, and staff the backend drops lose
 * their sessions.
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
import { activeOperator } from '../../main/services/auth.js';
import type { Session } from '../../main/services/dispatch.js';
import { hashPin } from '../billing-backend/pin-hash.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';

const FAILED_FETCHES = 3;
let t: TestBackend;
let dir: string;
let core: Core;

beforeAll(async () => {
  t = await startTestBackend({ accounts: 20 });
  // The link is bad: the first fetches of the staff list fail.
  t.backend.setKnobs({ failOperatorFetches: FAILED_FETCHES });
  dir = mkdtempSync(path.join(tmpdir(), 'gd-staff-'));
  const config = testTerminalConfig({
    dataDir: dir,
    backend: { url: t.backend.url, lookupTimeoutMs: 1000 },
    staff: { refreshIntervalMs: 1000, retryInitialMs: 150, retryMaxMs: 300 },
  });
  core = buildCore(config, { printer: null, withoutDevices: true, lateFees: shippedLateFees(), clock: () => TEST_NOW });
});
afterAll(async () => {
  await core.close();
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (operatorId: string, pin: string, s: Session = core.newSession(randomUUID())) => core.dispatch('session.signIn', { operatorId, pin }, s);
const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);

async function eventually<T>(probe: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function addBackendOperator(operatorId: string, pin: string): void {
  t.backend.db.prepare('INSERT INTO operators VALUES (?, ?, ?, ?, ?)').run(operatorId, `Staff ${operatorId}`, 'clerk', hashPin(pin, Buffer.alloc(16, 7)), 1);
}

describe('staff list', () => {
  it('before any list has arrived, sign-in says so plainly; after a retry gets it, sign-in works without a restart', async () => {
    const first = await signIn('C001', '1234');
    expect(first).toMatchObject({ ok: false, error: { code: 'auth.staff_list_unavailable', i18nKey: 'errors.auth.staff_list_unavailable' } });
    if (!first.ok) {
      expect(translator(loadLocale('en'))(first.error.i18nKey)).toMatch(/has not received the staff list.*network/);
      expect(translator(loadLocale('zh-CN'))(first.error.i18nKey)).toMatch(/员工名单/);
    }
    const later = await eventually(() => signIn('C001', '1234'), (r) => r.ok);
    expect(later).toMatchObject({ ok: true, result: { operatorId: 'C001' } });
    expect(t.backend.knobs().failOperatorFetches).toBe(0);
  });

  it('is refreshed on the interval: staff added at the backend can sign in, staff it drops lose their session', async () => {
    addBackendOperator('C077', '7070');
    expect(await eventually(() => activeOperator(core.db, 'C077'), (v) => v !== null)).not.toBeNull();
    const s = core.newSession('c077');
    expect(code(await signIn('C077', '7070', s))).toBe('ok');
    expect(code(await core.dispatch('sync.status', {}, s))).toBe('ok');

    t.backend.db.prepare("DELETE FROM operators WHERE operator_id = 'C077'").run();
    expect(await eventually(() => activeOperator(core.db, 'C077'), (v) => v === null)).toBeNull();
    expect(await core.dispatch('sync.status', {}, s)).toMatchObject({ ok: false, error: { code: 'session.revoked' } });
    expect(code(await signIn('C077', '7070'))).toBe('auth.bad_pin');
    // Everyone else is still there.
    expect(code(await signIn('C001', '1234'))).toBe('ok');
  });

  it('a failing refresh keeps the list it has (clerks still sign in while the backend is unreachable)', async () => {
    t.backend.setKnobs({ down: true });
    try {
      expect(await core.refreshOperators()).toBe(false);
      expect(code(await signIn('C001', '1234'))).toBe('ok');
    } finally {
      t.backend.setKnobs({ down: false });
    }
  });
});
