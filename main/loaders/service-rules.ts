/** Node tier: reads and validates resources/rules/service.json (calendar, complaint deadlines, application types, recommendations). */
import { readFileSync } from 'node:fs';
import { parseServiceRules, type ServiceRules } from '../domain/service/rules.js';

export function loadServiceRules(path: string): ServiceRules {
  return parseServiceRules(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}
