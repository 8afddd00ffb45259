/**
 * The clerk's shift end to end, in both languages: no shift → no cash; open a shift with a float
 * counted by denomination; take a cash payment; cash in; X report on screen and on paper; blind
 * count (the expected figure appears only after it) ¥20 short, over the limit → a supervisor
 * approves with a reason → Z report printed and shown; then the supervisor's end-of-day
 * reconciliation names the shortage and exports CSV.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_SUPERVISOR, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest({ shiftRequired: true });

const DENOMS: readonly [string, number][] = [
  ['note_100', 10000], ['note_50', 5000], ['note_20', 2000], ['note_10', 1000], ['note_5', 500], ['note_1', 100], ['coin_0_5', 50], ['coin_0_1', 10],
];

/** Pieces per denomination adding up to `fen` (largest first), typed into a denomination grid. */
async function typeCount(page: Page, grid: string, fen: number): Promise<void> {
  let left = fen;
  for (const [id, face] of DENOMS) {
    const n = Math.floor(left / face);
    left -= n * face;
    if (n > 0) await page.getByTestId(`${grid}-${id}`).fill(String(n));
  }
  expect(left).toBe(0);
}

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`shift: open, cash, X report, blind close short with approval, Z report, reconciliation (${lang})`, async ({ page }) => {
    const L = lang === 'zh-CN'
      ? { noShift: '当前没有开班', x: 'X 报表', z: 'Z 报表 第1号', short: '短款 ¥20.00', closed: 'Z 报表第1号', recShort: '点钞短款', expectedLine: '钱箱应有' }
      : { noShift: 'No shift is open', x: 'X REPORT', z: 'Z REPORT No. 1', short: 'Short ¥20.00', closed: 'Z report No. 1', recShort: 'Counted short', expectedLine: 'Expected in drawer' };
    const s = stack();
    await openAndSignIn(page, s, lang);

    // No shift: the payment is refused with the way out.
    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');
    // A part payment of ¥100.00 (cash in whole jiao: the drawer holds no fen coins).
    const amountFen = 10000;
    await page.getByTestId('amount').fill('100');
    await page.getByTestId('pay-submit').click();
    await page.getByTestId('confirm-pay').click();
    await expect(page.getByTestId('error')).toContainText(L.noShift);
    await shot(page, `shift-${lang}-1-no-shift`);

    // Open with a ¥500.00 float: 3 × ¥100, 3 × ¥50, 2 × ¥20, 1 × ¥10.
    await page.getByTestId('tab-shift').click();
    await expect(page.getByTestId('no-shift')).toBeVisible();
    await page.getByTestId('float-note_100').fill('3');
    await page.getByTestId('float-note_50').fill('3');
    await page.getByTestId('float-note_20').fill('2');
    await page.getByTestId('float-note_10').fill('1');
    await expect(page.getByTestId('float-total')).toHaveText('¥500.00');
    await shot(page, `shift-${lang}-2-float`);
    await page.getByTestId('open-submit').click();
    await expect(page.getByTestId('shift-head')).toContainText('C001');

    // The cash payment now goes through, into the shift.
    await page.getByTestId('tab-pay').click();
    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('amount').fill('100');
    await page.getByTestId('pay-submit').click();
    await page.getByTestId('confirm-pay').click();
    await expect(page.getByTestId('payment-done')).toBeVisible();
    expect(s.core.db.prepare('SELECT COUNT(*) AS n FROM payments WHERE shift_id IS NOT NULL').get()).toEqual({ n: 1 });

    // Cash in ¥50 change fund; X report on screen and on paper, without the expected figure.
    await page.getByTestId('tab-shift').click();
    await page.getByTestId('movement-amount').fill('50');
    await page.getByTestId('movement-submit').click();
    await expect(page.getByTestId('movement-amount')).toHaveValue('');
    await page.getByTestId('x-show').click();
    await expect(page.getByTestId('x-report')).toContainText(L.x);
    await expect(page.getByTestId('x-report')).toContainText(yuan(amountFen));
    await expect(page.getByTestId('x-report')).not.toContainText(L.expectedLine);
    const jobs = s.printer.jobs().length;
    await page.getByTestId('x-print').click();
    await expect(page.getByTestId('x-printed')).toBeVisible();
    expect((await s.printer.waitForJob(jobs)).text).toContain(L.x);
    await shot(page, `shift-${lang}-3-x-report`);

    // Blind count ¥20.00 short of float + payment + cash in.
    const expectedFen = 50000 + amountFen + 5000;
    await typeCount(page, 'blind', expectedFen - 2000);
    await expect(page.getByText(yuan(expectedFen), { exact: true })).toHaveCount(0);
    await page.getByTestId('count-submit').click();
    await expect(page.getByTestId('expected')).toHaveText(yuan(expectedFen));
    await expect(page.getByTestId('difference')).toHaveText(L.short);
    await expect(page.getByTestId('approval-needed')).toBeVisible();
    await shot(page, `shift-${lang}-4-counted`);

    // A supervisor approves with a reason; the Z report prints and shows.
    await page.getByTestId('close-reason').fill(lang === 'zh-CN' ? '找零时多付 20 元' : 'Gave ¥20 too much change');
    await page.getByTestId('supervisor-id').fill(DEMO_SUPERVISOR.id);
    await page.getByTestId('supervisor-pin').fill(DEMO_SUPERVISOR.pin);
    const zJobs = s.printer.jobs().length;
    await page.getByTestId('close-submit').click();
    await expect(page.getByTestId('closed-title')).toContainText(L.closed);
    await expect(page.getByTestId('z-printed')).toBeVisible();
    await expect(page.getByTestId('z-report')).toContainText(L.z);
    await expect(page.getByTestId('z-report')).toContainText(yuan(expectedFen));
    const z = (await s.printer.waitForJob(zJobs)).text;
    expect(z).toContain(L.z);
    expect(z).toContain('S001');
    await shot(page, `shift-${lang}-5-z-report`);

    // The supervisor's reconciliation of the day names the shortage; CSV export downloads.
    await page.getByTestId('sign-out').click();
    await openAndSignIn(page, s, lang, DEMO_SUPERVISOR);
    await page.getByTestId('tab-reconciliation').click();
    await expect(page.getByTestId('recon-date')).toHaveValue('2026-11-27');
    await page.getByTestId('recon-run').click();
    await expect(page.getByTestId('recon-summary')).toBeVisible();
    await expect(page.getByTestId('recon-diff-row').first()).toContainText(L.recShort);
    await expect(page.getByTestId('way-drawer')).toHaveText(yuan(expectedFen - 2000));
    await shot(page, `shift-${lang}-6-reconciliation`);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('recon-export-csv').click();
    const file = await downloading;
    expect(file.suggestedFilename()).toBe('reconciliation-T-HALL-01-2026-11-27.csv');
    expect(readFileSync(await file.path(), 'utf8')).toContain(L.recShort);
  });
}
