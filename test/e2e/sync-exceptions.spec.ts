/**
 * The exceptions queue end to end, in both languages at the counter's 1024×768: a clerk took a
 * bill's payment while the terminal was offline and the customer also paid it at the bank; back
 * online, the backend put the money on the prepaid balance and said so. The supervisor opens
 * "Sync exceptions", reads the reason in plain words (bill period, amount, account), resolves it
 * with an outcome and a note; it moves to Resolved, and the resolution reaches the backend. The
 * customer's provisional receipt (printed offline) is checked on the same screen: genuine, and a
 * code with one character changed is not.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { call, signedIn } from '../support/stack.js';
import { DEMO_SUPERVISOR, openAndSignIn, shot, stackPerTest, type Lang } from '../support/e2e.js';

const stack = stackPerTest();
const ACCOUNT = '3100000001';

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  test(`exceptions queue: a bill paid elsewhere while offline, seen and resolved by the supervisor (${lang})`, async ({ page }) => {
    const s = stack();
    const clerk = await signedIn(s.core);
    const account = await call(s.core, 'account.lookup', { accountNo: ACCOUNT }, clerk);
    const bill = account.openBills[0]!;
    s.backend.setKnobs({ down: true });
    const amount = ((bill.outstandingFen + bill.lateFeeFen) / 100).toFixed(2);
    const paid = await call(s.core, 'payment.create', { requestId: randomUUID(), accountNo: ACCOUNT, method: 'cash', amount }, clerk);
    // Printed offline: provisional, with its verify code.
    const receipt = (await s.printer.waitForJob(0, 10_000)).text;
    const verifyCode = /校验码\s+([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(receipt)?.[1];
    expect(verifyCode).toBeDefined();
    s.backend.exceptions.payBillElsewhere(bill.billId);
    s.backend.setKnobs({ down: false });
    await s.core.syncNow();
    await s.core.pullNow();

    const yuan = `¥${(bill.outstandingFen / 100).toFixed(2)}`;
    const L =
      lang === 'zh-CN'
        ? { genuine: '凭证真实：计费系统已收到这笔缴费。', forged: '凭证不符：校验码与该收费单号、金额和终端不匹配。', tab: '同步异常', reason: `本终端离线期间，账单 ${bill.period} 已在其他渠道缴清：${yuan} 已转入户号 ${ACCOUNT} 的预存余额。`, open: '待处理（1）', none: '没有待处理的异常。', outcome: '按计费系统入账结果确认（已告知客户）', note: '已告知客户，余额留作下月电费' }
        : { genuine: 'Genuine: the billing backend has this payment.', forged: 'Not genuine: the code does not match this payment, amount and terminal.', tab: 'Sync exceptions', reason: `Bill ${bill.period} had already been paid elsewhere while this terminal was offline: ${yuan} went to account ${ACCOUNT}'s prepaid balance instead.`, open: 'Open (1)', none: 'No open exceptions.', outcome: 'Accepted as the backend recorded it (customer told)', note: 'Customer told; balance kept for next month' };

    await page.setViewportSize({ width: 1024, height: 768 });
    await openAndSignIn(page, s, lang, DEMO_SUPERVISOR);
    await expect(page.getByTestId('tab-exceptions')).toHaveText(L.tab);
    await page.getByTestId('tab-exceptions').click();
    await expect(page.getByTestId('exceptions-open')).toHaveText(L.open);
    const item = page.getByTestId('exception-item');
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId('exception-reason')).toHaveText(L.reason);
    await expect(item.getByTestId('exception-amount')).toHaveText(yuan);
    await shot(page, `exceptions-${lang}-1-open`);

    await item.getByTestId('exception-resolution-select').selectOption({ label: L.outcome });
    await item.getByTestId('exception-note').fill(L.note);
    await item.getByTestId('exception-resolve').click();
    await expect(page.getByTestId('exceptions-empty')).toHaveText(L.none);
    await page.getByTestId('exceptions-resolved').click();
    await expect(page.getByTestId('exception-resolution')).toContainText(L.note);
    await expect(page.getByTestId('exception-resolution')).toContainText(DEMO_SUPERVISOR.id);
    await shot(page, `exceptions-${lang}-2-resolved`);

    // The customer's provisional receipt, checked: genuine (and synced); one digit changed, not.
    await page.getByTestId('check-payment-id').fill(paid.paymentId);
    await page.getByTestId('check-amount').fill(amount);
    await page.getByTestId('check-code').fill(verifyCode!);
    await page.getByTestId('check-submit').click();
    await expect(page.getByTestId('check-answer')).toHaveText(L.genuine);
    await shot(page, `exceptions-${lang}-3-receipt-checked`);
    await page.getByTestId('check-code').fill(verifyCode!.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    await page.getByTestId('check-submit').click();
    await expect(page.getByTestId('check-answer')).toHaveText(L.forged);

    // Journaled, and kept by the backend beside its exception once pushed.
    expect(s.core.db.prepare("SELECT actor FROM journal WHERE type = 'sync.exception_resolved'").all()).toEqual([{ actor: DEMO_SUPERVISOR.id }]);
    await s.core.syncNow();
    expect(s.backend.db.prepare('SELECT resolution, note, resolved_by FROM exception_resolutions').all()).toEqual([
      { resolution: 'accepted', note: L.note, resolved_by: DEMO_SUPERVISOR.id },
    ]);
  });
}
