/**
 * The kiosk's journeys against the real core (host shell, simulated devices, the reference backend
 * and its QR gateway), in both languages: card top-up (card in the reader), STS token by meter
 * number, bills by the bill's barcode and by account number (a chosen bill). The customer pays the
 * way a phone does: the QR code on the screen is decoded from its pixels and its URL is paid.
 */
import { expect, test, type Page } from '@playwright/test';
import { cardFor } from '../support/kiosk-stack.js';
import { decodeShownQr, kioskPerTest, kioskShot, LANDSCAPE, openKiosk, PORTRAIT, startVisit, type Lang } from '../support/kiosk-e2e.js';

const stack = kioskPerTest({ kiosk: { orderPollMs: 300 } });

async function keyIn(page: Page, keypad: string, digits: string): Promise<void> {
  for (const d of digits) await page.getByTestId(`${keypad}-${d === '.' ? 'dot' : d}`).click();
}

/** The customer's phone: decode the code on the screen and pay it. */
async function payShownCode(page: Page): Promise<string> {
  const codeUrl = await decodeShownQr(page);
  const r = await fetch(codeUrl, { method: 'POST' });
  expect(r.status, 'the gateway takes the payment').toBe(200);
  return codeUrl;
}

/** Rate and finish: back on the attract screen with the visit ended in the core. */
async function rateAndFinish(page: Page, score: number): Promise<void> {
  await page.getByTestId(`star-${score}`).click();
  await page.getByTestId('rate-submit').click();
  await expect(page.getByTestId('done')).toBeVisible();
  await page.getByTestId('done-home').click();
  await expect(page.getByTestId('attract')).toBeVisible();
}

