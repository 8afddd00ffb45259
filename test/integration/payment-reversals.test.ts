/**
 * Voids and refunds against the real core, cache, backend and gateway: a void after the payment
 * was synced (the backend reverses what it applied; the next snapshot shows the bills as before),
 * a refund of a payment-code bill payment on a later day (money back through the gateway, late
 * fees replay without it), the same before sync (laid over snapshots that do not hold it yet), and
 * what is never reversed: a prepaid vend's recovery, a card part without the bank's reference.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../main/contract/index.js';
import { call, DEMO_NOW, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
afterEach(async () => stack.dispose());

const ACCOUNT = '3100000001';
const APPROVAL = { reasonCode: 'wrong_amount' as const, supervisorId: 'S001', supervisorPin: '9999' };

/** A clock that runs from the demo date and can be moved on by whole days. */
function steppedClock(): { clock: () => Date; advanceDays: (n: number) => void } {
  const started = Date.now();
  let offset = 0;
  return {
    clock: () => new Date(DEMO_NOW.getTime() + (Date.now() - started) + offset),
    advanceDays: (n) => {
      offset += n * 86_400_000;
    },
  };
}

function bills(view: AccountView) {
  return view.openBills.map((b) => ({ billId: b.billId, outstandingFen: b.outstandingFen, lateFeeFen: b.lateFeeFen }));
}
function backendBills() {
  return stack.backend.db
    .prepare('SELECT bill_id, paid_fen, late_fee_paid_fen, status FROM bills WHERE account_no = ? ORDER BY bill_id')
    .all(ACCOUNT);
}
function backendBalance(): number {
  return (stack.backend.db.prepare('SELECT balance_fen AS b FROM accounts WHERE account_no = ?').get(ACCOUNT) as { b: number }).b;
}

