/**
 * The staff exit on the kiosk's screen, against the real core (docs/kiosk-ui.md "Staff exit"): five
 * taps in the top-left corner of the attract screen → staff ID and PIN on the screen's keys → a
 * wrong PIN refused with a translated message (journaled) → diagnostics (devices, test print) and
 * supplies (paper loaded clears the no-paper state; cash-free) → back to the customer journey; a
 * role that may not leave is refused; the staff screen idles back to the attract screen. Both
 * languages, axe-core on every staff screen, screenshots in screenshots/kiosk-staff-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { until } from '../support/kiosk-stack.js';
import type { Stack } from '../support/stack.js';
import { expectAccessible, kioskPerTest, kioskShot, LANDSCAPE, openKiosk, PORTRAIT } from '../support/kiosk-e2e.js';

const stack = kioskPerTest({ kiosk: { healthCheckMs: 500, heartbeatIntervalMs: 1000 } });

/** The documented gesture: five taps in the top-left corner within four seconds. */
async function staffGesture(page: Page): Promise<void> {
  for (let i = 0; i < 5; i++) await page.mouse.click(30, 30);
  await expect(page.getByTestId('staff-signin')).toBeVisible();
}

async function keyStaff(page: Page, operatorId: string, pin: string): Promise<void> {
  if (await page.getByTestId('staff-change-id').isVisible()) await page.getByTestId('staff-change-id').click();
  await page.getByTestId('staff-id-clear').click();
  for (const k of operatorId) await page.getByTestId(`staff-id-${k}`).click();
  await page.getByTestId('staff-id-ok').click();
  for (const d of pin) await page.getByTestId(`staff-pin-${d}`).click();
  await expect(page.getByTestId('staff-pin-value')).toHaveText('•'.repeat(pin.length));
  await page.getByTestId('staff-pin-ok').click();
}

