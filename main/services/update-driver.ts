/**
 * Drives an updater (electron-updater's autoUpdater in the Electron shell: main/electron/updater.ts)
 * from the core's update state: on every tick it asks the core for the next step and checks or
 * installs; the updater's events are reported back to the core. Kept apart from Electron so the
 * wiring is tested in plain Node with a stand-in that emits the same events.
 */
import type { UpdateService } from './updates.js';

/** The part of electron-updater's AppUpdater this uses. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  on(event: 'checking-for-update' | 'update-not-available', listener: () => void): unknown;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (p: { percent: number }) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
}

export interface UpdateDriverOptions {
  readonly updater: UpdaterLike;
  readonly updates: UpdateService;
  /** Close the core, then quit and install (the shell owns its quit sequence). */
  readonly installAndQuit: () => void;
  readonly tickMs?: number;
  readonly log?: (line: string) => void;
}

export function startUpdateDriver(o: UpdateDriverOptions): { tick(): Promise<void>; stop(): void } {
  const { updater, updates } = o;
  const log = o.log ?? ((line: string) => console.warn(line));
  updater.autoDownload = true;
  // A counter installs at its next quit; the driver installs a kiosk's update when it is idle.
  updater.autoInstallOnAppQuit = true;
  updater.on('checking-for-update', () => updates.report({ kind: 'checking' }));
  updater.on('update-not-available', () => updates.report({ kind: 'none' }));
  updater.on('update-available', (info) => updates.report({ kind: 'available', version: info.version }));
  updater.on('download-progress', (p) => updates.report({ kind: 'progress', percent: p.percent }));
  updater.on('update-downloaded', (info) => updates.report({ kind: 'downloaded', version: info.version }));
  updater.on('error', (e) => updates.report({ kind: 'error', message: e.message }));

  let installing = false;
  const tick = async () => {
    if (installing) return;
    const step = updates.next();
    if (step.kind === 'check') {
      updates.report({ kind: 'checking' });
      // Failures come back as 'error' events too; the promise's rejection is the same news.
      await updater.checkForUpdates().catch((e: unknown) => {
        updates.report({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
        log(`[updates] check failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    } else if (step.kind === 'install') {
      installing = true;
      updates.report({ kind: 'installing' });
      log(`[updates] installing ${step.version}`);
      o.installAndQuit();
    }
  };
  const timer = setInterval(() => void tick(), o.tickMs ?? 60_000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
