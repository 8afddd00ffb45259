/**
 * The kiosk shows an STS token the moment it is issued and prints its slip while the customer
 * reads it: the answer carries the token while the printer is still busy (the simulator takes
 * PRINT_MS per job), the slip is the first paper (no reprint mark), and paper running out mid-slip
 * leaves the token on screen with the failure said — the vend stays delivered, nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import { customerPays, KioskScreen, outTradeNoOf, startKioskStack, until } from '../support/kiosk-stack.js';

const PRINT_MS = 1500;
const ACCOUNT = '3100000003';

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack({ printerPrintMs: PRINT_MS });
});
afterAll(async () => {
  await stack.dispose();
});

/** A paid STS top-up for ACCOUNT, identified by meter number and verified by phone. */
async function paidTopUp(screen: KioskScreen): Promise<string> {
  const meterNo = (stack.backend.db.prepare("SELECT meter_no FROM meters WHERE account_no = ? AND kind = 'sts'").get(ACCOUNT) as { meter_no: string }).meter_no;
  const phone = (stack.backend.db.prepare('SELECT phone FROM accounts WHERE account_no = ?').get(ACCOUNT) as { phone: string }).phone;
  const visit = await screen.call('kiosk.begin', { locale: 'en' });
  await screen.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: meterNo });
  await screen.call('kiosk.verify', { visitId: visit.visitId, phoneLast4: phone.slice(-4) });
  const q = await screen.call('kiosk.quoteVend', { visitId: visit.visitId, amount: '20' });
  const order = await screen.call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: '20', quoteDigest: q.quoteDigest });
  customerPays(stack, outTradeNoOf(stack, order.orderId));
  await until('paid', async () => (await screen.call('kiosk.order.status', { visitId: visit.visitId })).state === 'paid');
  return visit.visitId;
}

const journalTypes = (vendId: string) =>
  (stack.core.db.prepare("SELECT type FROM journal WHERE ref = ? AND type LIKE 'vend.%' ORDER BY seq").all(vendId) as { type: string }[]).map((r) => r.type);

describe('kiosk: the token is on screen before its slip is printed', () => {
  it('the answer carries the token while the printer is still printing; the slip follows, once, not as a reprint', async () => {
    const screen = new KioskScreen(stack);
    const visitId = await paidTopUp(screen);
    const jobsBefore = stack.printer.jobs().length;
    const d = await screen.call('kiosk.deliver', { visitId });
    expect(d.delivery).toMatchObject({ done: true, printing: true, printed: false, printError: null });
    expect(d.delivery?.token).toMatch(/^\d{20}$/);
    // The screen delivery is journaled before the token left the core; the slip is not done yet.
    expect(journalTypes(d.transactionId as string).slice(-2)).toEqual(['vend.delivery_attempted', 'vend.delivered']);

    // Asking again while it prints joins the same slip.
    expect((await screen.call('kiosk.deliver', { visitId })).delivery).toMatchObject({ token: d.delivery?.token, printing: true });
    const done = await until('slip printed', async () => {
      const again = await screen.call('kiosk.deliver', { visitId });
      return again.delivery?.printed === true ? again : null;
    }, PRINT_MS * 4);
    expect(done.delivery).toMatchObject({ token: d.delivery?.token, printing: false, printError: null });
    const slips = stack.printer.jobs().slice(jobsBefore);
    expect(slips).toHaveLength(1);
    expect(slips[0]?.text.replace(/\s/g, '')).toContain(d.delivery?.token as string);
    expect(slips[0]?.text).not.toContain('REPRINT');
    expect(journalTypes(d.transactionId as string).slice(-1)).toEqual(['vend.copy_printed']);
    await screen.call('kiosk.end', { visitId });
  }, 30_000);

  it('paper out in the middle of the slip: the token stays on screen, the failure is said, the vend stays delivered', async () => {
    const screen = new KioskScreen(stack);
    const visitId = await paidTopUp(screen);
    stack.printer.setFault('paper_out_mid_job');
    try {
      const d = await screen.call('kiosk.deliver', { visitId });
      expect(d.delivery).toMatchObject({ done: true, printing: true });
      const failed = await until('slip failed', async () => {
        const again = await screen.call('kiosk.deliver', { visitId });
        return again.delivery?.printing === false ? again : null;
      }, 20_000);
      expect(failed.delivery).toMatchObject({ done: true, token: d.delivery?.token, printed: false, printError: expect.objectContaining({ code: expect.stringMatching(/^(device|printer)\./) }) });
      const vend = stack.core.db.prepare('SELECT state, delivery FROM vends WHERE vend_id = ?').get(d.transactionId) as Record<string, string>;
      expect(vend).toEqual({ state: 'delivered', delivery: 'shown' });
      expect(journalTypes(d.transactionId as string).slice(-1)).toEqual(['vend.copy_print_failed']);
    } finally {
      stack.printer.setFault(null);
    }
    await screen.call('kiosk.end', { visitId });
  }, 40_000);
});
