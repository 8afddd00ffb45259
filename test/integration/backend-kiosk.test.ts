/**
 * The reference backend's kiosk side (test/billing-backend/kiosk-backend.ts) through the
 * terminal's own clients: merchant-presented QR orders (create, query, scan = the customer pays,
 * close, expiry, refund), the gateway-down knob, heartbeats (latest per terminal) and ratings
 * synced as 'rating.created' events (stored once per transaction).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpPaymentGateway } from '../../main/services/vending/gateway-client.js';
import { BackendUnavailable } from '../../main/sync/http-json.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';
import { rawRequest } from '../billing-backend/signed-client.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';

let t: TestBackend;
let clock = TEST_NOW.getTime();
let gw: HttpPaymentGateway;
beforeAll(async () => {
  t = await startTestBackend({ accounts: 20, allowKnobs: true, now: () => new Date(clock) });
  gw = new HttpPaymentGateway(t.backend.url, 2000);
});
afterAll(async () => {
  await t.dispose();
});
beforeEach(() => {
  clock = TEST_NOW.getTime();
  t.backend.kiosk.knobs = { gatewayDown: false, failCloses: 0, failRefunds: 0, failHeartbeats: false, apiDown: false };
});

const create = (outTradeNo: string, amountFen = 5000) => gw.createNativeOrder({ outTradeNo, amountFen, subject: 'test', expiresInSeconds: 120 });

describe('gateway: merchant-presented (native) orders', () => {
  it('create → pending with a code and expiry; idempotent; scan pays it once; a paid order cannot be closed', async () => {
    const o = await create('K-1');
    expect(o).toMatchObject({ outTradeNo: 'K-1', status: 'pending', amountFen: 5000, expiresAt: '2026-11-27T02:02:00.000Z' });
    expect(o.codeUrl).toMatch(/\/gateway\/native\/qr\/[0-9a-f]{24}$/);
    expect(await create('K-1')).toEqual(o);
    await expect(create('K-1', 5001)).rejects.toBeInstanceOf(Error);
    const paid = t.backend.kiosk.scan('K-1');
    expect(paid).toMatchObject({ ok: true, order: { status: 'paid', tradeNo: expect.stringMatching(/^GW20261127\d{10}$/) } });
    expect(t.backend.kiosk.scan('K-1')).toEqual({ ok: false, error: 'already_paid' });
    expect(await gw.queryNativeOrder('K-1')).toMatchObject({ status: 'paid' });
    expect(await gw.closeNativeOrder('K-1')).toMatchObject({ status: 'paid' });
    // The customer-presented query endpoint knows it too (so a vend resume never guesses).
    expect(await gw.query('K-1')).toMatchObject({ status: 'success', amountFen: 5000 });
  });

  it('close: a pending order is closed and can no longer be paid; scan over HTTP needs knobs', async () => {
    await create('K-2');
    expect(await gw.closeNativeOrder('K-2')).toMatchObject({ status: 'closed', closedReason: 'cancelled' });
    expect(t.backend.kiosk.scan('K-2')).toEqual({ ok: false, error: 'order_closed' });
    const scan = await rawRequest(t.backend.url, 'POST', '/gateway/native/orders/K-2/scan', '', {});
    expect(scan.status).toBe(409);
    expect(await gw.closeNativeOrder('K-none')).toMatchObject({ status: 'not_found' });
    // The code's own URL pays (the phone; the demo and e2e post to it), once, and not a closed one.
    const open = await create('K-2b');
    expect((await rawRequest(t.backend.url, 'POST', new URL(open.codeUrl as string).pathname, '', {})).json).toMatchObject({ outTradeNo: 'K-2b', status: 'paid' });
    expect((await rawRequest(t.backend.url, 'POST', new URL(open.codeUrl as string).pathname, '', {})).status).toBe(409);
    const closed = (await gw.queryNativeOrder('K-2')).codeUrl as string;
    expect((await rawRequest(t.backend.url, 'POST', new URL(closed).pathname, '', {})).json).toEqual({ error: 'order_closed' });
    expect(await gw.queryNativeOrder('K-none')).toEqual({ outTradeNo: 'K-none', status: 'not_found' });
  });

  it('expiry: past expiresAt the order is closed (expired) and a scan is refused', async () => {
    await create('K-3');
    clock += 121_000;
    expect(await gw.queryNativeOrder('K-3')).toMatchObject({ status: 'closed', closedReason: 'expired' });
    expect(t.backend.kiosk.scan('K-3')).toEqual({ ok: false, error: 'order_expired' });
    expect(await gw.query('K-3')).toMatchObject({ status: 'declined' });
  });

  it('refund: whole paid orders only, idempotent per refund number; not_paid for an unpaid order', async () => {
    await create('K-4');
    expect(await gw.refundNativeOrder('K-4', 'R-4', 5000, 'late')).toEqual({ status: 'not_paid' });
    t.backend.kiosk.scan('K-4');
    const r = await gw.refundNativeOrder('K-4', 'R-4', 5000, 'late');
    expect(r).toMatchObject({ status: 'refunded', refundNo: expect.stringMatching(/^RF/) });
    expect(await gw.refundNativeOrder('K-4', 'R-4', 5000, 'late')).toEqual(r);
    expect(await gw.queryNativeOrder('K-4')).toMatchObject({ status: 'refunded' });
    expect(t.backend.kiosk.refunds()).toHaveLength(1);
  });

  it('knobs: failCloses and failRefunds answer 503 (counting down); gatewayDown makes the gateway unreachable', async () => {
    await create('K-5');
    t.backend.kiosk.knobs = { ...t.backend.kiosk.knobs, failCloses: 1 };
    await expect(gw.closeNativeOrder('K-5')).rejects.toBeInstanceOf(BackendUnavailable);
    expect(await gw.closeNativeOrder('K-5')).toMatchObject({ status: 'closed' });
    t.backend.kiosk.knobs = { ...t.backend.kiosk.knobs, gatewayDown: true };
    expect(await gw.gatewayReachable()).toBe(false);
    await expect(gw.queryNativeOrder('K-5')).rejects.toBeInstanceOf(BackendUnavailable);
    // The backend itself still answers.
    expect((await t.client.get('/api/operators')).status).toBe(200);
    t.backend.kiosk.knobs = { ...t.backend.kiosk.knobs, gatewayDown: false };
    expect(await gw.gatewayReachable()).toBe(true);
  });
});

describe('heartbeats and ratings', () => {
  const beat = (at: string, backlog: number) => ({
    terminalId: DEMO_TERMINAL.id,
    mode: 'kiosk',
    at,
    version: '0.1.0',
    outboxBacklog: backlog,
    oldestPendingAt: null,
    paper: 'ok',
    inService: true,
    functions: { payBills: true },
    devices: [],
    undelivered: 0,
  });

  it('the backend keeps the latest heartbeat per terminal (signed; another terminal id is refused)', async () => {
    expect((await t.client.post('/api/heartbeat', beat('2026-11-27T02:00:00.000Z', 3))).status).toBe(200);
    expect((await t.client.post('/api/heartbeat', beat('2026-11-27T02:01:00.000Z', 0))).status).toBe(200);
    expect((await t.client.post('/api/heartbeat', { ...beat('2026-11-27T02:01:00.000Z', 0), terminalId: 'T-OTHER' })).status).toBe(403);
    const list = (await t.client.get('/api/heartbeats')).json as { items: { terminalId: string; count: number; heartbeat: { outboxBacklog: number } }[] };
    expect(list.items).toEqual([expect.objectContaining({ terminalId: DEMO_TERMINAL.id, count: 2, heartbeat: expect.objectContaining({ outboxBacklog: 0 }) })]);
    expect((await rawRequest(t.backend.url, 'POST', '/api/heartbeat', JSON.stringify(beat('2026-11-27T02:00:00.000Z', 0)), {})).status).toBe(401);
  });

  it('rating.created is stored once per transaction; a second rating of it is rejected', async () => {
    const rating = (ratingId: string, score: number) => ({
      ratingId,
      transactionId: '0190a0a0-0000-7000-8000-000000000001',
      transactionKind: 'vend',
      accountNo: '3100000002',
      score,
      reasons: ['fast'],
      operatorId: 'kiosk:T-HALL-01',
      channel: 'kiosk',
      ratedAt: '2026-11-27T02:00:00.000Z',
    });
    const ev = (eventId: string, seq: number, payload: unknown) => ({ eventId, seq, type: 'rating.created', occurredAt: '2026-11-27T02:00:00.000Z', payload });
    const r = await t.client.post('/api/events', {
      terminalId: DEMO_TERMINAL.id,
      events: [
        ev('0190a0a0-0000-7000-8000-0000000000a1', 901, rating('rt-1', 5)),
        ev('0190a0a0-0000-7000-8000-0000000000a2', 902, rating('rt-2', 1)),
        ev('0190a0a0-0000-7000-8000-0000000000a3', 903, { ...rating('rt-3', 9) }),
      ],
    });
    expect((r.json as { results: { status: string; reason?: string }[] }).results.map((x) => [x.status, x.reason?.split(':')[0]])).toEqual([
      ['accepted', undefined],
      ['rejected', 'already_rated'],
      ['rejected', 'malformed_payload'],
    ]);
    const ratings = (await t.client.get('/api/ratings')).json as { items: { ratingId: string; score: number }[] };
    expect(ratings.items).toEqual([expect.objectContaining({ ratingId: 'rt-1', score: 5 })]);
  });
});
