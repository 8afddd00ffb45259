import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// No --disable-features here: it would replace Playwright's own list (TOOLCHAIN.md pitfalls).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  timeout: 60_000,
  reporter: 'list',
  use: { browserName: 'chromium', viewport: { width: 1280, height: 800 }, screenshot: 'only-on-failure', trace: 'retain-on-failure' },
  projects: [
    { name: 'headless', testIgnore: /kiosk\.spec/, use: { headless: true, launchOptions: { executablePath: CHROMIUM, args: ARGS } } },
  ],
});
