/**
 * Electron shell: a relay and a composition root, no domain logic. It builds the same core as the
 * host shell, exposes it to the renderer through the preload's one bridge object, and locks the
 * window down (isolated, sandboxed, no navigation, no new windows; in kiosk mode the whole kiosk
 * policy of lockdown.ts: single instance, kiosk window, shortcuts swallowed, crash recovery).
 */
import { app, BrowserWindow, ipcMain, Menu, session as electronSession, type IpcMainInvokeEvent, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_NAMES } from '../contract/index.js';
import type { Core } from '../core.js';
import { startUpdates } from './updater.js';
import type { Session } from '../services/dispatch.js';
import { buildCoreFromConfig, configPaths } from '../compose/index.js';
import { loadConfig } from '../config.js';
import { installLastResort } from '../last-resort.js';
import { applyContentsLockdown, KIOSK_CHROMIUM_SWITCHES, wireCrashRecovery, windowOptions, type ShellMode } from './lockdown.js';
import { displayCodeOf, openCustomerDisplay } from './customer-display.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_INDEX = path.resolve(here, '..', '..', 'renderer', 'index.html');

/** Registers the IPC relay for `core`; exported so it can be exercised without the Electron binary. */
export function registerRpc(core: Core, isTrustedSender: (frame: IpcMainInvokeEvent['senderFrame']) => boolean): void {
  const sessions = rpcSessions;
  ipcMain.handle('rpc', async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event.senderFrame)) throw new Error('untrusted sender');
    const id = event.sender.id;
    let s = sessions.get(id);
    if (!s) {
      s = core.newSession(`ipc-${id}`);
      sessions.set(id, s);
      event.sender.once('destroyed', () => sessions.delete(id));
    }
    return core.dispatch(typeof method === 'string' ? method : '', params, s);
  });
}

/** The session of each renderer (by webContents id), made at its first call. */
const rpcSessions = new Map<number, Session>();

function forwardEvents(core: Core, contents: WebContents): () => void {
  // Events only to a signed-in session (a kiosk's session is signed in as the kiosk).
  const offs = EVENT_NAMES.map((name) =>
    core.on(name, (payload) => {
      if (rpcSessions.get(contents.id)?.operator) contents.send('event', name, payload);
    }),
  );
  const off = () => offs.splice(0).forEach((o) => o());
  contents.once('destroyed', off);
  return off;
}

/** What the shell needs from its process (the real one, or a test's stand-in). */
export type ShellProcess = Pick<NodeJS.EventEmitter, 'on' | 'once'> & { readonly argv: readonly string[] };

/**
 * Starts the shell. Kiosk mode is known before anything else (from the same config files), so the
 * Chromium switches and the single-instance lock come before the app is ready and before a core
 * exists: a second launch never opens the journal, it only brings the first window forward.
 */
export async function startElectronShell(proc: ShellProcess = process): Promise<void> {
  const argv = proc.argv.slice(1);
  let closeCore: (() => Promise<void>) | null = null;
  // An error nothing caught: close the core cleanly and exit 1 (main/last-resort.ts says why).
  installLastResort(proc, { stop: () => closeCore });
  const mode: ShellMode = loadConfig(configPaths(argv)).mode;
  const kiosk = mode === 'kiosk';
  let win: BrowserWindow | null = null;
  if (kiosk) {
    for (const [name, value] of KIOSK_CHROMIUM_SWITCHES) {
      if (value === undefined) app.commandLine.appendSwitch(name);
      else app.commandLine.appendSwitch(name, value);
    }
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return;
    }
    app.on('second-instance', () => {
      if (!win || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    });
  }
  // Every WebContents the app ever creates gets the policy, not only the main window's.
  app.on('web-contents-created', (_e, contents) => applyContentsLockdown(contents, mode));

  await app.whenReady();
  const { core } = await buildCoreFromConfig(argv);
  closeCore = () => core.close();
  registerRpc(core, (frame) => frame?.url.startsWith('file://') === true);

  electronSession.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  if (kiosk) {
    electronSession.defaultSession.setPermissionCheckHandler(() => false);
    // No menu, so none of its accelerators either (reload, devtools, zoom, fullscreen, close).
    Menu.setApplicationMenu(null);
  }
  const window = new BrowserWindow(windowOptions(mode, path.join(here, 'preload.cjs')));
  win = window;
  // The counter's customer display (docs/service.md): the one window the renderer may ask for, opened
  // by the shell on the second screen; every other window stays refused (lockdown.ts).
  if (!kiosk) {
    window.webContents.setWindowOpenHandler(({ url }) => {
      const code = displayCodeOf(url);
      if (code !== null) openCustomerDisplay(code, RENDERER_INDEX, path.join(here, 'preload.cjs'));
      return { action: 'deny' };
    });
  }
  if (kiosk) window.removeMenu();
  let stopEvents = forwardEvents(core, window.webContents);

  // Closing the window and a stop from the host launcher (SIGTERM, Ctrl+C) both close the core first.
  let quitting = false;
  const quit = (exitCode = 0) => {
    if (quitting) return;
    quitting = true;
    void core.close().finally(() => (exitCode === 0 ? app.quit() : app.exit(exitCode)));
  };
  if (kiosk) {
    // Alt+F4 and the OS close command end here: a kiosk window closes only when the app quits.
    window.on('close', (e) => {
      if (!quitting) e.preventDefault();
    });
    wireCrashRecovery({
      app,
      window,
      reload: () => {
        stopEvents();
        stopEvents = forwardEvents(core, window.webContents);
        void window.loadFile(RENDERER_INDEX);
      },
      exit: (reason) => {
        console.error(`GridDesk: ${reason}`);
        quit(1);
      },
      log: (line) => console.error(line),
    });
  }
  await window.loadFile(RENDERER_INDEX);
  // Updates on the core's schedule; installing closes the core first, like every other way out.
  const stopUpdates = startUpdates(core, (install) => {
    if (quitting) return;
    quitting = true;
    void core.close().finally(install);
  });
  app.once('will-quit', () => stopUpdates?.());
  // As the host shell does: push what waited while the app was closed, then pull fresh snapshots.
  void core.syncNow().then(() => core.pullNow());

  app.on('window-all-closed', () => quit());
  // A quit from elsewhere (menu, the OS ending the session) also closes the core before the app goes.
  app.on('before-quit', (e) => {
    if (quitting) return;
    e.preventDefault();
    quit();
  });
  if (kiosk) window.on('session-end', () => quit());
  proc.once('SIGTERM', () => quit());
  proc.once('SIGINT', () => quit());
}

if (process.versions.electron) void startElectronShell();
