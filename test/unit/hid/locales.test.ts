import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HID_ERROR_CODES } from '../../../kiosk-drivers/hid/error-codes.js';

type Tree = { [k: string]: string | Tree };
const load = (lng: string): Tree =>
  JSON.parse(readFileSync(new URL(`../../../resources/locales/${lng}/devices.json`, import.meta.url), 'utf8')) as Tree;

function lookup(tree: Tree, path: string[]): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const p of path) node = typeof node === 'object' ? node[p] : undefined;
  return typeof node === 'string' ? node : undefined;
}

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

describe('devices.json', () => {
  const en = load('en');
  const zh = load('zh-CN');
  it.each(HID_ERROR_CODES)('%s has zh-CN and en messages', (code) => {
    for (const t of [en, zh]) expect(lookup(t, ['errors', ...code.split('.')])?.length ?? 0).toBeGreaterThan(0);
  });
  it('both languages have the same keys', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });
});
