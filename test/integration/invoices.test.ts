/**
 * E-invoices against the real core, backend and printer simulator: after a payment the backend
 * issues an invoice and the printed receipt carries its link as a QR code (decoded from the ESC/POS
 * bytes: GS ( k); when the invoice service is down the receipt says it is being issued, the request
 * rides the outbox, the backend issues it once it can, and the reprint — numbered — carries the QR.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

const ACCOUNT = '3100000001';

describe('e-invoices', () => {
  it('issued at once: the receipt prints the invoice link as a native QR code, and the screen gets the same link', async () => {
    const s = await signedIn(stack.core);
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '20.00' }, s);
    expect(paid.invoice).toEqual({ state: 'issued', invoiceNo: expect.stringMatching(/^FP\d{16}$/), url: `${stack.backend.url}/invoices/${paid.invoice?.invoiceNo}` });
    const job = await stack.printer.waitForJob(0, 5000);
    expect(job.text).toContain(`[QR] ${paid.invoice?.url}`);
    expect(job.text).toContain('扫码获取电子发票');
    expect(job.text).toContain(paid.invoice?.invoiceNo);
    expect(job.commands).toContain(`GS ( k QR ${JSON.stringify(paid.invoice?.url)}`);
    expect(job.commands).toContain('GS ( k QR print');
    // The link opens the invoice page.
    const page = await fetch(paid.invoice!.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(paid.invoice!.invoiceNo!);
    const preview = await call(stack.core, 'receipt.preview', { paymentId: paid.paymentId, receiptLocale: 'en' }, s);
    expect(preview.lines).toContain(`[QR] ${paid.invoice?.url}`);
  });

  it('the invoice service down: pending on the receipt, retried via the outbox, the numbered reprint carries the QR; a void cancels it', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ failInvoices: true });
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '20.00' }, s);
    expect(paid.invoice).toEqual({ state: 'requested', invoiceNo: null, url: null });
    const first = await stack.printer.waitForJob(0, 5000);
    expect(first.text).toContain('电子发票开具中');
    expect(first.text).not.toContain('[QR]');
    // The request went out with the payment (outbox), and the backend holds it pending.
    await stack.core.syncNow();
    expect(stack.backend.db.prepare("SELECT type FROM events WHERE type = 'invoice.requested'").all()).toHaveLength(1);
    expect(stack.backend.db.prepare('SELECT status FROM invoices').all()).toEqual([{ status: 'pending' }]);
    const stillDown = await call(stack.core, 'receipt.reprint', { paymentId: paid.paymentId }, s);
    expect(stillDown.printed).toBe(true);
    expect((await stack.printer.waitForJob(1, 5000)).text).toContain('*** 补打第1次 ***');

    stack.backend.setKnobs({ failInvoices: false });
    await call(stack.core, 'receipt.reprint', { paymentId: paid.paymentId, receiptLocale: 'en' }, s);
    const reprint = await stack.printer.waitForJob(2, 5000);
    const issued = await call(stack.core, 'payment.get', { paymentId: paid.paymentId }, s);
    expect(issued.invoice?.state).toBe('issued');
    expect(reprint.text).toContain('*** REPRINT #2 ***');
    expect(reprint.text).toContain(`[QR] ${issued.invoice?.url}`);
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'invoice.issued'").get()).toEqual({ n: 1 });

    await call(stack.core, 'payment.void', { requestId: crypto.randomUUID(), paymentId: paid.paymentId, reasonCode: 'duplicate', supervisorId: 'S001', supervisorPin: '9999' }, s);
    await stack.core.syncNow();
    expect(stack.backend.db.prepare('SELECT status FROM invoices').all()).toEqual([{ status: 'cancelled' }]);
    expect((await call(stack.core, 'payment.get', { paymentId: paid.paymentId }, s)).invoice?.state).toBe('cancelled');
  });
});
