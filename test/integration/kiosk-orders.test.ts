/**
 * Kiosk QR orders at their edges (docs/kiosk.md, "Late payments"): the code expires (closed at the
 * gateway, nothing charged, the vend cancelled), the customer cancels, the visit idles out (its
 * unpaid order cancelled at the gateway), and a payment that crossed the cancel — bills honoured
 * through the one settlement path; a vend honoured while its customer is still there, refunded
 * through the gateway when gone — never lost, journaled, retried until the gateway answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { journalEntries } from '../../main/store/journal.js';
import type { Stack } from '../support/stack.js';
import { DEMO_NOW } from '../support/stack.js';
import { customerPays, KioskScreen, outTradeNoOf, startKioskStack, until } from '../support/kiosk-stack.js';

let stack: Stack;
let offsetMs = 0;
const started = Date.now();
const clock = () => new Date(DEMO_NOW.getTime() + (Date.now() - started) + offsetMs);

beforeAll(async () => {
  stack = await startKioskStack({ clock, kiosk: { orderPollMs: 200, healthCheckMs: 500, orderTtlSeconds: 120, warnAfterMs: 5000, responseMs: 20_000, visitTimeoutMs: 30_000 } });
});
afterAll(async () => {
  await stack.dispose();
});
beforeEach(() => {
  stack.backend.kiosk.knobs = { gatewayDown: false, failCloses: 0, failRefunds: 0, failHeartbeats: false, apiDown: false };
});

const STS_ACCOUNT = '3100000003';
const orderRow = (orderId: string) => stack.core.db.prepare('SELECT * FROM kiosk_orders WHERE order_id = ?').get(orderId) as Record<string, unknown>;
const vendState = (vendId: unknown) => (stack.core.db.prepare('SELECT state FROM vends WHERE vend_id = ?').get(vendId) as { state: string }).state;
const journalTypes = (ref: string) => journalEntries(stack.core.db).filter((e) => e.ref === ref).map((e) => e.type);

async function vendOrder(screen: KioskScreen, amount = '20') {
  const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
  await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: STS_ACCOUNT });
  const q = await screen.call('kiosk.quoteVend', { visitId: visit.visitId, amount });
  const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount, quoteDigest: q.quoteDigest });
  return { visit, order };
}

async function billsOrder(screen: KioskScreen, accountNo: string) {
  const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
  await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: accountNo });
  const q = await screen.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
  const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest });
  return { visit, order, q };
}

describe('kiosk QR orders', () => {
  it('QR timeout: past its expiry the order is closed at the gateway, nothing charged, the vend cancelled; a late scan is refused', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    const row = orderRow(order.orderId);
    // The customer keeps touching "still here" (the visit lives on) while the code runs out.
    for (let i = 0; i < 5; i++) {
      offsetMs += 25_000;
      await screen.call('kiosk.extend', { visitId: visit.visitId });
    }
    await until('expired', () => orderRow(order.orderId).state === 'expired', 5000);
    expect(vendState(row.vend_id)).toBe('cancelled');
    expect(stack.backend.kiosk.scan(row.out_trade_no as string)).toEqual({ ok: false, error: 'order_expired' });
    expect(journalTypes(order.orderId)).toEqual(expect.arrayContaining(['kiosk.order_created', 'kiosk.order_awaiting_payment', 'kiosk.order_expired']));
    // The visit goes on: the customer may order again.
    const status = await screen.call('kiosk.order.status', { visitId: visit.visitId });
    expect(status.state).toBe('expired');
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('cancel: closed at the gateway, the vend cancelled; the customer is back at the choice', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    const cancelled = await screen.call('kiosk.order.cancel', { visitId: visit.visitId });
    expect(cancelled).toMatchObject({ state: 'cancelled', qr: null });
    expect(vendState(orderRow(order.orderId).vend_id)).toBe('cancelled');
    expect((await screen.call('kiosk.extend', { visitId: visit.visitId })).state).toBe('identified');
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('the customer paid as the cancel went out (the gateway says paid): honoured at once and delivered', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    const after = await screen.call('kiosk.order.cancel', { visitId: visit.visitId });
    expect(after).toMatchObject({ state: 'paid', honoured: true });
    const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(d.delivery?.token).toMatch(/^\d{20}$/);
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('late paid after cancel, vend, customer gone: refunded through the gateway (retried until it answers), the vend cancelled, journaled and synced', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    const outTradeNo = outTradeNoOf(stack, order.orderId);
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, failCloses: 1000, failRefunds: 2 };
    expect((await screen.call('kiosk.order.cancel', { visitId: visit.visitId })).state).toBe('cancelling');
    await screen.call('kiosk.end', { visitId: visit.visitId });
    customerPays(stack, outTradeNo); // the payment crossed the cancel that never got through
    await until('refunded', () => orderRow(order.orderId).state === 'refunded', 8000);
    const row = orderRow(order.orderId);
    expect(row.refund_no).toMatch(/^RF/);
    expect(vendState(row.vend_id)).toBe('cancelled');
    expect(stack.backend.kiosk.refunds().filter((r) => r.outTradeNo === outTradeNo)).toHaveLength(1);
    expect(journalTypes(order.orderId)).toEqual(expect.arrayContaining(['kiosk.order_cancel_requested', 'kiosk.late_payment', 'kiosk.order_refunded']));
    const late = journalEntries(stack.core.db).find((e) => e.ref === order.orderId && e.type === 'kiosk.late_payment');
    expect(late?.payload).toMatchObject({ decision: 'refund', what: 'vend' });
    // No credit was given for it.
    expect(stack.core.db.prepare("SELECT token FROM vends WHERE vend_id = ?").get(row.vend_id)).toEqual({ token: null });
    await stack.core.syncNow();
    const types = (stack.backend.db.prepare('SELECT type FROM events').all() as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['kiosk.late_payment', 'kiosk.order_refunded']));
  });

  it('late paid after cancel, vend, customer still in the visit: honoured and delivered', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, failCloses: 1000 };
    expect((await screen.call('kiosk.order.cancel', { visitId: visit.visitId })).state).toBe('cancelling');
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    await until('paid', () => orderRow(order.orderId).state === 'paid', 5000);
    expect(orderRow(order.orderId).honoured).toBe(1);
    const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(d).toMatchObject({ state: 'delivered', honoured: true });
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('late paid after the visit idled out, bills: honoured as a payment through the one settlement path', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order, q } = await billsOrder(screen, '3100000005');
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, failCloses: 1000 };
    const ended: string[] = [];
    const off = stack.core.on('kiosk.visitEnded', (e) => ended.push(`${e.visitId}:${e.reason}`));
    offsetMs += 31_000; // past visitTimeoutMs (the order's code is still valid)
    await until('visit ended', () => ended.includes(`${visit.visitId}:idle_timeout`), 5000);
    off();
    expect(orderRow(order.orderId)).toMatchObject({ state: 'cancelling', close_reason: 'visit_ended' });
    expect(await screen.code('kiosk.order.status', { visitId: visit.visitId })).toBe('kiosk.visit_ended');
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    // Nobody is there: the sweeper finishes it (receipt printed when there is paper), not offered to the next customer.
    await until('honoured and finished', () => orderRow(order.orderId).state === 'delivered', 5000);
    const row = orderRow(order.orderId);
    expect(row.honoured).toBe(1);
    const payment = stack.core.db.prepare('SELECT method, amount_fen, external_ref FROM payments WHERE payment_id = ?').get(row.payment_id) as Record<string, unknown>;
    expect(payment).toEqual({ method: 'qr', amount_fen: q.totalFen, external_ref: row.trade_no });
    const late = journalEntries(stack.core.db).find((e) => e.ref === order.orderId && e.type === 'kiosk.late_payment');
    expect(late?.payload).toMatchObject({ decision: 'honour', what: 'bills' });
  });

  it('the idle limit ends a visit with nothing half-done: its unpaid order is closed at the gateway', async () => {
    const screen = new KioskScreen(stack);
    const { visit, order } = await vendOrder(screen);
    offsetMs += 31_000;
    await until('cancelled', () => orderRow(order.orderId).state === 'cancelled', 5000);
    expect(vendState(orderRow(order.orderId).vend_id)).toBe('cancelled');
    expect(await screen.code('kiosk.extend', { visitId: visit.visitId })).toBe('kiosk.visit_ended');
    // Polling the order is not activity: a customer who walked away is not kept present.
    const s2 = new KioskScreen(stack);
    const v2 = await vendOrder(s2);
    offsetMs += 20_000;
    await s2.call('kiosk.order.status', { visitId: v2.visit.visitId });
    offsetMs += 11_000;
    await until('second cancelled', () => orderRow(v2.order.orderId).state === 'cancelled', 5000);
  });
});