function ratings(): { score: number; transaction_id: string }[] {
  return stack().core.db.prepare('SELECT score, transaction_id FROM ratings').all() as { score: number; transaction_id: string }[];
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const L =
    lang === 'zh-CN'
      ? { token: '您的电费码', card: '已写入购电卡', bills: '缴费成功', printed: '凭证已打印' }
      : { token: 'Your token', card: 'Written to your prepaid card', bills: 'Bills paid', printed: 'Your receipt is printed' };

  test(`card top-up: card in the reader, ¥100, QR, written to the card, rated (${lang})`, async ({ page }) => {
    const s = stack();
    const card = cardFor(s, '3100000004', 0x31);
    await openKiosk(page, s, LANDSCAPE);
    await startVisit(page, lang);
    s.hall.cardReader.insert(card);
    await expect(page.getByTestId('account')).toHaveAttribute('data-access', 'holder');
    await expect(page.getByTestId('account-no')).toHaveText('3100000004');
    await expect(page.getByTestId('account-balance')).toBeVisible();
    await page.getByTestId('account-buy').click();
    await page.getByTestId('preset-100').click();
    await expect(page.getByTestId('confirm-delivery')).toContainText(lang === 'zh-CN' ? '写入您的购电卡' : 'written to your prepaid card');
    await page.getByTestId('confirm-pay').click();
    await expect(page.getByTestId('qr-amount')).toHaveText('¥100.00');
    await payShownCode(page);
    await expect(page.getByTestId('deliver-card-done')).toContainText(L.card, { timeout: 15_000 });
    await kioskShot(page, `real-${lang}-card-written`);
    const vend = s.core.db.prepare("SELECT state, delivery FROM vends WHERE account_no = '3100000004'").get() as { state: string; delivery: string };
    expect(vend).toEqual({ state: 'delivered', delivery: 'card' });
    await page.getByTestId('deliver-next').click();
    await expect(page.getByTestId('done-take-card')).toHaveCount(0); // not yet: rating first
    await rateAndFinish(page, 5);
    expect(ratings()).toEqual([expect.objectContaining({ score: 5 })]);
  });

  test(`STS token by meter number: keypad amount, split before paying, token shown and printed (${lang})`, async ({ page }) => {
    const s = stack();
    await openKiosk(page, s, lang === 'zh-CN' ? PORTRAIT : LANDSCAPE);
    await startVisit(page, lang);
    await keyIn(page, 'number-keypad', '600727960453685962');
    await page.getByTestId('number-keypad-ok').click();
    await expect(page.getByTestId('account')).toHaveAttribute('data-access', 'payer');
    await expect(page.getByTestId('account-name')).toContainText('*');
    await expect(page.getByTestId('account-balance')).toHaveCount(0);
    await expect(page.getByTestId('consumption-chart')).toHaveCount(0);
    await kioskShot(page, `real-${lang}-account-payer`);
    await page.getByTestId('account-buy').click();
    await keyIn(page, 'amount-keypad', '55.5');
    await expect(page.getByTestId('amount-keypad-value')).toHaveText('¥55.5');
    await page.getByTestId('amount-keypad-ok').click();
    await expect(page.getByTestId('split-sentence')).toContainText('¥55.50');
    await kioskShot(page, `real-${lang}-confirm`);
    await page.getByTestId('confirm-pay').click();
    await expect(page.getByTestId('qr-amount')).toHaveText('¥55.50');
    await kioskShot(page, `real-${lang}-qr`);
    await payShownCode(page);
    await expect(page.getByTestId('deliver-token')).toContainText(L.token, { timeout: 15_000 });
    const grouped = (await page.getByTestId('token-digits').textContent())!.trim();
    expect(grouped).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/);
    await expect(page.getByTestId('deliver-printed')).toContainText(L.printed);
    const job = await s.printer.waitForJob(0, 5000);
    expect(job.text).toContain(grouped);
    await kioskShot(page, `real-${lang}-token`);
    await page.getByTestId('deliver-next').click();
    await rateAndFinish(page, 4);
    expect(ratings()).toHaveLength(1);
  });

  test(`bills by the bill's barcode: all open bills with the late fee, paid by QR, receipt printed (${lang})`, async ({ page }) => {
    const s = stack();
    await openKiosk(page, s, LANDSCAPE);
    await startVisit(page, lang);
    s.hall.pos.scan('B2026090000007');
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');
    await expect(page.getByTestId('account-bills')).toContainText('2026-09');
    await kioskShot(page, `real-${lang}-account-bills`);
    await page.getByTestId('account-pay-bills').click();
    const total = (await page.getByTestId('bills-total').textContent())!.trim();
    await page.getByTestId('bills-pay').click();
    await expect(page.getByTestId('qr-amount')).toHaveText(total);
    await payShownCode(page);
    await expect(page.getByTestId('deliver-bills')).toContainText(L.bills, { timeout: 15_000 });
    await expect(page.getByTestId('deliver-bills')).toContainText('2026-09');
    await expect(page.getByTestId('deliver-bills')).toContainText('2026-10');
    await expect(page.getByTestId('deliver-printed')).toBeVisible();
    const pay = s.core.db.prepare("SELECT method, amount_fen FROM payments WHERE account_no = '3100000001'").get() as { method: string; amount_fen: number };
    expect(pay.method).toBe('qr');
    expect(`¥${(pay.amount_fen / 100).toFixed(2)}`).toBe(total.replace(',', ''));
    await kioskShot(page, `real-${lang}-bills-paid`);
    await page.getByTestId('deliver-next').click();
    await rateAndFinish(page, 5);
  });

  test(`bills by account number: only the oldest bill chosen, the newer one stays open (${lang})`, async ({ page }) => {
    const s = stack();
    await openKiosk(page, s, LANDSCAPE);
    await startVisit(page, lang);
    await keyIn(page, 'number-keypad', '3100000001');
    await page.getByTestId('number-keypad-ok').click();
    await page.getByTestId('account-pay-bills').click();
    // Un-choosing the newer bill keeps the older; choosing only the newer would take the older with it.
    await page.getByTestId('bill-B2026100000008').click();
    await expect(page.getByTestId('bill-B2026090000007')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('bill-B2026100000008')).toHaveAttribute('aria-checked', 'false');
    await expect(page.getByTestId('bills-total')).not.toHaveText('');
    await kioskShot(page, `real-${lang}-bills-choice`);
    await page.getByTestId('bills-pay').click();
    await payShownCode(page);
    await expect(page.getByTestId('deliver-bills')).toContainText('2026-09', { timeout: 15_000 });
    await expect(page.getByTestId('deliver-bills')).not.toContainText('2026-10');
    await page.getByTestId('deliver-next').click();
    await page.getByTestId('rate-skip').click();
    await expect(page.getByTestId('done')).toBeVisible();
    expect(ratings()).toEqual([]);
  });
}
