/**
 * Kiosk lockdown of the Electron shell (main/electron/lockdown.ts, main.ts) without the Electron
 * binary: the policy's pure parts directly (window options, which keys are swallowed, the crash
 * budget, the host shell's Chromium argv), and its wiring with `electron` replaced by a recording
 * fake (test/support/fake-electron.ts) and a stand-in core: single instance, Chromium switches, no
 * menu, the kiosk window, every WebContents locked, crash and hang recovery. Counter mode keeps
 * its ordinary window.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../support/fake-electron.js'));

/** The core the shell builds: a stand-in, so no database, backend or device is touched. */
const core = {
  closed: 0,
  newSession: (id: string) => ({ id }),
  dispatch: async () => ({ ok: true, result: null }),
  on: () => () => undefined,
  close: async () => {
    core.closed++;
  },
  syncNow: async () => undefined,
  pullNow: async () => undefined,
};
const DEFAULTS = path.resolve('resources/config/terminal.default.json');
vi.mock('../../../main/compose/index.js', () => ({
  configPaths: (argv: readonly string[]) => {
    const i = argv.indexOf('--config');
    return i >= 0 ? [DEFAULTS, argv[i + 1] as string] : [DEFAULTS];
  },
  buildCoreFromConfig: async () => {
    builds++;
    return { core, config: {} };
  },
}));
let builds = 0;

const fake = await import('../../support/fake-electron.js');
const { startElectronShell } = await import('../../../main/electron/main.js');
const { CrashBudget, isEscapeShortcut, KIOSK_CHROMIUM_SWITCHES, windowOptions, wireCrashRecovery } = await import('../../../main/electron/lockdown.js');
type KeyEvent = import('../../../main/electron/lockdown.js').KeyEvent;
const { CHROMIUM_KIOSK_FLAGS, chromiumArgs } = await import('../../../main/host/open-ui.js');

