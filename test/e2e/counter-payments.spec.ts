/**
 * The counter's payment methods end to end, in both languages: a late fee explained day range by
 * day range and partly waived with a supervisor's approval; payments by cash, by the customer's
 * payment code (scanned by the counter's POS scanner, charged at the gateway, its e-invoice QR on
 * screen and on paper) and by bank card (POS reference number); then a void approved by the
 * supervisor (a wrong PIN first) — with the receipts the simulated printer decoded.
 */
import { expect, test, type Page } from '@playwright/test';
import { DEMO_SUPERVISOR, fontsReady, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
const ACCOUNT = '3100000001';
const PAYMENT_CODE = '134567890123456789';

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
const fenOf = (text: string) => Math.round(Number(text.replace(/[¥,]/g, '')) * 100);

async function lookUp(page: Page): Promise<void> {
  await page.getByTestId('lookup-query').fill(ACCOUNT);
  await page.getByTestId('lookup-submit').click();
  await expect(page.getByTestId('account-no')).toHaveText(ACCOUNT);
}

/** Takes the payment with the panel as filled: a part payment is read back and confirmed once. */
async function takePayment(page: Page): Promise<void> {
  await page.getByTestId('pay-submit').click();
  await expect(page.getByTestId('confirm-amount')).toBeVisible();
  await page.getByTestId('confirm-pay').click();
  await expect(page.getByTestId('payment-done')).toBeVisible({ timeout: 20_000 });
}

async function approve(page: Page, pin: string): Promise<void> {
  await page.getByTestId('supervisor-id').fill(DEMO_SUPERVISOR.id);
  await page.getByTestId('supervisor-pin').fill(pin);
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`late-fee explanation and waiver, payments by cash, code and card, a void with approval (${lang})`, async ({ page }) => {
    const L =
      lang === 'zh-CN'
        ? { rule: '居民', waived: '已减免', printed: '收据已打印', voided: '已作废', denied: '审批人工号或密码错误', voidSlip: '收费作废凭条', waiverSlip: '违约金减免凭条', qr: '扫码获取电子发票' }
        : { rule: 'Residential', waived: 'waived', printed: 'Receipt printed', voided: 'Payment voided', denied: 'Wrong supervisor ID or PIN', voidSlip: 'VOID', waiverSlip: 'LATE FEE WAIVER', qr: 'Scan for your e-invoice' };
    await openAndSignIn(page, stack(), lang);
    await lookUp(page);

    // The overdue bill's late fee, explained.
    const fee = page.getByTestId('late-fee-explain').first();
    const feeFen = fenOf((await fee.textContent())!);
    expect(feeFen).toBeGreaterThan(0);
    await fee.click();
    const explainer = page.getByTestId('late-fee-explainer');
    await expect(explainer).toBeVisible();
    await expect(page.getByTestId('late-fee-rule')).toContainText(L.rule);
    await expect(page.getByTestId('late-fee-segment').first()).toBeVisible();
    await expect(page.getByTestId('late-fee-due')).toHaveText(yuan(feeFen));
    await shot(page, `payments-${lang}-1-late-fee-explained`);

    // Half of it waived with the supervisor's approval — while the clerk has already typed an
    // amount: the refreshed total must not replace it under the clerk's fingers.
    const totalBefore = fenOf((await page.getByTestId('total-due').textContent())!);
    await page.getByTestId('amount').fill('50.00');
    const half = Math.floor(feeFen / 2);
    await page.getByTestId('waive-open').click();
    await page.getByTestId('waiver-amount').fill((half / 100).toFixed(2));
    await page.getByTestId('waiver-reason').selectOption('first_time');
    await approve(page, DEMO_SUPERVISOR.pin);
    await page.getByTestId('waiver-submit').click();
    await expect(page.getByTestId('waiver-done')).toBeVisible();
    await expect(page.getByTestId('late-fee-waived')).toHaveText(yuan(half));
    await expect(page.getByTestId('total-due')).toHaveText(yuan(totalBefore - half));
    await expect(page.getByTestId('amount')).toHaveValue('50.00');
    await expect(page.getByTestId('due-changed')).toContainText(yuan(totalBefore - half));
    await expect(page.getByTestId('bills')).toContainText(L.waived);
    await shot(page, `payments-${lang}-2-late-fee-waived`);
    expect((await stack().printer.waitForJob(0, 5000)).text).toContain(L.waiverSlip);

    // Cash: part of what is due, with change.
    await page.getByTestId('method-cash').click();
    await page.getByTestId('amount').fill('50.00');
    await page.getByTestId('tendered').fill('100.00');
    await takePayment(page);
    await expect(page.getByTestId('change')).toHaveText('¥50.00');
    await expect(page.getByTestId('receipt-status')).toHaveText(L.printed);
    await page.getByTestId('next-customer').click();

    // The customer's payment code, scanned by the counter's POS scanner into the pay panel.
    await lookUp(page);
    await page.getByTestId('method-code').click();
    await page.getByTestId('amount').fill('30.00');
    await expect(page.getByTestId('auth-code')).toBeVisible();
    stack().hall.pos.scan(PAYMENT_CODE);
    await expect(page.getByTestId('auth-code')).toHaveValue(PAYMENT_CODE);
    // The scan went to the payment, not to the account search.
    await expect(page.getByTestId('lookup-query')).toHaveValue(ACCOUNT);
    await takePayment(page);
    await expect(page.getByTestId('external-ref-code')).toHaveText(/^GW\d{18}$/);
    const qr = page.getByTestId('invoice-qr');
    await expect(qr).toBeVisible();
    const invoiceUrl = (await qr.getAttribute('data-content'))!;
    expect(invoiceUrl).toMatch(/\/invoices\/FP\d{16}$/);
    await fontsReady(page);
    await shot(page, `payments-${lang}-3-paid-by-code`);
    const codeReceipt = await stack().printer.waitForJob(2, 5000);
    expect(codeReceipt.text).toContain(`[QR] ${invoiceUrl}`);
    expect(codeReceipt.text).toContain(L.qr);
    await page.getByTestId('next-customer').click();

    // A bank card on the separate bank POS, recorded with its reference number.
    await lookUp(page);
    await page.getByTestId('method-card').click();
    await page.getByTestId('amount').fill('20.00');
    await page.getByTestId('card-reference').fill('240613001234');
    await takePayment(page);
    await expect(page.getByTestId('external-ref-card')).toHaveText('240613001234');
    await shot(page, `payments-${lang}-4-paid-by-card`);

    // Void the card payment: the bank POS void slip's reference, a wrong PIN first, then approved.
    await page.getByTestId('void').click();
    await page.getByTestId('reversal-reason').selectOption('wrong_method');
    await page.getByTestId('reversal-card-reference').fill('240613001235');
    await approve(page, '0000');
    await page.getByTestId('reversal-submit').click();
    await expect(page.getByTestId('reversal-error')).toContainText(L.denied);
    await approve(page, DEMO_SUPERVISOR.pin);
    await page.getByTestId('reversal-submit').click();
    await expect(page.getByTestId('reversal-done')).toBeVisible();
    await expect(page.getByTestId('payment-done').locator('h2')).toHaveText(L.voided);
    await shot(page, `payments-${lang}-5-voided`);
    const voidSlip = await stack().printer.waitForJob(4, 5000);
    expect(voidSlip.text).toContain(L.voidSlip);
    expect(voidSlip.text).toContain('240613001235');

    // The account shows this terminal's payments: cash and code paid, the card one voided.
    await page.getByTestId('next-customer').click();
    await lookUp(page);
    await expect(page.getByTestId('recent-payment')).toHaveCount(3);
    await expect(page.getByTestId('recent-status').first()).toHaveText(L.voided);
    await shot(page, `payments-${lang}-6-recent`);
    const db = stack().core.db;
    expect(db.prepare('SELECT method, status FROM payments ORDER BY created_at').all()).toEqual([
      { method: 'cash', status: 'completed' },
      { method: 'code', status: 'completed' },
      { method: 'card', status: 'voided' },
    ]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'approval.failed'").get()).toEqual({ n: 1 });
  });
}
