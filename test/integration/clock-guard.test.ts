/**
 * The clock guard end to end: the reference backend's clock (`now`) runs from the demo date, the
 * terminal's is pinned to it plus an offset the test sets. Past `backend.maxClockDriftMs` (120 s)
 * payments, top-ups and tokens answer `clock.drift_too_large` (lookups still work), the UI is told
 * (`clock.checked`), the journal says so once when drift is detected and once when it clears;
 * offline the last reading holds (carried on the monotonic clock, or stored across a restart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClockStatusView } from '../../main/contract/index.js';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { call, runningClock, signedIn } from '../support/stack.js';

const MINUTE = 60_000;
let dir: string;
let backend: RunningBackend;
let backendClock: () => Date;
/** The terminal's clock is the backend's plus this. */
let offsetMs = 0;
const terminalClock = () => new Date(backendClock().getTime() + offsetMs);
let cores: Core[];
let checked: ClockStatusView[];

function newCore(name = 'terminal'): Core {
  const config = testTerminalConfig({ dataDir: path.join(dir, name), backend: { url: backend.url, lookupTimeoutMs: 2000, pushTimeoutMs: 2000 } });
  const core = buildCore(config, { printer: null, withoutDevices: true, clock: terminalClock, lateFees: shippedLateFees(), log: () => undefined });
  core.on('clock.checked', (s) => checked.push(s));
  cores.push(core);
  return core;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-clock-'));
  backendClock = runningClock();
  offsetMs = 0;
  cores = [];
  checked = [];
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: backendClock, seedDate: '2026-11-27' });
});
afterEach(async () => {
  for (const c of cores) await c.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = async (core: Core) => call(core, 'clock.status', {}, core.newSession('status'));
const pay = (core: Core, s: Session) =>
  core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '1.00' }, s);
const clockJournal = (core: Core) => (core.db.prepare("SELECT type FROM journal WHERE type LIKE 'clock.%' ORDER BY seq").all() as { type: string }[]).map((r) => r.type);

describe('clock guard', () => {
  it('3 min ahead: money and tokens refused with the drift, lookups work, the UI is told, the journal says it once; set right, all works again', async () => {
    const core = newCore();
    expect(await core.refreshOperators()).toBe(true);
    const s = await signedIn(core);
    expect(await status(core)).toMatchObject({ state: 'ok', basis: 'live' });
    expect((await pay(core, s)).ok).toBe(true);

    offsetMs = 3 * MINUTE; // someone sets the terminal's clock 3 minutes ahead
    await core.pullNow(); // the next sync reads the backend's clock (its requests still pass: under 5 min)
    const drifting = await status(core);
    expect(drifting).toMatchObject({ state: 'drift', maxDriftMs: 120_000 });
    expect(Math.abs((drifting.driftMs ?? 0) - 3 * MINUTE)).toBeLessThan(2000);

    expect(await pay(core, s)).toMatchObject({ ok: false, error: { code: 'clock.drift_too_large', i18nKey: 'errors.clock.drift_too_large', details: { driftSeconds: 180, maxSeconds: 120 } } });
    expect(await core.dispatch('vend.preview', { accountNo: '3100000002', method: 'cash', amount: '50' }, s)).toMatchObject({ ok: false, error: { code: 'clock.drift_too_large' } });
    expect(await core.dispatch('vend.purchase', { requestId: crypto.randomUUID(), accountNo: '3100000002', method: 'cash', amount: '50' }, s)).toMatchObject({
      ok: false,
      error: { code: 'clock.drift_too_large' },
    });
    expect((await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).source).toBe('online');
    await core.pullNow();
    expect(clockJournal(core)).toEqual(['clock.drift_detected']);
    expect(checked.at(-1)).toMatchObject({ state: 'drift' });

    offsetMs = 0; // set right
    await core.pullNow();
    expect(await status(core)).toMatchObject({ state: 'ok' });
    expect(clockJournal(core)).toEqual(['clock.drift_detected', 'clock.drift_cleared']);
    expect(checked.at(-1)).toMatchObject({ state: 'ok' });
    expect((await pay(core, s)).ok).toBe(true);
  });

  it('10 min ahead (the backend refuses the requests as stale): its signed refusal still tells the drift', async () => {
    offsetMs = 10 * MINUTE;
    const core = newCore();
    expect(await core.refreshOperators()).toBe(false); // 401 stale_timestamp
    const s = await status(core);
    expect(s).toMatchObject({ state: 'drift', basis: 'live' });
    expect(Math.abs((s.driftMs ?? 0) - 10 * MINUTE)).toBeLessThan(2000);
    expect(clockJournal(core)).toEqual(['clock.drift_detected']);
  });

  it('offline, the last reading holds — also across a restart — until the backend says otherwise', async () => {
    const first = newCore();
    expect(await first.refreshOperators()).toBe(true);
    offsetMs = 5 * MINUTE;
    backend.setKnobs({ down: true }); // no reply since the clock went wrong …
    let s = await signedIn(first);
    // … yet the wall clock stepped against the monotonic one: drift, without the backend.
    expect(await pay(first, s)).toMatchObject({ ok: false, error: { code: 'clock.drift_too_large', details: { driftSeconds: 300 } } });
    expect(await status(first)).toMatchObject({ state: 'drift', basis: 'live' });
    await first.close();

    const second = newCore(); // restarted, still offline: the stored reading
    s = await signedIn(second);
    expect(await status(second)).toMatchObject({ state: 'drift', basis: 'stored' });
    expect(await pay(second, s)).toMatchObject({ ok: false, error: { code: 'clock.drift_too_large' } });
    expect(clockJournal(second)).toEqual(['clock.drift_detected']); // not again after the restart

    backend.setKnobs({ down: false });
    offsetMs = 0;
    await second.pullNow();
    expect(await status(second)).toMatchObject({ state: 'ok', basis: 'live' });
    expect((await pay(second, s)).ok).toBe(true);
    expect(clockJournal(second)).toEqual(['clock.drift_detected', 'clock.drift_cleared']);
  });
});
