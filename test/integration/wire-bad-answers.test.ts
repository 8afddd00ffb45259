/**
 * Trust what crosses the wire: a server in front of the reference backend answers badly on purpose
 * (500, HTML, 10 MB, truncated JSON, JSON off-schema, no answer, a stalled or cut body). For every
 * fault, lookups answer from the cache ("data as of …") or `account.not_cached`, payments stay in
 * the outbox and the sync status says offline, a pull keeps its cursor, the secure module says
 * "unavailable" (so local fallback can issue), the gateway says "unknown" — never `internal`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { AppError } from '../../main/contract/index.js';
import { HttpPaymentGateway } from '../../main/services/vending/gateway-client.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { BackendUnavailable } from '../../main/sync/backend-client.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { OnlineSecureModule } from '../../main/vending/secure-module/index.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { BAD_ANSWERS, startBadAnswerServer, type BadAnswerServer } from '../support/bad-answers.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { call, runningClock, signedIn } from '../support/stack.js';

/** Short enough that a hung answer costs little, long enough for a loaded 2-core machine. */
const TIMEOUT_MS = 700;

let dir: string;
let backend: RunningBackend;
let front: BadAnswerServer;
let core: Core;
const clock = runningClock();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-bad-answers-'));
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: clock, seedDate: '2026-11-27' });
  front = await startBadAnswerServer(backend.url);
  core = buildCore(
    testTerminalConfig({ dataDir: path.join(dir, 'terminal'), backend: { url: front.url, lookupTimeoutMs: TIMEOUT_MS, pushTimeoutMs: TIMEOUT_MS } }),
    { printer: null, withoutDevices: true, clock, lateFees: shippedLateFees() },
  );
  expect(await core.refreshOperators()).toBe(true);
});
afterAll(async () => {
  front.mode = 'pass';
  await core.close();
  await front.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  front.mode = 'pass';
  front.onlyPath = null;
});

const ledger = () => (backend.db.prepare('SELECT event_id AS id FROM events WHERE terminal_id = ?').all(DEMO_TERMINAL.id) as { id: string }[]).map((r) => r.id);
const cursor = () => (core.db.prepare("SELECT value FROM kv WHERE key = 'sync.changes.cursor'").get() as { value: string } | undefined)?.value ?? '';

describe.each(BAD_ANSWERS)('the backend answers %s', (mode) => {
  it('lookups answer from the cache, payments wait in the outbox, the status says offline; never internal', async () => {
    const s = await signedIn(core);
    expect((await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).source).toBe('online');
    front.mode = mode;

    const cached = await core.dispatch('account.lookup', { accountNo: '3100000001' }, s);
    expect(cached).toMatchObject({ ok: true, result: { source: 'cache', accountNo: '3100000001' } });
    // Never cached here: "not cached" (the backend is out of reach), not "not found" and not internal.
    expect(await core.dispatch('account.lookup', { accountNo: '3100000007' }, s)).toMatchObject({ ok: false, error: { code: 'account.not_cached' } });
    expect(await core.dispatch('account.search', { q: '3100000001' }, s)).toMatchObject({ ok: true, result: { source: 'cache' } });

    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '1.00' }, s);
    const offline = await core.syncNow();
    expect(offline).toMatchObject({ online: false });
    expect(offline.pending).toBeGreaterThanOrEqual(1);
    expect(offline.lastError).toMatch(/^billing backend unavailable/);
    expect(peekOutbox(core.db, 100).map((r) => r.eventId)).toContain(paid.paymentId);
    expect(ledger()).not.toContain(paid.paymentId);

    const before = cursor();
    expect(await core.pullNow()).toBeNull();
    expect(cursor()).toBe(before);

    front.mode = 'pass';
    expect(await core.syncNow()).toMatchObject({ pending: 0, online: true, lastError: null });
    expect(ledger()).toContain(paid.paymentId);
  });

  it('only the event push answers badly: the rows stay, and the next push sends them', async () => {
    const s = await signedIn(core);
    await call(core, 'account.lookup', { accountNo: '3100000005' }, s);
    front.mode = mode;
    front.onlyPath = '/api/events';
    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000005', method: 'cash', amount: '2.00' }, s);
    const during = await core.syncNow();
    expect(during.online).toBe(false);
    expect(during.pending).toBeGreaterThanOrEqual(1); // the payment, and its e-invoice request
    expect((core.db.prepare('SELECT attempts FROM outbox WHERE event_id = ?').get(paid.paymentId) as { attempts: number }).attempts).toBeGreaterThanOrEqual(1);
    front.mode = 'pass';
    expect(await core.syncNow()).toMatchObject({ pending: 0, online: true });
    expect(ledger()).toContain(paid.paymentId);
  });

  it('the online secure module says unavailable (so a local fallback may issue), never a crash', async () => {
    front.mode = mode;
    const sm = new OnlineSecureModule({ baseUrl: front.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, timeoutMs: TIMEOUT_MS, now: clock });
    const err = await sm
      .issueCredit({
        vendId: crypto.randomUUID(),
        meterNo: '600727000000000009',
        amountTenths: 100,
        tid: 1000,
        rnd: 3,
        sts: { keyType: 2, sgc: '123456', ti: '01', krn: 1, baseDate: '1993-01-01' },
      } as Parameters<OnlineSecureModule['issueCredit']>[0])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'vending.secure_module_unavailable' });
  });

  it('the payment gateway: a pay answer that does not count is "unknown", a query throws BackendUnavailable', async () => {
    front.mode = mode;
    const gateway = new HttpPaymentGateway(front.url, TIMEOUT_MS);
    expect(await gateway.pay(`OT-${crypto.randomUUID()}`, '134567890123456789', 100)).toEqual({ status: 'unknown' });
    await expect(gateway.query('OT-1')).rejects.toBeInstanceOf(BackendUnavailable);
  });
});

describe('answers that do count', () => {
  it('the secure module: a backend refusal is issue_rejected with its reason', async () => {
    const sm = new OnlineSecureModule({ baseUrl: front.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, timeoutMs: 3000, now: clock });
    const err = await sm
      .issueCredit({
        vendId: crypto.randomUUID(),
        meterNo: '600727999999999999',
        amountTenths: 100,
        tid: 1000,
        rnd: 3,
        sts: { keyType: 2, sgc: '123456', ti: '01', krn: 1, baseDate: '1993-01-01' },
      } as Parameters<OnlineSecureModule['issueCredit']>[0])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vending.issue_rejected', details: { reason: 'meter_not_found' } });
  });

  it('an unknown account is not_found, online', async () => {
    const s = await signedIn(core);
    expect(await core.dispatch('account.lookup', { accountNo: '3199999999' }, s)).toMatchObject({ ok: false, error: { code: 'account.not_found' } });
  });
});
