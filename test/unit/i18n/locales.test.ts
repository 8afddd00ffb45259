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

  // i18next plural forms differ by language (Chinese has only `_other`), so keys compare without them.
  const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
  const uniq = (ks: string[]) => [...new Set(ks.map(base))].sort();

  it('zh-CN and en have exactly the same keys (plural forms aside)', () => {
    expect(uniq(keys(zh))).toEqual(uniq(keys(en)));
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
    const get = (tree: Record<string, unknown>, k: string) => k.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown> | undefined)?.[p], tree);
    for (const k of keys(en)) {
      // A plural form missing in one language is compared with that language's `_other`.
      const other = `${base(k)}_other`;
      const zhText = get(zh, k) ?? get(zh, other);
      // A plural form may leave `{{count}}` out ("1 match"); every other placeholder must match.
      const strip = (ps: (string | undefined)[]) => (base(k) === k ? ps : ps.filter((p) => p !== 'count'));
      expect([k, strip(placeholders(zhText))]).toEqual([k, strip(placeholders(get(en, k)))]);
    }
    expect(tZh('errors.account.not_found', { accountNo: '3100000001' })).toBe('未找到户号 3100000001');
  });
});
