/**
 * The staff exit by staff badge on the kiosk's screen, against the real core and the simulated HID
 * reader (docs/kiosk.md "Staff exit", docs/devices/staff-badge.md): five taps in the corner → a
 * customer's prepaid card, an altered badge and a stranger's badge each refused with their own
 * translated message → the supervisor's badge is read as soon as it is inserted and only the PIN is
 * asked → a wrong PIN refused → diagnostics; in English a manager's wrong PINs lock the operator (the
 * shared lockout). Both languages, axe-core, screenshots in screenshots/kiosk-staff-card-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { BADGE_LAYOUT } from '../../kiosk-drivers/card/staff-badge.js';
import { cardFor, insertCard, removeCard, staffBadgeFor, until } from '../support/kiosk-stack.js';
import type { Stack } from '../support/stack.js';
import { expectAccessible, kioskPerTest, kioskShot, LANDSCAPE, openKiosk, PORTRAIT } from '../support/kiosk-e2e.js';

const stack = kioskPerTest({ kiosk: { healthCheckMs: 500, heartbeatIntervalMs: 1000 } });

async function staffGesture(page: Page): Promise<void> {
  for (let i = 0; i < 5; i++) await page.mouse.click(30, 30);
  await expect(page.getByTestId('staff-signin')).toBeVisible();
}

async function emptyReader(s: Stack): Promise<void> {
  if (s.hall.cardReader.removeCard()) await until('reader empty', () => s.core.devices?.list().some((d) => d.kind === 'cardReader' && d.cardSerial === null));
}

async function keyPin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.getByTestId(`staff-pin-${d}`).click();
  await expect(page.getByTestId('staff-pin-value')).toHaveText('•'.repeat(pin.length));
  await page.getByTestId('staff-pin-ok').click();
}

function journal(s: Stack, type: string): Record<string, unknown>[] {
  return (s.core.db.prepare('SELECT payload FROM journal WHERE type = ? ORDER BY seq').all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

test('zh-CN: customer card, altered badge refused → the supervisor badge, wrong PIN, right PIN → diagnostics', async ({ page }) => {
  const s = stack();
  await emptyReader(s);
  await openKiosk(page, s, LANDSCAPE);
  await staffGesture(page);
  await expect(page.getByTestId('staff-badge')).toContainText('工作人员工卡');
  await expectAccessible(page, 'staff badge sign-in zh-CN');
  await kioskShot(page, 'staff-card-zh-CN-signin');

  // A customer's prepaid card at the staff exit.
  await insertCard(s, cardFor(s, '3100000004', 0x51));
  await expect(page.getByTestId('staff-error')).toHaveText('这是客户的购电卡，不是工作人员工卡。请插入工卡，或输入工号。');
  await expect(page.getByTestId('staff-id')).toBeVisible();
  await kioskShot(page, 'staff-card-zh-CN-customer-card');
  await removeCard(s);

  // A genuine badge rewritten to name the manager.
  const altered = staffBadgeFor('S001', 0x52);
  const b4 = altered.peek(BADGE_LAYOUT.header);
  b4.set(Buffer.from('M001'), 4);
  altered.poke(BADGE_LAYOUT.header, b4);
  await insertCard(s, altered);
  await expect(page.getByTestId('staff-error')).toHaveText('此工卡未通过安全校验，已被拒绝。本次尝试已记录。');
  await expectAccessible(page, 'staff badge refused zh-CN');
  await kioskShot(page, 'staff-card-zh-CN-forged');
  await removeCard(s);

  // The supervisor's badge: read on insertion, the PIN asked for S001.
  await insertCard(s, staffBadgeFor('S001', 0x53));
  await expect(page.getByTestId('staff-pin-for')).toHaveText('工卡 S001：请输入密码');
  await expect(page.getByTestId('staff-pin-for')).toHaveAttribute('data-via', 'card');
  await expectAccessible(page, 'staff badge PIN zh-CN');
  await kioskShot(page, 'staff-card-zh-CN-pin');
  await removeCard(s);

  await keyPin(page, '0000');
  await expect(page.getByTestId('staff-error')).toHaveText('工号或密码错误');
  await expect(page.getByTestId('staff-pin-for')).toBeVisible();
  await kioskShot(page, 'staff-card-zh-CN-wrong-pin');
  await keyPin(page, '9999');
  await expect(page.getByTestId('staff-screen')).toBeVisible();
  await expect(page.getByTestId('staff-who')).toContainText('S001');
  await kioskShot(page, 'staff-card-zh-CN-screen');

  expect(journal(s, 'kiosk.staff_exit_failed').map((e) => e.reason)).toEqual(['kiosk.staff_card_customer', 'kiosk.staff_badge_invalid', 'auth.bad_pin']);
  expect(journal(s, 'kiosk.staff_card_read')).toEqual([expect.objectContaining({ operatorId: 'S001' })]);
  expect(journal(s, 'kiosk.staff_exit')).toEqual([expect.objectContaining({ operatorId: 'S001', via: 'card', cardSerial: '04BA0053' })]);

  await page.getByTestId('staff-exit-back').click();
  await expect(page.getByTestId('attract')).toBeVisible();
});

test('en: a stranger badge refused; a manager badge with wrong PINs locks the operator; the supervisor badge by the button, portrait', async ({ page }) => {
  const s = stack();
  await emptyReader(s);
  await openKiosk(page, s, LANDSCAPE);
  await staffGesture(page);
  await page.getByTestId('toggle-language').click();
  await expect(page.getByTestId('step-title')).toHaveText('Staff sign-in');
  await expect(page.getByTestId('staff-badge-read')).toHaveText('Read badge');
  await kioskShot(page, 'staff-card-en-signin');

  await insertCard(s, staffBadgeFor('S001', 0x61, { masterKey: new Uint8Array(16).fill(0x5a) }));
  await expect(page.getByTestId('staff-error')).toHaveText('This card is not a staff badge of this utility. Please insert your staff badge, or key your staff ID.');
  await removeCard(s);

  await insertCard(s, staffBadgeFor('M001', 0x62));
  await expect(page.getByTestId('staff-pin-for')).toHaveText('Badge of M001: key your PIN');
  await removeCard(s);
  for (let i = 0; i < 4; i++) {
    await keyPin(page, '1111');
    await expect(page.getByTestId('staff-error')).toHaveText('Wrong operator ID or PIN');
  }
  await keyPin(page, '1111');
  await expect(page.getByTestId('staff-error')).toHaveText('Too many wrong PINs; try again in 1 minutes');
  // Locked: the right PIN is refused too, on the badge as on the keyed ID.
  await keyPin(page, '5678');
  await expect(page.getByTestId('staff-error')).toHaveText('Too many wrong PINs; try again in 1 minutes');
  await expectAccessible(page, 'staff badge locked en');
  await kioskShot(page, 'staff-card-en-locked');
  expect(journal(s, 'kiosk.staff_exit').length).toBe(0);

  // Not my badge → back to the badge way; then back to the customers.
  await page.getByTestId('staff-change-id').click();
  await expect(page.getByTestId('staff-badge')).toBeVisible();
  await page.getByTestId('back').click();
  await expect(page.getByTestId('attract')).toBeVisible();
  // A badge already in the reader when the exit opens is read by the button.
  await insertCard(s, staffBadgeFor('S001', 0x63));
  await staffGesture(page);
  if ((await page.getByTestId('kiosk').getAttribute('data-lang')) !== 'en') await page.getByTestId('toggle-language').click();
  await expect(page.getByTestId('staff-pin-for')).toHaveCount(0);
  await page.getByTestId('staff-badge-read').click();
  await expect(page.getByTestId('staff-pin-for')).toHaveText('Badge of S001: key your PIN');
  await page.setViewportSize(PORTRAIT);
  await expectAccessible(page, 'staff badge PIN en portrait');
  await kioskShot(page, 'staff-card-en-pin-portrait');
  await keyPin(page, '9999');
  await expect(page.getByTestId('staff-screen')).toBeVisible();
  expect(journal(s, 'kiosk.staff_exit')).toEqual([expect.objectContaining({ operatorId: 'S001', via: 'card', cardSerial: '04BA0063' })]);
  expect(journal(s, 'kiosk.staff_exit_failed').map((e) => e.reason)).toEqual([
    'kiosk.staff_card_unknown',
    ...Array(4).fill('auth.bad_pin'),
    'auth.locked',
    'auth.locked',
  ]);
});
