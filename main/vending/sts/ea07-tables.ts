import { StsError } from './sts-error.js';

/**
 * EA07 (STA) substitution and permutation tables. `s1`/`s2` map a nibble to a nibble; `p` maps
 * input bit i to output bit p[i], bits numbered from 0 = least significant (LSB numbering).
 * Production tables are secrets issued by the STS Association: load them at run time
 * (main/loaders/sts-tables.ts), never commit them.
 */
export interface Ea07Tables {
  readonly s1: readonly number[];
  readonly s2: readonly number[];
  readonly p: readonly number[];
}

/**
 * TEST TABLES ONLY: the sample tables published with IEC 62055-41 for conformance examples.
 * Real meters use the STS Association's tables; tokens made with these are for tests and demos.
 */
export const SAMPLE_TEST_TABLES: Ea07Tables = Object.freeze({
  s1: Object.freeze([12, 10, 8, 4, 3, 15, 0, 2, 14, 1, 5, 13, 6, 9, 7, 11]),
  s2: Object.freeze([6, 9, 7, 4, 3, 10, 12, 14, 2, 13, 1, 15, 0, 11, 8, 5]),
  p: Object.freeze([
    29, 27, 34, 9, 16, 62, 55, 2, 40, 49, 38, 25, 33, 61, 30, 23, 1, 41, 21, 57, 42, 15, 5, 58, 19, 53, 22, 17, 48, 28, 24, 39,
    3, 60, 36, 14, 11, 52, 54, 12, 31, 51, 10, 26, 0, 45, 37, 43, 44, 6, 59, 4, 7, 35, 56, 50, 13, 18, 32, 47, 46, 63, 20, 8,
  ]),
});

function isPermutation(values: unknown, size: number): values is number[] {
  if (!Array.isArray(values) || values.length !== size) return false;
  const seen = new Uint8Array(size);
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= size || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

/**
 * Validates untrusted table material (e.g. a parsed key file): s1 and s2 must be permutations of
 * 0..15 and p a permutation of 0..63, otherwise decryption could not undo encryption.
 * Throws `vending.bad_tables` naming the faulty table; never echoes the values.
 */
export function parseEa07Tables(value: unknown): Ea07Tables {
  if (typeof value !== 'object' || value === null) throw new StsError('vending.bad_tables', { table: 'root' });
  const obj = value as Record<string, unknown>;
  const { s1, s2, p } = obj;
  if (!isPermutation(s1, 16)) throw new StsError('vending.bad_tables', { table: 's1' });
  if (!isPermutation(s2, 16)) throw new StsError('vending.bad_tables', { table: 's2' });
  if (!isPermutation(p, 64)) throw new StsError('vending.bad_tables', { table: 'p' });
  return Object.freeze({ s1: Object.freeze([...s1]), s2: Object.freeze([...s2]), p: Object.freeze([...p]) });
}
