/** Node tier: reads and validates resources/rules/shift.json (denominations, difference limit). */
import { readJsonFile } from './tariff-config.js';
import { parseShiftRules, type ShiftRules } from '../domain/shift/rules.js';

export function loadShiftRules(path: string): ShiftRules {
  return parseShiftRules(readJsonFile(path), path);
}
