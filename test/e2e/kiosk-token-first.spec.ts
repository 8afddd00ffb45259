/**
 * The token on screen before the paper: with a printer that takes seconds per job (as a real one
 * does), the customer reads the 20 digits while "printing" is said, then "printed" — in both
 * languages; and paper running out during the slip leaves the token on screen with the failure said.
 */
import { expect, test, type Page } from '@playwright/test';
import { decodeShownQr, kioskPerTest, kioskShot, LANDSCAPE, openKiosk, startVisit, type Lang } from '../support/kiosk-e2e.js';

const PRINT_MS = 3000;
const stack = kioskPerTest({ kiosk: { orderPollMs: 300 }, printerPrintMs: PRINT_MS });
const METER = '600727960453685962';

async function buyToken(page: Page, lang: Lang, beforePaying: () => void = () => undefined): Promise<void> {
  await openKiosk(page, stack(), LANDSCAPE);
  await startVisit(page, lang);
  for (const d of METER) await page.getByTestId(`number-keypad-${d}`).click();
  await page.getByTestId('number-keypad-ok').click();
  await page.getByTestId('account-buy').click();
  for (const d of '20') await page.getByTestId(`amount-keypad-${d}`).click();
  await page.getByTestId('amount-keypad-ok').click();
  await page.getByTestId('confirm-pay').click();
  const codeUrl = await decodeShownQr(page);
  beforePaying();
  const r = await fetch(codeUrl, { method: 'POST' });
  expect(r.status).toBe(200);
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const L =
    lang === 'zh-CN'
      ? { printing: '正在打印凭证', printed: '凭证已打印', notPrinted: '凭证未能打印' }
      : { printing: 'Printing your receipt', printed: 'Your receipt is printed', notPrinted: 'No receipt could be printed' };

  test(`the token is shown while its slip prints, then printed (${lang})`, async ({ page }) => {
    await buyToken(page, lang);
    const digits = page.getByTestId('token-digits');
    await expect(digits).toHaveText(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/, { timeout: 15_000 });
    await expect(page.getByTestId('deliver-printing')).toContainText(L.printing);
    await kioskShot(page, `token-first-${lang}-printing`);
    await expect(page.getByTestId('deliver-printed')).toContainText(L.printed, { timeout: PRINT_MS * 4 });
    await expect(digits).toBeVisible();
    const job = await stack().printer.waitForJob(0, 5000);
    expect(job.text).toContain((await digits.textContent())!.trim());
    expect(stack().printer.jobs()).toHaveLength(1);
  });
}

test('paper out during the slip: the token stays on screen and the missing receipt is said (en)', async ({ page }) => {
  // The paper runs out once the slip has begun (before it, the printer reads healthy).
  await buyToken(page, 'en', () => stack().printer.setFault('paper_out_mid_job'));
  const digits = page.getByTestId('token-digits');
  await expect(digits).toHaveText(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/, { timeout: 15_000 });
  await expect(page.getByTestId('deliver-not-printed')).toContainText('No receipt could be printed', { timeout: 20_000 });
  await expect(digits).toBeVisible();
  await kioskShot(page, 'token-first-en-paper-out');
  const vend = stack().core.db.prepare('SELECT state, delivery FROM vends').get() as { state: string; delivery: string };
  expect(vend).toEqual({ state: 'delivered', delivery: 'shown' });
});
