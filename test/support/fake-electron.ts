/**
 * A stand-in for the `electron` module (importing the real one from plain Node tries to download
 * the binary): just enough app / BrowserWindow / WebContents / Menu / session / ipcMain for the
 * shell's wiring to run, recording what it was asked to do. Use with
 * `vi.mock('electron', () => import('../../support/fake-electron.js'))`.
 */
import { EventEmitter } from 'node:events';

/** An Electron event: `preventDefault()` is how handlers veto. */
export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}
export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

type OpenHandler = (details: { url: string }) => { action: string };

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  openHandler: OpenHandler | null = null;
  devToolsClosed = 0;
  zoomFactor = 1;
  visualZoomLimits: [number, number] | null = null;
  insertedCss: string[] = [];
  executedJs: string[] = [];
  crashedByForce = 0;
  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
  setZoomFactor(f: number): void {
    this.zoomFactor = f;
  }
  setVisualZoomLevelLimits(min: number, max: number): Promise<void> {
    this.visualZoomLimits = [min, max];
    return Promise.resolve();
  }
  insertCSS(css: string): Promise<string> {
    this.insertedCss.push(css);
    return Promise.resolve('key');
  }
  executeJavaScript(code: string): Promise<unknown> {
    this.executedJs.push(code);
    return Promise.resolve(undefined);
  }
  send(): void {}
  forcefullyCrashRenderer(): void {
    this.crashedByForce++;
  }
  /** Emits an Electron-style event and returns it, to see whether a handler vetoed it. */
  fire(event: string, ...args: unknown[]): FakeEvent {
    const e = fakeEvent();
    this.emit(event, e, ...args);
    return e;
  }
}

export const recorded = {
  switches: [] as string[][],
  lockRequests: 0,
  grantLock: true,
  quits: 0,
  exits: [] as number[],
  applicationMenus: [] as unknown[],
  permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
  permissionCheckHandler: null as null | ((...args: unknown[]) => boolean),
  windows: [] as BrowserWindow[],
  ipcHandlers: new Map<string, (...args: unknown[]) => unknown>(),
};

class FakeApp extends EventEmitter {
  readonly commandLine = {
    appendSwitch: (...args: string[]) => {
      recorded.switches.push(args);
    },
  };
  requestSingleInstanceLock(): boolean {
    recorded.lockRequests++;
    return recorded.grantLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {
    recorded.quits++;
  }
  exit(code: number): void {
    recorded.exits.push(code);
  }
  fire(event: string, ...args: unknown[]): FakeEvent {
    const e = fakeEvent();
    this.emit(event, e, ...args);
    return e;
  }
}

export const app = new FakeApp();

export class BrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  minimized = false;
  shown = 0;
  focused = 0;
  restored = 0;
  menuRemoved = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
    app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  loadFile(file: string): Promise<void> {
    this.loaded.push(file);
    return Promise.resolve();
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.restored++;
    this.minimized = false;
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  fire(event: string, ...args: unknown[]): FakeEvent {
    const e = fakeEvent();
    this.emit(event, e, ...args);
    return e;
  }
}

export const Menu = {
  setApplicationMenu(menu: unknown): void {
    recorded.applicationMenus.push(menu);
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: typeof recorded.permissionRequestHandler): void {
      recorded.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: typeof recorded.permissionCheckHandler): void {
      recorded.permissionCheckHandler = handler;
    },
  },
};

export const ipcMain = {
  handle(channel: string, fn: (...args: unknown[]) => unknown): void {
    recorded.ipcHandlers.set(channel, fn);
  },
};

/** Back to a fresh app between tests. */
export function resetFakeElectron(): void {
  app.removeAllListeners();
  recorded.switches = [];
  recorded.lockRequests = 0;
  recorded.grantLock = true;
  recorded.quits = 0;
  recorded.exits = [];
  recorded.applicationMenus = [];
  recorded.permissionRequestHandler = null;
  recorded.permissionCheckHandler = null;
  recorded.windows = [];
  recorded.ipcHandlers.clear();
}
