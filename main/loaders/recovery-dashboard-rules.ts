/** Node tier: reads and validates resources/rules/recovery-dashboard.json. */
import { readJsonFile } from './tariff-config.js';
import { parseRecoveryDashboardRules, type RecoveryDashboardRules } from '../domain/recovery-dashboard/rules.js';

export function loadRecoveryDashboardRules(path: string): RecoveryDashboardRules {
  return parseRecoveryDashboardRules(readJsonFile(path), path);
}
