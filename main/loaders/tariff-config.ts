/**
 * Node tier: reads tariff and vend-rule JSON from disk and validates it. Kept apart from the pure
 * modules so main/domain stays loadable anywhere; services call these at start-up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TariffError } from '../domain/tariff/error-codes.js';
import { buildTariffCatalog, parseTariff, parseVendRules, type Tariff, type TariffCatalog, type VendRules } from '../domain/tariff/tariff-schema.js';

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TariffError('tariff.config_invalid', { source: path, detail: `cannot read: ${(error as Error).message}` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TariffError('tariff.config_invalid', { source: path, detail: `not JSON: ${(error as Error).message}` });
  }
}

export function loadTariffFile(path: string): Tariff {
  return parseTariff(readJsonFile(path), path);
}

/** Every *.json in `dir` (e.g. resources/tariffs), by id. */
export function loadTariffDirectory(dir: string): TariffCatalog {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return buildTariffCatalog(files.map((f) => loadTariffFile(join(dir, f))));
}

/** resources/rules/vend.json */
export function loadVendRules(path: string): VendRules {
  return parseVendRules(readJsonFile(path), path);
}
