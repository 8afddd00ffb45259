/**
 * The Electron shell's software updates (docs/deploy/updates.md): electron-updater reads the feed
 * electron-builder published (electron-builder.yml `publish`), driven by the core's schedule and
 * deferral (main/services/update-driver.ts). Only packaged apps update; a development run says so.
 */
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import type { Core } from '../core.js';
import { startUpdateDriver } from '../services/update-driver.js';

export function startUpdates(core: Core, closeAndInstall: (install: () => void) => void): (() => void) | null {
  if (!app.isPackaged) return null;
  const { autoUpdater } = electronUpdater;
  const driver = startUpdateDriver({
    updater: autoUpdater,
    updates: core.updates,
    // Silent install, and GridDesk starts again afterwards (a kiosk must come back by itself).
    installAndQuit: () => closeAndInstall(() => autoUpdater.quitAndInstall(true, true)),
  });
  void driver.tick();
  return driver.stop;
}
