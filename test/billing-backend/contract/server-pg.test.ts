/**
 * The backend server on the PostgreSQL store (--store pg): the sync protocol's routes answer as on
 * SQLite, a path it does not serve answers 501 not_supported_on_store, and the demo seed is kept once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBatchResultSchema, ExceptionListSchema, LedgerSchema, type TerminalEvent } from '../../../main/wire/backend-wire.js';
import { DEMO_TERMINAL } from '../../../main/sync/signing.js';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../testing.js';
import { startBackend } from '../server.js';
import type { PgBackendStore } from '../store/pg-store.js';
import pg from 'pg';
import { DEFAULT_SEED, seedAccounts } from '../seed.js';

let cluster: PgCluster;
let t: TestBackend;
beforeAll(async () => {
  cluster = await startPgCluster();
  t = await startTestBackend({ accounts: 20, store: { kind: 'pg', url: cluster.url } });
}, 60_000);
afterAll(async () => {
  await t?.dispose();
  await cluster?.stop();
});

let counter = 0;
function event(seq: number, type: string, payload: unknown): TerminalEvent {
  counter += 1;
  return { eventId: `01937a2b-0000-7000-8000-${String(counter).padStart(12, '0')}`, seq, type, occurredAt: TEST_NOW.toISOString(), payload };
}

describe('backend on the PostgreSQL store', () => {
  it('seeded the demo area into PostgreSQL and takes a push exactly once', async () => {
    expect(t.backend.seedState).toBe('seeded');
    expect(t.backend.store.kind).toBe('pg');
    const before = await t.backend.store.account('3100000001');
    expect(before).toBeDefined();
    const pay = event(1, 'payment.created', { paymentId: 'P-PG-1', accountNo: '3100000001', method: 'cash', amountFen: 1234, allocations: [], toBalanceFen: 1234, operatorId: 'C001' });
    const batch = { terminalId: DEMO_TERMINAL.id, events: [pay, event(2, 'hall.queue_ticket_issued', { ticket: 'A001' })] };
    const first = await t.client.post('/api/events', batch);
    expect(first.status).toBe(200);
    expect(EventBatchResultSchema.parse(first.json).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const again = await t.client.post('/api/events', batch);
    expect(EventBatchResultSchema.parse(again.json).results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect((await t.backend.store.account('3100000001'))?.balanceFen).toBe((before?.balanceFen ?? 0) + 1234);
    const ledger = LedgerSchema.parse((await t.client.get(`/api/ledger?terminalId=${DEMO_TERMINAL.id}`)).json).items;
    expect(ledger.map((l) => l.eventId)).toEqual(batch.events.map((e) => e.eventId));
    expect(await t.backend.store.processedSeq(DEMO_TERMINAL.id)).toBe(2);
  });

  it('queues exceptions in PostgreSQL and serves them', async () => {
    const pay = event(3, 'payment.created', { paymentId: 'P-PG-2', accountNo: '3999999999', method: 'cash', amountFen: 50, allocations: [], toBalanceFen: 50, operatorId: 'C001' });
    await t.client.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [pay] });
    const items = ExceptionListSchema.parse((await t.client.get('/api/exceptions')).json).items;
    expect(items).toEqual([expect.objectContaining({ eventId: pay.eventId, kind: 'unknown_account', fen: 50 })]);
  });

  // Every effect the SQLite intake has is ported now; an unported one is refused (intake.contract.test.ts).
  it('refuses what it does not serve, clearly: 501 not_supported_on_store', async () => {
    for (const path of ['/api/not-a-route', '/gateway/not-a-route']) {
      const res = await t.client.get(path);
      expect(res.status, path).toBe(501);
      expect(res.json).toMatchObject({ error: 'not_supported_on_store' });
    }
  });

  it('anchors journal heads in PostgreSQL: a head that extends is taken, a rewritten one refused with an alarm', async () => {
    const [h1, h2, forged] = ['1', '2', 'f'].map((c) => c.repeat(64)) as [string, string, string];
    const first = await t.client.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [event(5, 'x.note', {})], journal: { head: { seq: 10, hash: h1 }, at: null } });
    expect(first.status).toBe(200);
    expect((await t.client.get('/api/journal/anchor')).json).toEqual({ anchor: { seq: 10, hash: h1 } });
    const extends_ = await t.client.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [event(6, 'x.note', {})], journal: { head: { seq: 12, hash: h2 }, at: { seq: 10, hash: h1 } } });
    expect(extends_.status).toBe(200);
    const refusedEvent = event(7, 'x.note', {});
    const rewritten = await t.client.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [refusedEvent], journal: { head: { seq: 13, hash: h2 }, at: { seq: 12, hash: forged } } });
    expect(rewritten.status).toBe(409);
    expect(rewritten.json).toMatchObject({ error: 'journal_rewritten' });
    const store = t.backend.store as PgBackendStore;
    expect((await store.journalAlarms(DEMO_TERMINAL.id)).map((a) => [a.reason, a.anchorSeq, a.headSeq])).toEqual([['rewritten', 12, 13]]);
    expect(await store.journalAnchor(DEMO_TERMINAL.id)).toEqual({ seq: 12, hash: h2 });
    // Check, intake and acknowledgement are one transaction: the refused push took nothing.
    expect((await store.ledger(DEMO_TERMINAL.id)).map((e) => e.eventId)).not.toContain(refusedEvent.eventId);
    expect(await store.processedSeq(DEMO_TERMINAL.id)).toBe(6);
  });

  it('reuses a database seeded with the same parameters and refuses one seeded otherwise', async () => {
    const again = await startBackend({ dbPath: '', accounts: 20, now: () => TEST_NOW, store: { kind: 'pg', url: cluster.url } });
    expect(again.seedState).toBe('reused');
    await again.close();
    await expect(startBackend({ dbPath: '', accounts: 21, now: () => TEST_NOW, store: { kind: 'pg', url: cluster.url } })).rejects.toThrow(/seeded with/);
  });

  it('seeds the same area as SQLite: every account alike, closures only from the office on both', async () => {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE seed_compare');
    await admin.end();
    const url = new URL(cluster.url);
    url.pathname = '/seed_compare';
    const onPg = await startTestBackend({ accounts: 300, store: { kind: 'pg', url: url.href } });
    const onSqlite = await startTestBackend({ accounts: 300 });
    try {
      let seededClosed = 0;
      for (const a of seedAccounts({ seed: DEFAULT_SEED, accounts: 300, seedDate: TEST_NOW.toISOString().slice(0, 10) })) {
        const [p, q] = [await onPg.backend.store.account(a.accountNo), await onSqlite.backend.store.account(a.accountNo)];
        expect(p, a.accountNo).toEqual(q);
        expect(p?.balanceFen, a.accountNo).toBe(a.balanceFen);
        if (a.status === 'closed') seededClosed += 1;
      }
      expect(seededClosed).toBeGreaterThan(0);
    } finally {
      await onPg.dispose();
      await onSqlite.dispose();
    }
  });
});
