/**
 * Authenticated replies against a man in the middle (test/support/mitm-proxy.ts) between the
 * terminal and the reference backend: a forged "accepted" cannot empty the outbox, a genuine
 * signed answer replayed to a later request is refused, a forged staff list lets nobody in — each
 * `BackendUnavailable('bad_signature')`, logged once, nothing of the reply used. A backend that
 * answers a change page whose cursor went backwards is refused the same way (cursor_backwards):
 * the cache keeps its data, the cursor stays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { deterministicSalt, hashPin } from '../billing-backend/pin-hash.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { signedReply, startMitmProxy, unsignedReply, type MitmProxy, type MitmReply } from '../support/mitm-proxy.js';
import { call, runningClock, signedIn } from '../support/stack.js';

const clock = runningClock();
let dir: string;
let backend: RunningBackend;
let mitm: MitmProxy;
let core: Core;
let logged: string[];

function newCore(name: string): Core {
  const config = testTerminalConfig({ dataDir: path.join(dir, name), backend: { url: mitm.url, lookupTimeoutMs: 3000, pushTimeoutMs: 3000 } });
  return buildCore(config, { printer: null, withoutDevices: true, clock, lateFees: shippedLateFees(), log: (line) => logged.push(line) });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-reply-auth-'));
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: clock, seedDate: '2026-11-27' });
  mitm = await startMitmProxy(backend.url);
  logged = [];
  core = newCore('terminal');
  expect(await core.refreshOperators()).toBe(true);
});
afterEach(async () => {
  mitm.rule = null;
  await core.close();
  await mitm.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const ledger = () => (backend.db.prepare('SELECT event_id AS id FROM events').all() as { id: string }[]).map((r) => r.id);
const pay = async (amount = '3.00') => {
  const s = await signedIn(core);
  return call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount }, s);
};
/** The ids of the events in a pushed batch. */
const eventIdsOf = (body: string) => (JSON.parse(body) as { events: { eventId: string }[] }).events.map((e) => e.eventId);

describe('a forged acknowledgement', () => {
  it.each([
    ['with a wrong signature', (req: Parameters<typeof signedReply>[1], body: unknown) => signedReply('the-forger-does-not-know-the-secret', req, 200, body)],
    ['with no signature', (_req: Parameters<typeof signedReply>[1], body: unknown) => unsignedReply(200, body)],
  ])('%s cannot empty the outbox; logged once; the real push later delivers', async (_what, forge) => {
    // The proxy never lets the batch reach the backend and answers "accepted" for every event.
    mitm.rule = async (req, forward) =>
      req.method === 'POST' && req.target === '/api/events' ? forge(req, { results: eventIdsOf(req.body).map((eventId) => ({ eventId, status: 'accepted' })) }) : forward();
    const paid = await pay();
    const queued = peekOutbox(core.db, 100).map((r) => r.eventId);
    expect(queued).toContain(paid.paymentId);
    for (let i = 0; i < 3; i++) {
      const status = await core.syncNow();
      expect(status).toMatchObject({ online: false, pending: queued.length });
      expect(status.lastError).toMatch(/^billing backend unavailable \(bad_signature 200\)/);
    }
    expect(peekOutbox(core.db, 100).map((r) => r.eventId)).toEqual(queued);
    expect(ledger()).not.toContain(paid.paymentId);
    expect(logged.filter((l) => l.includes('POST /api/events: reply refused'))).toHaveLength(1);

    mitm.rule = null;
    expect(await core.syncNow()).toMatchObject({ online: true, pending: 0 });
    expect(ledger()).toContain(paid.paymentId);
  });
});

