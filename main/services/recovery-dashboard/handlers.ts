/**
 * The recovery dashboard's handlers for the core's dispatch (core.ts spreads them into its map).
 * The backend's area-wide figures arrive as a function chosen by the core (its signed client).
 */
import type { RecoveryDashboardMethodResults } from '../../contract/recovery-dashboard.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import { buildDashboard, type DashboardDeps, type DashboardQuery } from './dashboard.js';
import { dashboardCsv, dashboardXlsx } from './export.js';

export interface RecoveryDashboardAreaDeps extends DashboardDeps {
  readonly terminalId: string;
  readonly defaultLocale: Locale;
  readonly translators: Readonly<Record<Locale, Translate>>;
}

export function createRecoveryDashboardHandlers(deps: RecoveryDashboardAreaDeps) {
  return {
    'recovery.dashboard': (q: DashboardQuery): Promise<RecoveryDashboardMethodResults['recovery.dashboard']> => buildDashboard(deps, q),
    'recovery.dashboardExport': async (
      p: DashboardQuery & { format: 'csv' | 'xlsx'; locale?: Locale | undefined },
    ): Promise<RecoveryDashboardMethodResults['recovery.dashboardExport']> => {
      const view = await buildDashboard(deps, p);
      const t = deps.translators[p.locale ?? deps.defaultLocale];
      return p.format === 'csv' ? dashboardCsv(view, t, deps.terminalId, deps.timeZone) : dashboardXlsx(view, t, deps.terminalId, deps.timeZone);
    },
  };
}
