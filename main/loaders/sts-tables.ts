import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseEa07Tables, type Ea07Tables } from '../vending/sts/ea07-tables.js';
import { StsError } from '../vending/sts/sts-error.js';

/**
 * Node-only: reads the utility's EA07 tables from a JSON key file
 * `{"s1":[16 ints],"s2":[16 ints],"p":[64 ints]}` (LSB numbering) and validates them.
 * Kept apart from the engine so the engine stays loadable in any runtime.
 * Errors never include the file's contents.
 */
export async function loadEa07TablesFile(path: string): Promise<Ea07Tables> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new StsError('vending.key_file_unreadable', { path });
  }
  return parseTablesJson(text);
}

export function loadEa07TablesFileSync(path: string): Ea07Tables {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new StsError('vending.key_file_unreadable', { path });
  }
  return parseTablesJson(text);
}

function parseTablesJson(text: string): Ea07Tables {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StsError('vending.bad_tables', { table: 'json' });
  }
  return parseEa07Tables(value);
}
