/**
 * Where the UI opens: Electron when its binary is present, else Chromium in app mode when there is
 * a display, else the URL is printed for any browser on this machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('electron/package.json'));
    const pathTxt = path.join(dir, 'path.txt');
    if (!existsSync(pathTxt)) return null;
    const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumBinary(): string | null {
  return CHROMIUM_CANDIDATES.find((c): c is string => !!c && existsSync(c)) ?? null;
}

export type OpenedWith = 'electron' | 'chromium' | 'url';

export function openUi(url: string, kiosk: boolean, electronMain: string): OpenedWith {
  const electron = electronBinary();
  if (electron) {
    spawn(electron, [electronMain], { stdio: 'inherit', detached: false });
    return 'electron';
  }
  const chromium = chromiumBinary();
  if (chromium && process.env.DISPLAY) {
    const args = [
      kiosk ? '--kiosk' : `--app=${url}`,
      '--window-position=0,0',
      '--window-size=1280,800',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--noerrdialogs',
      '--test-type',
      `--user-data-dir=${mkdtempSync(path.join(tmpdir(), 'griddesk-ui-'))}`,
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ...(kiosk ? [url] : []),
    ];
    spawn(chromium, args, { stdio: 'ignore', detached: false });
    return 'chromium';
  }
  return 'url';
}
