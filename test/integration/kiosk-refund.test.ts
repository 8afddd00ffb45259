/**
 * A kiosk QR bill payment refunded by staff (docs/payments.md "Voids and refunds", docs/kiosk.md):
 * the kiosk's payment carries its gateway order number in its tender, so `payment.refund` with a
 * supervisor's approval gives the money back through the gateway's native-order refund and
 * reverses the settlement exactly — the terminal's cache and, after sync, the backend's ledger are
 * as before the payment. Real kiosk-mode core, SQLite, the reference backend and gateway over HTTP.
 *
 * Only the terminal that recorded a payment can reverse it (its tenders and gateway orders are
 * there), so the refund is taken on the kiosk itself by staff through the staff exit — a manager,
 * approved by the supervisor (an approval is never the requester's own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import type { Stack } from '../support/stack.js';
import { customerPays, KioskScreen, outTradeNoOf, startKioskStack } from '../support/kiosk-stack.js';

const ACCOUNT = '3100000001';
/** The demo manager (test/billing-backend/seed.ts). */
const MANAGER = { operatorId: 'M001', pin: '5678' } as const;
const APPROVAL = { reasonCode: 'customer_request' as const, supervisorId: 'S001', supervisorPin: '9999' };

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack();
});
afterAll(async () => {
  await stack.dispose();
});

const localBills = () => stack.core.db.prepare('SELECT bill_id, amount_fen, paid_fen, late_fee_paid_fen, status FROM bills WHERE account_no = ? ORDER BY bill_id').all(ACCOUNT);
const localDated = () =>
  stack.core.db.prepare('SELECT bp.bill_id, bp.payment_id, bp.paid_on, bp.principal_fen FROM bill_payments bp JOIN bills b USING (bill_id) WHERE b.account_no = ? ORDER BY 1, 2').all(ACCOUNT);
const localBalance = () => (stack.core.db.prepare('SELECT balance_fen AS b FROM accounts WHERE account_no = ?').get(ACCOUNT) as { b: number }).b;
const backendBills = () => stack.backend.db.prepare('SELECT bill_id, paid_fen, late_fee_paid_fen, status FROM bills WHERE account_no = ? ORDER BY bill_id').all(ACCOUNT);
const backendBalance = () => (stack.backend.db.prepare('SELECT balance_fen AS b FROM accounts WHERE account_no = ?').get(ACCOUNT) as { b: number }).b;

describe('kiosk QR payment refunded by staff', () => {
  it('kiosk QR bill payment → refund with supervisor approval → money back through the gateway, settlement reversed exactly', async () => {
    // The customer pays both open bills (one overdue, with its late fee) by QR at the kiosk.
    const customer = new KioskScreen(stack);
    const visit = await customer.call('kiosk.begin', { locale: 'zh-CN' });
    await customer.call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: ACCOUNT });
    // As the kiosk found it (identifying caches the account) and as the backend holds it.
    const before = { bills: localBills(), dated: localDated(), balance: localBalance() };
    const backendBefore = { bills: backendBills(), balance: backendBalance() };
    const q = await customer.call('kiosk.quoteBills', { visitId: visit.visitId, bills: 'all' });
    expect(q.lateFeeFen).toBeGreaterThan(0);
    const order = await customer.call('kiosk.order.create', { visitId: visit.visitId, what: 'bills', bills: 'all', quoteDigest: q.quoteDigest });
    const outTradeNo = outTradeNoOf(stack, order.orderId);
    customerPays(stack, outTradeNo);
    const paid = await customer.call('kiosk.order.status', { visitId: visit.visitId });
    expect(paid.state).toBe('paid');
    await customer.call('kiosk.deliver', { visitId: visit.visitId });
    await customer.call('kiosk.end', { visitId: visit.visitId });
    const paymentId = paid.transactionId as string;

    // The tender keeps the gateway order number: that is what a refund goes back by.
    const tenders = stack.core.db.prepare('SELECT method, amount_fen, external_ref, out_trade_no FROM payment_tenders WHERE payment_id = ?').all(paymentId);
    expect(tenders).toEqual([{ method: 'qr', amount_fen: q.totalFen, external_ref: expect.stringMatching(/^GW/), out_trade_no: outTradeNo }]);
    await stack.core.syncNow();
    expect(localBills()).not.toEqual(before.bills);
    expect(backendBills()).not.toEqual(backendBefore.bills);

    // Later, the customer asks for the money back: staff leave the customer screens and refund it.
    const staff = new KioskScreen(stack);
    await staff.call('kiosk.staffExit', { ...MANAGER, via: 'keypad' });
    // The manager cannot approve their own refund.
    expect(await staff.code('payment.refund', { requestId: crypto.randomUUID(), paymentId, reasonCode: 'customer_request', supervisorId: MANAGER.operatorId, supervisorPin: MANAGER.pin })).toBe(
      'approval.self_approval',
    );
    const requestId = crypto.randomUUID();
    const r = await staff.call('payment.refund', { requestId, paymentId, ...APPROVAL });
    expect(r.payment.status).toBe('refunded');
    expect(r.reversal).toMatchObject({ kind: 'refund', state: 'completed', amountFen: q.totalFen, approvedBy: 'S001' });

    // The money went back through the gateway's native-order refund, in full, once.
    expect(stack.backend.kiosk.refunds()).toEqual([{ outRefundNo: expect.any(String), outTradeNo, amountFen: q.totalFen, refundNo: expect.stringMatching(/^RF/) }]);
    expect(stack.backend.kiosk.query(outTradeNo).status).toBe('refunded');
    const refunded = journalEntries(stack.core.db).filter((e) => e.type === 'payment.refunded');
    expect(refunded.map((e) => e.payload)).toEqual([
      expect.objectContaining({ paymentId, method: 'qr', approvedBy: 'S001', tenders: [{ method: 'qr', fen: q.totalFen, externalRef: stack.backend.kiosk.refunds()[0]?.refundNo }] }),
    ]);

    // The settlement reversed exactly: every bill's principal and late fee back, the dated payments gone.
    expect(localBills()).toEqual(before.bills);
    expect(localDated()).toEqual(before.dated);
    expect(localBalance()).toBe(before.balance);

    // Asked again: the same refund, nothing refunded twice.
    await staff.call('payment.refund', { requestId, paymentId, ...APPROVAL });
    expect(stack.backend.kiosk.refunds()).toHaveLength(1);

    // The backend reverses what it applied.
    await stack.core.syncNow();
    expect(backendBills()).toEqual(backendBefore.bills);
    expect(backendBalance()).toBe(backendBefore.balance);
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM exceptions').get()).toEqual({ n: 0 });
    expect(verifyJournal(stack.core.db).ok).toBe(true);
  });
});
