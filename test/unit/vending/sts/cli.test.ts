import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_TEST_TABLES } from '../../../../main/vending/sts/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'sts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sts(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/vending/sts-cli.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sts CLI (spawned)', () => {
  it('encode prints the worked example token', () => {
    const r = sts('encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '1698595', '--amount', '25.6');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('51043465443420856213');
  });

  it('encode with --amount-field and a tables file, then decode it back', () => {
    const tables = path.join(dir, 'tables.json');
    writeFileSync(tables, JSON.stringify({ s1: SAMPLE_TEST_TABLES.s1, s2: SAMPLE_TEST_TABLES.s2, p: SAMPLE_TEST_TABLES.p }));
    const enc = sts('encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '1698595', '--amount-field', '256', '--tables', tables);
    expect(enc.stdout.trim()).toBe('51043465443420856213');
    const dec = sts('decode', '--dk', '0ABC12DEF3456789', '--tables', tables, '5104 3465 4434 2085 6213');
    expect(dec.status).toBe(0);
    expect(JSON.parse(dec.stdout)).toMatchObject({ class: 0, subclass: 0, rnd: 11, tid: 1698595, amount: 25.6, crcOk: true });
  });

  it('dkga02 prints the decoder key', () => {
    const r = sts('dkga02', '--vk', 'ABABABABABABABAB', '--iin', '600727', '--drn', '00000000000', '--kt', '2', '--sgc', '123456', '--ti', '01', '--krn', '1');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('E653341F9D5BF36F');
  });

  it('bad arguments exit non-zero with a message on stderr', () => {
    const cases: [string[], RegExp][] = [
      [['decode', '--dk', '0ABC12DEF3456789', '123'], /20 digits/],
      [['decode', '--dk', 'XYZ', '51043465443420856213'], /vending\.bad_key/],
      [['encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '1'], /exactly one of --amount/],
      [['encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '1', '--amount', '9999999'], /amount_overflow/],
      [['frobnicate'], /Unknown command/],
      [['dkga02', '--vk', 'ABABABABABABABAB', '--iin', '600727'], /Missing option --drn/],
      [['decode', '--bogus', 'x'], /Invalid arguments/],
    ];
    for (const [args, message] of cases) {
      const r = sts(...args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });
  it('--help prints the usage and succeeds; no arguments prints it as a usage error', () => {
    const help = sts('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('sts encode --dk');
    expect(help.stderr).toBe('');
    expect(sts('encode', '--help').status).toBe(0);
    const none = sts();
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('sts encode --dk');
  });

  it('a negative amount has a clear message', () => {
    const base = ['encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '1698595'];
    for (const args of [[...base, '--amount', '-5'], [...base, '--amount=-5']]) {
      const r = sts(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('Option --amount must not be negative, got "-5".');
    }
    const tid = sts('encode', '--dk', '0ABC12DEF3456789', '--class', '0', '--subclass', '0', '--rnd', '11', '--tid', '-1', '--amount', '5');
    expect(tid.stderr.split('\n')[0]).toBe('Option --tid must not be negative, got "-1".');
  });

  it('a --tables file that cannot be read is named', () => {
    const missing = path.join(dir, 'no-such-tables.json');
    const r = sts('decode', '--dk', '0ABC12DEF3456789', '--tables', missing, '51043465443420856213');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`tables file ${missing} cannot be read.`);
  });
});
