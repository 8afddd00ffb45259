/** Node tier: reads and validates resources/rules/collection.json (notice periods, calendar, worklist thresholds). */
import { readJsonFile } from './tariff-config.js';
import { parseCollectionRules, type CollectionRules } from '../domain/collection/rules.js';

export function loadCollectionRules(path: string): CollectionRules {
  return parseCollectionRules(readJsonFile(path), path);
}
