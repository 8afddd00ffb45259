/**
 * The recovery-rate dashboard in the counter, in both languages at the counter's 1024×768: a
 * supervisor opens the recovery desk's dashboard over the reference backend's seeded area (after a
 * clerk took a payment of arrears): KPI tiles, three ECharts charts drawn (SVG with real bars and
 * a line, not an empty box), the tables by month, area, class and grade, ageing and the clerks;
 * a filter narrows it; XLSX export downloads; the print layout hides the controls. A served
 * reminder shows in the notices KPI (pending) and its clerk's row.
 */
import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_SUPERVISOR, fontsReady, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';
import { call, signedIn } from '../support/stack.js';

const stack = stackPerTest();

/** A chart has drawn when its SVG holds bars/lines (paths) beyond the axes. */
async function expectDrawn(page: Page, testId: string, minPaths: number): Promise<void> {
  const chart = page.getByTestId(testId);
  await expect(chart.locator('svg')).toHaveCount(1);
  await expect.poll(async () => chart.locator('svg path').count()).toBeGreaterThanOrEqual(minPaths);
}

/** No serious or critical axe-core violation in the dashboard (WCAG 2.1 A/AA). */
async function expectAccessible(page: Page): Promise<void> {
  await fontsReady(page);
  const result = await new AxeBuilder({ page }).include('.recovery-dashboard').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  expect(bad).toEqual([]);
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`recovery dashboard: area figures, charts, tables, clerks, filter, export, print (${lang})`, async ({ page }) => {
    const L =
      lang === 'zh-CN'
        ? { tab: '回收率', title: '电费回收率看板', rate: '电费回收率', byArea: '按区域', clerk: '张敏', residential: '居民', range: '账期 2025-11 至 2026-10' }
        : { tab: 'Recovery rate', title: 'Recovery-rate dashboard', rate: 'Recovery rate', byArea: 'By area', clerk: '张敏', residential: 'Residential', range: 'Billing months 2025-11 to 2026-10' };
    // Seeding the area, a payment and sync happen inside the test: generous on a busy machine.
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 1024, height: 768 });
    const s = stack();
    // A clerk collects 3100000005's oldest arrears (2025-12) with its late fee; it reaches the backend.
    const clerk = await signedIn(s.core, 'C001', '1234');
    const account = await call(s.core, 'account.lookup', { accountNo: '3100000005' }, clerk);
    const oldest = account.openBills[0]!;
    await call(s.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000005', method: 'cash', amount: ((oldest.outstandingFen + oldest.lateFeeFen) / 100).toFixed(2) }, clerk);
    // A supervisor serves a reminder for another account's arrears (the notices KPI and their row).
    const supervisor = await signedIn(s.core, 'S001', '9999');
    await call(s.core, 'account.lookup', { accountNo: '3100000001' }, supervisor);
    await call(s.core, 'collection.issueNotice', { requestId: randomUUID(), accountNo: '3100000001', kind: 'reminder', output: 'pdf' }, supervisor);
    await s.core.syncNow();

    await openAndSignIn(page, s, lang, DEMO_SUPERVISOR);
    await page.getByTestId('tab-recovery').click();
    await page.locator('[data-section="dashboard"]').click();
    await expect(page.getByRole('heading', { name: L.title })).toBeVisible();
    await expect(page.getByTestId('dashboard-range')).toContainText(L.range);
    await expect(page.getByTestId('kpi-rate')).toContainText(L.rate);
    await expect(page.getByTestId('kpi-rate')).toContainText(/\d{2}\.\d{2}%/);

    await expectDrawn(page, 'chart-months', 24); // 12 billed + 12 collected bars, the rate line
    await expectDrawn(page, 'chart-ageing', 3);
    await expectDrawn(page, 'chart-areas', 6);
    await expect(page.getByTestId('table-months').locator('tbody tr')).toHaveCount(12);
    await expect(page.getByTestId('table-areas')).toContainText(L.byArea);
    await expect(page.getByTestId('table-classes')).toContainText(L.residential);
    await expect(page.getByTestId('table-ageing').locator('tbody tr')).toHaveCount(7);
    await expect(page.getByTestId('kpi-notices')).toContainText('(0/0)');
    const clerkRow = page.getByTestId('table-clerks').locator('tbody tr').first();
    await expect(page.getByTestId('table-clerks').locator('tbody tr')).toHaveCount(2);
    await expect(page.getByTestId('table-clerks').locator('tbody tr').nth(1)).toContainText('S001');
    await expect(clerkRow).toContainText(`C001 ${L.clerk}`);
    await expect(clerkRow).toContainText(`¥${(oldest.outstandingFen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    // Fits the counter's screen: nothing of the dashboard runs off to the right.
    expect(await page.evaluate<number>("document.querySelector('.recovery-dashboard').scrollWidth")).toBeLessThanOrEqual(1024);
    await shot(page, `recovery-dashboard-${lang}-1-area`);
    await expectAccessible(page);

    // One area: the by-area table shrinks to it.
    const areas = page.getByTestId('dashboard-area').locator('option');
    await expect.poll(async () => areas.count()).toBeGreaterThan(2);
    const first = (await areas.nth(1).getAttribute('value'))!;
    await page.getByTestId('dashboard-area').selectOption(first);
    await page.getByTestId('dashboard-show').click();
    await expect(page.getByTestId('table-areas').locator('tbody tr')).toHaveCount(1);
    await expect(page.getByTestId('table-areas').locator('tbody tr')).toContainText(first);
    await expectDrawn(page, 'chart-months', 24);
    await shot(page, `recovery-dashboard-${lang}-2-one-area`);

    // Export XLSX: a download named for the terminal and months.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dashboard-export-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('recovery-T-HALL-01-2025-11_2026-10.xlsx');

    // Print: the controls and the desk's tabs are not on paper; the charts are.
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByTestId('dashboard-show')).toBeHidden();
    await expect(page.locator('.recovery-sections')).toBeHidden();
    await expect(page.getByTestId('chart-months').locator('svg')).toBeVisible();
    await shot(page, `recovery-dashboard-${lang}-3-print`);
    await page.emulateMedia({ media: 'screen' });
  });
}
