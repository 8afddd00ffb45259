/** Node tier: reads and validates resources/rules/late-fee.json. */
import { readJsonFile } from './tariff-config.js';
import { parseLateFeeRules, type LateFeeRules } from '../domain/late-fee/late-fee-schema.js';

export function loadLateFeeRules(path: string): LateFeeRules {
  return parseLateFeeRules(readJsonFile(path), path);
}
