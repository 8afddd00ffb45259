/**
 * Kiosk degraded states (docs/kiosk.md, capabilities table), function by function, never the whole
 * kiosk for one fault: no paper → print off before payment, the token on screen; card writer
 * fault → token meters and bills only; backend offline → only what is allowed offline (from the
 * cache, within the offline credit), synced later; gateway down → QR off → out of service with
 * the hall's hotline.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KioskStatusView } from '../../main/contract/index.js';
import type { Stack } from '../support/stack.js';
import { customerPays, KioskScreen, outTradeNoOf, startKioskStack, until } from '../support/kiosk-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack({ kiosk: { orderPollMs: 200, healthCheckMs: 500, heartbeatIntervalMs: 1000 } });
});
afterAll(async () => {
  await stack.dispose();
});
beforeEach(() => {
  stack.backend.kiosk.knobs = { gatewayDown: false, failCloses: 0, failRefunds: 0, failHeartbeats: false, apiDown: false };
});

const offered = (s: KioskStatusView) => Object.fromEntries(Object.entries(s.capabilities).map(([k, c]) => [k, c.available]));
const STS_ACCOUNT = '3100000003';

describe('kiosk degraded states', () => {
  it('no paper: print is off before payment (with the reason); the token is shown on screen, nothing printed', async () => {
    const screen = new KioskScreen(stack);
    stack.printer.setFault('paper_out');
    try {
      await until('paper out seen', async () => !(await screen.call('kiosk.status', {})).capabilities.print.available, 5000);
      const s = await screen.call('kiosk.status', {});
      expect(s.capabilities.print.reason?.code).toBe('printer.paper_out');
      expect(offered(s)).toEqual({ payBills: true, buyToken: true, cardTopUp: true, print: false, qr: true });
      expect(s.inService).toBe(true);

      const visit = await screen.call('kiosk.begin', { locale: 'en' });
      await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: STS_ACCOUNT });
      const q = await screen.call('kiosk.quoteVend', { visitId: visit.visitId, amount: '20' });
      const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: '20', quoteDigest: q.quoteDigest });
      customerPays(stack, outTradeNoOf(stack, order.orderId));
      await until('paid', async () => (await screen.call('kiosk.order.status', { visitId: visit.visitId })).state === 'paid');
      const jobs = stack.printer.jobs().length;
      const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
      expect(d.delivery).toMatchObject({ done: true, printed: false });
      expect(d.delivery?.token).toMatch(/^\d{20}$/);
      expect(stack.printer.jobs().length).toBe(jobs);
      expect(stack.core.db.prepare('SELECT delivery FROM vends WHERE vend_id = ?').get(d.transactionId)).toEqual({ delivery: 'shown' });
      await screen.call('kiosk.end', { visitId: visit.visitId });
    } finally {
      stack.printer.setFault(null);
    }
    await until('paper back', async () => (await new KioskScreen(stack).call('kiosk.status', {})).capabilities.print.available, 5000);
  });

  it('card writer fault: card top-up and card identification are off; token meters and bills are still offered', async () => {
    const screen = new KioskScreen(stack);
    stack.hall.cardReader.unplug();
    try {
      await until('reader gone', async () => !(await screen.call('kiosk.status', {})).capabilities.cardTopUp.available, 5000);
      const s = await screen.call('kiosk.status', {});
      expect(offered(s)).toEqual({ payBills: true, buyToken: true, cardTopUp: false, print: true, qr: true });
      expect(s.capabilities.cardTopUp.reason?.code).toBe('vending.card_writer_unavailable');
      expect(s.identify).toMatchObject({ card: false, number: true });
      expect(s.inService).toBe(true);
      const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
      expect(await screen.code('kiosk.identify', { visitId: visit.visitId, by: 'card' })).toBe('vending.card_writer_unavailable');
      // A card meter's account by number: a top-up is refused before any money is asked for.
      await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000004' });
      const r = await screen.raw('kiosk.quoteVend', { visitId: visit.visitId, amount: '30' });
      const q = r.ok ? (r.result as { quoteDigest: string }) : null;
      if (q) expect(await screen.code('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: '30', quoteDigest: q.quoteDigest })).toBe('kiosk.function_unavailable');
      else expect(r.ok).toBe(false);
      expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM kiosk_orders WHERE account_no = '3100000004' AND state = 'awaiting_payment'").get()).toEqual({ n: 0 });
      await screen.call('kiosk.end', { visitId: visit.visitId });
    } finally {
      stack.hall.cardReader.replug();
    }
    await until('reader back', async () => (await new KioskScreen(stack).call('kiosk.status', {})).capabilities.cardTopUp.available, 8000);
  });

  it('backend offline: bills are paid from the cache and synced later; an account never cached cannot be served', async () => {
    const screen = new KioskScreen(stack);
    // Cache the account while online.
    const v0 = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    await screen.call('kiosk.identify', { visitId: v0.visitId, by: 'number', value: '3100000006' });
    await screen.call('kiosk.end', { visitId: v0.visitId });

    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, apiDown: true };
    // The minute heartbeat (1 s here) finds the backend gone.
    await until('offline seen', async () => !(await screen.call('kiosk.status', {})).backendOnline, 5000);
    const s = await screen.call('kiosk.status', {});
    expect(offered(s)).toMatchObject({ payBills: true, qr: true, buyToken: true });
    expect(s.inService).toBe(true);

    const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    expect(await screen.code('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000299' })).toBe('account.not_cached');
    await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000006' });
    expect((await screen.call('kiosk.account', { visitId: visit.visitId })).source).toBe('cache');
    const q = await screen.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
    const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest });
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    await until('paid', async () => (await screen.call('kiosk.order.status', { visitId: visit.visitId })).state === 'paid');
    const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(d.state).toBe('delivered');
    await screen.call('kiosk.end', { visitId: visit.visitId });
    const paymentId = d.transactionId as string;
    expect(stack.backend.db.prepare('SELECT 1 FROM events WHERE event_id = ?').get(paymentId)).toBeUndefined();

    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, apiDown: false };
    await until('online again', async () => (await screen.call('kiosk.status', {})).backendOnline, 5000);
    await stack.core.syncNow();
    expect(stack.backend.db.prepare('SELECT type FROM events WHERE event_id = ?').get(paymentId)).toEqual({ type: 'payment.created' });
  });

  it('gateway down: QR is off, the kiosk is out of service with the hotline; no order is taken; back when the gateway is', async () => {
    const screen = new KioskScreen(stack);
    const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000001' });
    const q = await screen.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
    const events: KioskStatusView['inService'][] = [];
    const off = stack.core.on('kiosk.statusChanged', (s) => events.push(s.inService));
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, gatewayDown: true };
    await until('out of service', async () => !(await screen.call('kiosk.status', {})).inService, 5000);
    const s = await screen.call('kiosk.status', {});
    expect(s.capabilities.qr).toMatchObject({ available: false, reason: { code: 'kiosk.gateway_unavailable' } });
    expect(s.outOfServiceReason).toMatchObject({ code: 'kiosk.out_of_service', details: { hotline: '95598' } });
    expect(await screen.code('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest })).toBe('kiosk.out_of_service');
    expect(events).toContain(false);
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, gatewayDown: false };
    await until('back in service', async () => (await screen.call('kiosk.status', {})).inService, 5000);
    off();
    expect(events.at(-1)).toBe(true);
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });
});
