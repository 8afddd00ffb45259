/**
 * Prepaid promotion on the recovery desk, in both languages at the counter's 1024×768: a manager
 * opens the candidates (ranked by the model over the seeded area), offers the top one a prepaid
 * meter and records the customer's acceptance; totals follow.
 */
import { expect, test } from '@playwright/test';
import { fontsReady, openAndSignIn, SHOTS, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
// A full journey on a busy two-core machine outlasts the default minute.
test.setTimeout(240_000);
const MANAGER = { id: 'M001', pin: '5678' } as const;

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const L = lang === 'zh-CN'
    ? { title: '预付费电表推荐对象', none: '未推荐', offered: '已推荐', accepted: '客户同意', totals: '已推荐1 · 同意1' }
    : { title: 'Prepaid meter candidates', none: 'not offered', offered: 'offered', accepted: 'accepted', totals: 'Offered 1 · accepted 1' };

  test(`a manager offers a prepaid meter to the top candidate and records the answer (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await stack().core.pullNow();
    await openAndSignIn(page, stack(), lang, MANAGER);
    await page.getByTestId('tab-recovery').click();
    await page.locator('[data-section="promotion"]').click();
    await expect(page.getByRole('heading', { name: L.title })).toBeVisible();
    const rows = page.getByTestId('promotion-row');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThan(5);
    const ranks = (await page.getByTestId('promotion-rank').allTextContents()).map(Number);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    await expect(rows.first().getByTestId('promotion-status')).toHaveText(L.none);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/promotion-${lang}-1-candidates.png` });

    await rows.first().getByTestId('promotion-offer').click();
    await expect(rows.first().getByTestId('promotion-status')).toContainText(L.offered);
    await rows.first().getByTestId('promotion-accept').click();
    await expect(rows.first().getByTestId('promotion-status')).toHaveText(L.accepted);
    await expect(page.getByTestId('promotion-totals')).toContainText(L.totals);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/promotion-${lang}-2-accepted.png` });
    const journaled = stack().core.db.prepare("SELECT COUNT(*) FROM journal WHERE type LIKE 'promotion.%' AND actor = 'M001'").pluck().get();
    expect(journaled).toBe(2);
  });
}
