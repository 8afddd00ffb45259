import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VENDING_ERROR_CODES } from '../../../../main/contract/errors/vending.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
type Tree = { [key: string]: string | Tree };
const load = (lng: string): Tree => JSON.parse(readFileSync(path.join(root, 'resources/locales', lng, 'vending.json'), 'utf8')) as Tree;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string).sort();

describe('vending locale files', () => {
  const en = flatten(load('en'));
  const zh = flatten(load('zh-CN'));

  it('have a message for every vending error code in both languages', () => {
    for (const code of VENDING_ERROR_CODES) {
      expect(en.get(`errors.${code}`), `en ${code}`).toBeTruthy();
      expect(zh.get(`errors.${code}`), `zh-CN ${code}`).toBeTruthy();
    }
  });

  it('have the same keys and the same interpolation names in both languages', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of en) expect(placeholders(zh.get(key) ?? ''), key).toEqual(placeholders(text));
  });
});
