/**
 * One core either way: with Electron available the host only starts Electron (with the same argv,
 * so it builds its core from the same site file) and builds nothing itself; without it the host
 * shell builds the core. The "Electron binary" here is a real executable script that records its
 * arguments, so spawning, argv and stopping are real.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseShell, type ShellProbe } from '../../../main/host/open-ui.js';
import { runHost } from '../../../main/host/main.js';

const probe = (over: Partial<ShellProbe> = {}): ShellProbe => ({
  electronBinary: '/opt/electron/electron',
  electronMain: '/app/dist/main/electron/main.js',
  env: { DISPLAY: ':0' },
  platform: 'linux',
  exists: () => true,
  ...over,
});

describe('chooseShell', () => {
  it('picks Electron when its binary and built main exist and there is a display', () => {
    expect(chooseShell(['--config', 'site.json'], probe())).toEqual({
      kind: 'electron',
      binary: '/opt/electron/electron',
      main: '/app/dist/main/electron/main.js',
    });
    expect(chooseShell([], probe({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).kind).toBe('electron');
    expect(chooseShell([], probe({ env: {}, platform: 'win32' })).kind).toBe('electron');
  });

  it('keeps the host shell for --no-open, no binary, an unbuilt main, or no display on Linux', () => {
    expect(chooseShell(['--no-open'], probe())).toMatchObject({ kind: 'host', reason: '--no-open' });
    expect(chooseShell([], probe({ electronBinary: null }))).toMatchObject({ kind: 'host', reason: 'no Electron binary' });
    expect(chooseShell([], probe({ exists: () => false }))).toMatchObject({ kind: 'host', reason: expect.stringMatching(/not built/) });
    expect(chooseShell([], probe({ env: {} }))).toMatchObject({ kind: 'host', reason: expect.stringMatching(/no display/) });
  });
});

function site(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-runhost-'));
  const file = path.join(dir, 'site.json');
  writeFileSync(
    file,
    JSON.stringify({ terminalId: 'T-RUNHOST-01', dataDir: path.join(dir, 'data'), backend: { url: 'http://127.0.0.1:9' }, printer: { transport: 'none' } }),
  );
  return { dir, file };
}

/** An executable that writes its argv (one per line) to `argsFile`, then waits or exits with `exitCode`. */
function fakeElectron(dir: string, exitCode: number | null): { bin: string; argsFile: string; pidFile: string } {
  const bin = path.join(dir, 'electron');
  const argsFile = path.join(dir, 'args.txt');
  const pidFile = path.join(dir, 'pid.txt');
  writeFileSync(
    bin,
    `#!/bin/sh\necho $$ > '${pidFile}'\nfor a in "$@"; do echo "$a"; done > '${argsFile}'\n${exitCode === null ? 'exec sleep 30' : `exit ${exitCode}`}\n`,
  );
  chmodSync(bin, 0o755);
  return { bin, argsFile, pidFile };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runHost', () => {
  it('with Electron: passes the same argv (incl. --config) and builds no core here; stop ends the child', async () => {
    const { dir, file } = site();
    const fake = fakeElectron(dir, null);
    const electronMain = path.join(dir, 'main.js');
    writeFileSync(electronMain, '');
    const exits: (number | null)[] = [];
    const stop = await runHost(['--config', file], {
      probe: { electronBinary: fake.bin, electronMain, env: { DISPLAY: ':99' }, platform: 'linux' },
      onUiExit: (code) => exits.push(code),
    });
    await until(() => existsSync(fake.argsFile) && readFileSync(fake.argsFile, 'utf8').includes(file));
    const args = readFileSync(fake.argsFile, 'utf8').trim().split('\n');
    expect(args.slice(0, 3)).toEqual([electronMain, '--config', file]);
    // The host built no core: no terminal database in the site's dataDir.
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
    const pid = Number(readFileSync(fake.pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    await stop();
    expect(alive(pid)).toBe(false);
    expect(exits).toEqual([]); // a requested stop is not "the UI ended by itself"
  });

  it('with Electron: reports when the child ends by itself (window closed)', async () => {
    const { dir, file } = site();
    const fake = fakeElectron(dir, 3);
    const electronMain = path.join(dir, 'main.js');
    writeFileSync(electronMain, '');
    const exits: (number | null)[] = [];
    const stop = await runHost(['--config', file], {
      probe: { electronBinary: fake.bin, electronMain, env: { DISPLAY: ':99' }, platform: 'linux' },
      onUiExit: (code) => exits.push(code),
    });
    await until(() => exits.length > 0);
    expect(exits).toEqual([3]);
    await stop();
  });

  it('without Electron: the host shell builds the core here, from the site file', async () => {
    const { dir, file } = site();
    const stop = await runHost(['--config', file, '--port', '0'], { probe: { electronBinary: null, env: {} } });
    try {
      expect(readdirSync(path.join(dir, 'data'))).toContain('T-RUNHOST-01.db');
    } finally {
      await stop();
    }
  });
});
