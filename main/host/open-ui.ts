/**
 * Where the UI opens. Electron when it can run: then Electron's main process builds the one core
 * (from the same argv) and the host shell builds nothing. Otherwise the host shell builds the core
 * and the UI opens in Chromium's app mode when there is a display, else the URL is printed for any
 * browser on this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

export type UiShell =
  | { readonly kind: 'electron'; readonly binary: string; readonly main: string }
  | { readonly kind: 'host'; readonly reason: string };

export interface ShellProbe {
  /** The Electron binary, or null when it is not installed (e.g. its download was blocked). */
  readonly electronBinary: string | null;
  /** Electron's emitted main script (dist/main/electron/main.js). */
  readonly electronMain: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly exists: (p: string) => boolean;
}

/** Decided before any core exists, so exactly one process builds one. */
export function chooseShell(argv: readonly string[], probe: ShellProbe): UiShell {
  if (argv.includes('--no-open')) return { kind: 'host', reason: '--no-open' };
  if (!probe.electronBinary) return { kind: 'host', reason: 'no Electron binary' };
  if (!probe.exists(probe.electronMain)) return { kind: 'host', reason: `Electron found but ${probe.electronMain} is not built (npm run build)` };
  // Electron on Linux aborts without a display server; the host shell still prints a usable URL.
  if (probe.platform === 'linux' && !probe.env.DISPLAY && !probe.env.WAYLAND_DISPLAY) {
    return { kind: 'host', reason: 'Electron found but no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  return { kind: 'electron', binary: probe.electronBinary, main: probe.electronMain };
}

/** Electron with the host's own argv, so `--config <site file>` reaches buildCoreFromConfig there. */
export function spawnElectron(shell: Extract<UiShell, { kind: 'electron' }>, argv: readonly string[]): ChildProcess {
  // Chromium refuses to run as root with its sandbox on (setup runs as root on Debian).
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return spawn(shell.binary, [shell.main, ...argv, ...rootArgs], { stdio: 'inherit', detached: false });
}

/**
 * Chromium switches a kiosk needs, besides `--kiosk` (the Electron shell sets the same ones,
 * main/electron/lockdown.ts). Chromium in `--kiosk` has no key filter: Ctrl+W, Ctrl+P, Alt+F4 and
 * F11 still work, so a kiosk on the host shell needs the OS to block them, and Chromium policies
 * for devtools and printing (docs/deploy/linux.md); the Electron shell swallows them itself.
 */
export const CHROMIUM_KIOSK_FLAGS = [
  '--disable-pinch', // no pinch zoom on the touch screen
  '--overscroll-history-navigation=0', // no swipe back/forward
  '--disable-features=TranslateUI', // no translate bubble on the zh-CN pages
  '--disable-session-crashed-bubble', // no "restore pages?" after a power cut
  '--autoplay-policy=no-user-gesture-required', // voice prompts may speak before the first touch
  '--deny-permission-prompts', // camera, location, notifications…: refused without asking
  '--password-store=basic', // no desktop keyring unlock prompt
] as const;

export interface ChromiumLaunch {
  /** A profile of its own (a fresh folder each launch): no history, no saved state, no sync. */
  readonly userDataDir: string;
  /** Chromium refuses to run as root with its sandbox on. */
  readonly root: boolean;
}

/** Chromium's command line for the host shell's UI: app mode (counter) or kiosk. */
export function chromiumArgs(url: string, kiosk: boolean, launch: ChromiumLaunch): string[] {
  return [
    kiosk ? '--kiosk' : `--app=${url}`,
    '--window-position=0,0',
    '--window-size=1280,800',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--noerrdialogs',
    '--test-type',
    `--user-data-dir=${launch.userDataDir}`,
    ...(launch.root ? ['--no-sandbox'] : []),
    ...(kiosk ? [...CHROMIUM_KIOSK_FLAGS, url] : []),
  ];
}

/** The host shell's UI: Chromium in app mode when there is a display, else just the URL. */
export function openBrowser(url: string, kiosk: boolean, env: Readonly<Record<string, string | undefined>> = process.env): Exclude<OpenedWith, 'electron'> {
  const chromium = chromiumBinary();
  if (chromium && env.DISPLAY) {
    const args = chromiumArgs(url, kiosk, {
      userDataDir: mkdtempSync(path.join(tmpdir(), 'griddesk-ui-')),
      root: process.getuid?.() === 0,
    });
    spawn(chromium, args, { stdio: 'ignore', detached: false });
    return 'chromium';
  }
  return 'url';
}
