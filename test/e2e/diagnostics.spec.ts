/**
 * The diagnostics screen end to end, signed in as the demo supervisor (S001 / 9999): the device
 * list, a test print decoded at the printer simulator, a fault switched on at the simulator
 * showing up in the list (and as the payment-screen banner), a test card read and a test scan
 * from the simulated HID devices — in zh-CN and en, with screenshots.
 */
import { expect, test, type Page } from '@playwright/test';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import { DEMO_SUPERVISOR, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();

async function signInAsSupervisor(page: Page, lang: Lang) {
  await openAndSignIn(page, stack(), lang, DEMO_SUPERVISOR);
  await page.getByTestId('tab-diagnostics').click();
  await expect(page.getByTestId('diagnostics')).toBeVisible();
}

for (const lang of ['zh-CN', 'en'] as const) {
  const L =
    lang === 'zh-CN'
      ? { connected: '已连接', ready: '就绪', paperOut: '缺纸', coverOpen: '机盖打开', printed: '测试页已打印', title: '打印机自检', paperErr: '打印机缺纸', banner: '如继续收费，请在屏幕上向客户出示凭证', noCard: '卡' }
      : { connected: 'Connected', ready: 'Ready', paperOut: 'Out of paper', coverOpen: 'Cover open', printed: 'Test page printed', title: 'Printer self-test', paperErr: 'out of paper', banner: 'show the receipt and token to the customer on screen', noCard: 'card' };

  test(`diagnostics: device list, test print, printer fault, card read and scan (${lang})`, async ({ page }) => {
    await signInAsSupervisor(page, lang);

    // Every configured device, connected.
    for (const id of ['printer', 'cardReader', 'scanner:0', 'scanner:1']) {
      await expect(page.getByTestId(`device-${id}-connection`)).toHaveText(L.connected);
    }
    await expect(page.getByTestId('device-printer-state')).toHaveText(L.ready);
    await shot(page, `diagnostics-${lang}-1-devices`);

    // Test print: decoded at the simulator.
    await page.getByTestId('test-print-locale').selectOption(lang);
    await page.getByTestId('test-print-button').click();
    await expect(page.getByTestId('test-print-done')).toHaveText(L.printed);
    const job = await stack().printer.waitForJob(0);
    expect(job.text).toContain(L.title);
    expect(job.text).toContain('S001');
    expect(job.text).toContain('中文测试');
    expect(job.cut).toBe(true);
    await page.locator('[data-testid="test-print"] summary').click();
    await expect(page.getByTestId('test-print-preview')).toContainText(L.title);
    await shot(page, `diagnostics-${lang}-2-test-print`);

    // A fault switched on at the printer shows in the device list, the banner and the events.
    stack().printer.setFault('paper_out');
    await page.getByTestId('devices-refresh').click();
    await expect(page.getByTestId('device-printer-state')).toHaveText(L.paperOut);
    await expect(page.getByTestId('device-banner-print')).toContainText(L.banner);
    await page.getByTestId('test-print-button').click();
    await expect(page.getByTestId('test-print-error')).toContainText(L.paperErr);
    await expect(page.getByTestId('device-printer-last-error')).toContainText(L.paperErr);
    await expect(page.locator('[data-event="printer.statusChanged"]').first()).toBeVisible();
    await shot(page, `diagnostics-${lang}-3-paper-out`);

    // Cover open arrives by polling alone (the stack polls the printer every second).
    stack().printer.setFault('cover_open');
    await expect(page.getByTestId('device-printer-state')).toHaveText(L.coverOpen, { timeout: 5000 });
    stack().printer.setFault(null);
    await expect(page.getByTestId('device-printer-state')).toHaveText(L.ready, { timeout: 5000 });
    await expect(page.getByTestId('device-banner')).toHaveCount(0);

    // Test card read: no card, then a card.
    await page.getByTestId('test-card-button').click();
    await expect(page.getByTestId('test-card-error')).toContainText(L.noCard);
    stack().hall.cardReader.insert(
      issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0xa1, 0xb2, 0xc3), accountNo: '3100000001', meterNo: '412000000001', generation: 2 }),
    );
    await expect(page.locator('[data-event="card.inserted"]')).toHaveCount(1);
    await page.getByTestId('test-card-button').click();
    await expect(page.getByTestId('card-serial')).toHaveText('04A1B2C3');
    await expect(page.getByTestId('card-account')).toHaveText('3100000001');
    await expect(page.getByTestId('card-counter')).toHaveText('0');

    // Test scan: the POS scanner sends a QR code while the screen waits.
    await page.getByTestId('test-scan-button').click();
    await expect(page.getByTestId('test-scan-waiting')).toBeVisible();
    stack().hall.pos.scan('https://pay.example/q/7F3K', ']Q1');
    await expect(page.getByTestId('scan-data')).toHaveText('https://pay.example/q/7F3K');
    await expect(page.locator('[data-event="scan.received"]')).toHaveCount(1);
    await shot(page, `diagnostics-${lang}-4-card-and-scan`);

    // Unplug the card reader: the list says so at once.
    stack().hall.cardReader.unplug();
    await expect(page.getByTestId('device-cardReader-connection')).not.toHaveText(L.connected);
    await shot(page, `diagnostics-${lang}-5-reader-unplugged`);
    stack().hall.cardReader.replug();
    await expect(page.getByTestId('device-cardReader-connection')).toHaveText(L.connected, { timeout: 5000 });
  });
}

test('a clerk sees no diagnostics tab', async ({ page }) => {
  await page.goto(stack().host!.launchUrl);
  await page.getByTestId('operator-id').fill('C001');
  await page.getByTestId('pin').fill('1234');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('operator')).toContainText('C001');
  await expect(page.getByTestId('tab-diagnostics')).toHaveCount(0);
});
