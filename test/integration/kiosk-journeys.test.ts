/**
 * Kiosk journeys end to end (docs/kiosk.md): a kiosk-mode core on real SQLite, the reference
 * backend and its gateway over HTTP, the printer simulator and the simulated card reader. Bills by
 * QR through the one settlement path, an STS top-up (token printed and shown), a card top-up
 * (card written), ratings bound to the transaction and synced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { SimulatedMeter } from '../../kiosk-drivers/card/sim/simulated-meter.js';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import type { Stack } from '../support/stack.js';
import { cardFor, customerPays, insertCard, KioskScreen, outTradeNoOf, removeCard, startKioskStack, until } from '../support/kiosk-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack();
});
afterAll(async () => {
  await stack.dispose();
});

const ledger = (type: string) =>
  (stack.backend.db.prepare('SELECT payload_json FROM events WHERE type = ? ORDER BY rowid').all(type) as { payload_json: string }[]).map(
    (r) => JSON.parse(r.payload_json) as Record<string, unknown>,
  );

describe('kiosk journeys', () => {
  it('a kiosk session is the kiosk (role kiosk, no PIN); status says what is offered', async () => {
    const screen = new KioskScreen(stack);
    expect(await screen.call('session.current', {})).toMatchObject({ role: 'kiosk', operatorId: 'kiosk:T-HALL-01' });
    const s = await screen.call('kiosk.status', {});
    expect(s.inService).toBe(true);
    expect(Object.fromEntries(Object.entries(s.capabilities).map(([k, c]) => [k, c.available]))).toEqual({ payBills: true, buyToken: true, cardTopUp: true, print: true, qr: true });
    expect(s.hotline).toBe('95598');
    expect(s.pending).toBeNull();
    expect(s.visit).toBeNull();
    expect(s.idle.visitTimeoutMs).toBeGreaterThanOrEqual(s.idle.warnAfterMs + s.idle.responseMs);
  });

  it('bills by QR: a number shows only what paying needs; the order is paid through the one settlement path; receipt printed; rated once and synced', async () => {
    const screen = new KioskScreen(stack);
    const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    expect(visit.state).toBe('started');
    const identified = await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000001' });
    expect(identified).toMatchObject({ state: 'identified', access: 'payer', identifiedBy: 'number' });

    const acct = await screen.call('kiosk.account', { visitId: visit.visitId });
    expect(acct.access).toBe('payer');
    expect(acct.nameMasked).toMatch(/^.\*+.$/u);
    expect(acct.addressMasked.endsWith('****')).toBe(true);
    expect(acct.phoneMasked).toBeNull();
    expect(acct.balanceFen).toBeNull();
    expect(acct.purchases).toBeNull();
    expect(acct.consumption).toBeNull();
    expect(acct.openBills.map((b) => b.billId)).toEqual(['B2026090000007', 'B2026100000008']);
    expect(acct.openBills[0]?.lateFeeFen).toBeGreaterThan(0);

    // Only with every older bill: the newer one alone is refused, naming the older.
    expect(await screen.code('kiosk.quoteBills', { visitId: visit.visitId, bills: ['B2026100000008'] })).toBe('kiosk.bills_out_of_order');
    const q = await screen.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
    expect(q.totalFen).toBe(acct.totalDueFen);
    expect(await screen.code('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: '0'.repeat(64) })).toBe('kiosk.quote_changed');

    const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest });
    expect(order.state).toBe('awaiting_payment');
    expect(order.qr?.codeUrl).toMatch(/\/gateway\/native\/qr\//);
    expect(order.amountFen).toBe(q.totalFen);
    expect((await screen.call('kiosk.order.status', { visitId: visit.visitId })).state).toBe('awaiting_payment');
    expect(await screen.code('kiosk.deliver', { visitId: visit.visitId })).toBe('kiosk.order_not_paid');

    customerPays(stack, outTradeNoOf(stack, order.orderId));
    const paid = await screen.call('kiosk.order.status', { visitId: visit.visitId });
    expect(paid.state).toBe('paid');
    expect(paid.transactionId).not.toBeNull();

    const jobsBefore = stack.printer.jobs().length;
    const delivered = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(delivered.state).toBe('delivered');
    expect(delivered.delivery).toMatchObject({ done: true, printed: true, toBalanceFen: 0 });
    expect(delivered.delivery?.allocations?.map((a) => a.billId)).toEqual(['B2026090000007', 'B2026100000008']);
    const job = await stack.printer.waitForJob(jobsBefore);
    expect(job.text).toContain('3100000001');
    // Again: the same delivery, nothing printed twice.
    expect((await screen.call('kiosk.deliver', { visitId: visit.visitId })).delivery?.done).toBe(true);
    expect(stack.printer.jobs().length).toBe(jobsBefore + 1);

    // The payment: method qr, the gateway's trade number as external ref, the bills settled.
    const payment = stack.core.db.prepare('SELECT * FROM payments WHERE payment_id = ?').get(paid.transactionId) as { method: string; external_ref: string; amount_fen: number; operator_id: string };
    expect(payment).toMatchObject({ method: 'qr', amount_fen: q.totalFen, operator_id: 'kiosk:T-HALL-01' });
    expect(payment.external_ref).toMatch(/^GW/);
    expect((await screen.call('kiosk.account', { visitId: visit.visitId })).openBills).toEqual([]);

    // Rated once, bound to the payment; a second rating is refused; another id is refused.
    const txId = paid.transactionId as string;
    expect((await screen.call('kiosk.extend', { visitId: visit.visitId })).ratable).toEqual([txId]);
    expect(await screen.code('kiosk.rate', { visitId: visit.visitId, transactionId: '0190a0a0-0000-7000-8000-000000000009', score: 5 })).toBe('kiosk.rating_not_allowed');
    await screen.call('kiosk.rate', { visitId: visit.visitId, transactionId: txId, score: 4, reasons: ['fast', 'clear'] });
    expect(await screen.code('kiosk.rate', { visitId: visit.visitId, transactionId: txId, score: 1 })).toBe('kiosk.already_rated');
    expect(await screen.call('kiosk.end', { visitId: visit.visitId })).toEqual({ ended: true, orderCancelled: false });
    expect(await screen.code('kiosk.account', { visitId: visit.visitId })).toBe('kiosk.visit_ended');

    await stack.core.syncNow();
    const synced = ledger('payment.created').find((p) => p.paymentId === txId);
    expect(synced).toMatchObject({ method: 'qr', amountFen: q.totalFen, externalRef: payment.external_ref });
    expect(stack.backend.kiosk.ratings()).toEqual([expect.objectContaining({ transactionId: txId, score: 4, reasons: ['fast', 'clear'], channel: 'kiosk' })]);
    expect(verifyJournal(stack.core.db).ok).toBe(true);
  });

  it('STS top-up: by meter number, verified by phone, token printed and shown once', async () => {
    const screen = new KioskScreen(stack);
    // 3100000003: an STS meter on base date 2014 (3100000002's 1993 meter needs its key change first).
    const meterNo = (stack.backend.db.prepare("SELECT meter_no FROM meters WHERE account_no = '3100000003' AND kind = 'sts'").get() as { meter_no: string }).meter_no;
    const visit = await screen.call('kiosk.begin', { locale: 'en' });
    await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: meterNo });
    const phone = (stack.backend.db.prepare("SELECT phone FROM accounts WHERE account_no = '3100000003'").get() as { phone: string }).phone;
    const wrong = phone.slice(-4) === '0000' ? '1111' : '0000';
    expect(await screen.code('kiosk.verify', { visitId: visit.visitId, phoneLast4: wrong })).toBe('kiosk.verify_failed');
    expect((await screen.call('kiosk.verify', { visitId: visit.visitId, phoneLast4: phone.slice(-4) })).access).toBe('holder');
    const acct = await screen.call('kiosk.account', { visitId: visit.visitId });
    expect(acct).toMatchObject({ access: 'holder', accountNo: '3100000003', vendMeter: { kind: 'sts', meterNoTail: meterNo.slice(-4) } });
    expect(acct.balanceFen).not.toBeNull();
    expect(acct.phoneMasked).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(acct.consumption).toHaveLength(12);

    const q = await screen.call('kiosk.quoteVend', { visitId: visit.visitId, amount: '50' });
    expect(q).toMatchObject({ delivery: 'token', amountFen: 5000, meterKind: 'sts' });
    const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: '50', quoteDigest: q.quoteDigest });
    expect(order.state).toBe('awaiting_payment');
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    expect((await screen.call('kiosk.order.status', { visitId: visit.visitId })).state).toBe('paid');
    const jobsBefore = stack.printer.jobs().length;
    const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(d.state).toBe('delivered');
    // The token is on screen first; its slip prints while the customer reads it.
    expect(d.delivery).toMatchObject({ done: true, printed: false, printing: true, needsCard: false });
    expect(d.delivery?.token).toMatch(/^\d{20}$/);
    const job = await stack.printer.waitForJob(jobsBefore);
    expect(job.text.replace(/\s/g, '')).toContain(d.delivery?.token as string);
    expect(job.text).not.toContain('REPRINT');
    await until('slip printed', async () => (await screen.call('kiosk.deliver', { visitId: visit.visitId })).delivery?.printed === true);
    const again = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(again.delivery).toMatchObject({ token: d.delivery?.token, printed: true, printing: false, printError: null });
    expect(stack.printer.jobs().length).toBe(jobsBefore + 1);
    const vend = stack.core.db.prepare('SELECT state, method, delivery, operator_id FROM vends WHERE vend_id = ?').get(d.transactionId) as Record<string, string>;
    expect(vend).toEqual({ state: 'delivered', method: 'qr', delivery: 'shown', operator_id: 'kiosk:T-HALL-01' });
    const steps = (stack.core.db.prepare("SELECT type FROM journal WHERE ref = ? AND type LIKE 'vend.%' ORDER BY seq").all(d.transactionId) as { type: string }[]).map((r) => r.type);
    expect(steps.slice(-3)).toEqual(['vend.delivery_attempted', 'vend.delivered', 'vend.copy_printed']);
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('card top-up: the card identifies a holder; the purchase is written to the card; the meter loads it', async () => {
    const screen = new KioskScreen(stack);
    const card = cardFor(stack, '3100000004', 0x51);
    await insertCard(stack, card);
    const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    expect(await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'card' })).toMatchObject({ access: 'holder', identifiedBy: 'card' });
    const q = await screen.call('kiosk.quoteVend', { visitId: visit.visitId, amount: '30' });
    expect(q.delivery).toBe('card');
    const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: '30', quoteDigest: q.quoteDigest });
    customerPays(stack, outTradeNoOf(stack, order.orderId));
    await until('paid', async () => (await screen.call('kiosk.order.status', { visitId: visit.visitId })).state === 'paid');
    const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
    expect(d.delivery).toMatchObject({ done: true, needsCard: false, cardError: null });
    const out = await removeCard(stack);
    const meterRow = stack.backend.db.prepare("SELECT meter_no, card_generation FROM meters WHERE account_no = '3100000004' AND kind = 'card'").get() as { meter_no: string; card_generation: number };
    const meter = new SimulatedMeter({ masterKey: DEMO_CARD_MASTER_KEY, meterNo: meterRow.meter_no, generation: meterRow.card_generation, clock: () => 1_767_225_600 });
    expect(meter.insert(out as NonNullable<typeof out>)).toMatchObject({ outcome: 'loaded', counter: 1, amountFen: q.energyFen });
    await screen.call('kiosk.end', { visitId: visit.visitId });
    expect(journalEntries(stack.core.db).some((e) => e.type === 'kiosk.identified' && (e.payload as { by: string }).by === 'card')).toBe(true);
  });
});
