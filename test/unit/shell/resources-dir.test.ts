/**
 * resources/ is found in a packaged app (Electron's resourcesPath) and in a checkout (from main/
 * or dist/main/), on real folders.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../main/resources-dir.js';
import { RESOURCES_DIR } from '../../../main/compose/index.js';
import { resolveLocalesDir } from '../../../main/i18n/locales.js';

function tree(...dirs: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gd-res-'));
  for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
  return root;
}

describe('resourcesDir', () => {
  it('uses process.resourcesPath/resources in a packaged app, even with a checkout beside it', () => {
    const root = tree('app/resources/resources/config', 'repo/main', 'repo/resources');
    const packaged = path.join(root, 'app', 'resources');
    expect(resourcesDir({ resourcesPath: packaged, moduleDir: path.join(root, 'repo', 'main') })).toBe(path.join(packaged, 'resources'));
  });

  it('falls back to the checkout when resourcesPath has no resources/ (unpackaged `electron .`)', () => {
    const root = tree('electron-dist/resources', 'repo/main', 'repo/resources');
    expect(resourcesDir({ resourcesPath: path.join(root, 'electron-dist', 'resources'), moduleDir: path.join(root, 'repo', 'main') })).toBe(
      path.join(root, 'repo', 'resources'),
    );
  });

  it('finds the checkout from main/ and from dist/main/ in plain Node', () => {
    const root = tree('repo/main', 'repo/dist/main', 'repo/resources');
    const expected = path.join(root, 'repo', 'resources');
    expect(resourcesDir({ resourcesPath: undefined, moduleDir: path.join(root, 'repo', 'main') })).toBe(expected);
    expect(resourcesDir({ resourcesPath: undefined, moduleDir: path.join(root, 'repo', 'dist', 'main') })).toBe(expected);
  });

  it('names every place it looked when there is no resources/', () => {
    const root = tree('app/resources', 'repo/main');
    expect(() => resourcesDir({ resourcesPath: path.join(root, 'app', 'resources'), moduleDir: path.join(root, 'repo', 'main') })).toThrow(
      /resources\/ not found; looked in .*app.*resources.*repo/,
    );
  });

  it('is what compose.ts and the locale loader use in this checkout', () => {
    expect(RESOURCES_DIR).toBe(resourcesDir());
    expect(existsSync(path.join(RESOURCES_DIR, 'config', 'terminal.default.json'))).toBe(true);
    expect(resolveLocalesDir()).toBe(path.join(RESOURCES_DIR, 'locales'));
  });
});
