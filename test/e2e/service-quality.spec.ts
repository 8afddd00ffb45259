/**
 * Service quality end to end, in both languages, against the real core, backend and printer
 * simulator through the host shell:
 * - the clerk opens the customer display (a second browser window paired by the core), takes a
 *   cash payment, and the customer rates it on that window; the rating is stored once and synced;
 * - a complaint recorded at the counter escalates as its reply deadline nears and passes (the
 *   core's clock moved on) and lists first as overdue;
 * - a name-change application is taken in four steps, accepted with a reference number, and its
 *   acceptance slip printed (read back from the printer simulator).
 * Screenshots at the counter's 1024×768 go to screenshots/.
 */
import { expect as baseExpect, test, type Page } from '@playwright/test';
import { fontsReady, openAndSignIn, shot, type Lang } from '../support/e2e.js';
import { DEMO_NOW, startStack, type Stack } from '../support/stack.js';

test.use({ viewport: { width: 1024, height: 768 } });
// The machine is shared: a window's first paint (fonts, a lazy chunk) can take more than the default 5 s.
const expect = baseExpect.configure({ timeout: 20_000 });
// A payment with its receipt and e-invoice, a second window and a sync: more than the default minute on a busy machine.
test.setTimeout(150_000);

let stack: Stack | null = null;
/** The core's clock: the demo instant, running, moved on by `jumpHours`. */
let offsetMs = 0;
test.beforeEach(async () => {
  offsetMs = 0;
  const started = Date.now();
  stack = await startStack({ withHost: true, clock: () => new Date(DEMO_NOW.getTime() + offsetMs + (Date.now() - started)) });
});
test.afterEach(async () => {
  await stack?.dispose();
  stack = null;
});
const s = (): Stack => {
  if (!stack) throw new Error('no stack');
  return stack;
};

async function signInAgain(page: Page, lang: Lang): Promise<void> {
  await expect(page.getByTestId('sign-in')).toBeVisible();
  if (lang === 'en') await page.getByTestId('language').selectOption('en');
  await page.getByTestId('operator-id').fill('C001');
  await page.getByTestId('pin').fill('1234');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('operator')).toContainText('C001');
}

