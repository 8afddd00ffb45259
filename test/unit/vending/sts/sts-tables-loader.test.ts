import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockFromHex, decodeToken, SAMPLE_TEST_TABLES } from '../../../../main/vending/sts/index.js';
import { loadEa07TablesFile, loadEa07TablesFileSync } from '../../../../main/loaders/sts-tables.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sts-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('EA07 tables key file', () => {
  it('loads and validates a JSON key file; the loaded tables decode the worked example', async () => {
    const file = write('ok.json', JSON.stringify({ s1: SAMPLE_TEST_TABLES.s1, s2: SAMPLE_TEST_TABLES.s2, p: SAMPLE_TEST_TABLES.p }));
    const tables = await loadEa07TablesFile(file);
    expect(tables).toEqual(SAMPLE_TEST_TABLES);
    expect(tables).not.toBe(SAMPLE_TEST_TABLES);
    expect(decodeToken(blockFromHex('0ABC12DEF3456789'), '51043465443420856213', tables)).toMatchObject({ crcOk: true, tid: 1698595 });
    expect(loadEa07TablesFileSync(file)).toEqual(SAMPLE_TEST_TABLES);
  });

  it('reports unreadable files, bad JSON and non-permutations with codes', async () => {
    await expect(loadEa07TablesFile(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'vending.key_file_unreadable' });
    await expect(loadEa07TablesFile(write('bad.json', '{"s1": ['))).rejects.toMatchObject({ code: 'vending.bad_tables', details: { table: 'json' } });
    const p = [...SAMPLE_TEST_TABLES.p];
    p[5] = p[6] as number;
    const file = write('dup.json', JSON.stringify({ s1: SAMPLE_TEST_TABLES.s1, s2: SAMPLE_TEST_TABLES.s2, p }));
    expect(() => loadEa07TablesFileSync(file)).toThrow(expect.objectContaining({ code: 'vending.bad_tables', details: { table: 'p' } }));
  });
});
