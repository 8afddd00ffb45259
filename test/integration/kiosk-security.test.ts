/**
 * Kiosk security (docs/kiosk.md, "Security"): a kiosk session is the kiosk (role 'kiosk', no PIN)
 * and may call only the kiosk's methods, only for the account its current visit identified; a
 * number shows only what paying needs; verification locks after three wrong answers; no staff
 * role signs in except through the staff exit (card + PIN, journaled either way); events reach
 * only signed-in sessions (the host shell forwards nothing to a session that is not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { journalEntries } from '../../main/store/journal.js';
import type { Stack } from '../support/stack.js';
import { signedIn, startStack } from '../support/stack.js';
import { customerPays, KioskScreen, outTradeNoOf, startKioskStack } from '../support/kiosk-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack({ withHost: true });
});
afterAll(async () => {
  await stack.dispose();
});

const UUID = '0190a0a0-0000-7000-8000-000000000001';

describe('kiosk security', () => {
  it('a kiosk session cannot call the counter: payments, vends, lookups, searches, diagnostics, reprints', async () => {
    const screen = new KioskScreen(stack);
    const refused = {
      'payment.create': { requestId: UUID, accountNo: '3100000001', method: 'cash', amount: '10' },
      'vend.purchase': { requestId: UUID, accountNo: '3100000003', method: 'cash', amount: '10' },
      'vend.preview': { accountNo: '3100000003', amount: '10' },
      'vend.get': { vendId: UUID },
      'vend.list': { accountNo: '3100000003' },
      'account.lookup': { accountNo: '3100000001' },
      'account.search': { q: '3100000001' },
      'receipt.reprint': { paymentId: UUID },
      'devices.testCardRead': {},
      'devices.status': {},
      'token.explain': { token: '1', accountNo: '3100000003' },
      'kiosk.supplies': { paperLoaded: true },
    } as const;
    for (const [method, params] of Object.entries(refused)) {
      const r = await stack.core.dispatch(method, params, screen.session);
      expect([method, r.ok ? 'ok' : r.error.code]).toEqual([method, 'auth.forbidden']);
    }
    // What a kiosk screen may ask besides kiosk.*: the terminal's info and device health.
    expect((await screen.raw('system.info', {})).ok).toBe(true);
    expect((await screen.raw('devices.health', {})).ok).toBe(true);
  });

  it('staff sign-in is refused on a kiosk; a counter cannot run kiosk visits', async () => {
    const screen = new KioskScreen(stack);
    expect(await screen.code('session.signIn', { operatorId: 'S001', pin: '9999' })).toBe('kiosk.staff_exit_only');
    expect(await screen.call('session.current', {})).toMatchObject({ role: 'kiosk' });
    const counter = await startStack();
    try {
      const clerk = await signedIn(counter.core);
      const r = await counter.core.dispatch('kiosk.begin', { locale: 'zh-CN' }, clerk);
      expect(r.ok ? 'ok' : r.error.code).toBe('auth.forbidden');
      const anon = counter.core.newSession('anon');
      expect(anon.operator).toBeNull();
      const r2 = await counter.core.dispatch('kiosk.status', {}, anon);
      expect(r2.ok ? 'ok' : r2.error.code).toBe('auth.not_signed_in');
    } finally {
      await counter.dispose();
    }
  });

  it("a visit belongs to its session and its account only: another session, another account's bill or transaction are refused", async () => {
    const a = new KioskScreen(stack);
    const b = new KioskScreen(stack);
    // Another customer's paid transaction (an earlier visit, on another screen).
    const paidElsewhere = await paidBillsVisit(b, '3100000006');
    const visit = await a.call('kiosk.begin', { locale: 'zh-CN' });
    expect(await b.code('kiosk.account', { visitId: visit.visitId })).toBe('kiosk.visit_not_found');
    expect(await a.code('kiosk.account', { visitId: visit.visitId })).toBe('kiosk.not_identified');
    await a.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000001' });
    // A bill of another account (3100000005's) is not this account's.
    const other = (stack.backend.db.prepare("SELECT bill_id FROM bills WHERE account_no = '3100000005' AND status = 'open' LIMIT 1").get() as { bill_id: string }).bill_id;
    expect(await a.code('kiosk.quoteBills', { visitId: visit.visitId, bills: [other] })).toBe('kiosk.bill_not_open');
    expect(await a.code('kiosk.rate', { visitId: visit.visitId, transactionId: paidElsewhere, score: 1 })).toBe('kiosk.rating_not_allowed');
    // One customer at a time: a new visit (any screen) ends the earlier one.
    await b.call('kiosk.begin', { locale: 'en' });
    expect(await a.code('kiosk.extend', { visitId: visit.visitId })).toBe('kiosk.visit_ended');
  });

  it('a number-only visit sees masked data only; three wrong phone checks lock verification for the visit (journaled, never the digits)', async () => {
    const screen = new KioskScreen(stack);
    const visit = await screen.call('kiosk.begin', { locale: 'en' });
    await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: '3100000001' });
    const name = (stack.backend.db.prepare("SELECT name, address, phone FROM accounts WHERE account_no = '3100000001'").get() as { name: string; address: string; phone: string });
    const acct = await screen.call('kiosk.account', { visitId: visit.visitId });
    const text = JSON.stringify(acct);
    expect(text).not.toContain(name.name);
    expect(text).not.toContain(name.address);
    expect(text).not.toContain(name.phone);
    expect(acct).toMatchObject({ access: 'payer', balanceFen: null, phoneMasked: null, purchases: null, consumption: null });
    const wrong = name.phone.endsWith('0000') ? '1111' : '0000';
    expect(await screen.code('kiosk.verify', { visitId: visit.visitId, phoneLast4: wrong })).toBe('kiosk.verify_failed');
    expect(await screen.code('kiosk.verify', { visitId: visit.visitId, phoneLast4: wrong })).toBe('kiosk.verify_failed');
    expect(await screen.code('kiosk.verify', { visitId: visit.visitId, phoneLast4: wrong })).toBe('kiosk.verify_locked');
    expect(await screen.code('kiosk.verify', { visitId: visit.visitId, phoneLast4: name.phone.slice(-4) })).toBe('kiosk.verify_locked');
    expect((await screen.call('kiosk.account', { visitId: visit.visitId })).access).toBe('payer');
    const failures = journalEntries(stack.core.db).filter((e) => e.ref === visit.visitId && e.type === 'kiosk.verify_failed');
    expect(failures).toHaveLength(3);
    for (const f of failures) expect(Object.keys(f.payload as object).sort()).toEqual(['accountNo', 'attempt', 'visitId']);
    await screen.call('kiosk.end', { visitId: visit.visitId });
  });

  it('staff exit: wrong PIN and a clerk are refused and journaled; a supervisor with the PIN gets diagnostics and supplies; sign-out returns to the kiosk', async () => {
    const screen = new KioskScreen(stack);
    const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
    expect(await screen.code('kiosk.staffExit', { operatorId: 'S001', pin: '0000', via: 'keypad' })).toBe('auth.bad_pin');
    expect(await screen.code('kiosk.staffExit', { operatorId: 'C001', pin: '1234', via: 'keypad' })).toBe('kiosk.staff_role_refused');
    const failed = journalEntries(stack.core.db).filter((e) => e.type === 'kiosk.staff_exit_failed');
    expect(failed.map((e) => (e.payload as { reason: string }).reason)).toEqual(['auth.bad_pin', 'role']);
    expect(JSON.stringify(failed)).not.toContain('"pin"');

    const op = await screen.call('kiosk.staffExit', { operatorId: 'S001', pin: '9999', via: 'keypad' });
    expect(op).toMatchObject({ operatorId: 'S001', role: 'supervisor' });
    expect(journalEntries(stack.core.db).filter((e) => e.type === 'kiosk.staff_exit').map((e) => e.payload)).toEqual([expect.objectContaining({ operatorId: 'S001', via: 'keypad' })]);
    // The customer's visit ended with the exit.
    expect(await screen.code('kiosk.extend', { visitId: visit.visitId })).toBe('auth.forbidden');
    expect((await screen.raw('devices.status', {})).ok).toBe(true);
    expect(await screen.call('kiosk.supplies', { paperLoaded: true })).toEqual({ recorded: true });
    expect(await screen.code('kiosk.begin', { locale: 'zh-CN' })).toBe('auth.forbidden');
    await screen.call('session.signOut', {});
    expect(await screen.call('session.current', {})).toMatchObject({ role: 'kiosk' });
    expect((await screen.call('kiosk.status', {})).visit).toBeNull();
  });

  it('events reach only signed-in sessions: a counter sign-in screen gets none, a kiosk screen gets the kiosk events', async () => {
    const host = stack.host!;
    const secret = new URL(host.launchUrl).hash.replace('#k=', '');
    const ws = await openWs(`ws://127.0.0.1:${host.port}/rpc?k=${secret}`, host.origin);
    const seen: string[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { event?: string };
      if (m.event) seen.push(m.event);
    });
    stack.printer.setFault('paper_out');
    await stack.core.devices?.refresh();
    stack.printer.setFault(null);
    await stack.core.devices?.refresh();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toContain('printer.statusChanged');
    ws.close();

    const counter = await startStack({ withHost: true });
    try {
      const h = counter.host!;
      const s = new URL(h.launchUrl).hash.replace('#k=', '');
      const anon = await openWs(`ws://127.0.0.1:${h.port}/rpc?k=${s}`, h.origin);
      const got: string[] = [];
      anon.on('message', (d) => {
        const m = JSON.parse(String(d)) as { event?: string };
        if (m.event) got.push(m.event);
      });
      await counter.core.syncNow();
      counter.printer.setFault('paper_out');
      await counter.core.devices?.refresh();
      counter.printer.setFault(null);
      await counter.core.devices?.refresh();
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toEqual([]);
      anon.close();
    } finally {
      await counter.dispose();
    }
  });
});

async function paidBillsVisit(screen: KioskScreen, accountNo: string): Promise<string> {
  const visit = await screen.call('kiosk.begin', { locale: 'zh-CN' });
  await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: accountNo });
  const q = await screen.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
  const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest });
  customerPays(stack, outTradeNoOf(stack, order.orderId));
  await screen.call('kiosk.order.status', { visitId: visit.visitId });
  const d = await screen.call('kiosk.deliver', { visitId: visit.visitId });
  return d.transactionId as string;
}

function openWs(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
