/**
 * Card top-up at the counter, in both languages: the wrong card is refused before payment, the
 * customer's card is shown (account, meter, purchase count), payment writes it; a card pulled out
 * mid-write shows the re-insert instruction, and putting it back finishes the purchase. The
 * simulated meter then loads exactly one credit.
 */
import { expect, test, type Page } from '@playwright/test';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedMeter } from '../../kiosk-drivers/card/sim/simulated-meter.js';
import { openAndSignIn as signInAs, shot, stackPerTest, type Lang } from '../support/e2e.js';
import { collectEvents } from '../support/events.js';

const ACCOUNT = '3100000004';
const stack = stackPerTest();
const openAndSignIn = (page: Page, lang: Lang) => signInAs(page, stack(), lang);

function cardMeter(accountNo: string) {
  return stack().backend.db.prepare("SELECT meter_no, card_generation FROM meters WHERE account_no = ? AND kind = 'card'").get(accountNo) as {
    meter_no: string;
    card_generation: number;
  };
}

for (const lang of ['zh-CN', 'en'] as const) {
  test(`card top-up: wrong card refused, card written, pulled out mid-write and finished on re-insert (${lang})`, async ({ page }) => {
    const labels =
      lang === 'zh-CN'
        ? { other: '属于户号', insert: '请将客户的购电卡放入读卡器', ready: '可以写卡', reinsert: '重新放入读卡器', done: '第 1 次购电', receipt: '已写入购电卡' }
        : { other: 'belongs to account', insert: "Insert the customer's prepaid card", ready: 'Card OK', reinsert: 'Put the same card back', done: 'purchase no. 1', receipt: 'WRITTEN TO THE PREPAID CARD' };
    const s = stack();
    const m = cardMeter(ACCOUNT);
    const otherAccount = (s.backend.db.prepare("SELECT account_no FROM meters WHERE kind = 'card' AND account_no != ? ORDER BY account_no LIMIT 1").get(ACCOUNT) as { account_no: string }).account_no;
    const om = cardMeter(otherAccount);
    const card = issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0xe2, 0x10, 0x01), accountNo: ACCOUNT, meterNo: m.meter_no, generation: m.card_generation });
    const wrong = issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0xe2, 0x10, 0x02), accountNo: otherAccount, meterNo: om.meter_no, generation: om.card_generation });

    await openAndSignIn(page, lang);
    await page.getByTestId('tab-topup').click();
    await page.getByTestId('topup-query').fill(ACCOUNT);
    await page.getByTestId('topup-find').click();
    await expect(page.getByTestId('topup-account')).toContainText(ACCOUNT);
    await expect(page.getByTestId('card-insert')).toContainText(labels.insert);
    await shot(page, `vend-card-${lang}-1-insert`);

    // Another account's card: refused with both accounts named, before any money is taken.
    s.hall.cardReader.insert(wrong);
    await expect(page.getByTestId('card-problem')).toContainText(labels.other);
    await expect(page.getByTestId('card-account')).toHaveText(otherAccount);
    await page.getByTestId('topup-value').fill('100');
    await page.getByTestId('topup-preview').click();
    await expect(page.getByTestId('split-sentence')).toContainText('¥100.00');
    await expect(page.getByTestId('topup-pay')).toBeDisabled();
    await shot(page, `vend-card-${lang}-2-wrong-card`);

    // The customer's own card.
    s.hall.cardReader.removeCard();
    await expect(page.getByTestId('card-insert')).toBeVisible();
    s.hall.cardReader.insert(card);
    await expect(page.getByTestId('card-ready')).toContainText(labels.ready);
    await expect(page.getByTestId('card-account')).toHaveText(ACCOUNT);
    await expect(page.getByTestId('card-meter')).toHaveText(m.meter_no);
    await expect(page.getByTestId('card-counter')).toHaveText('0');
    await expect(page.getByTestId('topup-pay')).toBeEnabled();
    await shot(page, `vend-card-${lang}-3-card-ready`);

    // The card leaves the reader after 3 of the 6 block writes (grey-locked: marked, old record).
    const removed = collectEvents(s.core, 'card.removed');
    s.hall.cardReader.removeCardAfterWrites(3);
    await page.getByTestId('topup-tendered').fill('100');
    await page.getByTestId('topup-pay').click();
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'token_issued');
    await expect(page.getByTestId('vend-card-reinsert')).toContainText(labels.reinsert);
    await expect(page.getByTestId('vend-write-card')).toBeVisible();
    await shot(page, `vend-card-${lang}-4-removed`);
    expect(new SimulatedMeter({ masterKey: DEMO_CARD_MASTER_KEY, meterNo: m.meter_no, generation: m.card_generation, clock: () => 1_800_000_000 }).insert(card).outcome).toBe('rejected');

    // Back in the reader once the core has seen it gone (so putting it back is a new insertion):
    // the core recovers the interrupted write and finishes the purchase.
    await expect.poll(() => removed.length, { timeout: 10_000 }).toBeGreaterThan(0);
    s.hall.cardReader.insert(card);
    await expect(page.getByTestId('vend-result')).toHaveAttribute('data-state', 'delivered', { timeout: 10_000 });
    await expect(page.getByTestId('vend-card-done')).toContainText(labels.done);
    await shot(page, `vend-card-${lang}-5-written`);
    const job = await s.printer.waitForJob(0, 5000);
    expect(job.text).toContain(labels.receipt);

    // The meter loads exactly one credit: the money for electricity of this purchase.
    const vend = s.core.db.prepare('SELECT card_amount_fen FROM vends').get() as { card_amount_fen: number };
    const meter = new SimulatedMeter({ masterKey: DEMO_CARD_MASTER_KEY, meterNo: m.meter_no, generation: m.card_generation, clock: () => 1_800_000_000 });
    const out = s.hall.cardReader.removeCard();
    expect(meter.insert(out!)).toEqual({ outcome: 'loaded', counter: 1, amountFen: vend.card_amount_fen });
    expect(meter.insert(out!)).toEqual({ outcome: 'nothing_new', counter: 1 });
  });
}
