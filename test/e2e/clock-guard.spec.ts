/**
 * The clock guard's banner end to end, in both languages: the billing backend's clock is set far
 * from the terminal's (the backend runs on its own clock here; the terminal keeps the demo time),
 * the next sync reads it and the counter shows the banner; a payment is refused with the translated
 * reason and nothing is written; the backend's clock set right again, the next sync clears the
 * banner and the same payment goes through.
 */
import { expect, test, type Page } from '@playwright/test';
import { runningClock } from '../support/stack.js';
import { openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const MINUTE = 60_000;
const ACCOUNT = '3100000001';
/** The backend's clock is the terminal's plus this; the test moves it. */
let backendOffsetMs = 0;
const terminalClock = runningClock();
const stack = stackPerTest({ clock: terminalClock, backendClock: () => new Date(terminalClock().getTime() + backendOffsetMs) });

test.beforeEach(() => {
  backendOffsetMs = 0;
});

async function lookUp(page: Page): Promise<void> {
  await page.getByTestId('lookup-query').fill(ACCOUNT);
  await page.getByTestId('lookup-submit').click();
  await expect(page.getByTestId('account-no')).toHaveText(ACCOUNT);
}

async function tryToPay(page: Page): Promise<void> {
  await page.getByTestId('amount').fill('10.00');
  await page.getByTestId('pay-submit').click();
  await page.getByTestId('confirm-pay').click();
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`clock guard: backend clock 4 min off → banner, payment refused in words; set right → banner gone, payment taken (${lang})`, async ({ page }) => {
    const L =
      lang === 'zh-CN'
        ? { behind: '时钟错误：本终端比计费系统慢 240 秒（最多允许 120 秒）', refused: '本终端时钟与计费系统相差 240 秒（最多允许 120 秒）' }
        : { behind: 'Clock wrong: this terminal is 240 s behind the billing backend (at most 120 s allowed)', refused: "This terminal's clock is 240 s off the billing backend's (at most 120 s allowed)" };
    await page.setViewportSize({ width: 1024, height: 768 });
    const s = stack();
    await openAndSignIn(page, s, lang);
    await lookUp(page);
    await expect(page.getByTestId('clock-banner')).toHaveCount(0);

    // The backend's clock runs 4 minutes ahead (under the 5 minutes its request signatures allow,
    // so it still answers); the next sync reads it.
    backendOffsetMs = 4 * MINUTE;
    await s.core.pullNow();
    const banner = page.getByTestId('clock-banner');
    await expect(banner).toContainText(L.behind);
    await lookUp(page); // lookups go on
    await tryToPay(page);
    await expect(page.getByTestId('error')).toContainText(L.refused);
    await expect(banner).toBeVisible();
    await shot(page, `clock-guard-${lang}-1-drift`);
    expect(s.core.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 0 });
    expect(s.core.db.prepare("SELECT type FROM journal WHERE type LIKE 'clock.%'").all()).toEqual([{ type: 'clock.drift_detected' }]);

    // Set right: the next sync clears the banner and the payment goes through.
    backendOffsetMs = 0;
    await s.core.pullNow();
    await expect(banner).toHaveCount(0);
    await shot(page, `clock-guard-${lang}-2-cleared`);
    await lookUp(page);
    await tryToPay(page);
    await expect(page.getByTestId('payment-done')).toBeVisible({ timeout: 20_000 });
    expect(s.core.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 1 });
    expect(s.core.db.prepare("SELECT type FROM journal WHERE type LIKE 'clock.%' ORDER BY seq").all()).toEqual([
      { type: 'clock.drift_detected' },
      { type: 'clock.drift_cleared' },
    ]);
  });
}
