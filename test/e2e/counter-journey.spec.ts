/**
 * The first clerk journey end to end, in both languages: sign in, find the account, see its open
 * bills, take cash with change, and read the receipt the simulated printer decoded.
 */
import { expect, test, type Page } from '@playwright/test';
import { fontsReady, openAndSignIn as signInAs, SHOTS, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
const openAndSignIn = (page: Page, lang: Lang) => signInAs(page, stack(), lang);

function paymentsCount(): number {
  return (stack().core.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n;
}

for (const lang of ['zh-CN', 'en'] as const) {
  test(`counter cash payment with change and printed receipt (${lang})`, async ({ page }) => {
    const labels = lang === 'zh-CN'
      ? { done: '收费成功', account: '户号', paid: '实收金额', clerk: '收费员', printed: '收据已打印' }
      : { done: 'Payment recorded', account: 'Account', paid: 'Amount paid', clerk: 'Clerk', printed: 'Receipt printed' };

    await openAndSignIn(page, lang);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/counter-${lang}-1-signed-in.png` });

    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');
    const rows = page.getByTestId('bill-row');
    await expect(rows).toHaveCount(2);
    const totalDue = (await page.getByTestId('total-due').textContent())!.trim();
    expect(totalDue).toMatch(/^¥[\d,]+\.\d{2}$/);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/counter-${lang}-2-account.png`, fullPage: true });

    // The amount field starts at the total due; the customer hands over more cash than that.
    const amountText = await page.getByTestId('amount').inputValue();
    const amountFen = Math.round(Number(amountText) * 100);
    expect(`¥${(amountFen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`).toBe(totalDue);
    const tenderedFen = Math.ceil((amountFen + 1) / 10000) * 10000;
    await page.getByTestId('tendered').fill((tenderedFen / 100).toFixed(2));
    await page.getByTestId('pay-submit').click();

    await expect(page.getByTestId('payment-done')).toContainText(labels.done);
    const change = tenderedFen - amountFen;
    await expect(page.getByTestId('change')).toHaveText(`¥${(change / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    await expect(page.getByTestId('receipt-status')).toHaveText(labels.printed);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/counter-${lang}-3-paid.png`, fullPage: true });

    const job = await stack().printer.waitForJob(0, 5000);
    expect(job.text).toContain('3100000001');
    expect(job.text).toContain(totalDue);
    expect(job.text).toContain('C001');
    expect(job.text).toContain(labels.account);
    expect(job.text).toContain(labels.paid);
    expect(job.text).toContain(labels.clerk);
    expect(job.cut).toBe(true);

    // The on-screen preview is the same receipt model the printer printed.
    await page.getByTestId('preview-toggle').click();
    const preview = page.getByTestId('receipt-preview');
    await expect(preview).toContainText('3100000001');
    await expect(preview).toContainText(totalDue);
    expect((await preview.textContent())!.split('\n').slice(0, 4)).toEqual(job.text.split('\n').slice(0, 4));
    await page.screenshot({ path: `${SHOTS}/counter-${lang}-4-preview.png`, fullPage: true });

    // Settled: the bills are gone on a fresh lookup, and exactly one payment was written.
    await page.getByTestId('next-customer').click();
    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('no-open-bills')).toBeVisible();
    expect(paymentsCount()).toBe(1);
  });

  test(`bad amounts and unknown accounts are refused with a translated message and write nothing (${lang})`, async ({ page }) => {
    const messages = lang === 'zh-CN'
      ? { zero: '金额必须大于 0', numeric: '金额必须是数字', decimals: '金额最多两位小数', large: '金额过大', unknown: '未找到户号 3199999999' }
      : { zero: 'greater than 0', numeric: 'must be a number', decimals: 'At most two decimals', large: 'Amount too large', unknown: 'Account 3199999999 not found' };
    await openAndSignIn(page, lang);

    await page.getByTestId('lookup-query').fill('3199999999');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('error')).toContainText(messages.unknown);

    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');

    const cases: [string, string][] = [
      ['0', messages.zero],
      ['-5', messages.zero],
      ['abc', messages.numeric],
      ['12.345', messages.decimals],
      ['12345678901234567890', messages.large],
    ];
    for (const [input, message] of cases) {
      await page.getByTestId('amount').fill(input);
      await page.getByTestId('pay-submit').click();
      await expect(page.getByTestId('error')).toContainText(message);
      await page.screenshot({ path: `${SHOTS}/counter-${lang}-bad-amount-${input.length > 6 ? 'long' : input}.png` });
    }
    expect(paymentsCount()).toBe(0);
    expect((stack().core.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n).toBe(0);
    expect(stack().printer.jobs()).toHaveLength(0);
  });
}

test('a scanned bill barcode finds the customer, from the POS scanner or a keyboard-wedge burst', async ({ page }) => {
  await openAndSignIn(page, 'zh-CN');
  const billId = (stack().backend.db.prepare("SELECT bill_id AS id FROM bills WHERE account_no = '3100000005' AND status = 'open' LIMIT 1").get() as { id: string }).id;

  // HID POS scanner read by the core, arriving as a scan.received event.
  await expect(page.getByTestId('lookup-query')).toBeVisible();
  stack().hall.pos.scan(billId);
  await expect(page.getByTestId('account-no')).toHaveText('3100000005');
  await expect(page.getByTestId('lookup-query')).toHaveValue(billId);

  // A wedge scanner owned by the OS types a burst ending in Enter while no field has focus. The keys
  // are dispatched in one go, as a scanner sends them: typed through Playwright on a loaded machine
  // their gaps would be the machine's, not the scanner's.
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await expect(page.getByTestId('lookup-query')).not.toBeFocused();
  await page.evaluate(`for (const key of [...'3100000001', 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))`);
  await expect(page.getByTestId('account-no')).toHaveText('3100000001');
});

