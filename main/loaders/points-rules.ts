/** Node tier: reads and validates resources/rules/points.json (what a prepaid purchase earns). */
import { readJsonFile } from './tariff-config.js';
import { parsePointsRules, type PointsRules } from '../domain/credit/points.js';

export function loadPointsRules(path: string): PointsRules {
  return parsePointsRules(readJsonFile(path), path);
}
