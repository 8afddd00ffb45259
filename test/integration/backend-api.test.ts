import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountListSchema,
  AccountSnapshotSchema,
  ChangesPageSchema,
  OperatorListSchema,
  type AccountSnapshot,
} from '../../main/wire/backend-wire.js';
import { DEMO_TERMINAL, MAX_CLOCK_SKEW_MS, signedHeaders } from '../../main/sync/signing.js';
import { startBackend } from '../billing-backend/server.js';
import { createSignedClient, rawRequest } from '../billing-backend/signed-client.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t.dispose();
});

async function account(no: string): Promise<AccountSnapshot> {
  const res = await t.client.get(`/api/accounts/${no}`);
  expect(res.status).toBe(200);
  return AccountSnapshotSchema.parse(res.json);
}

async function search(q: string): Promise<string[]> {
  const res = await t.client.get(`/api/accounts?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return AccountListSchema.parse(res.json).items.map((a) => a.accountNo);
}

describe('reference backend: lookup and search', () => {
  it('answers /health unsigned', async () => {
    const res = await rawRequest(t.backend.url, 'GET', '/health', '', {});
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
  });

  it('returns an account snapshot or 404', async () => {
    const a = await account('3100000001');
    expect(a.accountNo).toBe('3100000001');
    expect(a.bills.filter((b) => b.status === 'open')).toHaveLength(2);
    const missing = await t.client.get('/api/accounts/3199999999');
    expect(missing).toMatchObject({ status: 404, json: { error: 'not_found' } });
  });

  it('finds accounts by account number, meter number, phone, card number and bill barcode exactly', async () => {
    const demo = await account('3100000001');
    const card = await account('3100000004');
    const sts = await account('3100000002');
    expect(await search('3100000001')).toEqual(['3100000001']);
    expect(await search(demo.phone)).toEqual(['3100000001']);
    expect(await search(demo.meters[0]?.meterNo ?? '')).toEqual(['3100000001']);
    expect(await search(demo.bills[0]?.billId ?? '')).toEqual(['3100000001']);
    expect(await search(sts.meters[0]?.meterNo ?? '')).toEqual(['3100000002']);
    expect(await search(card.cardNo ?? '')).toEqual(['3100000004']);
    // Exact only: a prefix of an account number is not a match.
    expect(await search('310000000')).toEqual([]);
  });

  it('finds by name substring, at most 20, and nothing for blank or LIKE wildcards', async () => {
    const demo = await account('3100000001');
    const surname = demo.name.slice(0, 1);
    const hits = await search(surname);
    expect(hits).toContain('3100000001');
    for (const no of hits) expect((await account(no)).name).toContain(surname);
    expect(await search(demo.name)).toContain('3100000001');
    const many = await search('记'); // every commercial shop name contains it
    expect(many.length).toBeGreaterThan(0);
    expect((await search('%')).length).toBe(0);
    expect((await search('_')).length).toBe(0);
    expect(await search('   ')).toEqual([]);
    const all = await search('河南'); // not in any name
    expect(all).toEqual([]);
  });

  it('caps name search at 20 results', async () => {
    // Count names containing each surname across the whole feed, then query one with > 20 holders.
    const feed = ChangesPageSchema.parse((await t.client.get('/api/changes?limit=500')).json).items;
    const counts = new Map<string, number>();
    for (const a of feed) for (const ch of new Set(a.name)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const common = [...counts.entries()].find(([, n]) => n > 20);
    if (common === undefined) throw new Error('seed has no character shared by more than 20 names');
    expect(await search(common[0])).toHaveLength(20);
  });

  it('lists the operators', async () => {
    const res = await t.client.get('/api/operators');
    const ops = OperatorListSchema.parse(res.json).items;
    expect(ops.map((o) => [o.operatorId, o.role])).toEqual([
      ['A001', 'auditor'],
      ['C001', 'clerk'],
      ['M001', 'manager'],
      ['S001', 'supervisor'],
    ]);
  });
});

describe('reference backend: change feed', () => {
  it('pages through every account once, in order, and resumes from a cursor', async () => {
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const page = ChangesPageSchema.parse((await t.client.get(`/api/changes?cursor=${cursor}&limit=70`)).json);
      seen.push(...page.items.map((a) => a.accountNo));
      pages += 1;
      cursor = page.nextCursor;
      if (page.done) break;
    }
    expect(pages).toBe(5); // 300 accounts in pages of 70
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    const empty = ChangesPageSchema.parse((await t.client.get(`/api/changes?cursor=${cursor}`)).json);
    expect(empty).toEqual({ items: [], nextCursor: cursor, done: true });

    // Resuming from the middle gives exactly the rest.
    const first = ChangesPageSchema.parse((await t.client.get('/api/changes?limit=120')).json);
    const rest = ChangesPageSchema.parse((await t.client.get(`/api/changes?cursor=${first.nextCursor}&limit=500`)).json);
    expect([...first.items, ...rest.items].map((a) => a.accountNo)).toEqual(seen);
    expect(rest.done).toBe(true);
  });

  it('refuses a malformed cursor or limit', async () => {
    expect((await t.client.get('/api/changes?cursor=abc')).status).toBe(400);
    expect((await t.client.get('/api/changes?limit=0')).status).toBe(400);
    expect((await t.client.get('/api/changes?limit=501')).status).toBe(400);
    expect((await t.client.get('/api/changes?limit=1.5')).status).toBe(400);
  });
});

describe('reference backend: request signatures', () => {
  const path = '/api/accounts/3100000001';
  const ts = TEST_NOW.getTime();

  it('accepts a good signature', async () => {
    const res = await rawRequest(t.backend.url, 'GET', path, '', signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts, 'GET', path, ''));
    expect(res.status).toBe(200);
  });

  it('refuses unsigned, unknown terminal, wrong secret, other path, and stale timestamps with 401', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'unsigned'],
      [signedHeaders('T-NOBODY', DEMO_TERMINAL.secret, ts, 'GET', path, ''), 'unknown_terminal'],
      [signedHeaders(DEMO_TERMINAL.id, 'wrong-secret', ts, 'GET', path, ''), 'bad_signature'],
      [signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts, 'GET', '/api/accounts/3100000002', ''), 'bad_signature'],
      [signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts, 'POST', path, ''), 'bad_signature'],
      [signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts - MAX_CLOCK_SKEW_MS - 1000, 'GET', path, ''), 'stale_timestamp'],
      [signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts + MAX_CLOCK_SKEW_MS + 1000, 'GET', path, ''), 'stale_timestamp'],
    ];
    for (const [headers, error] of cases) {
      const res = await rawRequest(t.backend.url, 'GET', path, '', headers);
      expect({ status: res.status, json: res.json }).toEqual({ status: 401, json: { error } });
    }
  });

  it('signs the body: a tampered POST body is refused', async () => {
    const body = JSON.stringify({ terminalId: DEMO_TERMINAL.id, events: [] });
    const headers = signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, ts, 'POST', '/api/events', body);
    const res = await rawRequest(t.backend.url, 'POST', '/api/events', body.replace('[]', '[ ]'), headers);
    expect(res.status).toBe(401);
  });
});

describe('reference backend: malformed requests', () => {
  it('answers 404, 405, 400 with an error body', async () => {
    expect(await t.client.get('/api/nothing')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await t.client.post('/api/operators', {})).toMatchObject({ status: 405, json: { error: 'method_not_allowed' } });
    const headers = signedHeaders(DEMO_TERMINAL.id, DEMO_TERMINAL.secret, TEST_NOW.getTime(), 'POST', '/api/events', '{oops');
    expect(await rawRequest(t.backend.url, 'POST', '/api/events', '{oops', headers)).toMatchObject({ status: 400, json: { error: 'bad_json' } });
    expect(await t.client.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [] })).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    expect(await t.client.post('/api/events', { events: [{}] })).toMatchObject({ status: 400 });
    expect(await t.client.post('/api/events', { terminalId: 'T-OTHER', events: [{}] })).toMatchObject({ status: 403, json: { error: 'terminal_mismatch' } });
    expect(await rawRequest(t.backend.url, 'POST', '/_knobs', '{}', {})).toMatchObject({ status: 404 });
  });
});

describe('reference backend: database file reuse', () => {
  it('reuses a file seeded with the same seed and refuses one seeded with another', async () => {
    const opts = { dbPath: `${t.dir}/reuse.db`, accounts: 40, now: () => TEST_NOW };
    const first = await startBackend(opts);
    expect(first.seedState).toBe('seeded');
    const client = (url: string) => createSignedClient({ baseUrl: url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => TEST_NOW });
    const before = (await client(first.url).get('/api/changes?limit=500')).json;
    await first.close();
    const second = await startBackend(opts);
    expect(second.seedState).toBe('reused');
    expect((await client(second.url).get('/api/changes?limit=500')).json).toEqual(before);
    await second.close();
    await expect(startBackend({ ...opts, seed: 7 })).rejects.toThrow(/seeded with/);
  });

  it('seeds identical data into two files with the same seed and different data with another seed', async () => {
    const feed = async (dbPath: string, seed: number): Promise<unknown> => {
      const b = await startBackend({ dbPath, seed, accounts: 30, now: () => TEST_NOW });
      try {
        const c = createSignedClient({ baseUrl: b.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => TEST_NOW });
        return (await c.get('/api/changes?limit=500')).json;
      } finally {
        await b.close();
      }
    };
    const a = await feed(`${t.dir}/a.db`, 11);
    const b = await feed(`${t.dir}/b.db`, 11);
    const c = await feed(`${t.dir}/c.db`, 12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
