/**
 * The backend over https with its own CA (`backend.caFile`): certificates are made at run time
 * (test/support/test-pki.ts). With the CA a sync works; a server certificate from another CA or
 * for another host name is refused as "backend unavailable" (reason `tls`) — no crash, the
 * payment stays in the outbox, lookups answer from the cache — and without `caFile` the default
 * CAs do not trust the private CA either.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core.js';
import { buildCore } from '../../main/compose/index.js';
import { loadConfig } from '../../main/config.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { BackendClient } from '../../main/sync/backend-client.js';
import { nodeHttpTransport } from '../../main/sync/node-http-transport.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { call, runningClock, signedIn } from '../support/stack.js';
import { makeTestPki, type ServerCert, type TestPki } from '../support/test-pki.js';

const clock = runningClock();
let pki: TestPki;
let dir: string;
const running: { backend: RunningBackend; core: Core | null }[] = [];

beforeAll(() => {
  pki = makeTestPki();
  dir = mkdtempSync(path.join(tmpdir(), 'gd-tls-'));
});
afterAll(async () => {
  for (const r of running) {
    await r.core?.close();
    await r.backend.close();
  }
  pki.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A backend over https with `cert` and a terminal in front of it (trusting `caFile` when given). */
async function terminalAgainst(name: string, cert: ServerCert, caFile: string | undefined) {
  const backend = await startBackend({ dbPath: path.join(dir, `${name}-backend.db`), now: clock, seedDate: '2026-11-27', tls: cert });
  const entry: { backend: RunningBackend; core: Core | null } = { backend, core: null };
  running.push(entry);
  const config = testTerminalConfig({
    dataDir: path.join(dir, `${name}-terminal`),
    backend: { url: backend.url, lookupTimeoutMs: 3000, pushTimeoutMs: 3000, ...(caFile ? { caFile } : {}) },
  });
  const core = buildCore(config, { printer: null, withoutDevices: true, clock, lateFees: shippedLateFees() });
  entry.core = core;
  return { backend, core };
}

const ledger = (backend: RunningBackend) => (backend.db.prepare('SELECT event_id AS id FROM events').all() as { id: string }[]).map((r) => r.id);

describe('backend over https', () => {
  it('with the configured CA: staff list, lookups, a payment pushed and a pull all work', async () => {
    const { backend, core } = await terminalAgainst('good', pki.server, pki.caFile);
    expect(backend.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await core.refreshOperators()).toBe(true);
    const s = await signedIn(core);
    expect((await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).source).toBe('online');
    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '5.00' }, s);
    expect(await core.syncNow()).toMatchObject({ online: true, pending: 0, lastError: null });
    expect(ledger(backend)).toContain(paid.paymentId);
    expect(await core.pullNow()).toMatchObject({ done: true });
    // The payment gateway and the e-invoice service sit behind the same CA.
    const byCode = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'code', amount: '1.00', authCode: '134567890123456789' }, s);
    expect(byCode.tenders?.[0]?.externalRef).toMatch(/^GW\d{18}$/);
  });

  it.each([
    ['a certificate from another CA', 'other-ca'],
    ['a certificate for another host name', 'other-host'],
  ] as const)('%s is refused as unavailable: nothing lost, lookups from the cache', async (_what, which) => {
    // The terminal caches one account while the certificate is right (same backend db), then the
    // backend presents the wrong one.
    const good = await terminalAgainst(`${which}-good`, pki.server, pki.caFile);
    const goodCore = good.core;
    expect(await goodCore.refreshOperators()).toBe(true);
    const s0 = await signedIn(goodCore);
    await call(goodCore, 'account.lookup', { accountNo: '3100000001' }, s0);
    await goodCore.close();
    running[running.length - 1]!.core = null;
    await good.backend.close();

    const cert = which === 'other-ca' ? pki.serverFromOtherCa : pki.serverForOtherHost;
    const backend = await startBackend({ dbPath: path.join(dir, `${which}-good-backend.db`), now: clock, seedDate: '2026-11-27', tls: cert, port: Number(new URL(good.backend.url).port) });
    const entry = { backend, core: null as Core | null };
    running.push(entry);
    const config = testTerminalConfig({
      dataDir: path.join(dir, `${which}-good-terminal`),
      backend: { url: backend.url, lookupTimeoutMs: 3000, pushTimeoutMs: 3000, caFile: pki.caFile },
    });
    const core = buildCore(config, { printer: null, withoutDevices: true, clock, lateFees: shippedLateFees() });
    entry.core = core;

    expect(await core.refreshOperators()).toBe(false);
    const s = await signedIn(core); // the staff list from before the restart still signs in
    expect((await call(core, 'account.lookup', { accountNo: '3100000001' }, s)).source).toBe('cache');
    const paid = await call(core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '2.00' }, s);
    const status = await core.syncNow();
    expect(status).toMatchObject({ online: false });
    expect(status.lastError).toMatch(/^billing backend unavailable \(tls\)/);
    expect(peekOutbox(core.db, 10).map((r) => r.eventId)).toContain(paid.paymentId);
    expect(ledger(backend)).not.toContain(paid.paymentId);
    expect(await core.pullNow()).toBeNull();
  });

  it('without caFile only the default CAs count: the private CA is refused', async () => {
    const { backend, core } = await terminalAgainst('no-ca', pki.server, undefined);
    expect(await core.refreshOperators()).toBe(false);
    expect(await core.pullNow()).toBeNull();
    const client = new BackendClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: clock });
    await expect(client.operators(3000)).rejects.toMatchObject({ name: 'BackendUnavailable', reason: 'tls' });
    const trusting = new BackendClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: clock, transport: nodeHttpTransport({ ca: readFileSync(pki.caFile, 'utf8') }) });
    expect((await trusting.operators(3000)).length).toBeGreaterThan(0);
  });
});

describe('backend.caFile in the config', () => {
  it('is relative to the config file that names it, needs https, and must hold a certificate', () => {
    const defaults = path.join(dir, 'defaults.json');
    writeFileSync(defaults, JSON.stringify(testTerminalConfig({ dataDir: path.join(dir, 'cfg') })));
    const site = path.join(dir, 'site.json');
    writeFileSync(site, JSON.stringify({ backend: { url: 'https://127.0.0.1:8443', caFile: 'ca.pem' } }));
    expect(loadConfig([defaults, site]).backend.caFile).toBe(path.join(dir, 'ca.pem'));

    writeFileSync(site, JSON.stringify({ backend: { url: 'http://127.0.0.1:8780', caFile: pki.caFile } }));
    expect(() => loadConfig([defaults, site])).toThrow(/backend\.caFile: a CA file needs an https backend\.url/);

    const notPem = path.join(dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello');
    const config = testTerminalConfig({ dataDir: path.join(dir, 'cfg2'), backend: { url: 'https://127.0.0.1:8443', caFile: notPem } });
    expect(() => buildCore(config, { printer: null, withoutDevices: true, clock, lateFees: shippedLateFees() })).toThrow(/backend\.caFile: .* holds no PEM certificate/);
  });
});
