/**
 * The Electron shell's window policy. Counter mode: an ordinary, isolated window (as before).
 * Kiosk mode: a customer may touch, tap and — with a keyboard plugged in — type, and nothing they
 * do leaves the app: fullscreen kiosk window without menu or devtools, escape shortcuts swallowed,
 * no navigation, new windows, context menu, zoom, print or native dialogs, every permission
 * refused, one instance, and a renderer that crashes or hangs is reloaded. What the OS must block
 * itself (Ctrl+Alt+Del, Win key, edge swipes, VT switching, the app process dying) is in
 * docs/deploy/ (the OS shell or service restarts the app).
 *
 * Policy is data and pure functions here (tested directly); `applyContentsLockdown` and
 * `wireCrashRecovery` attach it to Electron objects (tested with electron mocked).
 */
import type { BrowserWindowConstructorOptions, Input, WebContents } from 'electron';

export type ShellMode = 'counter' | 'kiosk';

/**
 * Chromium switches for a kiosk, set before the app is ready (the same ones main/host/open-ui.ts
 * gives Chromium for the host shell's kiosk). Electron's own window flags cover `--kiosk`; its
 * profile is the app's own userData folder, never a browser profile.
 */
export const KIOSK_CHROMIUM_SWITCHES: readonly (readonly [string] | readonly [string, string])[] = [
  ['disable-pinch'], // no pinch zoom on the touch screen
  ['overscroll-history-navigation', '0'], // no swipe back/forward
  ['disable-features', 'TranslateUI'], // no translate bubble on the zh-CN pages
  ['noerrdialogs'], // no crash or error dialogs waiting for a click nobody gives
  ['disable-session-crashed-bubble'], // no "restore pages?" after a power cut
  ['autoplay-policy', 'no-user-gesture-required'], // voice prompts may speak before the first touch
];

/** The window for `mode`; `preload` is the emitted preload script. */
export function windowOptions(mode: ShellMode, preload: string): BrowserWindowConstructorOptions {
  const base: BrowserWindowConstructorOptions = {
    width: 1280,
    height: 800,
    autoHideMenuBar: true,
    webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
  };
  if (mode === 'counter') return base;
  return {
    ...base,
    kiosk: true,
    fullscreen: true,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    backgroundColor: '#000000',
    webPreferences: {
      ...base.webPreferences,
      devTools: false,
      disableDialogs: true, // alert/confirm/prompt would block the screen with a native dialog
      spellcheck: false,
      navigateOnDragDrop: false,
      autoplayPolicy: 'no-user-gesture-required',
      zoomFactor: 1,
    },
  };
}

/** Keys that are browser or OS commands, never input the kiosk UI uses. */
const COMMAND_KEYS = new Set([
  'BrowserBack',
  'BrowserForward',
  'BrowserRefresh',
  'BrowserStop',
  'BrowserSearch',
  'BrowserFavorites',
  'BrowserHome',
  'ContextMenu',
  'Props',
  'Help',
  'Print',
  'Close',
  'New',
  'Open',
  'Save',
  'Find',
  'ZoomIn',
  'ZoomOut',
  'ZoomToggle',
  'LaunchApplication1',
  'LaunchApplication2',
  'LaunchMail',
  'LaunchWebBrowser',
  'MediaPlayPause',
  'AudioVolumeMute',
  'AudioVolumeUp',
  'AudioVolumeDown',
  'Meta',
  'OS',
  'Super',
  'Hyper',
]);
const FUNCTION_KEY = /^F([1-9]|1\d|2[0-4])$/;

export type KeyEvent = Pick<Input, 'type' | 'key' | 'code' | 'alt' | 'control' | 'meta' | 'shift'>;

/**
 * Whether a key event (Electron's before-input-event) is swallowed in kiosk mode: every Ctrl,
 * Alt or Meta/Win combination (Ctrl+W/R/P/+/-, Ctrl+Shift+I/J, Alt+F4, Alt+←/→, Alt+Tab and
 * Win+… where the OS lets the app see them), every function key (F5 reload, F11 fullscreen, F12
 * devtools, F1 help, F7 caret browsing) and the browser/media command keys. Plain characters,
 * digits, Enter, Tab, Backspace, Escape and arrows pass: a keypad or a keyboard-wedge scanner
 * still works.
 */
export function isEscapeShortcut(input: KeyEvent): boolean {
  if (input.control || input.alt || input.meta) return true;
  if (FUNCTION_KEY.test(input.key) || FUNCTION_KEY.test(input.code)) return true;
  return COMMAND_KEYS.has(input.key) || COMMAND_KEYS.has(input.code);
}

