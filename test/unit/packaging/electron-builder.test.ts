/**
 * electron-builder.yml is checked by electron-builder's own loader and JSON-schema validator
 * (offline), so a typo in a key fails here rather than on the release machine.
 */
import { createRequire } from 'node:module';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig: (dir: string, file: string, extra: null) => Promise<Record<string, unknown>>;
  validateConfiguration: (config: unknown, log: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder.yml', () => {
  it('passes electron-builder validation with NSIS, AppImage and deb targets and native modules unpacked', async () => {
    const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
    await validateConfiguration(config, new DebugLogger(false));
    const text = readFileSync('electron-builder.yml', 'utf8');
    expect(text).toMatch(/target: nsis/);
    expect(text).toMatch(/target: AppImage/);
    expect(text).toMatch(/target: deb/);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*', 'node_modules/node-hid/**/*']));
  });

  it('the validator really rejects an unknown key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-eb-'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }));
    writeFileSync(path.join(dir, 'bad.yml'), 'appId: x.y\nnotAnOption: true\n');
    const config = await getConfig(dir, 'bad.yml', null);
    await expect(validateConfiguration(config, new DebugLogger(false))).rejects.toThrow(/notAnOption/);
  });
});
