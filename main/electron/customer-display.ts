/**
 * The customer display under Electron (docs/service.md): the counter's renderer asks for it with
 * `window.open('…?display=<code>')`; the main window's open handler refuses every window and, for
 * exactly that request, opens the display itself — a window of the same renderer on the second
 * screen (the first when there is only one), full screen, with the same locked-down preferences.
 * The core pairs it: the display window's session is never signed in.
 */
import { BrowserWindow, screen } from 'electron';

const DISPLAY_QUERY = /[?&]display=([0-9a-f]{32})(?:[&#]|$)/;

/** The pairing code when `url` asks for the customer display, else null. */
export function displayCodeOf(url: string): string | null {
  if (!url.startsWith('file://')) return null;
  return DISPLAY_QUERY.exec(url)?.[1] ?? null;
}

let current: BrowserWindow | null = null;

export function openCustomerDisplay(code: string, rendererIndex: string, preload: string): void {
  // One display at a time: a new pairing replaces the window's page.
  if (current && !current.isDestroyed()) {
    void current.loadFile(rendererIndex, { search: `display=${code}` });
    current.show();
    return;
  }
  const primary = screen.getPrimaryDisplay();
  const target = screen.getAllDisplays().find((d) => d.id !== primary.id) ?? primary;
  const win = new BrowserWindow({
    x: target.bounds.x,
    y: target.bounds.y,
    width: target.bounds.width,
    height: target.bounds.height,
    fullscreen: target.id !== primary.id,
    autoHideMenuBar: true,
    webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
  });
  win.removeMenu();
  win.on('closed', () => {
    if (current === win) current = null;
  });
  current = win;
  void win.loadFile(rendererIndex, { search: `display=${code}` });
}
