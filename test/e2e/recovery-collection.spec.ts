/**
 * The recovery desk's collection work in both languages at the counter's 1024×768: a manager opens
 * today's early-warning worklist, assigns two overdue accounts to a clerk, opens a disconnection
 * notice from the worklist (the earliest lawful date and why), serves it as an A4 PDF (its text read
 * back: title, number, date, the legal publicity) and on the receipt printer, and logs a call with a
 * promise to pay, which the history shows as open. Screenshots in screenshots/.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';
import { pdfText } from '../support/pdf-text.js';

const stack = stackPerTest();
const MANAGER = { id: 'M001', pin: '5678' } as const;
const LATE = '3100000005';
const RECENT = '3100000001';

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`recovery desk: worklist, assign, disconnection notice with its lawful date, call with a promise (${lang})`, async ({ page }) => {
    test.setTimeout(240_000); // a long journey on a shared two-core machine
    const L =
      lang === 'zh-CN'
        ? { overdue: '逾期欠费', earliest: '最早合法停电日期：2026-12-04', step: '自 2026-11-27 起书面通知 7 天', title: '欠费停电通知书', assigned: '已将 2 户分派给 张敏', promised: '承诺缴费', open: '承诺待兑现', script: '您好' }
        : { overdue: 'Overdue', earliest: 'Earliest lawful disconnection date: 2026-12-04', step: '7 days of written notice from 2026-11-27', title: 'Notice of Disconnection', assigned: '2 accounts assigned to 张敏', promised: 'Promised to pay', open: 'Promise open', script: 'Hello' };
    await page.setViewportSize({ width: 1024, height: 768 });
    const s = stack();
    await s.core.pullNow();
    await openAndSignIn(page, s, lang, MANAGER);
    await page.getByTestId('tab-recovery').click();

    // Today's worklist, overdue first by age.
    await expect(page.getByTestId('worklist')).toBeVisible();
    await page.getByTestId('wl-reason').selectOption('overdue');
    await page.getByTestId('wl-sort').selectOption('overdue_days');
    const late = page.locator(`[data-testid="wl-row"][data-account="${LATE}"]`);
    const recent = page.locator(`[data-testid="wl-row"][data-account="${RECENT}"]`);
    await expect(late).toBeVisible();
    await expect(late).toContainText(L.overdue);
    await shot(page, `recovery-collection-${lang}-1-worklist`);

    // Assign two accounts to the clerk (by account number both are on the first page).
    await page.getByTestId('wl-sort').selectOption('account');
    await late.getByRole('checkbox').check();
    await recent.getByRole('checkbox').check();
    await page.getByTestId('wl-assign-to').selectOption('C001');
    await page.getByTestId('wl-assign').click();
    await expect(page.getByTestId('wl-note')).toContainText(L.assigned);
    await expect(late.getByTestId('wl-assignee-cell')).toHaveText('张敏');
    await page.getByTestId('wl-assignee').selectOption('C001');
    await expect(page.getByTestId('wl-row')).toHaveCount(2);
    await shot(page, `recovery-collection-${lang}-2-assigned`);

    // The disconnection notice for the oldest arrears: its earliest lawful date and why.
    await late.getByTestId('wl-notice').click();
    await expect(page.getByTestId('notice-preview')).toBeVisible();
    await expect(page.getByTestId('notice-lawful')).toContainText(L.earliest);
    await expect(page.getByTestId('notice-lawful')).toContainText(L.step);
    await shot(page, `recovery-collection-${lang}-3-notice-preview`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('notice-issue').click()]);
    expect(download.suggestedFilename()).toMatch(/^TD20261127-.+-001\.pdf$/);
    const noticeNo = download.suggestedFilename().replace(/\.pdf$/, '');
    await expect(page.getByTestId('notice-note')).toContainText(noticeNo);
    await expect(page.getByTestId('notice-served')).toContainText(`2026-11-27 → 2026-12-04`);
    const pdf = readFileSync((await download.path())!);
    const text = (await pdfText(pdf)).text.join('').replace(/\s+/g, '');
    for (const want of [L.title.replace(/\s+/g, ''), noticeNo, '2026-12-04']) expect(text).toContain(want);
    expect(text).toMatch(lang === 'zh-CN' ? /违法用电的后果/ : /Unlawfuluseofelectricity/);
    // And on the receipt printer.
    await page.getByTestId('notice-output-receipt').check();
    await page.getByTestId('notice-served').getByRole('button').first().click();
    await expect(page.getByTestId('notice-note')).toContainText(lang === 'zh-CN' ? '已在小票打印机打印' : 'Printed on the receipt printer', { timeout: 30_000 });
    const job = await s.printer.waitForJob(0, 30_000);
    expect(job.text).toContain(noticeNo);
    expect(job.text).toContain('2026-12-04');
    await shot(page, `recovery-collection-${lang}-4-notice-served`);

    // A call with a promise to pay, from the worklist's row.
    await page.locator('[data-section="worklist"]').click();
    await page.getByTestId('wl-assignee').selectOption('C001');
    await page.locator(`[data-testid="wl-row"][data-account="${RECENT}"]`).getByTestId('wl-contacts').click();
    await expect(page.getByTestId('contacts-script')).toContainText(L.script);
    await page.getByTestId('contact-channel').selectOption('call');
    await page.getByTestId('contact-outcome').selectOption('promised');
    await page.getByTestId('contact-promise-on').fill('2026-12-01');
    await page.getByTestId('contact-promise-amount').fill('203.77');
    await page.getByTestId('contact-note').fill(lang === 'zh-CN' ? '客户称月初发工资后缴清' : 'Will pay after payday');
    await page.getByTestId('contact-save').click();
    await expect(page.getByTestId('contacts-saved')).toBeVisible();
    const row = page.getByTestId('contact-row').first();
    await expect(row).toContainText(L.promised);
    await expect(row).toContainText('2026-12-01');
    await expect(row).toContainText(L.open);
    await shot(page, `recovery-collection-${lang}-5-contact`);

    // Both reached the backend.
    await s.core.syncNow();
    expect(s.backend.collection.notices().map((n) => n.noticeNo)).toEqual([noticeNo]);
    expect(s.backend.collection.contacts()).toEqual([expect.objectContaining({ accountNo: RECENT, outcome: 'promised', promiseOn: '2026-12-01', promiseFen: 20377 })]);
    expect(await page.evaluate<number>("document.querySelector('.recovery').scrollWidth")).toBeLessThanOrEqual(1024);
  });
}