const dir = mkdtempSync(path.join(tmpdir(), 'gd-lockdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function siteFile(mode: 'kiosk' | 'counter'): string {
  const file = path.join(dir, `${mode}.json`);
  writeFileSync(file, JSON.stringify({ mode, dataDir: path.join(dir, 'data') }));
  return file;
}

/** A process for the shell: argv with --config, and signals a test can send. */
function shellProcess(mode: 'kiosk' | 'counter') {
  return Object.assign(new EventEmitter(), { argv: ['electron', '.', '--config', siteFile(mode)] });
}

const key = (k: Partial<KeyEvent> & { key: string }): KeyEvent => ({ type: 'keyDown', code: '', alt: false, control: false, meta: false, shift: false, ...k });

beforeEach(() => {
  fake.resetFakeElectron();
  builds = 0;
  core.closed = 0;
});

describe('kiosk window policy (pure)', () => {
  it('kiosk: fullscreen kiosk window without frame, devtools, dialogs or zoom; isolated and sandboxed', () => {
    const o = windowOptions('kiosk', '/app/preload.cjs');
    expect(o).toMatchObject({ kiosk: true, fullscreen: true, frame: false, resizable: false, movable: false, minimizable: false, maximizable: false, autoHideMenuBar: true });
    expect(o.webPreferences).toEqual({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: false,
      disableDialogs: true,
      spellcheck: false,
      navigateOnDragDrop: false,
      autoplayPolicy: 'no-user-gesture-required',
      zoomFactor: 1,
    });
  });

  it('counter: the ordinary window it always had', () => {
    expect(windowOptions('counter', '/app/preload.cjs')).toEqual({
      width: 1280,
      height: 800,
      autoHideMenuBar: true,
      webPreferences: { preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
    });
  });

  it.each([
    ['Alt+F4', key({ key: 'F4', code: 'F4', alt: true })],
    ['Alt+Tab', key({ key: 'Tab', code: 'Tab', alt: true })],
    ['Alt+← (back)', key({ key: 'ArrowLeft', code: 'ArrowLeft', alt: true })],
    ['Alt alone (menu)', key({ key: 'Alt', code: 'AltLeft', alt: true })],
    ['Ctrl+W', key({ key: 'w', code: 'KeyW', control: true })],
    ['Ctrl+R', key({ key: 'r', code: 'KeyR', control: true })],
    ['Ctrl+Shift+R', key({ key: 'R', code: 'KeyR', control: true, shift: true })],
    ['Ctrl+Shift+I', key({ key: 'I', code: 'KeyI', control: true, shift: true })],
    ['Ctrl+P', key({ key: 'p', code: 'KeyP', control: true })],
    ['Ctrl++', key({ key: '+', code: 'Equal', control: true, shift: true })],
    ['Ctrl+Alt+Delete (if the OS lets it through)', key({ key: 'Delete', code: 'Delete', control: true, alt: true })],
    ['Win+D', key({ key: 'd', code: 'KeyD', meta: true })],
    ['Win key', key({ key: 'Meta', code: 'MetaLeft', meta: true })],
    ['F5', key({ key: 'F5', code: 'F5' })],
    ['F11', key({ key: 'F11', code: 'F11' })],
    ['F12', key({ key: 'F12', code: 'F12' })],
    ['F1', key({ key: 'F1', code: 'F1' })],
    ['keyUp of F12', key({ type: 'keyUp', key: 'F12', code: 'F12' })],
    ['browser Back key', key({ key: 'BrowserBack', code: 'BrowserBack' })],
    ['browser Refresh key', key({ key: 'BrowserRefresh', code: 'BrowserRefresh' })],
    ['context-menu key', key({ key: 'ContextMenu', code: 'ContextMenu' })],
    ['Shift+F10 (context menu)', key({ key: 'F10', code: 'F10', shift: true })],
  ])('swallows %s', (_name, input) => {
    expect(isEscapeShortcut(input)).toBe(true);
  });

  it.each([
    ['a digit', key({ key: '7', code: 'Digit7' })],
    ['a letter', key({ key: 'a', code: 'KeyA' })],
    ['a capital (scanner wedge)', key({ key: 'A', code: 'KeyA', shift: true })],
    ['Enter (scanner terminator)', key({ key: 'Enter', code: 'Enter' })],
    ['Tab (scanner terminator)', key({ key: 'Tab', code: 'Tab' })],
    ['Backspace', key({ key: 'Backspace', code: 'Backspace' })],
    ['Escape', key({ key: 'Escape', code: 'Escape' })],
    ['an arrow', key({ key: 'ArrowDown', code: 'ArrowDown' })],
    ['a space', key({ key: ' ', code: 'Space' })],
  ])('lets %s through', (_name, input) => {
    expect(isEscapeShortcut(input)).toBe(false);
  });

  it('crash budget: reloads up to 5 times in 5 minutes, then gives up; old crashes age out', () => {
    let now = 0;
    const b = new CrashBudget(() => now, 5, 300_000);
    for (let i = 0; i < 5; i++) {
      expect(b.next()).toBe('reload');
      now += 1000;
    }
    expect(b.next()).toBe('exit');
    now += 300_000;
    expect(b.next()).toBe('reload');
  });
});

describe('host shell: Chromium argv', () => {
  const launch = { userDataDir: '/tmp/griddesk-ui-x', root: false };

  it('kiosk: --kiosk, the kiosk switches, its own profile folder, the URL last', () => {
    const args = chromiumArgs('http://127.0.0.1:5000/#k=s', true, launch);
    expect(args[0]).toBe('--kiosk');
    expect(args.at(-1)).toBe('http://127.0.0.1:5000/#k=s');
    expect(args).toEqual(
      expect.arrayContaining([
        '--noerrdialogs',
        '--disable-pinch',
        '--overscroll-history-navigation=0',
        '--disable-features=TranslateUI',
        '--no-first-run',
        '--disable-session-crashed-bubble',
        '--autoplay-policy=no-user-gesture-required',
        '--deny-permission-prompts',
        '--user-data-dir=/tmp/griddesk-ui-x',
      ]),
    );
    expect(args).not.toContain('--no-sandbox');
    expect(args.filter((a) => a.startsWith('--disable-features'))).toHaveLength(1); // Chromium keeps only the last one
  });

  it('counter: app mode with the URL, none of the kiosk switches', () => {
    const args = chromiumArgs('http://127.0.0.1:5000/#k=s', false, { ...launch, root: true });
    expect(args[0]).toBe('--app=http://127.0.0.1:5000/#k=s');
    expect(args).toContain('--no-sandbox');
    expect(args).not.toContain('--kiosk');
    for (const flag of CHROMIUM_KIOSK_FLAGS) expect(args).not.toContain(flag);
  });

  it('the Electron shell sets the same Chromium switches in kiosk mode', () => {
    const electron = KIOSK_CHROMIUM_SWITCHES.map(([name, value]) => (value === undefined ? `--${name}` : `--${name}=${value}`));
    const host = chromiumArgs('u', true, launch);
    for (const flag of electron) expect(host).toContain(flag);
  });
});

describe('Electron shell wiring (electron mocked)', () => {
  afterEach(() => vi.useRealTimers());

  it('kiosk: Chromium switches and the single-instance lock before the app is ready; no menu; the kiosk window', async () => {
    await startElectronShell(shellProcess('kiosk'));
    expect(fake.recorded.switches).toEqual(KIOSK_CHROMIUM_SWITCHES.map((s) => [...s]));
    expect(fake.recorded.lockRequests).toBe(1);
    expect(fake.recorded.applicationMenus).toEqual([null]);
    expect(builds).toBe(1);
    const [win] = fake.recorded.windows;
    expect(fake.recorded.windows).toHaveLength(1);
    expect(win?.options).toEqual(windowOptions('kiosk', expect.stringMatching(/preload\.cjs$/) as unknown as string));
    expect(win?.menuRemoved).toBe(true);
    expect(win?.loaded).toHaveLength(1);
    // Permission requests and checks refused.
    let granted: boolean | null = null;
    fake.recorded.permissionRequestHandler?.(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(fake.recorded.permissionCheckHandler?.(null, 'clipboard-read', 'file://', {})).toBe(false);
  });

  it('kiosk: a second launch gets no lock, builds no core and quits; the first window is brought forward', async () => {
    await startElectronShell(shellProcess('kiosk'));
    const win = fake.recorded.windows[0];
    if (!win) throw new Error('no window');
    win.minimized = true;
    fake.app.fire('second-instance', ['electron', '.'], '/');
    expect(win).toMatchObject({ restored: 1, shown: 1, focused: 1 });

    fake.resetFakeElectron();
    builds = 0;
    fake.recorded.grantLock = false;
    await startElectronShell(shellProcess('kiosk'));
    expect(fake.recorded.lockRequests).toBe(1);
    expect(fake.recorded.quits).toBe(1);
    expect(builds).toBe(0);
    expect(fake.recorded.windows).toHaveLength(0);
  });

  it('kiosk: the window is locked down — shortcuts, navigation, new windows, devtools, context menu, zoom, print, close', async () => {
    await startElectronShell(shellProcess('kiosk'));
    const win = fake.recorded.windows[0];
    if (!win) throw new Error('no window');
    const wc = win.webContents;
    expect(wc.fire('before-input-event', key({ key: 'F4', code: 'F4', alt: true })).defaultPrevented).toBe(true);
    expect(wc.fire('before-input-event', key({ key: 'F12', code: 'F12' })).defaultPrevented).toBe(true);
    expect(wc.fire('before-input-event', key({ key: '5', code: 'Digit5' })).defaultPrevented).toBe(false);
    expect(wc.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(wc.fire('will-attach-webview', {}, {}).defaultPrevented).toBe(true);
    expect(wc.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    wc.emit('devtools-opened');
    expect(wc.devToolsClosed).toBe(1);
    expect(wc.fire('context-menu', {}).defaultPrevented).toBe(true);
    wc.zoomFactor = 1.5;
    wc.fire('zoom-changed', 'in');
    expect(wc.zoomFactor).toBe(1);
    wc.emit('did-finish-load');
    expect(wc.visualZoomLimits).toEqual([1, 1]);
    expect(wc.insertedCss.join()).toMatch(/user-select: none/);
    wc.emit('dom-ready');
    expect(wc.executedJs.join()).toMatch(/window\.print = /);
    // Alt+F4 reaching the window as a close command does not close a kiosk.
    expect(win.fire('close').defaultPrevented).toBe(true);
  });

  it('kiosk: a crashed renderer is reloaded, a GPU process loss reloads, a clean exit does not; a hung one is killed', async () => {
    await startElectronShell(shellProcess('kiosk'));
    const win = fake.recorded.windows[0];
    if (!win) throw new Error('no window');
    expect(win.loaded).toHaveLength(1);
    win.webContents.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    expect(win.loaded).toHaveLength(2);
    fake.app.fire('child-process-gone', { type: 'GPU', reason: 'crashed', exitCode: 1 });
    expect(win.loaded).toHaveLength(3);
    win.webContents.fire('render-process-gone', { reason: 'clean-exit', exitCode: 0 });
    fake.app.fire('child-process-gone', { type: 'Utility', reason: 'clean-exit', exitCode: 0 });
    expect(win.loaded).toHaveLength(3);
    expect(win.listenerCount('unresponsive')).toBe(1);
  });

  it('kiosk: crashing over and over closes the core and exits non-zero, for the OS to restart the app', async () => {
    await startElectronShell(shellProcess('kiosk'));
    const win = fake.recorded.windows[0];
    if (!win) throw new Error('no window');
    for (let i = 0; i < 6; i++) win.webContents.fire('render-process-gone', { reason: 'oom', exitCode: 1 });
    expect(win.loaded).toHaveLength(6); // the first load and five reloads
    await vi.waitFor(() => expect(fake.recorded.exits).toEqual([1]));
    expect(core.closed).toBe(1);
    // Quitting now: the window may close.
    expect(win.fire('close').defaultPrevented).toBe(false);
  });

  it('counter: no lock, no switches, the menu and window as before; navigation and new windows still denied', async () => {
    await startElectronShell(shellProcess('counter'));
    expect(fake.recorded.lockRequests).toBe(0);
    expect(fake.recorded.switches).toEqual([]);
    expect(fake.recorded.applicationMenus).toEqual([]);
    const win = fake.recorded.windows[0];
    if (!win) throw new Error('no window');
    expect(win.options).toEqual(windowOptions('counter', expect.stringMatching(/preload\.cjs$/) as unknown as string));
    const wc = win.webContents;
    expect(wc.fire('before-input-event', key({ key: 'F12', code: 'F12' })).defaultPrevented).toBe(false);
    expect(wc.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(wc.openHandler?.({ url: 'x' })).toEqual({ action: 'deny' });
    expect(win.listenerCount('close')).toBe(0);
    win.webContents.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    expect(win.loaded).toHaveLength(1);
  });

  it('a quit from elsewhere (menu, Windows ending the session) closes the core first, then quits', async () => {
    await startElectronShell(shellProcess('kiosk'));
    expect(fake.app.fire('before-quit').defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake.recorded.quits).toBe(1));
    expect(core.closed).toBe(1);
    // The before-quit of that app.quit() goes through, and so does the window's close.
    expect(fake.app.fire('before-quit').defaultPrevented).toBe(false);
    expect(fake.recorded.windows[0]?.fire('close').defaultPrevented).toBe(false);
  });

  it('SIGTERM from the host launcher closes the core, then quits', async () => {
    const proc = shellProcess('kiosk');
    await startElectronShell(proc);
    proc.emit('SIGTERM');
    await vi.waitFor(() => expect(fake.recorded.quits).toBe(1));
    expect(core.closed).toBe(1);
  });
});

describe('crash recovery: a hung renderer', () => {
  it('is killed after unresponsiveMs unless it recovers first (the kill then reloads it)', () => {
    vi.useFakeTimers();
    try {
      const app = new EventEmitter();
      const window = Object.assign(new EventEmitter(), { webContents: Object.assign(new EventEmitter(), { killed: 0, forcefullyCrashRenderer: () => window.webContents.killed++ }), isDestroyed: () => false });
      const reloads: number[] = [];
      wireCrashRecovery({ app, window, reload: () => reloads.push(1), exit: () => undefined, log: () => undefined, unresponsiveMs: 1000 });
      window.emit('unresponsive');
      vi.advanceTimersByTime(900);
      window.emit('responsive');
      vi.advanceTimersByTime(5000);
      expect(window.webContents.killed).toBe(0);
      window.emit('unresponsive');
      window.emit('unresponsive');
      vi.advanceTimersByTime(1000);
      expect(window.webContents.killed).toBe(1);
      window.webContents.emit('render-process-gone', {}, { reason: 'killed' });
      expect(reloads).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
