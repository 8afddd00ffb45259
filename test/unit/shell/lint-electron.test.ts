/**
 * scripts/lint.sh, run for real on a scratch tree: every way of importing electron outside
 * main/electron/ is caught, and main/electron/ itself and look-alike packages are not.
 */
import { describe, expect, it } from 'vitest';
import { lint } from '../../support/lint.js';

// Built at run time so this file does not itself contain an import the lint would flag.
const E = ['elec', 'tron'].join('');

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
      'main/electron/main.ts': `import { app } from "${E}";\nconst x = require('${E}');\nimport u from '${E}-updater';\n`,
      'test/unit/packaging/x.test.ts': `const b = require('${E}-builder');\nimport { y } from "${E}-store";\n`,
    });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('keeps electron-updater (it imports electron) inside main/electron/ too', () => {
    const r = lint({ 'main/services/x.ts': `import u from '${E}-updater';\n` });
    expect(r.status).toBe(1);
    expect(r.out).toContain('main/services/x.ts:1:');
  });
});
