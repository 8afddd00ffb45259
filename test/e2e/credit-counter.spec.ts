/**
 * Credit grades at the counter, in both languages (issue 11): the clerk sees the grade, its score,
 * the top reasons in plain words and what it means for this visit; a payment re-grades on screen;
 * a manager overrides the grade with a reason (refused without one) and lifts it again.
 */
import { expect, test, type Page } from '@playwright/test';
import { fontsReady, openAndSignIn, SHOTS, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
// A full journey on a busy two-core machine outlasts the default minute.
test.setTimeout(240_000);
const MANAGER = { id: 'M001', pin: '5678' } as const;

async function lookup(page: Page, accountNo: string): Promise<void> {
  await page.getByTestId('lookup-query').fill(accountNo);
  await page.getByTestId('lookup-submit').click();
  await expect(page.getByTestId('account-no')).toHaveText(accountNo);
  await expect(page.getByTestId('credit-grade')).toBeVisible();
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const text = lang === 'zh-CN'
    ? { late: /近12个月逾期缴费\d+次：−\d+/, prepaid: '建议改装预付费电表', fast: '快速通道', overridden: '经理调整', reasonRequired: '请填写调整原因', by: '周静' }
    : { late: /paid late \d+ times in 12 months: −\d+/, prepaid: 'Recommend a prepaid meter', fast: 'Fast lane', overridden: 'set by a manager', reasonRequired: 'Give a reason', by: '周静' };

  test(`the clerk sees grade, reasons and advice; a payment re-grades (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openAndSignIn(page, stack(), lang);

    // The lowest grade: a chronic late payer with a breach and a disconnection, flagged for a prepaid meter.
    await lookup(page, '3100000005');
    await expect(page.getByTestId('credit-grade')).toHaveText('C');
    await expect(page.getByTestId('credit-reasons')).toContainText(text.late);
    await expect(page.getByTestId('credit-advice')).toContainText(text.prepaid);
    await fontsReady(page);
    await page.getByTestId('credit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/credit-${lang}-1-lowest-grade.png` });

    // A long-standing good payer: AAA and the fast lane.
    await lookup(page, '3100000007');
    await expect(page.getByTestId('credit-grade')).toHaveText('AAA');
    await expect(page.getByTestId('credit-advice')).toContainText(text.fast);
    await fontsReady(page);
    await page.getByTestId('credit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/credit-${lang}-2-best-grade.png` });

    // The chronic payer pays the overdue bill: the score moves on screen with the new fact.
    await lookup(page, '3100000001');
    const before = Number((await page.getByTestId('credit-score').textContent())!.replace(/\D/g, ''));
    await page.getByTestId('tendered').fill('1000.00');
    await page.getByTestId('pay-submit').click();
    await expect(page.getByTestId('payment-done')).toBeVisible();
    await page.getByTestId('next-customer').click();
    await lookup(page, '3100000001');
    await expect.poll(async () => Number((await page.getByTestId('credit-score').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(before);
  });

  test(`a manager overrides the grade with a reason and lifts it (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openAndSignIn(page, stack(), lang, MANAGER);
    await lookup(page, '3100000006');
    const model = (await page.getByTestId('credit-grade').textContent())!.trim();

    await page.getByTestId('credit-override-open').click();
    await page.getByTestId('credit-override-grade').selectOption('AA');
    await page.getByTestId('credit-override-save').click();
    await expect(page.getByTestId('credit-form-error')).toContainText(text.reasonRequired);
    expect(stack().core.db.prepare('SELECT COUNT(*) FROM credit_overrides').pluck().get()).toBe(0);
    await page.getByTestId('credit-override-reason').fill(lang === 'zh-CN' ? '季节性经营，已签银行代扣' : 'Seasonal shop, bank direct debit signed');
    await fontsReady(page);
    await page.getByTestId('credit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/credit-${lang}-3-override-form.png` });
    await page.getByTestId('credit-override-save').click();

    await expect(page.getByTestId('credit-grade')).toHaveText('AA');
    await expect(page.getByTestId('credit-overridden')).toHaveText(text.overridden);
    await expect(page.getByTestId('credit-override')).toContainText(text.by);
    await fontsReady(page);
    await page.getByTestId('credit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/credit-${lang}-4-overridden.png` });
    const journaled = stack().core.db.prepare("SELECT COUNT(*) FROM journal WHERE type = 'credit.overridden' AND actor = 'M001'").pluck().get();
    expect(journaled).toBe(1);

    await page.getByTestId('credit-lift-open').click();
    await page.getByTestId('credit-override-reason').fill(lang === 'zh-CN' ? '代扣协议已终止' : 'Direct debit ended');
    await page.getByTestId('credit-override-save').click();
    await expect(page.getByTestId('credit-grade')).toHaveText(model);
    await expect(page.getByTestId('credit-override')).toHaveCount(0);
  });
}
