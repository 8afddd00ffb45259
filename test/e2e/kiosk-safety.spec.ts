/**
 * The kiosk never strands a customer, against the real core: cancel at every step ends the visit
 * with nothing written; the QR code's expiry (nothing charged, a late scan refused by the gateway);
 * a payment that crossed the customer's cancel is honoured and delivered; a paid card top-up whose
 * card left comes first on the next screen; and the degraded states, function by function.
 */
import { expect, test, type Page } from '@playwright/test';
import { cardFor, until } from '../support/kiosk-stack.js';
import { DEMO_NOW, type Stack } from '../support/stack.js';
import { decodeShownQr, expectAccessible, kioskShot, LANDSCAPE, openKiosk, startKioskHost, startVisit } from '../support/kiosk-e2e.js';

/** The core's and the gateway's clock, which a test can move forward (the QR code's expiry). */
function movableClock(): { clock: () => Date; advance: (ms: number) => void } {
  const started = Date.now();
  let offset = 0;
  return { clock: () => new Date(DEMO_NOW.getTime() + (Date.now() - started) + offset), advance: (ms) => void (offset += ms) };
}

let stack: Stack | null = null;
const time = movableClock();
test.afterEach(async () => {
  await stack?.dispose();
  stack = null;
});
async function start(kiosk: Record<string, number> = {}): Promise<Stack> {
  stack = await startKioskHost({ clock: time.clock, kiosk: { orderPollMs: 300, healthCheckMs: 500, heartbeatIntervalMs: 1000, ...kiosk } });
  return stack;
}

async function keyIn(page: Page, keypad: string, digits: string): Promise<void> {
  for (const d of digits) await page.getByTestId(`${keypad}-${d === '.' ? 'dot' : d}`).click();
}

async function toAccount(page: Page, accountNo: string): Promise<void> {
  await keyIn(page, 'number-keypad', accountNo);
  await page.getByTestId('number-keypad-ok').click();
  await expect(page.getByTestId('account-no')).toHaveText(accountNo);
}

function orders(s: Stack): { state: string }[] {
  return s.core.db.prepare('SELECT state FROM kiosk_orders ORDER BY created_at').all() as { state: string }[];
}

async function cancelled(page: Page): Promise<void> {
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('attract')).toBeVisible();
}

