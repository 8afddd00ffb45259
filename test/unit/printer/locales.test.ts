import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRINTER_ERROR_CODES } from '../../../kiosk-drivers/printer/error-codes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
type Tree = { readonly [k: string]: Tree | string };
const load = (lng: string): Tree => JSON.parse(readFileSync(path.join(root, 'resources', 'locales', lng, 'printer.json'), 'utf8')) as Tree;

function lookup(tree: Tree, key: string): string | undefined {
  let node: Tree | string | undefined = tree;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

function leafKeys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : leafKeys(v, `${prefix}${k}.`)));
}

describe('printer locales', () => {
  const zh = load('zh-CN');
  const en = load('en');
  it.each(PRINTER_ERROR_CODES)('%s has a zh-CN and an en message', (code) => {
    expect(lookup(zh, `errors.${code}`)?.length).toBeGreaterThan(0);
    expect(lookup(en, `errors.${code}`)?.length).toBeGreaterThan(0);
  });
  it('both languages have the same keys, and the zh-CN text is Chinese', () => {
    expect(leafKeys(zh).sort()).toEqual(leafKeys(en).sort());
    for (const k of leafKeys(zh)) expect(lookup(zh, k)).toMatch(/[\u4e00-\u9fff]/);
  });
  it('uses only the printer namespaces', () => {
    expect(Object.keys(zh).sort()).toEqual(['errors', 'printer']);
    expect(Object.keys(zh.errors as Tree)).toEqual(['printer']);
  });
});
