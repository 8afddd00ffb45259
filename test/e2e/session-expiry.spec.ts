/**
 * An idle session ends on its own: a clerk signs in, opens an account, types an amount and the
 * cash tendered, and walks away. After the (here: 3 second) idle timeout the screen is back at
 * sign-in with the reason shown, and signing in again shows no trace of the half-entered payment.
 * Its own stack (reference backend, printer simulator, core, host) because the idle time is config.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { buildCore } from '../../main/compose/index.js';
import type { Core } from '../../main/core.js';
import { startHost, type RunningHost } from '../../main/host/host-server.js';
import { RENDERER_DIR } from '../../main/host/main.js';
import { createSimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import { startPrinterSimulator, type PrinterSimulator } from '../../kiosk-drivers/printer/simulator.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';
import { DEMO_CLERK, shot } from '../support/e2e.js';
import { runningClock } from '../support/stack.js';

const IDLE_MS = 3000;
let dir: string;
let backend: RunningBackend;
let printer: PrinterSimulator;
let core: Core;
let host: RunningHost;

test.beforeEach(async () => {
  const clock = runningClock();
  dir = mkdtempSync(path.join(tmpdir(), 'gd-e2e-idle-'));
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: clock, seedDate: '2026-11-27' });
  printer = await startPrinterSimulator({ port: 0 });
  const config = testTerminalConfig({
    dataDir: path.join(dir, 'terminal'),
    backend: { url: backend.url, pushIntervalMs: 60_000 },
    printer: { transport: 'network', host: printer.host, port: printer.port },
    devices: { simulated: true },
    session: { idleTimeoutMs: IDLE_MS },
  });
  core = buildCore(config, { hall: createSimulatedHall(), clock, lateFees: shippedLateFees() });
  await core.refreshOperators();
  host = await startHost({ core, staticDir: RENDERER_DIR });
});

test.afterEach(async () => {
  await host.close();
  await core.close();
  await printer.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an idle session returns to sign-in and keeps no half-entered payment (en)', async ({ page }) => {
  const signIn = async () => {
    await page.getByTestId('operator-id').fill(DEMO_CLERK.id);
    await page.getByTestId('pin').fill(DEMO_CLERK.pin);
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('operator')).toContainText(DEMO_CLERK.id);
  };
  await page.goto(host.launchUrl);
  await page.getByTestId('language').selectOption('en');
  await signIn();

  await page.getByTestId('lookup-query').fill('3100000001');
  await page.getByTestId('lookup-submit').click();
  await expect(page.getByTestId('account-no')).toHaveText('3100000001');
  const totalDue = await page.getByTestId('amount').inputValue();
  await page.getByTestId('amount').fill('12.34');
  await page.getByTestId('tendered').fill('50');

  // Nobody touches the terminal: after the idle time it is back at sign-in, saying why.
  await expect(page.getByTestId('sign-in')).toBeVisible({ timeout: IDLE_MS + 5000 });
  await expect(page.getByTestId('session-ended')).toHaveText('Your session ended after a period without activity; please sign in again');
  await expect(page.getByTestId('operator')).toHaveCount(0);
  await expect(page.getByTestId('amount')).toHaveCount(0);
  await shot(page, 'session-expired-en');

  await signIn();
  await expect(page.getByTestId('session-ended')).toHaveCount(0);
  await expect(page.getByTestId('lookup-query')).toHaveValue('');
  await expect(page.getByTestId('account-no')).toHaveCount(0);
  await expect(page.getByTestId('amount')).toHaveCount(0);
  // The same account again starts from scratch: the total due, nothing tendered.
  await page.getByTestId('lookup-query').fill('3100000001');
  await page.getByTestId('lookup-submit').click();
  await expect(page.getByTestId('amount')).toHaveValue(totalDue);
  await expect(page.getByTestId('tendered')).toHaveValue('');
  expect(core.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 0 });
});
