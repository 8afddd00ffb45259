import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../main/vending/sts');

describe('STS engine tier', () => {
  it('imports nothing from Node, DOM or Electron outside the key-file loader', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'tables-loader.ts');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(path.join(dir, f), 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
      for (const spec of imports) expect(spec.startsWith('.') || spec.startsWith('../'), `${f} imports ${spec}`).toBe(true);
      expect(imports.some((s) => s.includes('tables-loader')), `${f} imports the Node loader`).toBe(false);
    }
  });
});
