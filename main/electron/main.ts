/**
 * Electron shell: a relay and a composition root, no domain logic. It builds the same core as the
 * host shell, exposes it to the renderer through the preload's one bridge object, and locks the
 * window down (isolated, sandboxed, no navigation, no new windows; kiosk flags in kiosk mode).
 */
import { app, BrowserWindow, ipcMain, session as electronSession, type IpcMainInvokeEvent, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_NAMES } from '../contract/index.js';
import type { Core } from '../core.js';
import type { Session } from '../services/dispatch.js';
import { buildCoreFromConfig } from '../compose/index.js';
import { installLastResort } from '../last-resort.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_INDEX = path.resolve(here, '..', '..', 'renderer', 'index.html');

/** Registers the IPC relay for `core`; exported so it can be exercised without the Electron binary. */
export function registerRpc(core: Core, isTrustedSender: (frame: IpcMainInvokeEvent['senderFrame']) => boolean): void {
  const sessions = new Map<number, Session>();
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

function forwardEvents(core: Core, contents: WebContents): void {
  const offs = EVENT_NAMES.map((name) => core.on(name, (payload) => contents.send('event', name, payload)));
  contents.once('destroyed', () => offs.forEach((off) => off()));
}

async function start(): Promise<void> {
  await app.whenReady();
  let closeCore: (() => Promise<void>) | null = null;
  // An error nothing caught: close the core cleanly and exit 1 (main/last-resort.ts says why).
  installLastResort(process, { stop: () => closeCore });
  const { core, config } = await buildCoreFromConfig(process.argv.slice(1));
  closeCore = () => core.close();
  const kiosk = config.mode === 'kiosk';
  registerRpc(core, (frame) => frame?.url.startsWith('file://') === true);

  electronSession.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  forwardEvents(core, win.webContents);
  await win.loadFile(RENDERER_INDEX);
  // As the host shell does: push what waited while the app was closed, then pull fresh snapshots.
  void core.syncNow().then(() => core.pullNow());

  // Closing the window and a stop from the host launcher (SIGTERM, Ctrl+C) both close the core first.
  let quitting = false;
  const quit = () => {
    if (quitting) return;
    quitting = true;
    void core.close().finally(() => app.quit());
  };
  app.on('window-all-closed', quit);
  process.once('SIGTERM', quit);
  process.once('SIGINT', quit);
}

if (process.versions.electron) void start();
