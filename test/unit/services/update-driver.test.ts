/**
 * The update driver between electron-updater and the core. electron-updater needs the Electron
 * binary, so a stand-in emits its events (same names and payloads as AppUpdater); the core side
 * is the real UpdateService on a real SQLite journal.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db.js';
import { startUpdateDriver, type UpdaterLike } from '../../../main/services/update-driver.js';
import { UpdateService } from '../../../main/services/updates.js';

class StandInUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  constructor(private readonly answer: () => void) {
    super();
  }
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    this.emit('checking-for-update');
    this.answer();
    return null;
  }
}

function setup(idle: () => boolean, answer: (u: StandInUpdater) => void) {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'gd-upd-')), 't.db'));
  let now = Date.parse('2026-12-03T00:00:00Z');
  const updates = new UpdateService({ db, clock: () => new Date(now), currentVersion: '0.1.0', checkIntervalMs: 6 * 3_600_000, idle });
  const installs: string[] = [];
  const updater: StandInUpdater = new StandInUpdater(() => answer(updater));
  const driver = startUpdateDriver({ updater, updates, installAndQuit: () => installs.push('install'), tickMs: 3_600_000, log: () => undefined });
  return { updates, updater, driver, installs, advance: (ms: number) => (now += ms) };
}

describe('update driver', () => {
  it('downloads in the background, installs at quit on a counter, and checks again only when due', async () => {
    const t = setup(() => false, (u) => {
      u.emit('update-available', { version: '0.2.0' });
      u.emit('download-progress', { percent: 50 });
      u.emit('update-downloaded', { version: '0.2.0' });
    });
    expect(t.updater.autoDownload).toBe(true);
    expect(t.updater.autoInstallOnAppQuit).toBe(true);
    await t.driver.tick();
    expect(t.updates.status()).toMatchObject({ phase: 'downloaded', availableVersion: '0.2.0', percent: 100 });
    t.advance(24 * 3_600_000);
    await t.driver.tick();
    expect(t.updater.checks).toBe(1);
    expect(t.installs).toEqual([]);
    t.driver.stop();
  });

  it('a kiosk installs once, when idle; a failed check is reported and retried after the interval', async () => {
    let idle = false;
    let fail = true;
    const t = setup(() => idle, (u) => {
      if (fail) u.emit('error', new Error('HttpError: 404'));
      else u.emit('update-downloaded', { version: '0.2.0' });
    });
    await t.driver.tick();
    expect(t.updates.status()).toMatchObject({ phase: 'error', lastError: 'HttpError: 404' });
    await t.driver.tick();
    expect(t.updater.checks).toBe(1);
    fail = false;
    t.advance(6 * 3_600_000);
    await t.driver.tick();
    expect(t.updates.status().phase).toBe('downloaded');
    await t.driver.tick();
    expect(t.installs).toEqual([]);
    idle = true;
    await t.driver.tick();
    await t.driver.tick();
    expect(t.installs).toEqual(['install']);
    expect(t.updates.status().phase).toBe('installing');
    t.driver.stop();
  });
});

describe('update feed in electron-builder.yml', () => {
  it('publishes a generic feed whose URL comes from the release environment', () => {
    const text = readFileSync('electron-builder.yml', 'utf8');
    expect(text).toMatch(/publish:\s*\n\s*- provider: generic\s*\n\s*url: \$\{env\.GRIDDESK_UPDATE_URL\}/);
  });
});
