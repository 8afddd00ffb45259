/**
 * Kiosk journeys in Playwright: the kiosk stack (`mode: 'kiosk'`: the renderer chooses the kiosk
 * route tree from `system.info`; simulated devices, the reference backend and its QR gateway) with
 * the host shell; plus the kiosk's page helpers — open at a screen size, record
 * voice prompts, check accessibility with axe-core, keep screenshots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startKioskStack } from './kiosk-stack.js';
import type { KioskStackOptions, Stack, StackOptions } from './stack.js';
import { fontsReady, SHOTS, type Lang } from './e2e.js';

export type { Lang };
export const LANGS = ['zh-CN', 'en'] as const;

/** Kiosk screen sizes: the hall's portrait kiosks and the small landscape ones. */
export const PORTRAIT = { width: 1080, height: 1920 } as const;
export const LANDSCAPE = { width: 1280, height: 800 } as const;

export type KioskHostOptions = StackOptions & KioskStackOptions;

/** The core engineer's kiosk stack (test/support/kiosk-stack.ts) with the host shell serving the built renderer. */
export function startKioskHost(opts: KioskHostOptions = {}): Promise<Stack> {
  return startKioskStack({ withHost: true, ...opts });
}

/** A fresh kiosk stack around every test of the file. */
export function kioskPerTest(opts: KioskHostOptions = {}): () => Stack {
  let stack: Stack | null = null;
  test.beforeEach(async () => {
    stack = await startKioskHost(opts);
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

/**
 * Replaces speechSynthesis with a recorder before the page loads (headless Chromium has no
 * voices): every prompt spoken is kept in `window.__spoken` as { text, lang }. With `absent`, the
 * page has no speechSynthesis at all (a kiosk whose Chromium lacks it).
 */
export async function recordVoice(page: Page, absent = false): Promise<void> {
  // Browser code as text: the Node tsconfig has no DOM types.
  await page.addInitScript(
    absent
      ? `Object.defineProperty(window, 'speechSynthesis', { value: undefined, configurable: true });
         Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: undefined, configurable: true });`
      : `(() => {
          const spoken = [];
          window.__spoken = spoken;
          class Utterance { constructor(text) { this.text = text; this.lang = ''; this.voice = null; this.rate = 1; } }
          Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
          Object.defineProperty(window, 'speechSynthesis', { configurable: true,
            value: { speak: (u) => spoken.push({ text: u.text, lang: u.lang }), cancel: () => {}, getVoices: () => [] } });
        })();`,
  );
}

export async function spoken(page: Page): Promise<{ text: string; lang: string }[]> {
  return (await page.evaluate('(window.__spoken || []).slice()')) as { text: string; lang: string }[];
}

/** Open the kiosk (attract screen) at a screen size. */
export async function openKiosk(page: Page, stack: Stack, size: { width: number; height: number } = LANDSCAPE): Promise<void> {
  await page.setViewportSize(size);
  // Still screens for screenshots: the attract loop's fades and pulse honour reduced motion.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(stack.host!.launchUrl);
  await expect(page.getByTestId('attract')).toBeVisible();
}

/** Attract → language → identify. */
export async function startVisit(page: Page, lang: Lang): Promise<void> {
  await page.getByTestId('attract-start').click();
  await page.getByTestId(`lang-${lang}`).click();
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-lang', lang);
}

/** No serious or critical axe-core violation on the screen as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await fontsReady(page);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

/** Every visible button, link and input is at least 48 × 48 CSS px. */
export async function expectTouchTargets(page: Page, what: string): Promise<void> {
  const small = (await page.evaluate(`[...document.querySelectorAll('button, a[href], input, select, [role="button"]')]
    .map((el) => ({ el, r: el.getBoundingClientRect(), s: getComputedStyle(el) }))
    .filter(({ r, s }) => r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none')
    .filter(({ r }) => r.width < 48 || r.height < 48)
    .map(({ el, r }) => (el.dataset.testid || el.textContent.trim().slice(0, 20)) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`)) as string[];
  expect(small, `touch targets on ${what}`).toEqual([]);
}

/** A screenshot of the viewport (the kiosk's screen), kept in screenshots/. */
export async function kioskShot(page: Page, name: string): Promise<void> {
  await fontsReady(page);
  await page.screenshot({ path: `${SHOTS}/kiosk-${name}.png` });
}

const JSQR_SOURCE = readFileSync(path.join(process.cwd(), 'node_modules/jsqr/dist/jsQR.js'), 'utf8');

/**
 * The QR code on the screen, decoded from its pixels as a phone would (the SVG drawn onto a
 * canvas, read with jsQR): proves the code shown carries the order's content, not just an attribute.
 */
export async function decodeShownQr(page: Page): Promise<string> {
  await expect(page.getByTestId('qr-code')).toBeVisible();
  // page.evaluate runs over the DevTools protocol, outside the page's CSP.
  const text = await page.evaluate(`(async () => {
    ${JSQR_SOURCE}
    const svg = document.querySelector('[data-testid="qr-code"]');
    const xml = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    img.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(xml)));
    await img.decode();
    const size = 480;
    const canvas = document.createElement('canvas');
    canvas.width = size; canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, size, size);
    ctx.drawImage(img, 0, 0, size, size);
    const data = ctx.getImageData(0, 0, size, size);
    const found = window.jsQR(data.data, size, size);
    return found ? found.data : null;
  })()`);
  expect(text, 'QR code on screen decodes').not.toBeNull();
  return text as string;
}
