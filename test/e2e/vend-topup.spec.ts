/**
 * Prepaid top-up at the counter, in both languages: find the STS meter, enter money, see the split
 * before paying, pay cash, see the token big and grouped, and read it on the decoded receipt;
 * then the help desk decodes that token.
 */
import { expect, test, type Page } from '@playwright/test';
import { blockFromHex, decodeToken, deriveDecoderKeyDkga02 } from '../../main/vending/sts/index.js';
import { fontsReady, openAndSignIn as signInAs, SHOTS, stackPerTest, type Lang } from '../support/e2e.js';
const ACCOUNT = '3100000008';

const stack = stackPerTest();

const openAndSignIn = (page: Page, lang: Lang) => signInAs(page, stack(), lang);

function vendCount(): number {
  return (stack().core.db.prepare('SELECT COUNT(*) AS n FROM vends').get() as { n: number }).n;
}

for (const lang of ['zh-CN', 'en'] as const) {
  test(`prepaid top-up: split before paying, cash, token shown and printed (${lang})`, async ({ page }) => {
    const labels =
      lang === 'zh-CN'
        ? { tab: '预付费购电', help: '电费码查询', sentence: '扣欠费', receipt: '购电凭证', rounding: '取整规则', below: '最低购电额', used: '已于' }
        : { tab: 'Prepaid top-up', help: 'Token help desk', sentence: 'arrears', receipt: 'Electricity purchase', rounding: 'Rounding', below: 'minimum purchase', used: 'already delivered on' };
    await openAndSignIn(page, lang);
    await page.getByTestId('tab-topup').click();
    await expect(page.getByTestId('tab-topup')).toHaveText(labels.tab);

    await page.getByTestId('topup-query').fill(ACCOUNT);
    await page.getByTestId('topup-find').click();
    await expect(page.getByTestId('topup-account')).toContainText(ACCOUNT);

    // Bad input first: below the minimum purchase, a translated message and nothing written.
    await page.getByTestId('topup-value').fill('5');
    await page.getByTestId('topup-preview').click();
    await expect(page.getByTestId('topup-error')).toContainText(labels.below);
    expect(vendCount()).toBe(0);

    await page.getByTestId('topup-value').fill('100');
    await page.getByTestId('topup-preview').click();
    await expect(page.getByTestId('split-sentence')).toContainText(labels.sentence);
    await expect(page.getByTestId('split-sentence')).toContainText('¥100.00');
    await expect(page.getByTestId('split-arrears')).toHaveText('¥20.00');
    expect(vendCount()).toBe(0);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/vend-${lang}-1-split.png`, fullPage: true });

    await page.getByTestId('topup-tendered').fill('100');
    await page.getByTestId('topup-pay').click();
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'delivered');
    const grouped = (await page.getByTestId('vend-token').textContent())!.trim();
    expect(grouped).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/vend-${lang}-2-token.png`, fullPage: true });

    const job = await stack().printer.waitForJob(0, 5000);
    expect(job.text).toContain(grouped);
    expect(job.text).toContain(labels.receipt);
    expect(job.text).toContain(labels.rounding);
    expect(vendCount()).toBe(1);

    // The printed token decodes with the meter's key (TEST vending key) to what was sold.
    const m = stack().core.db.prepare("SELECT sts_json FROM meters WHERE account_no = ? AND kind = 'sts'").get(ACCOUNT) as { sts_json: string };
    const vend = stack().core.db.prepare('SELECT tid, delivered_tenths FROM vends').get() as { tid: number; delivered_tenths: number };
    const decoded = decodeToken(deriveDecoderKeyDkga02(blockFromHex('ABABABABABABABAB'), JSON.parse(m.sts_json) as Parameters<typeof deriveDecoderKeyDkga02>[1]), grouped.replace(/ /g, ''));
    expect(decoded).toMatchObject({ crcOk: true, tid: vend.tid, amount: { tenths: vend.delivered_tenths } });

    // Help desk: decode the same token.
    await page.getByTestId('tab-helpdesk').click();
    await page.getByTestId('helpdesk-token').fill(grouped);
    await page.getByTestId('helpdesk-account').fill(ACCOUNT);
    await page.getByTestId('helpdesk-explain').click();
    await expect(page.getByTestId('explain-tid')).toHaveText(String(vend.tid));
    await expect(page.getByTestId('explain-used')).toContainText(labels.used);
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/vend-${lang}-3-helpdesk.png`, fullPage: true });

    // A mistyped token: its own translated message.
    await page.getByTestId('helpdesk-token').fill(grouped.slice(0, -1));
    await page.getByTestId('helpdesk-explain').click();
    await expect(page.getByTestId('helpdesk-error')).toBeVisible();
    await fontsReady(page);
    await page.screenshot({ path: `${SHOTS}/vend-${lang}-4-helpdesk-error.png`, fullPage: true });
  });
}