test('cancel at every step: back to the start, the visit ended, nothing paid; the QR cancel charges nothing', async ({ page }) => {
  const s = await start();
  await openKiosk(page, s, LANDSCAPE);
  const visitsEnded = () => (s.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'kiosk.visit_ended'").get() as { n: number }).n;

  await page.getByTestId('attract-start').click();
  await cancelled(page); // language
  await startVisit(page, 'zh-CN');
  await keyIn(page, 'number-keypad', '31000');
  await cancelled(page); // identify, half-typed
  await startVisit(page, 'zh-CN');
  await expect(page.getByTestId('number-keypad-value')).not.toContainText('31000');
  await toAccount(page, '3100000003');
  await cancelled(page); // account
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000001');
  await page.getByTestId('account-pay-bills').click();
  await expect(page.getByTestId('bills-total')).toBeVisible();
  await cancelled(page); // bills
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000003');
  await page.getByTestId('account-buy').click();
  await cancelled(page); // buy
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000003');
  await page.getByTestId('account-buy').click();
  await page.getByTestId('preset-50').click();
  await expect(page.getByTestId('confirm-vend')).toBeVisible();
  await cancelled(page); // confirm
  await expect.poll(visitsEnded).toBeGreaterThanOrEqual(6);
  expect(orders(s)).toEqual([]);

  // The QR screen: its own cancel; the gateway closes the order, nothing is charged.
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000003');
  await page.getByTestId('account-buy').click();
  await page.getByTestId('preset-50').click();
  await page.getByTestId('confirm-pay').click();
  const codeUrl = await decodeShownQr(page);
  await expect(page.getByTestId('cancel')).toHaveCount(0);
  await page.getByTestId('qr-cancel').click();
  await expect(page.getByTestId('qr-ended')).toHaveAttribute('data-reason', 'cancelled');
  await expect(page.getByTestId('qr-ended')).toContainText('未扣款');
  await kioskShot(page, 'real-zh-CN-qr-cancelled');
  expect((await fetch(codeUrl, { method: 'POST' })).status).toBe(409);
  expect(orders(s)).toEqual([{ state: 'cancelled' }]);
  await page.getByTestId('qr-back').click();
  await expect(page.getByTestId('account')).toBeVisible();
  await cancelled(page);
  expect((s.core.db.prepare('SELECT COUNT(*) AS n FROM vends WHERE state NOT IN (?, ?)').get('cancelled', 'created') as { n: number }).n).toBe(0);
});

test('QR timeout: the code expires, nothing charged, a late scan is refused; paying again makes a new code', async ({ page }) => {
  const s = await start({ orderTtlSeconds: 60 });
  await openKiosk(page, s, LANDSCAPE);
  await startVisit(page, 'en');
  await toAccount(page, '3100000001');
  await page.getByTestId('account-pay-bills').click();
  await page.getByTestId('bills-pay').click();
  const codeUrl = await decodeShownQr(page);
  await expect(page.getByTestId('qr-expires')).toContainText('seconds');
  // Past the order's lifetime on the core's and the gateway's clock (within the visit's idle limit).
  time.advance(65_000);
  await expect(page.getByTestId('qr-ended')).toHaveAttribute('data-reason', 'expired', { timeout: 10_000 });
  await expect(page.getByTestId('qr-ended')).toContainText('Nothing was charged');
  await expectAccessible(page, 'QR expired');
  await kioskShot(page, 'real-en-qr-expired');
  expect((await fetch(codeUrl, { method: 'POST' })).status).toBe(409);
  expect(orders(s)).toEqual([{ state: 'expired' }]);
  expect(s.core.db.prepare("SELECT COUNT(*) AS n FROM payments WHERE account_no = '3100000001'").get()).toEqual({ n: 0 });
  // Back to the account; paying again gets a fresh code.
  await page.getByTestId('qr-back').click();
  await page.getByTestId('account-pay-bills').click();
  await page.getByTestId('bills-pay').click();
  expect(await decodeShownQr(page)).not.toBe(codeUrl);
  await page.getByTestId('qr-cancel').click();
  await expect(page.getByTestId('qr-ended')).toBeVisible();
});

test('late payment: the customer paid as they pressed cancel — the purchase is honoured and the token delivered', async ({ page }) => {
  // The core's own poll is slow, so only the cancel finds the payment.
  const s = await start({ orderPollMs: 30_000 });
  await page.clock.install();
  await openKiosk(page, s, LANDSCAPE);
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000003');
  await page.getByTestId('account-buy').click();
  await page.getByTestId('preset-50').click();
  await page.getByTestId('confirm-pay').click();
  const codeUrl = await decodeShownQr(page);
  // The screen's time stands still: no status poll sees the payment before the cancel does.
  await page.clock.pauseAt(((await page.evaluate('Date.now()')) as number) + 100);
  expect((await fetch(codeUrl, { method: 'POST' })).status).toBe(200);
  await page.getByTestId('qr-cancel').click();
  await expect(page.getByTestId('deliver-honoured')).toContainText('您的付款已到账');
  await page.clock.resume();
  await expect(page.getByTestId('token-digits')).toHaveText(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/, { timeout: 15_000 });
  await kioskShot(page, 'real-zh-CN-late-payment-honoured');
  const vend = s.core.db.prepare("SELECT state FROM vends WHERE account_no = '3100000003'").get() as { state: string };
  expect(vend.state).toBe('delivered');
});

test('a paid card top-up whose card left comes first: the next screen asks for the card and writes it', async ({ page }) => {
  const s = await start();
  const card = cardFor(s, '3100000004', 0x41);
  await openKiosk(page, s, LANDSCAPE);
  await startVisit(page, 'en');
  s.hall.cardReader.insert(card);
  await expect(page.getByTestId('account-no')).toHaveText('3100000004');
  await page.getByTestId('account-buy').click();
  await page.getByTestId('preset-50').click();
  await page.getByTestId('confirm-pay').click();
  const codeUrl = await decodeShownQr(page);
  // The card is pulled out, then the customer pays, and the screen goes dark (reload = a new screen session).
  s.hall.cardReader.removeCard();
  await until('card gone', () => s.core.devices?.list().some((d) => d.kind === 'cardReader' && d.cardSerial === null));
  expect((await fetch(codeUrl, { method: 'POST' })).status).toBe(200);
  await until('paid', () => orders(s).some((o) => o.state === 'paid'), 10_000);
  await page.reload();
  await expect(page.getByTestId('pending')).toContainText('Finish your previous purchase first');
  await expect(page.getByTestId('pending')).toContainText('请先完成上一笔交易');
  await expectAccessible(page, 'pending');
  await kioskShot(page, 'real-pending');
  await page.getByTestId('pending-go').click();
  await expect(page.getByTestId('deliver-insert-card')).toBeVisible();
  s.hall.cardReader.insert(card);
  await expect(page.getByTestId('deliver-card-done')).toBeVisible({ timeout: 15_000 });
  expect(s.core.db.prepare("SELECT state, delivery FROM vends WHERE account_no = '3100000004'").get()).toEqual({ state: 'delivered', delivery: 'card' });
});

test('degraded: no paper said before paying and the token shown; card writer down blocks card top-up only; backend offline; gateway down → out of service with the hotline', async ({ page }) => {
  test.setTimeout(120_000);
  const s = await start();
  await openKiosk(page, s, LANDSCAPE);

  // No paper.
  s.printer.setFault('paper_out');
  await startVisit(page, 'en');
  await toAccount(page, '3100000003');
  await expect(page.getByTestId('notice-print')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('account-buy').click();
  await page.getByTestId('preset-50').click();
  await expect(page.getByTestId('notice-print')).toBeVisible();
  await kioskShot(page, 'real-en-no-paper-before-paying');
  const jobs = s.printer.jobs().length;
  await page.getByTestId('confirm-pay').click();
  expect((await fetch(await decodeShownQr(page), { method: 'POST' })).status).toBe(200);
  await expect(page.getByTestId('token-digits')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('deliver-not-printed')).toBeVisible();
  expect(s.printer.jobs().length).toBe(jobs);
  await page.getByTestId('deliver-next').click();
  await page.getByTestId('rate-skip').click();
  await page.getByTestId('done-home').click();
  s.printer.setFault(null);

  // Card writer down: no card identification, no card top-up; bills still payable.
  s.hall.cardReader.unplug();
  await startVisit(page, 'en');
  await expect(page.getByTestId('identify-card')).toContainText('not available', { timeout: 10_000 });
  await toAccount(page, '3100000004');
  await expect(page.getByTestId('notice-cardTopUp')).toBeVisible();
  await expect(page.getByTestId('account-buy')).toBeDisabled();
  await kioskShot(page, 'real-en-card-writer-down');
  await cancelled(page);
  await startVisit(page, 'en');
  await toAccount(page, '3100000001');
  await expect(page.getByTestId('account-pay-bills')).toBeEnabled();
  await cancelled(page);
  s.hall.cardReader.replug();

  // Backend offline: said, with the offline limit.
  s.backend.kiosk.knobs = { ...s.backend.kiosk.knobs, apiDown: true };
  await startVisit(page, 'en');
  await expect(page.getByTestId('notice-offline')).toBeVisible({ timeout: 10_000 });
  await cancelled(page);
  s.backend.kiosk.knobs = { ...s.backend.kiosk.knobs, apiDown: false };

  // Gateway down: the kiosk cannot take money → out of service with the hotline; back when it is.
  s.backend.kiosk.knobs = { ...s.backend.kiosk.knobs, gatewayDown: true };
  await expect(page.getByTestId('out-of-service')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('hotline-zh-CN')).toContainText('95598');
  await kioskShot(page, 'real-out-of-service');
  s.backend.kiosk.knobs = { ...s.backend.kiosk.knobs, gatewayDown: false };
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 20_000 });
});

