/** Node tier: reads and validates resources/rules/audit.json (the inspection's anomaly rules). */
import { readJsonFile } from './tariff-config.js';
import { parseAuditRules, type AuditRules } from '../domain/audit/rules.js';

export function loadAuditRules(path: string): AuditRules {
  return parseAuditRules(readJsonFile(path), path);
}
