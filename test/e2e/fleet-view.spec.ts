/**
 * The fleet view in a real browser, in both languages (docs/backend.md, "Fleet health"): a real
 * counter core beats every second through its own client; three kiosks enrolled with one-time
 * codes through the real enrol client beat through the real BackendClient — one low on paper, one
 * with events stuck in its outbox, one that falls silent while the backend's clock moves on ten
 * minutes. The page, after the admin token, lists each under what needs doing; a wrong token is
 * refused; axe finds nothing at WCAG 2.1 AA. Screenshots fleet-<lng>.png in screenshots/.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect as baseExpect, test } from '@playwright/test';
import { provisionTerminal } from '../../main/provisioning/provision.js';
import { BackendClient } from '../../main/sync/backend-client.js';
import type { Heartbeat } from '../../main/wire/kiosk-wire.js';
import { shot, type Lang } from '../support/e2e.js';
import { DEMO_NOW, startStack, type Stack } from '../support/stack.js';

const expect = baseExpect.configure({ timeout: 20_000 });
test.setTimeout(120_000);
const ADMIN = 'fleet-e2e-admin-token-0123456789';

let stack: Stack | null = null;
let dir = '';
let offsetMs = 0;
const now = (): Date => new Date(DEMO_NOW.getTime() + offsetMs + (Date.now() - started));
let started = Date.now();

test.beforeEach(async () => {
  offsetMs = 0;
  started = Date.now();
  dir = mkdtempSync(path.join(tmpdir(), 'gd-fleet-e2e-'));
  stack = await startStack({ adminToken: ADMIN, clock: now, kiosk: { heartbeatIntervalMs: 1000 } });
});
test.afterEach(async () => {
  await stack?.dispose();
  stack = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A kiosk enrolled with a fresh code, beating through the terminal's BackendClient. */
async function enrolledKiosk(s: Stack, n: number): Promise<{ id: string; beat: (over: Partial<Heartbeat>) => Promise<void> }> {
  const issued = s.backend.enrolment.issue({ siteId: 'HALL01', mode: 'kiosk', ttlMinutes: 60, issuedBy: 'e2e' });
  if (!issued) throw new Error('no code');
  const { reply } = await provisionTerminal({ backendUrl: s.backend.url, code: issued.code, dir: path.join(dir, `k${n}`) });
  const client = new BackendClient({ baseUrl: s.backend.url, terminalId: reply.terminalId, secret: reply.secret, now });
  return {
    id: reply.terminalId,
    beat: async (over) => {
      const at = now().toISOString();
      await client.heartbeat(
        {
          terminalId: reply.terminalId, mode: 'kiosk', at, version: '0.1.0', outboxBacklog: 0, oldestPendingAt: null, paper: 'ok', inService: true,
          functions: { payBills: true }, devices: [{ deviceId: 'printer', kind: 'printer', connected: true, fault: null }], undelivered: 0, clockDriftMs: 120, lastPushAt: at,
          ...over,
        },
        5000,
      );
    },
  };
}

for (const lang of ['zh-CN', 'en'] as const satisfies readonly Lang[]) {
  const L =
    lang === 'zh-CN'
      ? { title: '终端运行状况', token: '管理员令牌', show: '查看终端', refused: '管理员令牌被拒绝', low: '将尽', offline: '离线', counter: '柜台', waiting: '条事件待上传', summary: '共 4 台终端' }
      : { title: 'Fleet health', token: 'Admin token', show: 'Show the fleet', refused: 'admin token was refused', low: 'running low', offline: 'offline', counter: 'counter', waiting: 'events waiting', summary: '4 terminals' };

  test(`which kiosks need paper, which terminals are offline or behind on sync (${lang})`, async ({ page }) => {
    const s = stack as Stack;
    const [paper, stuck, silent] = [await enrolledKiosk(s, 1), await enrolledKiosk(s, 2), await enrolledKiosk(s, 3)];
    await silent.beat({});
    // Ten minutes pass: the silent kiosk sends nothing more; the counter (its own clock moved too) beats on.
    offsetMs += 10 * 60_000;
    const jumped = now().getTime();
    await expect.poll(async () => {
      const counter = (await s.backend.store.heartbeats()).find((h) => h.terminalId === 'T-HALL-01');
      return counter !== undefined && Date.parse(counter.receivedAt) >= jumped;
    }).toBe(true);
    await paper.beat({ paper: 'near_end' });
    const longAgo = new Date(jumped - 45 * 60_000).toISOString();
    await stuck.beat({ outboxBacklog: 12, oldestPendingAt: longAgo, lastPushAt: longAgo });

    await page.goto(`${s.backend.url}/fleet${lang === 'en' ? '?lang=en' : ''}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(L.title);
    await page.getByLabel(L.token).fill('not-the-token');
    await page.getByRole('button', { name: L.show }).click();
    await expect(page.getByRole('status')).toContainText(L.refused);

    await page.getByLabel(L.token).fill(ADMIN);
    await page.getByRole('button', { name: L.show }).click();
    await expect(page.locator('#summary')).toContainText(L.summary);
    await expect(page.locator('#paper')).toContainText(`${paper.id} — ${L.low}`);
    await expect(page.locator('#offline')).toContainText(silent.id);
    await expect(page.locator('#offline')).not.toContainText('T-HALL-01');
    await expect(page.locator('#behind')).toContainText(`${stuck.id} — 12 ${L.waiting}`);
    const counterRow = page.locator('tr[data-terminal="T-HALL-01"]');
    await expect(counterRow).toContainText(L.counter);
    await expect(page.locator(`tr[data-terminal="${silent.id}"]`)).toContainText(L.offline);

    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await shot(page, `fleet-${lang}`);
  });
}
