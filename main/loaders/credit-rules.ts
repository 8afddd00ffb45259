/** Node tier: reads and validates resources/rules/credit.json (the credit model and handling by grade). */
import { readJsonFile } from './tariff-config.js';
import { parseCreditRules, type CreditRules } from '../domain/credit/rules.js';

export function loadCreditRules(path: string): CreditRules {
  return parseCreditRules(readJsonFile(path), path);
}