async function openService(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^(服务|Service)$/ }).click();
  await expect(page.getByTestId('service-screen')).toBeVisible();
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const L =
    lang === 'zh-CN'
      ? { idle: '欢迎光临', prompt: '您对本次服务满意吗', thanks: '感谢您的评价', escalated: '已升级至营业厅主任', overdue: '已超期', slip: '业务受理回执', type: '更名' }
      : { idle: 'Welcome', prompt: 'How was your service today', thanks: 'Thank you for your rating', escalated: 'Escalated to branch manager', overdue: 'Overdue', slip: 'Acceptance slip', type: 'Name change' };

  test(`payment, then the customer rates it on the second window (${lang})`, async ({ page, context }) => {
    await openAndSignIn(page, s(), lang);
    await openService(page);
    const popup = context.waitForEvent('page');
    await page.getByTestId('display-open').click();
    const display = await popup;
    await display.setViewportSize({ width: 1024, height: 768 });
    await expect(display.getByTestId('customer-display')).toBeVisible();
    if (lang === 'en') await display.getByTestId('display-lang-en').click();
    await expect(display.getByTestId('display-idle')).toContainText(L.idle);
    await shot(display, `service-${lang}-display-idle`);

    // The clerk takes a cash payment at the counter.
    await page.getByRole('button', { name: lang === 'zh-CN' ? '柜台收费' : 'Counter', exact: true }).click();
    await page.getByTestId('lookup-query').fill('3100000001');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('account-no')).toHaveText('3100000001');
    const amountFen = Math.round(Number(await page.getByTestId('amount').inputValue()) * 100);
    await page.getByTestId('tendered').fill((Math.ceil((amountFen + 1) / 10000) * 100).toFixed(2));
    await page.getByTestId('pay-submit').click();
    await expect(page.getByTestId('payment-done')).toBeVisible({ timeout: 20_000 });

    // The customer rates it on the display.
    await expect(display.getByTestId('display-rate')).toBeVisible({ timeout: 10_000 });
    await expect(display.getByTestId('display-rate')).toContainText(L.prompt);
    await expect(display.getByTestId('display-rate')).not.toContainText('3100000001');
    await display.getByTestId('display-score-4').click();
    await display.getByTestId('display-reason-fast').click();
    await fontsReady(display);
    await shot(display, `service-${lang}-display-rate`);
    await display.getByTestId('display-submit').click();
    await expect(display.getByTestId('display-thanks')).toContainText(L.thanks);
    await shot(display, `service-${lang}-display-thanks`);

    const rows = s().core.db.prepare('SELECT score, reasons_json, channel, operator_id FROM ratings').all();
    expect(rows).toEqual([{ score: 4, reasons_json: '["fast"]', channel: 'counter', operator_id: 'C001' }]);
    await s().core.syncNow();
    expect(s().backend.kiosk.ratings()).toEqual([expect.objectContaining({ score: 4, channel: 'counter' })]);
  });

  test(`complaint recorded and escalated (${lang})`, async ({ page }) => {
    await openAndSignIn(page, s(), lang);
    await openService(page);
    await page.getByTestId('complaint-category').selectOption('billing');
    await page.getByTestId('complaint-contact-phone').fill('13800138000');
    await page.getByTestId('complaint-account').fill('3100000001');
    await page.getByTestId('complaint-text').fill(lang === 'zh-CN' ? '本月电费比上月高很多，怀疑抄表有误' : 'This month’s bill is far higher than last month’s');
    await page.getByTestId('complaint-create').click();
    await expect(page.getByTestId('complaint-created')).toContainText(/TS-20261127-0001/);
    await expect(page.getByTestId('complaint-item')).toHaveCount(1);
    await expect(page.getByTestId('complaint-escalation')).toHaveCount(0);
    await shot(page, `service-${lang}-complaint-recorded`);

    // Tuesday 10:00 local: Monday's reply deadline has passed → escalated to the branch manager.
    offsetMs = 4 * 24 * 3_600_000;
    // Days later the old session has timed out: a fresh start and sign-in.
    await page.reload();
    await signInAgain(page, lang);
    await openService(page);
    const item = page.getByTestId('complaint-item').first();
    await expect(item.getByTestId('complaint-overdue')).toHaveText(L.overdue);
    await expect(item.getByTestId('complaint-escalation')).toHaveText(L.escalated);
    await item.locator('details summary').click();
    await shot(page, `service-${lang}-complaint-escalated`);
    expect(s().core.db.prepare("SELECT json_extract(payload, '$.stage') AS stage FROM journal WHERE type = 'complaint.escalated' ORDER BY seq").all()).toEqual([
      { stage: 'reply_near' },
      { stage: 'reply_overdue' },
    ]);
  });

  test(`name-change application accepted and its slip printed (${lang})`, async ({ page }) => {
    await openAndSignIn(page, s(), lang);
    await openService(page);
    await page.getByTestId('service-section-applications').click();
    // Step 1: the type. Step 2: the three fields the rule needs (plus the account). Step 3: documents. Step 4: accept.
    await page.getByTestId('app-type-name_change').click();
    await expect(page.getByTestId('app-compare')).toContainText('17');
    await page.getByTestId('app-account').fill('3100000001');
    await page.getByTestId('app-field-applicantName').fill(lang === 'zh-CN' ? '王小明' : 'Wang Xiaoming');
    await page.getByTestId('app-field-idNumber').fill('11010519491231002X');
    await page.getByTestId('app-field-phone').fill('13800138000');
    await page.getByTestId('app-doc-id_card').check();
    await page.getByTestId('app-doc-name_change_proof').check();
    const inputs = await page.locator('.app-form input:not([type=checkbox])').count();
    expect(inputs).toBe(4);
    await shot(page, `service-${lang}-application-form`);
    await page.getByTestId('app-accept').click();
    await expect(page.getByTestId('app-made')).toContainText(/YK-20261127-0001/);

    const jobs = s().printer.jobs().length;
    await page.getByTestId('app-print').click();
    await expect(page.getByTestId('app-slip')).toBeVisible();
    const job = await s().printer.waitForJob(jobs, 5000);
    expect(job.text).toContain('YK-20261127-0001');
    expect(job.text).toContain(L.slip);
    expect(job.text).toContain(L.type);
    expect(job.text).not.toContain('11010519491231002X');
    await shot(page, `service-${lang}-application-accepted`);
  });
}
