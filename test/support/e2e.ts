/**
 * Shared pieces of the Playwright journeys: a fresh stack per test, signing in through the real
 * UI, and screenshots kept in screenshots/ (Playwright wipes test-results/ on every run).
 */
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startStack, type Stack, type StackOptions } from './stack.js';

export const SHOTS = 'screenshots';
mkdirSync(SHOTS, { recursive: true });

export type Lang = 'zh-CN' | 'en';

/** Registers a fresh stack (backend, simulators, core, host) around every test of the file. */
export function stackPerTest(opts: Omit<StackOptions, 'withHost'> = {}): () => Stack {
  let stack: Stack | null = null;
  test.beforeEach(async () => {
    stack = await startStack({ ...opts, withHost: true });
  });
  test.afterEach(async () => {
    await stack?.dispose();
    stack = null;
  });
  return () => {
    if (!stack) throw new Error('stack used outside a test');
    return stack;
  };
}

export const DEMO_CLERK = { id: 'C001', pin: '1234' } as const;
export const DEMO_SUPERVISOR = { id: 'S001', pin: '9999' } as const;

export async function openAndSignIn(page: Page, stack: Stack, lang: Lang, who: { id: string; pin: string } = DEMO_CLERK): Promise<void> {
  await page.goto(stack.host!.launchUrl);
  await expect(page.getByTestId('sign-in')).toBeVisible();
  if (lang === 'en') await page.getByTestId('language').selectOption('en');
  await page.getByTestId('operator-id').fill(who.id);
  await page.getByTestId('pin').fill(who.pin);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('operator')).toContainText(who.id);
}

/** Screenshots only after the bundled CJK font has loaded, or Chinese shows as boxes. */
export async function fontsReady(page: Page): Promise<void> {
  await page.evaluate('document.fonts.ready');
}

export async function shot(page: Page, name: string): Promise<void> {
  await fontsReady(page);
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}