function journal(s: Stack, type: string): Record<string, unknown>[] {
  return (s.core.db.prepare('SELECT payload FROM journal WHERE type = ? ORDER BY seq').all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

test('zh-CN: gesture → wrong PIN refused → diagnostics, test print, paper loaded clears no paper → back to the customer journey', async ({ page }) => {
  const s = stack();
  s.printer.setFault('paper_out');
  await until('no paper seen', () => s.core.devices?.printerHealth().fault === 'printer.paper_out', 5000);
  await openKiosk(page, s, LANDSCAPE);
  // A single tap in the corner does nothing; the rest of the screen still starts a visit.
  await page.mouse.click(30, 30);
  await expect(page.getByTestId('attract')).toBeVisible();

  await staffGesture(page);
  await expect(page.getByTestId('step-title')).toHaveText('工作人员登录');
  await expectAccessible(page, 'staff sign-in zh-CN');
  await kioskShot(page, 'staff-zh-CN-signin');

  await keyStaff(page, 'S001', '0000');
  await expect(page.getByTestId('staff-error')).toHaveText('工号或密码错误');
  await expect(page.getByTestId('staff-pin-value')).not.toContainText('•');
  await expectAccessible(page, 'staff wrong PIN zh-CN');
  await kioskShot(page, 'staff-zh-CN-wrong-pin');
  expect(journal(s, 'kiosk.staff_exit_failed')).toEqual([expect.objectContaining({ operatorId: 'S001', via: 'keypad', reason: 'auth.bad_pin' })]);
  expect(JSON.stringify(journal(s, 'kiosk.staff_exit_failed'))).not.toContain('0000');

  await keyStaff(page, 'S001', '9999');
  await expect(page.getByTestId('staff-screen')).toBeVisible();
  await expect(page.getByTestId('staff-who')).toContainText('S001');
  expect(journal(s, 'kiosk.staff_exit')).toEqual([expect.objectContaining({ operatorId: 'S001', via: 'keypad' })]);
  // Every device of the kiosk, the printer out of paper.
  await expect(page.getByTestId('device-table').locator('tbody tr')).toHaveCount(s.core.devices!.list().length);
  await expect(page.getByTestId('staff-paper')).toHaveAttribute('data-paper', 'out');
  await expect(page.getByTestId('staff-cash')).toContainText('仅支持扫码支付');
  await expectAccessible(page, 'staff screen zh-CN, no paper');
  await kioskShot(page, 'staff-zh-CN-no-paper');

  // "Paper loaded" while the printer still has none: recorded, and it says the printer disagrees.
  await page.getByTestId('staff-paper-loaded').click();
  await expect(page.getByTestId('staff-paper-result')).toContainText('仍报告故障');
  // Paper in, then "paper loaded": the printer is asked at once and the no-paper state is gone.
  s.printer.setFault(null);
  await page.getByTestId('staff-paper-loaded').click();
  await expect(page.getByTestId('staff-paper-result')).toContainText('凭条打印已恢复');
  await expect(page.getByTestId('staff-paper')).toHaveAttribute('data-paper', 'ok');
  expect(journal(s, 'kiosk.paper_loaded').length).toBe(2);
  expect(s.core.devices!.printerHealth().fault).toBeNull();

  // Test print reaches the printer.
  const jobs = s.printer.jobs().length;
  await page.getByTestId('test-print-button').click();
  await expect(page.getByTestId('test-print-done')).toBeVisible();
  await s.printer.waitForJob(jobs, 5000);
  await expectAccessible(page, 'staff screen zh-CN, paper loaded, test printed');
  await kioskShot(page, 'staff-zh-CN-paper-loaded');

  // Back to the customers: the session is the kiosk's again and a visit starts with printing offered.
  await page.getByTestId('staff-exit-back').click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-step', 'language');
  await page.getByTestId('lang-zh-CN').click();
  await expect(page.getByTestId('identify')).toBeVisible();
});

test('en: a role that may not leave is refused, translated; the staff screen idles back to the attract screen', async ({ page }) => {
  const s = stack();
  await page.clock.install();
  await openKiosk(page, s, LANDSCAPE);
  await staffGesture(page);
  await page.getByTestId('toggle-language').click();
  await expect(page.getByTestId('step-title')).toHaveText('Staff sign-in');
  await expectAccessible(page, 'staff sign-in en');
  await kioskShot(page, 'staff-en-signin');

  // A clerk's credentials are right, but clerks do not leave the kiosk.
  await keyStaff(page, 'C001', '1234');
  await expect(page.getByTestId('staff-error')).toHaveText('Your role (clerk) cannot use the staff exit. A supervisor, manager or technician can.');
  await keyStaff(page, 'S001', '1111');
  await expect(page.getByTestId('staff-error')).toHaveText('Wrong operator ID or PIN');
  await kioskShot(page, 'staff-en-wrong-pin');

  await keyStaff(page, 'S001', '9999');
  await expect(page.getByTestId('staff-screen')).toBeVisible();
  await expect(page.getByTestId('staff-paper')).toHaveAttribute('data-paper', 'ok');
  await expect(page.getByTestId('staff-cash')).toContainText('QR payments only');
  await expectAccessible(page, 'staff screen en');
  await kioskShot(page, 'staff-en-screen');
  await page.setViewportSize(PORTRAIT);
  await expectAccessible(page, 'staff screen en portrait');
  await kioskShot(page, 'staff-en-screen-portrait');
  await page.setViewportSize(LANDSCAPE);

  // Nobody touches it: the warning, then back to the attract screen as the kiosk.
  const idle = (await s.core.dispatch('kiosk.status', {}, s.core.newSession('probe'))) as { ok: true; result: { idle: { warnAfterMs: number; responseMs: number } } };
  await page.clock.fastForward(idle.result.idle.warnAfterMs + 1000);
  await expect(page.getByTestId('idle-warning')).toBeVisible();
  await page.clock.fastForward(idle.result.idle.responseMs + 1000);
  await expect(page.getByTestId('attract')).toBeVisible();
  // The page's session is the kiosk's again: a staff method is refused, a visit starts.
  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-step', 'language');
});
