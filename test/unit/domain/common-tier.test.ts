import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The common tier: loadable in any runtime (Node, renderer, a worker), so no I/O imports. */
const PURE_DIRS = ['main/domain', 'main/vending/sts'];
/** What a pure module may import besides its own tier: schemas and the closed error-code union. */
const ALLOWED_OUTSIDE = [/^zod$/, /^main\/contract\/errors\//];
/** Wire schemas (the backend's snapshot shapes) are pure too as long as they import only zod: checked below. */
const WIRE = /^main\/wire\/[a-z-]+\.js$/;
const importsOf = (src: string) => [...src.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('common tier (main/domain, main/vending/sts)', () => {
  it('imports nothing from Node, DOM, Electron or the node tier', () => {
    const files = PURE_DIRS.flatMap((d) => tsFiles(path.join(root, d)));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      for (const spec of importsOf(src)) {
        const target = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)) : spec;
        const pureWire = WIRE.test(target) && importsOf(readFileSync(path.join(root, target.replace(/\.js$/, '.ts')), 'utf8')).every((i) => i === 'zod');
        const pure = pureWire || PURE_DIRS.some((d) => target.startsWith(d + '/')) || ALLOWED_OUTSIDE.some((re) => re.test(target));
        expect(pure, `${path.relative(root, file)} imports ${spec}`).toBe(true);
      }
    }
  });
});
