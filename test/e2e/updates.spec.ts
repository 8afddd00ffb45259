/**
 * Software updates on the diagnostics screen (docs/deploy/updates.md), as the demo supervisor:
 * the host shell says it does not update itself; a deferral needs a reason, is shown with who set
 * it, lands in the journal, and is lifted again — in zh-CN and en, with screenshots.
 */
import { expect, test } from '@playwright/test';
import { journalEntries } from '../../main/store/journal.js';
import { DEMO_SUPERVISOR, openAndSignIn, shot, stackPerTest } from '../support/e2e.js';

const stack = stackPerTest();

for (const lang of ['zh-CN', 'en'] as const) {
  const L =
    lang === 'zh-CN'
      ? { unsupported: '此外壳不自动更新', deferred: '由 S001 推迟：月末结账', reason: '月末结账' }
      : { unsupported: 'does not update itself', deferred: 'by S001: month-end closing', reason: 'month-end closing' };

  test(`updates: status, a deferral with its reason, lifted again (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openAndSignIn(page, stack(), lang, DEMO_SUPERVISOR);
    await page.getByTestId('tab-diagnostics').click();
    const panel = page.getByTestId('updates-panel');
    await expect(panel.getByTestId('updates-phase')).toContainText(L.unsupported);
    await expect(panel.getByTestId('updates-current')).toHaveText(/^\d+\.\d+\.\d+/);

    // No reason, no deferral.
    await expect(panel.getByTestId('updates-defer')).toBeDisabled();
    await panel.getByTestId('updates-hours').selectOption('72');
    await panel.getByTestId('updates-reason').fill(L.reason);
    await panel.getByTestId('updates-defer').click();
    await expect(panel.getByTestId('updates-deferred')).toContainText(L.deferred);
    await panel.scrollIntoViewIfNeeded();
    await shot(page, `updates-${lang}-deferred`);
    const deferrals = journalEntries(stack().core.db).filter((e) => e.type === 'update.deferred');
    expect(deferrals).toHaveLength(1);
    expect(deferrals[0]).toMatchObject({ actor: 'S001', payload: { reason: L.reason } });

    await panel.getByTestId('updates-lift').click();
    await expect(panel.getByTestId('updates-deferred')).toHaveCount(0);
    expect(journalEntries(stack().core.db).filter((e) => e.type === 'update.deferred')).toHaveLength(2);
  });
}