describe('a signed reply replayed to another request', () => {
  it('an old acknowledgement replayed to a later push is refused; the rows stay', async () => {
    let kept: MitmReply | null = null;
    mitm.rule = async (req, forward) => {
      const reply = await forward();
      if (req.target === '/api/events') kept ??= reply;
      return reply;
    };
    await pay('1.00');
    expect(await core.syncNow()).toMatchObject({ pending: 0 });
    expect(kept).not.toBeNull();

    // A second payment: the proxy swallows the push and replays the first, genuinely signed, answer.
    mitm.rule = async (req, forward) => (req.target === '/api/events' && kept ? kept : forward());
    const second = await pay('2.00');
    const queued = peekOutbox(core.db, 100).map((r) => r.eventId);
    expect(queued).toContain(second.paymentId);
    const status = await core.syncNow();
    expect(status.lastError).toMatch(/\(bad_signature 200\)/);
    expect(peekOutbox(core.db, 100).map((r) => r.eventId)).toEqual(queued);
    expect(ledger()).not.toContain(second.paymentId);
  });

  it('an old staff list replayed is refused: the staff list does not change', async () => {
    let old: MitmReply | null = null;
    mitm.rule = async (req, forward) => {
      const reply = await forward();
      if (req.target === '/api/operators') old ??= reply;
      return reply;
    };
    expect(await core.refreshOperators()).toBe(true);
    // C001 leaves the staff list; a replay of the list from before would keep them in.
    backend.db.prepare("UPDATE operators SET active = 0 WHERE operator_id = 'C001'").run();
    mitm.rule = async (req, forward) => (req.target === '/api/operators' && old ? old : forward());
    expect(await core.refreshOperators()).toBe(false);
    expect(logged.some((l) => l.includes('GET /api/operators: reply refused'))).toBe(true);

    mitm.rule = null;
    expect(await core.refreshOperators()).toBe(true);
    expect(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, core.newSession('s'))).toMatchObject({ ok: false });
  });
});

describe('a forged staff list', () => {
  const intruder = { operatorId: 'X999', name: '冒充者', role: 'supervisor', pinHash: hashPin('0000', deterministicSalt('X999')), active: true };
  const forgeOperators = (sign: 'keep' | 'strip') => {
    mitm.rule = async (req, forward) => {
      if (req.target !== '/api/operators') return forward();
      const real = await forward();
      const body = JSON.stringify({ items: [...(JSON.parse(real.body) as { items: unknown[] }).items, intruder] });
      // 'keep': the backend's genuine signature headers, over the old body.
      const headers = { ...real.headers };
      if (sign === 'strip') for (const h of Object.keys(headers)) if (h.startsWith('x-gd-reply')) delete headers[h];
      return { status: 200, headers, body };
    };
  };

  it.each(['keep', 'strip'] as const)('(%s the genuine signature) lets nobody in, and the list the terminal had stays', async (sign) => {
    forgeOperators(sign);
    expect(await core.refreshOperators()).toBe(false);
    expect(await core.dispatch('session.signIn', { operatorId: 'X999', pin: '0000' }, core.newSession('x'))).toMatchObject({ ok: false, error: { code: 'auth.bad_pin' } });
    expect(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, core.newSession('c'))).toMatchObject({ ok: true });
  });

  it('a terminal whose first list is forged has no staff list at all: nobody signs in', async () => {
    forgeOperators('keep');
    const fresh = newCore('fresh-terminal');
    try {
      expect(await fresh.refreshOperators()).toBe(false);
      expect(await fresh.dispatch('session.signIn', { operatorId: 'X999', pin: '0000' }, fresh.newSession('x'))).toMatchObject({
        ok: false,
        error: { code: 'auth.staff_list_unavailable' },
      });
    } finally {
      await fresh.close();
    }
  });
});

describe('a change page whose cursor went backwards', () => {
  it('is refused before any of it is applied: cache and cursor kept, logged once; a good page later is taken', async () => {
    expect(await core.pullNow()).toMatchObject({ done: true });
    const cursor = () => (core.db.prepare("SELECT value FROM kv WHERE key = 'sync.changes.cursor'").get() as { value: string }).value;
    const stored = cursor();
    expect(Number(stored)).toBeGreaterThan(100);
    const s = await signedIn(core);
    const before = await call(core, 'account.lookup', { accountNo: '3100000001' }, s);

    // A backend restored from an old backup (it signs what it says): an older cursor, an older name.
    const seen = mitm.seen.find((e) => e.req.target === '/api/accounts/3100000001');
    if (!seen) throw new Error('the lookup did not pass the proxy');
    const older = { items: [{ ...(JSON.parse(seen.reply.body) as object), name: '旧名字' }], nextCursor: '5', done: true };
    mitm.rule = async (req, forward) => (req.target.startsWith('/api/changes') ? signedReply(DEMO_TERMINAL.secret, req, 200, older, clock().getTime()) : forward());
    expect(await core.pullNow()).toBeNull();
    expect(await core.pullNow()).toBeNull();
    expect(cursor()).toBe(stored);
    expect(logged.filter((l) => l.includes('change feed went backwards'))).toHaveLength(1);
    backend.setKnobs({ down: true }); // the cache answers: it still has the name from before
    expect(await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).toMatchObject({ source: 'cache', name: before.name });
    backend.setKnobs({ down: false });

    mitm.rule = null;
    expect(await core.pullNow()).toMatchObject({ done: true });
  });
});

