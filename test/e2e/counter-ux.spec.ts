/**
 * The counter as a clerk in a hurry uses it: keyboard only where possible (Enter submits, focus
 * lands where the next thing is typed), change due shown while the cash is typed, an amount other
 * than the total due confirmed before the money is taken, the results list by arrow keys, errors
 * gone once the input changes, the cached-data warning, and 1024×768 without clipping — in both
 * languages, with screenshots of each step.
 */
import { expect, test, type Page } from '@playwright/test';
import { openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();

function paymentsCount(): number {
  return (stack().core.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n;
}

const yuan = (fen: number) => `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
const fenOf = (text: string) => Math.round(Number(text.replace(/[¥,]/g, '')) * 100);

async function totalDueFen(page: Page): Promise<number> {
  const text = (await page.getByTestId('total-due').textContent())!.trim();
  expect(text).toMatch(/^¥[\d,]+\.\d{2}$/);
  return fenOf(text);
}

/** zh-CN screens carry no English words (raw i18n keys included); ids (payment, e-invoice, trade numbers), amounts and the brand aside. */
async function expectNoLatinWords(page: Page): Promise<void> {
  // A string runs in the page, so this Node-typed file needs no DOM types.
  const text = (await page.evaluate(`(() => {
    const copy = document.querySelector('main').cloneNode(true);
    copy.querySelectorAll('[data-testid="payment-id"], [data-testid="invoice-no"], [data-testid^="external-ref"], [data-testid="receipt-preview"], input').forEach((n) => n.remove());
    return copy.innerText;
  })()`)) as string;
  expect(text.match(/[A-Za-z]{2,}[\w.]*/g)?.filter((w) => w !== 'PIN') ?? []).toEqual([]);
}

async function lookUp(page: Page, q: string): Promise<void> {
  await page.getByTestId('lookup-query').fill(q);
  await page.getByTestId('lookup-query').press('Enter');
}

for (const lang of ['zh-CN', 'en'] as const) {
  const L = lang === 'zh-CN'
    ? { short: '还差', change: '找零', badPin: '工号或密码错误', results: '查询结果（3 户）' }
    : { short: 'Still short', change: 'Change', badPin: 'Wrong operator ID or PIN', results: '3 matches' };

  test(`keyboard flow: sign-in, lookup, live change, pay, next customer, results by arrows (${lang})`, async ({ page }) => {
    const p = `counter-ux-${lang}`;
    await page.goto(stack().host!.launchUrl);
    if (lang === 'en') await page.getByTestId('language').selectOption('en');
    await page.getByTestId('operator-id').fill('C001');
    await page.getByTestId('pin').fill('0000');
    await page.getByTestId('pin').press('Enter');
    await expect(page.getByTestId('error')).toHaveText(L.badPin);
    await expect(page.getByTestId('pin')).toBeFocused();
    await shot(page, `${p}-1-bad-pin`);
    // Typing the PIN again clears the old message.
    await page.getByTestId('pin').pressSequentially('1234');
    await expect(page.getByTestId('error')).toHaveCount(0);
    await page.getByTestId('pin').press('Enter');
    await expect(page.getByTestId('operator')).toContainText('C001');
    await expect(page.getByTestId('lookup-query')).toBeFocused();

    // A wrong number: the message goes as soon as the clerk types again.
    await lookUp(page, '3199999999');
    await expect(page.getByTestId('error')).toBeVisible();
    await page.getByTestId('lookup-query').press('Backspace');
    await expect(page.getByTestId('error')).toHaveCount(0);

    // After the lookup the cursor is in the cash field (the amount is already the total due).
    await lookUp(page, '3100000005');
    await expect(page.getByTestId('account-no')).toHaveText('3100000005');
    await expect(page.getByTestId('bill-row')).toHaveCount(3);
    await expect(page.getByTestId('tendered')).toBeFocused();
    const due = await totalDueFen(page);

    // Change due (or what is still missing) while the cash is typed, before submitting.
    await page.keyboard.type('10');
    await expect(page.getByTestId('change-due')).toHaveText(`${L.short} ${yuan(due - 1000)}`);
    await shot(page, `${p}-2-short-live`);
    const tendered = Math.ceil((due + 1) / 10000) * 10000;
    await page.getByTestId('tendered').fill(String(tendered / 100));
    await expect(page.getByTestId('change-due')).toHaveText(`${L.change} ${yuan(tendered - due)}`);
    if (lang === 'zh-CN') await expectNoLatinWords(page);
    await shot(page, `${p}-3-change-live`);

    // Enter pays (the amount is the total due: no confirmation); then Enter is "next customer".
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('payment-done')).toBeVisible();
    await expect(page.getByTestId('paid-account')).toContainText('3100000005');
    await expect(page.getByTestId('change')).toHaveText(yuan(tendered - due));
    await expect(page.getByTestId('next-customer')).toBeFocused();
    if (lang === 'zh-CN') await expectNoLatinWords(page);
    await shot(page, `${p}-4-paid`);
    expect(paymentsCount()).toBe(1);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('payment-done')).toHaveCount(0);
    await expect(page.getByTestId('lookup-query')).toBeFocused();
    await expect(page.getByTestId('lookup-query')).toHaveValue('');

    // Several customers match: ↓ walks the list, Enter opens the chosen one, ↑ from the top returns.
    await page.keyboard.type('林');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('match')).toHaveCount(3);
    await expect(page.getByTestId('matches').locator('h3')).toHaveText(L.results);
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('match').nth(0)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('lookup-query')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('match').nth(1)).toBeFocused();
    await shot(page, `${p}-5-results-keyboard`);
    const chosen = (await page.getByTestId('match').nth(1).locator('strong').textContent())!;
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('account-no')).toHaveText(chosen);
  });
}

test('an amount other than the total due is confirmed first: more goes to the balance, less stays owed (en)', async ({ page }) => {
  await openAndSignIn(page, stack(), 'en');
  await lookUp(page, '3100000001');
  await expect(page.getByTestId('account-no')).toHaveText('3100000001');
  const due = await totalDueFen(page);

  // Less than due: confirm text names what stays owed; Escape goes back to the amount, nothing taken.
  await page.getByTestId('amount').fill('100');
  await page.getByTestId('amount').press('Enter');
  await expect(page.getByTestId('confirm-text')).toHaveText(`The amount ¥100.00 is less than the total due ${yuan(due)}: ${yuan(due - 10000)} will still be owed.`);
  await expect(page.getByTestId('confirm-pay')).toBeFocused();
  await shot(page, 'counter-ux-en-6-confirm-under');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-amount')).toHaveCount(0);
  await expect(page.getByTestId('amount')).toBeFocused();
  expect(paymentsCount()).toBe(0);

  // More than due: the extra is named; editing the amount withdraws the question.
  await page.keyboard.type('1000');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm-text')).toHaveText(`The amount ¥1,000.00 is more than the total due ${yuan(due)}: ${yuan(100000 - due)} goes to the prepaid balance.`);
  await page.getByTestId('tendered').fill('1000');
  await expect(page.getByTestId('confirm-amount')).toHaveCount(0);
  await page.getByTestId('tendered').press('Enter');
  await expect(page.getByTestId('confirm-pay')).toHaveText('Confirm ¥1,000.00');
  await shot(page, 'counter-ux-en-7-confirm-over');
  expect(paymentsCount()).toBe(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('payment-done')).toBeVisible();
  await expect(page.getByTestId('to-balance')).toHaveText(yuan(100000 - due));
  await expect(page.getByTestId('paid-amount')).toHaveText('¥1,000.00');
  expect(paymentsCount()).toBe(1);
});

test('printer out of paper, reprint, language switch mid-flow, backend down, 1024×768 (zh-CN)', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await openAndSignIn(page, stack(), 'zh-CN');
  const noHorizontalOverflow = async () =>
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  const topbarOneLine = async () => expect((await page.locator('.topbar').boundingBox())!.height).toBeLessThan(70);

  stack().printer.setFault('paper_out');
  await lookUp(page, '3100000006');
  await expect(page.getByTestId('account-no')).toHaveText('3100000006');
  await expect(page.getByTestId('device-banner')).toBeVisible({ timeout: 10_000 });
  // The bill table keeps its periods and due dates on one line at 1024 px.
  const periodCell = page.getByTestId('bill-row').first().locator('td').first();
  expect((await periodCell.boundingBox())!.height).toBeLessThan(40);
  await noHorizontalOverflow();
  await topbarOneLine();
  await shot(page, 'counter-ux-zh-CN-8-paper-out-1024');

  await page.getByTestId('tendered').press('Enter');
  await expect(page.getByTestId('payment-done')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('receipt-status')).toContainText('收据打印失败');
  await expectNoLatinWords(page);
  await shot(page, 'counter-ux-zh-CN-9-paid-no-paper');

  // Paper back in: a reprint says so (not the same words as the first print).
  stack().printer.setFault(null);
  await page.getByTestId('reprint').click();
  await expect(page.getByTestId('receipt-status')).toHaveText('收据已补打', { timeout: 20_000 });

  // The receipt preview follows a language switch, like everything else on screen.
  await page.getByTestId('preview-toggle').click();
  await expect(page.getByTestId('receipt-preview')).toContainText('实收金额');
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('receipt-preview')).toContainText('Amount paid');
  await expect(page.getByTestId('receipt-status')).toHaveText('Receipt reprinted');
  await topbarOneLine();
  await shot(page, 'counter-ux-en-10-preview-switched');
  await page.getByTestId('language').selectOption('zh-CN');

  // Backend down: the cached account says so; a search says its results are from the cache.
  await page.getByTestId('next-customer').click();
  stack().backend.setKnobs({ down: true });
  await lookUp(page, '3100000006');
  await expect(page.getByTestId('cached-warning')).toContainText('后台不可达', { timeout: 15_000 });
  await expect(page.getByTestId('cached-warning')).toHaveCSS('font-size', '17px');
  await noHorizontalOverflow();
  await topbarOneLine();
  await shot(page, 'counter-ux-zh-CN-11-cached-1024');
  await lookUp(page, '不存在的户名');
  await expect(page.getByTestId('matches-cached')).toBeVisible({ timeout: 15_000 });
  await shot(page, 'counter-ux-zh-CN-12-cached-search-1024');

  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await expect(page.getByTestId('operator-id')).toBeFocused();
});

test('a method chosen and the amount typed straight after: the keys stay in the amount, not in the code field (en)', async ({ page }) => {
  await openAndSignIn(page, stack(), 'en');
  await lookUp(page, '3100000001');
  await expect(page.getByTestId('account-no')).toHaveText('3100000001');
  // Both in one task, before the panel's deferred focus of the code field runs: a clerk (or a
  // scanner's keystrokes) already in the amount keeps the focus there.
  await page.evaluate(`(() => {
    document.querySelector('[data-testid="method-code"]').click();
    document.querySelector('[data-testid="amount"]').focus();
  })()`);
  await page.keyboard.type('30.00');
  await expect(page.getByTestId('amount')).toHaveValue(/30\.00$/);
  await expect(page.getByTestId('auth-code')).toHaveValue('');
});
