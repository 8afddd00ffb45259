/**
 * Vend safety at the counter, in both languages.
 * (a) The printer runs out of paper (at the printer simulator): the top-up screen warns before
 *     payment; the clerk still tries to print, the print fails, the vend is paid and issued but the
 *     token is NOT on screen, and no reversal is offered (the print was attempted, the customer may
 *     hold paper). Only when the clerk chooses "show on screen" (journaled) do the digits appear.
 * (b) A supervisor issues a clear-tamper token from the help desk's management panel; it decodes
 *     with the meter's key to that TID.
 */
import { expect, test, type Page } from '@playwright/test';
import { journalEntries } from '../../main/store/journal.js';
import { blockFromHex, decodeToken, deriveDecoderKeyDkga02, type MeterIdentity } from '../../main/vending/sts/index.js';
import { DEMO_SUPERVISOR, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const ACCOUNT = '3100000008';
/** The demo vending key (TEST KEY MATERIAL): decoder keys are derived here independently. */
const VK = blockFromHex('ABABABABABABABAB');
const stack = stackPerTest();

/** The account's STS meter as the backend records it (the terminal has not looked it up yet). */
function stsOf(accountNo: string): { meterNo: string; sts: MeterIdentity } {
  const m = stack().backend.db.prepare("SELECT meter_no, sts_json FROM meters WHERE account_no = ? AND kind = 'sts'").get(accountNo) as { meter_no: string; sts_json: string };
  return { meterNo: m.meter_no, sts: JSON.parse(m.sts_json) as MeterIdentity };
}

async function findAndPreview(page: Page, amount: string): Promise<void> {
  await page.getByTestId('tab-topup').click();
  await page.getByTestId('topup-query').fill(ACCOUNT);
  await page.getByTestId('topup-find').click();
  await expect(page.getByTestId('topup-account')).toContainText(ACCOUNT);
  await page.getByTestId('topup-value').fill(amount);
  await page.getByTestId('topup-preview').click();
  await expect(page.getByTestId('topup-pay')).toBeEnabled();
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`printer out of paper: vend paid, token withheld until shown on screen, no reversal (${lang})`, async ({ page }) => {
    const labels =
      lang === 'zh-CN'
        ? { banner: '收据打印机不可用', hidden: '尚未交付', failed: '凭证未打印', shown: '屏幕' }
        : { banner: 'cannot print', hidden: 'not delivered yet', failed: 'did not print', shown: 'screen' };
    const s = stack();
    s.printer.setFault('paper_out');
    await openAndSignIn(page, s, lang);
    await findAndPreview(page, '100');
    // Warned before any money is taken; on-screen delivery is offered (and pre-selected).
    await expect(page.getByTestId('device-banner-print')).toContainText(labels.banner);
    await expect(page.getByTestId('topup-onscreen')).toBeChecked();
    await shot(page, `vend-safety-${lang}-1-banner`);

    // The clerk tries the printer anyway.
    await page.getByTestId('topup-onscreen').uncheck();
    await page.getByTestId('topup-tendered').fill('100');
    await page.getByTestId('topup-pay').click();
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'token_issued');
    await expect(page.getByTestId('vend-token-hidden')).toContainText(labels.hidden);
    await expect(page.getByTestId('vend-error')).toContainText(labels.failed);
    await expect(page.getByTestId('vend-token')).toHaveCount(0);
    await expect(page.getByTestId('vend-show')).toBeVisible();
    await expect(page.getByTestId('vend-reverse')).toHaveCount(0);
    await shot(page, `vend-safety-${lang}-2-withheld`);

    const row = () =>
      s.core.db.prepare('SELECT vend_id, state, token, delivery, delivery_attempts, tid FROM vends').get() as {
        vend_id: string;
        state: string;
        token: string | null;
        delivery: string | null;
        delivery_attempts: number;
        tid: number;
      };
    const issued = row();
    // Paid and issued (the money is in, the token exists), the print attempted and failed.
    expect(issued).toMatchObject({ state: 'token_issued', delivery: null, delivery_attempts: 1 });
    expect(issued.token).toMatch(/^\d{20}$/);
    const types = () => journalEntries(s.core.db, issued.vend_id).map((e) => e.type);
    expect(types()).toEqual(['vend.created', 'vend.paid', 'vend.token_issued', 'vend.delivery_attempted', 'vend.delivery_failed']);
    // The screen never received the digits.
    expect(await page.content()).not.toContain(issued.token!.slice(0, 4) + ' ' + issued.token!.slice(4, 8) + ' ' + issued.token!.slice(8, 12));

    await page.getByTestId('vend-show').click();
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'delivered');
    await expect(page.getByTestId('vend-delivery')).toContainText(labels.shown);
    const grouped = (await page.getByTestId('vend-token').textContent())!.trim();
    expect(grouped.replace(/ /g, '')).toBe(issued.token);
    await expect(page.getByTestId('vend-reverse')).toHaveCount(0);
    await shot(page, `vend-safety-${lang}-3-shown`);

    expect(row()).toMatchObject({ state: 'delivered', delivery: 'shown', delivery_attempts: 2 });
    expect(types()).toEqual([
      'vend.created',
      'vend.paid',
      'vend.token_issued',
      'vend.delivery_attempted',
      'vend.delivery_failed',
      'vend.delivery_attempted',
      // In the delivered commit: the prepaid points for the energy bought (resources/rules/points.json).
      'points.accrued',
      'vend.delivered',
    ]);
    const screenAttempt = journalEntries(s.core.db, issued.vend_id).filter((e) => e.type === 'vend.delivery_attempted')[1];
    expect(screenAttempt?.payload).toMatchObject({ via: 'screen' });
    const { sts } = stsOf(ACCOUNT);
    expect(decodeToken(deriveDecoderKeyDkga02(VK, sts), issued.token!)).toMatchObject({ crcOk: true, tid: issued.tid });
    // Nothing reached the paper.
    expect(s.printer.jobs()).toHaveLength(0);
  });

  test(`management panel: a supervisor issues a clear-tamper token (${lang})`, async ({ page }) => {
    const labels = lang === 'zh-CN' ? { kind: '清除篡改标志' } : { kind: 'Clear tamper' };
    const s = stack();
    await openAndSignIn(page, s, lang, DEMO_SUPERVISOR);
    // The meter number as the technician reads it off the meter; the terminal finds its account.
    const { meterNo, sts } = stsOf(ACCOUNT);

    await page.getByTestId('tab-helpdesk').click();
    await page.getByTestId('manage-meter').fill(meterNo);
    await page.getByTestId('manage-kind').selectOption('clear_tamper');
    await page.getByTestId('manage-issue').click();
    await expect(page.getByTestId('manage-result')).toContainText(labels.kind);
    await shot(page, `vend-manage-${lang}-clear-tamper`);

    const row = s.core.db.prepare('SELECT token_id, tid, tokens_json, operator_id FROM sts_management_tokens').get() as { token_id: string; tid: number; tokens_json: string; operator_id: string };
    expect(row.operator_id).toBe(DEMO_SUPERVISOR.id);
    const [token] = JSON.parse(row.tokens_json) as { digits: string; groups: string }[];
    await expect(page.getByTestId('manage-result')).toContainText(token!.groups);
    await expect(page.getByTestId('manage-result')).toContainText(`TID ${row.tid}`);
    expect(decodeToken(deriveDecoderKeyDkga02(VK, sts), token!.digits)).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 5, tid: row.tid });
    expect(journalEntries(s.core.db, row.token_id).map((e) => e.type)).toEqual(['token.management_issued']);
  });
}
