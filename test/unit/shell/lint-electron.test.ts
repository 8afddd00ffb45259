/**
 * scripts/lint.sh, run for real on a scratch tree: every way of importing electron outside
 * main/electron/ is caught, and main/electron/ itself and look-alike packages are not.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Built at run time so this file does not itself contain an import the lint would flag.
const E = ['elec', 'tron'].join('');

function lint(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'gd-lint-'));
  for (const d of ['main/electron', 'kiosk-drivers', 'renderer/src', 'test', 'scripts']) mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync(path.resolve('scripts', 'lint.sh'), path.join(root, 'scripts', 'lint.sh'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const r = spawnSync('bash', [path.join(root, 'scripts', 'lint.sh')], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('lint: electron only in main/electron/', () => {
  const offending: Record<string, string> = {
    'single quotes': `import { app } from '${E}';`,
    'double quotes': `import { app } from "${E}";`,
    'type import': `import type { App } from "${E}";`,
    'dynamic import': `const m = await import('${E}');`,
    'dynamic import, double quotes, spaces': `const m = await import ( "${E}" );`,
    'require, double quotes': `const { app } = require("${E}");`,
    'require, single quotes': `const { app } = require('${E}');`,
    'side-effect import': `import '${E}';`,
    subpath: `import { app } from '${E}/main';`,
  };
  for (const [how, line] of Object.entries(offending)) {
    it(`catches ${how}`, () => {
      const r = lint({ 'main/host/x.ts': `${line}\n` });
      expect(r.status).toBe(1);
      expect(r.out).toContain('main/host/x.ts:1:');
      expect(r.out).toContain(`lint: ${E} imported outside main/${E}/`);
    });
  }

  it('allows main/electron/ and packages that merely start with the name', () => {
    const r = lint({
      'main/electron/main.ts': `import { app } from "${E}";\nconst x = require('${E}');\n`,
      'test/unit/packaging/x.test.ts': `const b = require('${E}-builder');\nimport { y } from "${E}-updater";\n`,
    });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });
});