test('idle with the real core: warning, one touch extends, then the visit ends in the core; the QR screen keeps a paying customer', async ({ page }) => {
  test.setTimeout(120_000);
  const s = await start({ warnAfterMs: 1000, responseMs: 20_000, visitTimeoutMs: 21_000 });
  const ended = () => s.core.db.prepare("SELECT payload FROM journal WHERE type = 'kiosk.visit_ended' ORDER BY seq").all() as { payload: string }[];
  await openKiosk(page, s, LANDSCAPE);
  await startVisit(page, 'zh-CN');
  await expect(page.getByTestId('idle-warning')).toBeVisible({ timeout: 5000 });
  await expect(page.getByTestId('idle-warning')).toContainText('您还在吗');
  await kioskShot(page, 'real-zh-CN-idle-warning');
  await page.getByTestId('idle-extend').click();
  await expect(page.getByTestId('idle-warning')).toHaveCount(0);
  await expect(page.getByTestId('idle-warning')).toBeVisible({ timeout: 5000 });
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => ended().length).toBe(1);

  // Paying on the phone is not touching the screen: the QR screen holds the visit past the idle limit.
  await startVisit(page, 'zh-CN');
  await toAccount(page, '3100000001');
  await page.getByTestId('account-pay-bills').click();
  await page.getByTestId('bills-pay').click();
  await decodeShownQr(page);
  await page.waitForTimeout(25_000);
  await expect(page.getByTestId('qr-pay')).toBeVisible();
  expect(ended().length).toBe(1);
  await page.getByTestId('qr-cancel').click();
  await expect(page.getByTestId('qr-ended')).toBeVisible();
});
