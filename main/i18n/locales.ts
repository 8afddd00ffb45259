/**
 * Locale files: resources/locales/<lng>/*.json, one file per area, deep-merged into a single
 * namespace so areas can add strings without touching each other's files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../resources-dir.js';
import { deepMerge } from './deep-merge.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** resources/locales of this installation (packaged app or checkout); see main/resources-dir.ts. */
export function resolveLocalesDir(): string {
  return path.join(resourcesDir(), 'locales');
}

export function loadLocale(lng: Locale, dir = resolveLocalesDir()): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  for (const file of readdirSync(path.join(dir, lng)).filter((f) => f.endsWith('.json')).sort()) {
    merged = deepMerge(merged, JSON.parse(readFileSync(path.join(dir, lng, file), 'utf8')) as Record<string, unknown>);
  }
  return merged;
}

export type Translate = (key: string, vars?: Readonly<Record<string, string | number | boolean | null>>) => string;

/** A small translator for the core (receipts): nested keys, {{var}} interpolation, missing keys shown as the key. */
export function translator(messages: Record<string, unknown>): Translate {
  return (key, vars = {}) => {
    let node: unknown = messages;
    for (const part of key.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof node !== 'string') return key;
    return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ''));
  };
}
