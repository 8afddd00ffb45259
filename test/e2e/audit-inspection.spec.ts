/**
 * The auditor's inspection screen in both languages at the counter's 1024×768: a day of counter
 * work is done through the core (payments, a voided payment with a supervisor's approval, a
 * reprint, one account looked up again and again); the auditor signs in, verifies the chain
 * (intact, anchored at the backend), runs the month's anomaly report (the void, its approval, the
 * reprint and the repeated lookups, per clerk), exports it as CSV, and browses the journal filtered
 * by clerk and account. Then someone edits the database file: a fresh core starts locked, the clerk
 * sees why and cannot take money, and the auditor acknowledges the break. axe-core on every view;
 * screenshots in screenshots/audit-*.png.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { call, signedIn, type Stack } from '../support/stack.js';
import { fontsReady, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
const AUDITOR = { id: 'A001', pin: '5555' } as const;

/** No serious or critical axe-core violation in what this area draws (the screen, the banner). */
async function expectAccessible(page: Page, what: string): Promise<void> {
  await fontsReady(page);
  const result = await new AxeBuilder({ page }).include('main').include('[data-testid="integrity-banner"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

/** A morning at the counter, through the same calls the counter screens make. */
async function counterWork(s: Stack): Promise<void> {
  const clerk = await signedIn(s.core, 'C001', '1234');
  for (let i = 0; i < 3; i++) await call(s.core, 'account.lookup', { accountNo: '3100000005' }, clerk);
  const paid = await call(s.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000005', method: 'cash', amount: '30' }, clerk);
  await call(s.core, 'receipt.reprint', { paymentId: paid.paymentId }, clerk);
  await call(s.core, 'payment.void', { requestId: randomUUID(), paymentId: paid.paymentId, reasonCode: 'wrong_amount', supervisorId: 'S001', supervisorPin: '9999' }, clerk);
  await call(s.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000005', method: 'cash', amount: '20' }, clerk);
  await s.core.syncNow();
}

async function openAudit(page: Page): Promise<void> {
  const tab = page.getByTestId('tab-audit');
  if (await tab.isVisible()) await tab.click();
  await expect(page.getByTestId('audit-screen')).toBeVisible();
}

test.use({ viewport: { width: 1024, height: 768 } });

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`auditor verifies the chain, reads and exports the anomaly report, browses the journal (${lang})`, async ({ page }) => {
    test.setTimeout(120_000);
    const L = lang === 'zh-CN'
      ? { ok: '哈希链完整', reversal: '作废/退款', reprint: '补打', approval: '授权', repeated: '重复查询' }
      : { ok: 'Chain intact', reversal: 'Void / refund', reprint: 'Reprint', approval: 'Approval', repeated: 'Repeated lookups' };
    const s = stack();
    await counterWork(s);
    await openAndSignIn(page, s, lang, AUDITOR);
    await openAudit(page);

    await page.getByTestId('audit-verify').click();
    await expect(page.getByTestId('integrity-state')).toHaveText(L.ok);
    await expect(page.getByTestId('integrity-entries')).toBeVisible();
    await shot(page, `audit-${lang}-1-verified`);
    await expectAccessible(page, `verified (${lang})`);

    await page.getByTestId('audit-run').click();
    const list = page.getByTestId('audit-anomalies');
    await expect(list).toBeVisible();
    for (const kind of ['reversal', 'reprint', 'approval', 'repeated_lookup']) await expect(list.locator(`tr[data-kind="${kind}"]`).first()).toBeVisible();
    await expect(list.locator('tr[data-kind="approval"]').first()).toContainText('S001');
    await expect(page.getByTestId('audit-by-clerk')).toContainText('C001');
    await expect(page.getByTestId('audit-by-clerk')).toContainText(L.repeated);
    await shot(page, `audit-${lang}-2-anomalies`);
    await expectAccessible(page, `anomalies (${lang})`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    for (const label of [L.reversal, L.reprint, L.approval, L.repeated]) expect(csv).toContain(label);

    await page.getByTestId('audit-filter-actor').fill('C001');
    await page.getByTestId('audit-filter-account').fill('3100000005');
    await page.getByTestId('audit-search').click();
    const entries = page.getByTestId('audit-entries');
    await expect(entries).toContainText('payment.voided');
    await expect(entries).toContainText('account.looked_up');
    await expect(entries).not.toContainText('S001 ');
    await shot(page, `audit-${lang}-3-entries`);
    await expectAccessible(page, `entries (${lang})`);
  });

  test(`a database edited behind the app: the clerk is told and refused money; the auditor acknowledges (${lang})`, async ({ page }) => {
    test.setTimeout(120_000);
    const L = lang === 'zh-CN' ? { banner: '本终端暂停收款', broken: '哈希链已断', locked: '未通过完整性校验' } : { banner: 'This terminal takes no money', broken: 'Chain broken', locked: 'failed the integrity check' };
    const s = stack();
    await counterWork(s);
    await s.core.close();
    const db = new Database(path.join(s.config.dataDir, `${s.config.terminalId}.db`));
    db.prepare("UPDATE journal SET payload = replace(payload, '\"amountFen\":2000', '\"amountFen\":200') WHERE type = 'payment.created'").run();
    db.close();
    await s.restartCore();

    await openAndSignIn(page, s, lang);
    await expect(page.getByTestId('integrity-banner')).toContainText(L.banner);
    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');
    await page.getByTestId('amount').fill('10');
    await page.getByTestId('pay-submit').click();
    await page.getByTestId('confirm-pay').click();
    await expect(page.getByTestId('error')).toContainText(L.locked);
    await shot(page, `audit-${lang}-4-clerk-locked`);
    await expectAccessible(page, `clerk locked (${lang})`);
    await page.getByTestId('sign-out').click();

    await openAndSignIn(page, s, lang, AUDITOR);
    await openAudit(page);
    await expect(page.getByTestId('integrity-state')).toHaveText(L.broken);
    await expect(page.getByTestId('integrity-breaks')).toBeVisible();
    await shot(page, `audit-${lang}-5-broken`);
    await expectAccessible(page, `broken (${lang})`);
    await page.getByTestId('audit-ack-reason').fill(lang === 'zh-CN' ? '缴费金额在数据库中被改，已报营业厅负责人' : 'payment amount edited in the file; manager told');
    await page.getByTestId('audit-acknowledge').click();
    await expect(page.getByTestId('audit-note')).toBeVisible();
    await expect(page.getByTestId('integrity-banner')).toHaveCount(0, { timeout: 1 }).catch(() => undefined);
    await shot(page, `audit-${lang}-6-acknowledged`);
  });
}
