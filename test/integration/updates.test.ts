/**
 * Software updates through the real core: the supervisor's deferral (journaled, synced, idempotent,
 * validated), the state the Electron shell's updater reports, and the step the core tells it to
 * take — on a kiosk, a downloaded update waits for the customer's visit to end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { peekOutbox } from '../../main/store/outbox.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
afterEach(async () => stack?.dispose());

describe('updates', () => {
  it('a supervisor defers updates with a reason: journaled and synced once, shown in the status, held in the next step', async () => {
    stack = await startStack();
    const { core } = stack;
    const clerk = await signedIn(core);
    const sup = await signedIn(core, 'S001', '9999');

    const before = await call(core, 'updates.status', {}, clerk);
    expect(before).toMatchObject({ currentVersion: expect.any(String), phase: 'unsupported', deferredUntil: null });
    expect(core.updates.next()).toEqual({ kind: 'check' });

    expect(await core.dispatch('updates.defer', { requestId: crypto.randomUUID(), hours: 24, reason: 'month-end' }, clerk)).toMatchObject({
      ok: false,
      error: { code: 'auth.forbidden' },
    });
    for (const bad of [{ hours: 73 }, { hours: -1 }, { hours: 1.5 }, { reason: '  ' }]) {
      const r = await core.dispatch('updates.defer', { requestId: crypto.randomUUID(), hours: 24, reason: 'month-end', ...bad }, sup);
      expect(r).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });
    }
    expect(journalEntries(core.db).filter((e) => e.type === 'update.deferred')).toEqual([]);

    const requestId = crypto.randomUUID();
    const deferred = await call(core, 'updates.defer', { requestId, hours: 24, reason: 'month-end closing' }, sup);
    expect(deferred).toMatchObject({ deferredBy: 'S001', deferReason: 'month-end closing' });
    const left = Date.parse(deferred.deferredUntil!) - stack.clock().getTime(); // the stack's clock runs
    expect(left).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(left).toBeLessThanOrEqual(24 * 3_600_000);
    // The same request again (a retried click) changes nothing.
    await call(core, 'updates.defer', { requestId, hours: 24, reason: 'month-end closing' }, sup);
    expect(journalEntries(core.db).filter((e) => e.type === 'update.deferred')).toHaveLength(1);
    expect(peekOutbox(core.db, 50).filter((r) => r.type === 'update.deferred')).toHaveLength(1);
    expect(verifyJournal(core.db)).toMatchObject({ ok: true });
    expect(core.updates.next()).toMatchObject({ kind: 'wait', reason: 'deferred' });

    // Lifted: the next step checks again.
    const lifted = await call(core, 'updates.defer', { requestId: crypto.randomUUID(), hours: 0, reason: 'closing done' }, sup);
    expect(lifted.deferredUntil).toBeNull();
    expect(core.updates.next()).toEqual({ kind: 'check' });

    await core.syncNow();
    const synced = stack.backend.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'update.deferred'").get() as { n: number };
    expect(synced.n).toBe(2);
  });

  it('the updater reports what it did; a failed check is retried at the next interval and says why', async () => {
    stack = await startStack();
    const { core } = stack;
    const s = await signedIn(core);
    core.updates.report({ kind: 'checking' });
    core.updates.report({ kind: 'error', message: 'net::ERR_NAME_NOT_RESOLVED' });
    expect(await call(core, 'updates.status', {}, s)).toMatchObject({ phase: 'error', lastError: 'net::ERR_NAME_NOT_RESOLVED', lastCheckAt: expect.any(String) });
    expect(core.updates.next()).toMatchObject({ kind: 'wait', reason: 'not_due' });
    core.updates.report({ kind: 'available', version: '0.2.0' });
    core.updates.report({ kind: 'progress', percent: 41.6 });
    expect(await call(core, 'updates.status', {}, s)).toMatchObject({ phase: 'downloading', availableVersion: '0.2.0', percent: 42 });
    core.updates.report({ kind: 'downloaded', version: '0.2.0' });
    // A counter installs at its next quit, never under a clerk's hands.
    expect(core.updates.next()).toEqual({ kind: 'wait', reason: 'busy', untilMs: null });
  });

  it('a kiosk installs a downloaded update only when no customer is in a visit', async () => {
    stack = await startStack({ mode: 'kiosk' });
    const { core } = stack;
    core.updates.report({ kind: 'downloaded', version: '0.2.0' });
    expect(core.updates.next()).toEqual({ kind: 'install', version: '0.2.0' });
    const customer = core.newSession('kiosk-screen');
    const visit = await call(core, 'kiosk.begin', { locale: 'zh-CN' }, customer);
    expect(core.updates.next()).toEqual({ kind: 'wait', reason: 'busy', untilMs: null });
    await call(core, 'kiosk.end', { visitId: visit.visitId }, customer);
    expect(core.updates.next()).toEqual({ kind: 'install', version: '0.2.0' });
  });
});