describe('voids and refunds', () => {
  it('a void after sync: the backend reverses what it applied, and a fresh lookup shows the bills as before', async () => {
    stack = await startStack({ payments: { invoices: false } });
    const s = await signedIn(stack.core);
    const before = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    const backendBefore = { bills: backendBills(), balance: backendBalance() };
    // More than is due: the overdue bill's fee and principal, the next bill, the rest to the balance.
    const amount = ((before.totalDueFen + 5000) / 100).toFixed(2);
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount }, s);
    expect(paid.allocations.some((a) => a.lateFeeFen > 0)).toBe(true);
    await stack.core.syncNow();
    expect(backendBills()).not.toEqual(backendBefore.bills);
    const afterPay = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(afterPay.openBills).toEqual([]);

    // The void waits in the outbox while the backend holds events (lookups still work).
    stack.backend.setKnobs({ holdEvents: true });
    const r = await call(stack.core, 'payment.void', { requestId: crypto.randomUUID(), paymentId: paid.paymentId, ...APPROVAL }, s);
    expect(r.reversal).toMatchObject({ kind: 'void', state: 'completed', amountFen: paid.amountFen });
    expect(r.receipt.printed).toBe(true);
    // Before the void reaches the backend: the snapshot still holds the payment; the void is laid over it.
    const laidOver = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(bills(laidOver)).toEqual(bills(before));
    expect(laidOver.balanceFen).toBe(before.balanceFen);
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE type = 'payment.voided'").get()).toEqual({ n: 1 });

    stack.backend.setKnobs({ holdEvents: false });
    await stack.core.syncNow();
    expect(backendBills()).toEqual(backendBefore.bills);
    expect(backendBalance()).toBe(backendBefore.balance);
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM bill_payments WHERE event_id = ?').get(paid.paymentId)).toEqual({ n: 0 });
    const afterSync = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(bills(afterSync)).toEqual(bills(before));
    expect(afterSync.balanceFen).toBe(before.balanceFen);
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM exceptions').get()).toEqual({ n: 0 });

    // The void receipt, decoded by the printer simulator.
    const job = await stack.printer.waitForJob(1, 5000);
    expect(job.text).toContain('收费作废凭条');
    expect(job.text).toContain(paid.paymentId);
    expect(job.text).toContain('S001');
  });

  it('a refund of a payment-code bill payment on a later day: money back through the gateway, late fees replay without it', async () => {
    const { clock, advanceDays } = steppedClock();
    stack = await startStack({ clock, payments: { invoices: false } });
    let s = await signedIn(stack.core);
    const before = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    const overdue = before.openBills.find((b) => b.daysOverdue > 0)!;
    const amount = ((overdue.outstandingFen + overdue.lateFeeFen) / 100).toFixed(2);
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount, authCode: '284567890123456789' }, s);
    await stack.core.syncNow();

    advanceDays(3);
    // Three days on: a new session (the old one timed out) and the next shift.
    s = await signedIn(stack.core);
    const voidLate = await stack.core.dispatch('payment.void', { requestId: crypto.randomUUID(), paymentId: paid.paymentId, ...APPROVAL }, s);
    expect(voidLate).toMatchObject({ ok: false, error: { code: 'payment.void_window_passed' } });
    const r = await call(stack.core, 'payment.refund', { requestId: crypto.randomUUID(), paymentId: paid.paymentId, ...APPROVAL, reasonCode: 'customer_request' }, s);
    expect(r.payment.status).toBe('refunded');
    const refunds = stack.backend.db.prepare('SELECT out_trade_no, amount_fen FROM gateway_code_refunds').all();
    expect(refunds).toEqual([{ out_trade_no: `C${paid.paymentId.replace(/-/g, '')}`, amount_fen: paid.amountFen }]);
    const event = JSON.parse((stack.core.db.prepare("SELECT payload FROM journal WHERE type = 'payment.refunded'").get() as { payload: string }).payload) as {
      tenders: { method: string; externalRef: string }[];
    };
    expect(event.tenders).toEqual([{ method: 'code', fen: paid.amountFen, externalRef: expect.stringMatching(/^RF/) }]);

    // Three days later the overdue bill owes its whole principal and three more days of fee.
    await stack.core.syncNow();
    const after = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    const again = after.openBills.find((b) => b.billId === overdue.billId)!;
    expect(again.outstandingFen).toBe(overdue.outstandingFen);
    // Residential 0.1 %/day over the whole overdue time, rounded once, as if never paid.
    expect(again.lateFeeFen).toBe(Math.max(100, Math.round((overdue.outstandingFen * (overdue.daysOverdue + 3)) / 1000)));
    expect(again.daysOverdue).toBe(overdue.daysOverdue + 3);
    // The same refund asked again returns the first one and refunds nothing more.
    const requestId = (stack.core.db.prepare('SELECT request_id FROM payment_reversals').get() as { request_id: string }).request_id;
    await call(stack.core, 'payment.refund', { requestId, paymentId: paid.paymentId, ...APPROVAL, reasonCode: 'customer_request' }, s);
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM gateway_code_refunds').get()).toEqual({ n: 1 });
  });

  it('a refund the gateway cannot take now is completed once it answers, never twice', async () => {
    stack = await startStack({ payments: { invoices: false, gatewayTimeoutMs: 500 } });
    const s = await signedIn(stack.core);
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '25.00', authCode: '134567890123456789' }, s);
    stack.backend.setKnobs({ down: true });
    const requestId = crypto.randomUUID();
    const away = await stack.core.dispatch('payment.void', { requestId, paymentId: paid.paymentId, ...APPROVAL }, s);
    expect(away).toMatchObject({ ok: false, error: { code: 'payment.refund_unavailable' } });
    expect(stack.core.db.prepare('SELECT state FROM payment_reversals').all()).toEqual([{ state: 'requested' }]);
    expect(stack.core.db.prepare('SELECT status FROM payments').all()).toEqual([{ status: 'completed' }]);
    stack.backend.setKnobs({ down: false });
    const r = await call(stack.core, 'payment.void', { requestId, paymentId: paid.paymentId, ...APPROVAL }, s);
    expect(r.payment.status).toBe('voided');
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM gateway_code_refunds').get()).toEqual({ n: 1 });
  });

  it('what is never reversed here: a vend recovery (its token was delivered); a card part without the bank POS reference', async () => {
    stack = await startStack({ payments: { invoices: false } });
    const s = await signedIn(stack.core);
    const card = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'card', amount: '30.00', cardReference: '240613009876' }, s);
    const noRef = await stack.core.dispatch('payment.void', { requestId: crypto.randomUUID(), paymentId: card.paymentId, ...APPROVAL }, s);
    expect(noRef).toMatchObject({ ok: false, error: { code: 'payment.card_reference_required' } });
    const voided = await call(stack.core, 'payment.void', { requestId: crypto.randomUUID(), paymentId: card.paymentId, ...APPROVAL, cardReference: '240613009877' }, s);
    expect(voided.reversal.cardReference).toBe('240613009877');

    // A prepaid vend's arrears recovery is written as a payment with request id vend:<id>.
    stack.core.db
      .prepare(
        `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, change_fen, to_balance_fen, operator_id, status, created_at)
         VALUES ('0193a5c0-0000-7000-8000-0000000000ff', 'vend:v1', ?, 'cash', 100, 0, 100, 'C001', 'completed', ?)`,
      )
      .run(ACCOUNT, new Date().toISOString());
    const vend = await stack.core.dispatch('payment.refund', { requestId: crypto.randomUUID(), paymentId: '0193a5c0-0000-7000-8000-0000000000ff', ...APPROVAL }, s);
    expect(vend).toMatchObject({ ok: false, error: { code: 'payment.part_of_vend' } });
    // Refused before any PIN was tried: no approval journaled for it.
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'approval.failed'").get()).toEqual({ n: 0 });
  });
});
