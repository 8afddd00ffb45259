/**
 * A closed account at the counter, in both languages: found and opened like any other, with the
 * clerk told at the top of the account that it is closed and what that means for this visit.
 */
import { expect, test } from '@playwright/test';
import { openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
const CLOSED = '3100000097'; // closed in the demo seed
const ACTIVE = '3100000001';

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`a closed account says so; an active one does not (${lang})`, async ({ page }) => {
    const closedText = lang === 'zh-CN' ? '该户已销户' : 'This account is closed';
    await openAndSignIn(page, stack(), lang);
    await page.getByTestId('lookup-query').fill(CLOSED);
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText(CLOSED);
    await expect(page.getByTestId('closed-warning')).toContainText(closedText);
    await shot(page, `counter-closed-${lang}`);
    await page.getByTestId('lookup-query').fill(ACTIVE);
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText(ACTIVE);
    await expect(page.getByTestId('closed-warning')).toHaveCount(0);
  });
}
