/**
 * Offline sync: a payment taken while the backend is unreachable waits in the outbox, reaches the
 * backend exactly once when it returns, and replaying the same batch creates no duplicate.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendClient } from '../../main/sync/backend-client.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

/** The payments in the backend's ledger (each payment also queues its e-invoice request). */
function ledger() {
  return stack.backend.db
    .prepare("SELECT event_id AS eventId FROM events WHERE terminal_id = ? AND type = 'payment.created' ORDER BY seq")
    .all(DEMO_TERMINAL.id) as { eventId: string }[];
}

function backendBill(billId: string) {
  return stack.backend.db.prepare('SELECT paid_fen AS paidFen, status FROM bills WHERE bill_id = ?').get(billId) as { paidFen: number; status: string };
}

describe('offline payment and catch-up', () => {
  it('reaches the backend exactly once after it comes back', async () => {
    const { core, backend } = stack;
    const s = await signedIn(core);
    const online = await call(core, 'account.lookup', { accountNo: '3100000001' }, s);
    expect(online.source).toBe('online');
    const due = online.totalDueFen;
    const oldest = online.openBills[0]!;

    backend.setKnobs({ down: true });
    const paid = await call(
      core,
      'payment.create',
      { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: (due / 100).toFixed(2), tendered: '1000' },
      s,
    );
    const offlineView = await core.dispatch('account.lookup', { accountNo: '3100000001' }, s);
    expect(offlineView).toMatchObject({ ok: true, result: { source: 'cache', openBills: [] } });
    await core.syncNow();
    // The payment and its e-invoice request wait; nothing has reached the ledger.
    expect(peekOutbox(core.db, 10).map((r) => r.type)).toEqual(['payment.created', 'invoice.requested']);
    expect(ledger()).toHaveLength(0);
    expect(backendBill(oldest.billId).status).toBe('open');

    backend.setKnobs({ down: false });
    const status = await core.syncNow();
    expect(status).toMatchObject({ pending: 0, online: true });
    expect(ledger()).toEqual([{ eventId: paid.paymentId }]);
    expect(backendBill(oldest.billId)).toEqual({ paidFen: oldest.amountFen, status: 'paid' });

    // A second push has nothing to send; a fresh lookup shows the bills paid by the backend itself.
    await core.syncNow();
    expect(ledger()).toHaveLength(1);
    expect(await core.dispatch('account.lookup', { accountNo: '3100000001' }, s)).toMatchObject({ ok: true, result: { source: 'online', openBills: [] } });
  });

  it('replaying the same outbox batch creates no duplicate', async () => {
    const { core, backend } = stack;
    const s = await signedIn(core);
    backend.setKnobs({ down: true });
    await core.dispatch('account.lookup', { accountNo: '3100000005' }, s); // not cached: refused, nothing written
    backend.setKnobs({ down: false });
    await core.dispatch('account.lookup', { accountNo: '3100000005' }, s);
    backend.setKnobs({ down: true });
    for (const amount of ['10.00', '20.50']) {
      const r = await core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000005', method: 'cash', amount }, s);
      expect(r.ok).toBe(true);
    }
    const batch = peekOutbox(core.db, 10)
      .filter((r) => r.type === 'payment.created')
      .map((r) => ({ eventId: r.eventId, seq: r.seq, type: r.type, occurredAt: r.occurredAt, payload: r.payload }));
    expect(batch).toHaveLength(2);
    backend.setKnobs({ down: false });
    await core.syncNow();
    expect(ledger()).toHaveLength(2);
    const balanceAfterFirst = stack.backend.db.prepare("SELECT balance_fen AS b FROM accounts WHERE account_no = '3100000005'").get();

    const client = new BackendClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: stack.clock });
    const replay = await client.pushEvents(batch, 5000);
    expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(ledger()).toHaveLength(2);
    expect(stack.backend.db.prepare("SELECT balance_fen AS b FROM accounts WHERE account_no = '3100000005'").get()).toEqual(balanceAfterFirst);
  });

  it('the same payment request twice is one payment', async () => {
    const { core } = stack;
    const s = await signedIn(core);
    const requestId = crypto.randomUUID();
    const params = { requestId, accountNo: '3100000001', method: 'cash', amount: '50.00' } as const;
    const both = await Promise.allSettled([call(core, 'payment.create', params, s), call(core, 'payment.create', params, s)]);
    const ids = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value.paymentId] : []));
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(1);
    const again = await core.dispatch('payment.create', params, s);
    expect(again).toMatchObject({ ok: true, result: { paymentId: ids[0] } });
    expect((core.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n).toBe(1);
  });
});
