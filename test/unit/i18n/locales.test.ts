import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../main/contract/index.js';
import { loadLocale, translator } from '../../../main/i18n/locales.js';

function keys(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('locales', () => {
  const zh = loadLocale('zh-CN');
  const en = loadLocale('en');

  it('zh-CN and en have exactly the same keys', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });

  it('every error code has a message in both languages', () => {
    const tZh = translator(zh);
    const tEn = translator(en);
    const missing = ERROR_CODES.filter((c) => tZh(`errors.${c}`) === `errors.${c}` || tEn(`errors.${c}`) === `errors.${c}`);
    expect(missing).toEqual([]);
  });

  it('interpolation placeholders match between languages', () => {
    const placeholders = (s: unknown) => (typeof s === 'string' ? [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort() : []);
    const tZh = translator(zh);
    for (const k of keys(en)) {
      const get = (tree: Record<string, unknown>) => k.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], tree);
      expect([k, placeholders(get(zh))]).toEqual([k, placeholders(get(en))]);
    }
    expect(tZh('errors.account.not_found', { accountNo: '3100000001' })).toBe('未找到户号 3100000001');
  });
});
