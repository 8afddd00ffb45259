import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayOrderStatusSchema, GatewayPayResponseSchema } from '../../main/wire/backend-wire.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { createSignedClient, rawRequest, type RawResponse } from '../billing-backend/signed-client.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend({ accounts: 20, allowKnobs: true });
});
afterAll(async () => {
  await t.dispose();
});
beforeEach(() => {
  t.backend.setKnobs({ down: false, delayMs: 0, failEventIds: [], gatewayOutcome: 'success' });
});

const pay = (outTradeNo: string, amountFen = 12345, authCode = '134567890123456789', timeoutMs?: number): Promise<RawResponse> =>
  rawRequest(t.backend.url, 'POST', '/gateway/pay', JSON.stringify({ outTradeNo, authCode, amountFen }), {}, timeoutMs);
const order = async (outTradeNo: string) =>
  GatewayOrderStatusSchema.parse((await rawRequest(t.backend.url, 'GET', `/gateway/orders/${outTradeNo}`, '', {})).json);

describe('reference backend knobs: reachability', () => {
  it('down destroys every socket, as an unreachable host would, until lifted', async () => {
    t.backend.setKnobs({ down: true });
    await expect(rawRequest(t.backend.url, 'GET', '/health', '', {})).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(t.client.get('/api/accounts/3100000001')).rejects.toThrow();
    t.backend.setKnobs({ down: false });
    expect((await t.client.get('/api/accounts/3100000001')).status).toBe(200);
  });

  it('delay holds answers back: a short client timeout fails, a patient client succeeds', async () => {
    t.backend.setKnobs({ delayMs: 400 });
    const impatient = createSignedClient({ baseUrl: t.backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => TEST_NOW, timeoutMs: 100 });
    await expect(impatient.get('/api/operators')).rejects.toThrow(/timeout/);
    const started = Date.now();
    expect((await t.client.get('/api/operators')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('POST /_knobs sets knobs over HTTP and still answers while the backend is down', async () => {
    const set = (body: unknown) => rawRequest(t.backend.url, 'POST', '/_knobs', JSON.stringify(body), {});
    expect(await set({ down: true })).toMatchObject({ status: 200, json: { down: true } });
    await expect(rawRequest(t.backend.url, 'GET', '/health', '', {})).rejects.toThrow();
    expect(await set({ down: false, gatewayOutcome: 'declined' })).toMatchObject({ status: 200, json: { down: false, gatewayOutcome: 'declined' } });
    expect(t.backend.knobs().gatewayOutcome).toBe('declined');
    expect((await set({ bogus: 1 })).status).toBe(400);
    expect((await set({ delayMs: -1 })).status).toBe(400);
  });
});

describe('reference backend: payment gateway simulator', () => {
  it('success: answers a trade number, idempotently per outTradeNo', async () => {
    const first = GatewayPayResponseSchema.parse((await pay('OT-S-1')).json);
    expect(first).toMatchObject({ status: 'success', tradeNo: expect.stringMatching(/^GW20261127\d{10}$/) });
    t.backend.setKnobs({ gatewayOutcome: 'declined' });
    expect((await pay('OT-S-1')).json).toEqual(first);
    expect(await order('OT-S-1')).toEqual({ status: 'success', amountFen: 12345, tradeNo: first.tradeNo });
    const second = GatewayPayResponseSchema.parse((await pay('OT-S-2')).json);
    expect(second).toEqual({ status: 'declined' });
  });

  it('refuses a different amount under a used outTradeNo', async () => {
    await pay('OT-C-1', 500);
    expect(await pay('OT-C-1', 600)).toMatchObject({ status: 409, json: { error: 'out_trade_no_conflict' } });
    expect(await order('OT-C-1')).toMatchObject({ amountFen: 500 });
  });

  it('declined: recorded as declined', async () => {
    t.backend.setKnobs({ gatewayOutcome: 'declined' });
    expect((await pay('OT-D-1')).json).toEqual({ status: 'declined' });
    expect(await order('OT-D-1')).toEqual({ status: 'declined', amountFen: 12345 });
  });

  it('unknown: the money is taken but the answer is lost; a query tells the truth', async () => {
    t.backend.setKnobs({ gatewayOutcome: 'unknown' });
    await expect(pay('OT-U-1')).rejects.toThrow(/socket hang up|ECONNRESET/);
    const status = await order('OT-U-1');
    expect(status).toMatchObject({ status: 'success', amountFen: 12345, tradeNo: expect.stringMatching(/^GW/) });
    // A retry with the same outTradeNo is answered from the record, not charged again.
    t.backend.setKnobs({ gatewayOutcome: 'success' });
    expect((await pay('OT-U-1')).json).toEqual({ status: 'success', tradeNo: status.tradeNo });
  });

  it('timeout: no answer in time, the order stays pending until settled', async () => {
    t.backend.setKnobs({ gatewayOutcome: 'timeout' });
    await expect(pay('OT-T-1', 12345, '134567890123456789', 300)).rejects.toThrow(/timeout/);
    expect(await order('OT-T-1')).toEqual({ status: 'pending', amountFen: 12345 });
    t.backend.settleGatewayOrder('OT-T-1', 'success');
    expect(await order('OT-T-1')).toMatchObject({ status: 'success', tradeNo: expect.stringMatching(/^GW/) });
  });

  it('not_found for an order never placed, 400 for a malformed pay request', async () => {
    expect(await order('OT-NEVER')).toEqual({ status: 'not_found' });
    expect((await rawRequest(t.backend.url, 'POST', '/gateway/pay', JSON.stringify({ outTradeNo: 'X', amountFen: 1.5, authCode: 'a' }), {})).status).toBe(400);
    expect((await rawRequest(t.backend.url, 'POST', '/gateway/pay', JSON.stringify({ outTradeNo: 'X', amountFen: 0, authCode: 'a' }), {})).status).toBe(400);
  });
});