/** Long-press selection and callouts, overscroll bounce: not in a kiosk (inserted by main, whatever the renderer's CSS). */
export const KIOSK_CSS =
  'html, body { -webkit-user-select: none; user-select: none; -webkit-touch-callout: none; overscroll-behavior: none; touch-action: pan-x pan-y; }';

/** `window.print()` would open the system print dialog; receipts go to the ESC/POS printer. */
export const KIOSK_NO_PRINT_SCRIPT = 'window.print = () => undefined; undefined;';

/**
 * Locks one WebContents down. Every mode: no navigation away from the app, no new windows, no
 * webviews. Kiosk: escape shortcuts swallowed, devtools closed if anything opens them, no context
 * menu, zoom pinned at 100 %, no print dialog, no text selection or callouts.
 */
export function applyContentsLockdown(contents: WebContents, mode: ShellMode): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  if (mode === 'counter') return;
  contents.on('before-input-event', (e, input) => {
    if (isEscapeShortcut(input)) e.preventDefault();
  });
  contents.on('devtools-opened', () => contents.closeDevTools());
  contents.on('context-menu', (e) => e.preventDefault());
  contents.on('zoom-changed', () => contents.setZoomFactor(1));
  contents.on('did-finish-load', () => {
    contents.setZoomFactor(1);
    void contents.setVisualZoomLevelLimits(1, 1);
    void contents.insertCSS(KIOSK_CSS);
  });
  contents.on('dom-ready', () => {
    void contents.executeJavaScript(KIOSK_NO_PRINT_SCRIPT, true);
  });
}

/**
 * When to reload a renderer that crashed, hung or lost its GPU process, and when to give up: more
 * than `maxReloads` within `windowMs` means something is wrong beyond the renderer, so the app
 * exits (non-zero) and the OS service or shell that launched it starts it again (docs/deploy/).
 */
export class CrashBudget {
  private readonly times: number[] = [];
  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxReloads = 5,
    private readonly windowMs = 5 * 60_000,
  ) {}

  /** Records one crash; 'reload' while within budget, else 'exit'. */
  next(): 'reload' | 'exit' {
    const t = this.now();
    this.times.push(t);
    while (this.times.length > 0 && (this.times[0] as number) <= t - this.windowMs) this.times.shift();
    return this.times.length <= this.maxReloads ? 'reload' : 'exit';
  }
}

/** The parts of Electron's app and window crash recovery needs (so tests can drive it). */
export interface CrashRecoveryTarget {
  readonly app: { on(event: 'child-process-gone', listener: (event: unknown, details: { type: string; reason: string }) => void): unknown };
  readonly window: {
    on(event: 'unresponsive' | 'responsive', listener: () => void): unknown;
    readonly webContents: {
      on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): unknown;
      forcefullyCrashRenderer(): void;
    };
    isDestroyed(): boolean;
  };
  /** Load the app's page again (a fresh renderer; the journey's state lives in the core). */
  readonly reload: () => void;
  /** Give up: close the core and exit non-zero, for the OS to restart the app. */
  readonly exit: (reason: string) => void;
  readonly log: (line: string) => void;
  readonly budget?: CrashBudget;
  /** How long a hung renderer may stay unresponsive before it is killed and reloaded. */
  readonly unresponsiveMs?: number;
}

/**
 * Kiosk crash recovery: a renderer that is gone (crashed, killed, OOM) is reloaded; one that stays
 * unresponsive for `unresponsiveMs` is killed, which reloads it; a GPU or utility process that dies
 * gets the page reloaded (a lost GPU process can leave the window black). Clean exits are ignored.
 */
export function wireCrashRecovery(t: CrashRecoveryTarget): void {
  const budget = t.budget ?? new CrashBudget();
  const recover = (what: string) => {
    if (t.window.isDestroyed()) return;
    if (budget.next() === 'reload') {
      t.log(`GridDesk: ${what}; reloading the window`);
      t.reload();
    } else {
      t.exit(`${what}, too often; exiting for the OS to restart the app`);
    }
  };
  t.window.webContents.on('render-process-gone', (_e, details) => {
    if (details.reason !== 'clean-exit') recover(`renderer gone (${details.reason})`);
  });
  t.app.on('child-process-gone', (_e, details) => {
    if (details.reason !== 'clean-exit') recover(`${details.type} process gone (${details.reason})`);
  });
  let hung: NodeJS.Timeout | null = null;
  t.window.on('unresponsive', () => {
    if (hung) return;
    hung = setTimeout(() => {
      hung = null;
      if (t.window.isDestroyed()) return;
      t.log('GridDesk: renderer unresponsive; killing it');
      // render-process-gone follows, and reloads.
      t.window.webContents.forcefullyCrashRenderer();
    }, t.unresponsiveMs ?? 10_000);
  });
  t.window.on('responsive', () => {
    if (hung) clearTimeout(hung);
    hung = null;
  });
}
