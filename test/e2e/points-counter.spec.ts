/**
 * Prepaid points at the counter, in both languages (issue 11 item 5): a top-up earns points, the
 * receipt says them, and the account panel shows the balance and the latest entry.
 */
import { expect, test } from '@playwright/test';
import { fontsReady, openAndSignIn, SHOTS, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
test.setTimeout(180_000);
const ACCOUNT = '3100000003';

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const text = lang === 'zh-CN' ? { title: '预付费积分', earned: '本次积分', balance: '积分余额', } : { title: 'Prepaid points', earned: 'Points earned', balance: 'Points balance' };

  test(`a top-up earns points: on the receipt and at the account panel (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openAndSignIn(page, stack(), lang);

    // Before any purchase the panel shows no points.
    await page.getByTestId('lookup-query').fill(ACCOUNT);
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText(ACCOUNT);
    await expect(page.getByTestId('credit-grade')).toBeVisible();
    await expect(page.getByTestId('points')).toHaveCount(0);

    await page.getByTestId('tab-topup').click();
    await page.getByTestId('topup-query').fill(ACCOUNT);
    await page.getByTestId('topup-find').click();
    await expect(page.getByTestId('topup-account')).toContainText(ACCOUNT);
    await page.getByTestId('topup-value').fill('100');
    await page.getByTestId('topup-preview').click();
    await page.getByTestId('topup-tendered').fill('100');
    await page.getByTestId('topup-pay').click();
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'delivered');

    const energyFen = (stack().core.db.prepare('SELECT json_extract(split_json, \'$.split.energyFen\') AS e FROM vends').get() as { e: number }).e;
    const earned = Math.floor(energyFen / 100);
    const job = await stack().printer.waitForJob(0, 5000);
    expect(job.text).toMatch(new RegExp(`${text.earned}\\s+${earned}\\b`));
    expect(job.text).toMatch(new RegExp(`${text.balance}\\s+${earned}\\b`));

    await page.getByTestId('tab-pay').click();
    await page.getByTestId('lookup-query').fill(ACCOUNT);
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText(ACCOUNT);
    await expect(page.getByTestId('points')).toContainText(text.title);
    await expect(page.getByTestId('points-balance')).toHaveText(String(earned));
    await expect(page.getByTestId('points-entry')).toHaveCount(1);
    await expect(page.getByTestId('points-entry').first()).toContainText(`+${earned}`);
    await fontsReady(page);
    await page.getByTestId('points').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/points-${lang}-counter.png` });
    // Nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  });
}
