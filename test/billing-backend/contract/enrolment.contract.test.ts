/**
 * Provisioning on both stores (docs/backend.md, "Provisioning" and "Storage"): the same cases
 * against the server on SQLite and on PostgreSQL (a throwaway cluster). Codes issued through the
 * admin route, used by the terminal's real enrol client; good, malformed, unknown, expired and
 * reused codes; two terminals racing with one code enrol one; and the enrolled terminal's signed
 * requests are accepted — also by a second server on the same data, which finds the secret in the
 * store, not in the first one's memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import { SERVER_TIME_PATH } from '../../../main/wire/backend-wire.js';
import { enrolTerminal, EnrolError } from '../../../main/provisioning/enrol-client.js';
import {
  ENROL_PATH,
  ENROLMENT_CODES_PATH,
  ENROLMENT_JOURNAL_PATH,
  EnrolmentJournalEntrySchema,
  formatEnrolmentCode,
  IssuedCodeSchema,
  type EnrolReply,
} from '../../../main/wire/enrolment-wire.js';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster.js';
import { DEMO_SITE } from '../enrolment.js';
import { startBackend, type RunningBackend } from '../server.js';
import { createSignedClient } from '../signed-client.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../testing.js';

const ADMIN = 'enrolment-admin-token-0123456789';
const HALL02 = { receipt: { header: '国网三门峡供电公司 陕州营业厅', hotline: '95598' }, timeZone: 'Asia/Shanghai', defaultLocale: 'zh-CN' as const, hallId: 'HALL02' };

describe.each(['sqlite', 'pg'] as const)('enrolment on %s', (kind) => {
  let cluster: PgCluster | undefined;
  let t: TestBackend;
  let clock = TEST_NOW.getTime();
  const now = (): Date => new Date(clock);

  beforeAll(async () => {
    if (kind === 'pg') cluster = await startPgCluster();
    t = await startTestBackend({ accounts: 20, adminToken: ADMIN, now, ...(cluster ? { store: { kind: 'pg' as const, url: cluster.url } } : {}) });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
    await cluster?.stop();
  });

  async function admin(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; json: unknown }> {
    const res = await fetch(new URL(path, t.backend.url), {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  }

  async function issue(mode: 'counter' | 'kiosk', siteId = 'HALL01', ttlMinutes = 60): Promise<string> {
    const res = await admin(ENROLMENT_CODES_PATH, { body: { siteId, mode, ttlMinutes, issuedBy: 'tech-wang' } });
    expect(res.status).toBe(200);
    return IssuedCodeSchema.parse(res.json).code;
  }

  const enrol = (code: string, hostname = 'pc-1'): Promise<EnrolReply> => enrolTerminal({ backendUrl: t.backend.url, code, hostname });

  async function refusal(p: Promise<unknown>): Promise<string> {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EnrolError);
    return (err as EnrolError).reason;
  }

  const client = (reply: EnrolReply, baseUrl = t.backend.url): BackendClient => new BackendClient({ baseUrl, terminalId: reply.terminalId, secret: reply.secret, now, log: () => undefined });

  it('a good code enrols a terminal with its id, secret and site settings; its signed requests are accepted', async () => {
    const reply = await enrol(await issue('kiosk'), 'kiosk-a');
    expect(reply).toMatchObject({ terminalId: 'T-HALL01-K01', mode: 'kiosk', siteId: 'HALL01', site: DEMO_SITE.settings, enrolledAt: now().toISOString() });
    expect(reply.secret).toMatch(/^[0-9a-f]{64}$/);
    const c = client(reply);
    await c.time(5000);
    expect((await c.operators(5000)).length).toBeGreaterThan(0);
    // The numbering goes on per site and mode.
    expect((await enrol(await issue('kiosk'), 'kiosk-b')).terminalId).toBe('T-HALL01-K02');
    expect((await enrol(await issue('counter'), 'counter-a')).terminalId).toBe('T-HALL01-C01');
  });

  it('a forged secret and an unknown terminal are refused', async () => {
    const reply = await enrol(await issue('counter'), 'counter-b');
    const forged = createSignedClient({ baseUrl: t.backend.url, terminalId: reply.terminalId, secret: 'f'.repeat(64), now });
    expect((await forged.get(SERVER_TIME_PATH)).json).toMatchObject({ error: 'bad_signature' });
    const unknown = createSignedClient({ baseUrl: t.backend.url, terminalId: 'T-HALL01-K99', secret: reply.secret, now });
    expect((await unknown.get(SERVER_TIME_PATH)).json).toMatchObject({ error: 'unknown_terminal' });
  });

  it('refuses a malformed, an unknown, a reused and an expired code, each with its reason', async () => {
    // The enrol client catches a mistyped code itself; the backend refuses it too.
    expect(await refusal(enrol('ABCD-EFGH-JKMX'))).toBe('code_malformed');
    const raw = await fetch(new URL(ENROL_PATH, t.backend.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ABCD-EFGH-JKMX' }) });
    expect([raw.status, await raw.json()]).toEqual([400, { error: 'code_malformed' }]);
    expect(await refusal(enrol(formatEnrolmentCode([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])))).toBe('code_unknown');
    const once = await issue('kiosk');
    await enrol(once);
    expect(await refusal(enrol(once, 'pc-2'))).toBe('code_used');
    const short = await issue('kiosk', 'HALL01', 5);
    clock += 6 * 60_000;
    expect(await refusal(enrol(short))).toBe('code_expired');
  });

  it('two terminals racing with one code: one enrols, the other is told the code is used', async () => {
    const code = await issue('kiosk');
    const outcomes = await Promise.allSettled([enrol(code, 'race-1'), enrol(code, 'race-2'), enrol(code, 'race-3')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as EnrolError).reason] : []));
    expect(reasons).toEqual(['code_used', 'code_used']);
  });

  it('sites: settings put by the admin go to terminals enrolled there; an unknown site gets no code', async () => {
    const put = await admin('/admin/sites/HALL02', { method: 'PUT', body: HALL02 });
    expect(put.status).toBe(200);
    const reply = await enrol(await issue('counter', 'HALL02'), 'hall02-pc');
    expect(reply).toMatchObject({ terminalId: 'T-HALL02-C01', siteId: 'HALL02', site: HALL02 });
    const unknown = await admin(ENROLMENT_CODES_PATH, { body: { siteId: 'HALL99', mode: 'kiosk' } });
    expect([unknown.status, unknown.json]).toEqual([404, { error: 'unknown_site' }]);
  });

  it('journals every code issued, every enrolment and every refusal', async () => {
    const res = await admin(ENROLMENT_JOURNAL_PATH);
    expect(res.status).toBe(200);
    const items = EnrolmentJournalEntrySchema.array().parse((res.json as { items: unknown }).items);
    expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1));
    const summary = items.map((e) => [e.kind, e.reason ?? e.terminalId ?? e.siteId]);
    expect(summary.filter(([k]) => k === 'terminal.enrolled').map(([, id]) => id)).toEqual([
      'T-HALL01-K01', 'T-HALL01-K02', 'T-HALL01-C01', 'T-HALL01-C02', 'T-HALL01-K03', 'T-HALL01-K04', 'T-HALL02-C01',
    ]);
    expect(summary.filter(([k]) => k === 'enrolment.refused').map(([, r]) => r)).toEqual(['code_malformed', 'code_unknown', 'code_used', 'code_expired', 'code_used', 'code_used']);
    expect(items.filter((e) => e.kind === 'code.issued')).toHaveLength(8);
    expect(items.find((e) => e.kind === 'terminal.enrolled')).toMatchObject({ actor: 'kiosk-a', mode: 'kiosk', siteId: 'HALL01' });
  });

  it('a second server on the same data accepts an enrolled terminal: the secret is found in the store', async () => {
    const reply = await enrol(await issue('kiosk'), 'kiosk-late');
    let other: RunningBackend | undefined;
    try {
      other = await startBackend({ dbPath: t.dbPath, accounts: 20, now, ...(cluster ? { store: { kind: 'pg' as const, url: cluster.url } } : {}) });
      await client(reply, other.url).time(5000);
      expect((await client(reply, other.url).operators(5000)).map((o) => o.operatorId)).toContain('C001');
    } finally {
      await other?.close();
    }
  });
});
