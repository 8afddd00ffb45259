/**
 * Heartbeats and the fleet view on both stores (docs/backend.md, "Fleet health"): the same cases
 * against the server on SQLite and on PostgreSQL (a throwaway cluster), heartbeats sent by the
 * terminal's real BackendClient: the latest per terminal
 * kept with a count, a heartbeat for another terminal refused, and GET /admin/fleet judging offline,
 * paper, sync backlog and clock drift against the backend's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import type { Heartbeat } from '../../../main/wire/kiosk-wire.js';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster.js';
import type { FleetReport } from '../fleet-view.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../testing.js';

const ADMIN = 'fleet-admin-token-0123456789';
const TERMINALS: Record<string, string> = {
  'T-HALL01-C01': 'c01-secret-0123456789abcdef0123456789',
  'T-HALL01-K01': 'k01-secret-0123456789abcdef0123456789',
  'T-HALL01-K02': 'k02-secret-0123456789abcdef0123456789',
  'T-HALL02-K01': 'k03-secret-0123456789abcdef0123456789',
};

function beat(terminalId: string, mode: 'counter' | 'kiosk', at: Date, over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    terminalId, mode, at: at.toISOString(), version: '0.1.0', outboxBacklog: 0, oldestPendingAt: null, paper: 'ok', inService: true,
    functions: {}, devices: [{ deviceId: 'printer', kind: 'printer', connected: true, fault: null }], undelivered: 0, clockDriftMs: 40, lastPushAt: at.toISOString(),
    ...over,
  };
}

describe.each(['sqlite', 'pg'] as const)('heartbeats and the fleet view on %s', (kind) => {
  let cluster: PgCluster | undefined;
  let t: TestBackend;
  let clock = TEST_NOW.getTime();
  const now = (): Date => new Date(clock);
  const client = (id: string): BackendClient => new BackendClient({ baseUrl: t.backend.url, terminalId: id, secret: TERMINALS[id] as string, now });
  const fleet = async (): Promise<FleetReport> => {
    const res = await fetch(new URL('/admin/fleet', t.backend.url), { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as FleetReport;
  };

  beforeAll(async () => {
    if (kind === 'pg') cluster = await startPgCluster();
    t = await startTestBackend({
      accounts: 20,
      terminals: TERMINALS,
      adminToken: ADMIN,
      now,
      fleet: { offlineAfterMs: 5 * 60_000 },
      ...(cluster ? { store: { kind: 'pg' as const, url: cluster.url } } : {}),
    });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
    await cluster?.stop();
  });

  it('keeps the latest heartbeat per terminal with a count; refuses one for another terminal', async () => {
    const c = client('T-HALL01-C01');
    const ack = await c.heartbeat(beat('T-HALL01-C01', 'counter', now(), { outboxBacklog: 3 }), 5000);
    expect(ack.receivedAt).toBe(now().toISOString());
    await c.heartbeat(beat('T-HALL01-C01', 'counter', now(), { outboxBacklog: 1 }), 5000);
    await expect(c.heartbeat(beat('T-HALL01-K01', 'kiosk', now()), 5000)).rejects.toThrow(/403/);
    const stored = await t.backend.store.heartbeats();
    expect(stored).toEqual([{ terminalId: 'T-HALL01-C01', receivedAt: now().toISOString(), count: 2, heartbeat: expect.objectContaining({ outboxBacklog: 1, mode: 'counter' }) }]);
  });

  it('the fleet view: which need paper, which are offline, which are behind on sync, whose clock is off', async () => {
    // K02 beats, then falls silent for ten minutes while the others keep beating.
    await client('T-HALL01-K02').heartbeat(beat('T-HALL01-K02', 'kiosk', now()), 5000);
    clock += 10 * 60_000;
    await client('T-HALL01-C01').heartbeat(beat('T-HALL01-C01', 'counter', now(), { clockDriftMs: 185_000 }), 5000);
    await client('T-HALL01-K01').heartbeat(
      beat('T-HALL01-K01', 'kiosk', now(), {
        paper: 'near_end',
        outboxBacklog: 7,
        oldestPendingAt: new Date(clock - 40 * 60_000).toISOString(),
        lastPushAt: new Date(clock - 40 * 60_000).toISOString(),
      }),
      5000,
    );
    await client('T-HALL02-K01').heartbeat(beat('T-HALL02-K01', 'kiosk', now(), { paper: 'out', devices: [{ deviceId: 'printer', kind: 'printer', connected: true, fault: 'printer.paper_out' }] }), 5000);

    const report = await fleet();
    const row = (id: string) => report.rows.find((r) => r.terminalId === id);
    expect(report.rows.map((r) => r.terminalId)).toEqual(['T-HALL01-C01', 'T-HALL01-K01', 'T-HALL01-K02', 'T-HALL02-K01']);
    expect(report.summary).toEqual({ terminals: 4, offline: 1, needsPaper: 2, behind: 1, drift: 1 });
    expect(row('T-HALL01-K02')).toMatchObject({ offline: true, silentMs: 10 * 60_000 });
    expect(row('T-HALL01-K01')).toMatchObject({ needsPaper: true, paper: 'near_end', behind: true, outboxBacklog: 7, offline: false });
    expect(row('T-HALL02-K01')).toMatchObject({ needsPaper: true, paper: 'out', faults: ['printer: printer.paper_out'] });
    expect(row('T-HALL01-C01')).toMatchObject({ drift: true, clockDriftMs: 185_000, mode: 'counter', behind: false });

    const refused = await fetch(new URL('/admin/fleet', t.backend.url), { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    const page = await fetch(new URL('/fleet?lang=en', t.backend.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Fleet health</title>');
  });
});
