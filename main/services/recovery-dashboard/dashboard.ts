/**
 * Builds the recovery-rate dashboard: the whole area's figures from the backend (it holds every
 * account's bills; a branch terminal's cache holds only open ones), narrowed by the filters and
 * summed by the pure rules, and this terminal's clerks from its own store. Offline, the clerks'
 * part still answers and the area's says why it is missing.
 */
import type { AreaRecoveryView, ClerkKpiView, RecoveryDashboardView } from '../../contract/recovery-dashboard.js';
import { ageArrears, groupBy, rateBp, total, type RecoveryCell, type RecoveryDashboardRules } from '../../domain/recovery-dashboard/index.js';
import type { Db } from '../../store/db.js';
import { clerkCollections, clerkReversals } from '../../store/recovery-dashboard.js';
import { BackendRejected, BackendUnavailable } from '../../sync/http-json.js';
import type { RecoveryDashboardWire } from '../../wire/recovery-wire.js';
import { localDate, type Clock } from '../clock.js';
import { localMidnight } from '../shift/local-day.js';

export interface DashboardQuery {
  readonly from: string;
  readonly to: string;
  readonly area?: string | undefined;
  readonly customerClass?: string | undefined;
  readonly grade?: string | undefined;
}

export interface DashboardDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly rules: RecoveryDashboardRules;
  /** The backend's area-wide answer for billing months [from, to]; throws BackendUnavailable when it cannot. */
  readonly areaFigures: (from: string, to: string) => Promise<RecoveryDashboardWire>;
}

function nextMonth(period: string): string {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function matches(q: DashboardQuery, c: { area: string; customerClass: string; grade: string }): boolean {
  return (q.area === undefined || c.area === q.area) && (q.customerClass === undefined || c.customerClass === q.customerClass) && (q.grade === undefined || c.grade === q.grade);
}

export function areaView(wire: RecoveryDashboardWire, q: DashboardQuery, today: string, rules: RecoveryDashboardRules): AreaRecoveryView {
  const cells: RecoveryCell[] = wire.cells.filter((c) => matches(q, c));
  const arrears = wire.arrears.filter((a) => matches(q, a));
  return {
    asOf: wire.asOf,
    total: total(cells),
    byMonth: groupBy(cells, 'period'),
    byArea: groupBy(cells, 'area'),
    byClass: groupBy(cells, 'customerClass'),
    byGrade: groupBy(cells, 'grade'),
    ageing: ageArrears(arrears, today, rules.ageingBucketDays),
    options: {
      areas: [...new Set(wire.cells.map((c) => c.area))].sort(),
      grades: [...new Set(wire.cells.map((c) => c.grade))].sort(),
    },
  };
}

/** This terminal's clerks over the local days the billing months span. */
export function clerkKpis(db: Db, from: string, to: string, timeZone: string): ClerkKpiView[] {
  const fromIso = new Date(localMidnight(`${from}-01`, timeZone)).toISOString();
  const toIso = new Date(localMidnight(`${nextMonth(to)}-01`, timeZone)).toISOString();
  const rows = clerkCollections(db, fromIso, toIso);
  const reversals = new Map(clerkReversals(db, fromIso, toIso).map((r) => [r.operator_id, r.reversals]));
  const principal = rows.reduce((sum, r) => sum + r.principal_fen, 0);
  const kpis: ClerkKpiView[] = rows.map((r) => ({
    operatorId: r.operator_id,
    name: r.name ?? '',
    payments: r.payments,
    accounts: r.accounts,
    amountFen: r.amount_fen,
    principalFen: r.principal_fen,
    arrearsRecoveredFen: r.arrears_fen,
    lateFeeFen: r.late_fee_fen,
    shareBp: rateBp(r.principal_fen, principal),
    reversals: reversals.get(r.operator_id) ?? 0,
  }));
  // A clerk who only took payments back still shows.
  for (const [operatorId, n] of reversals) {
    if (!kpis.some((k) => k.operatorId === operatorId)) {
      kpis.push({ operatorId, name: '', payments: 0, accounts: 0, amountFen: 0, principalFen: 0, arrearsRecoveredFen: 0, lateFeeFen: 0, shareBp: null, reversals: n });
    }
  }
  return kpis;
}

export async function buildDashboard(deps: DashboardDeps, q: DashboardQuery): Promise<RecoveryDashboardView> {
  const now = deps.clock();
  const today = localDate(now, deps.timeZone);
  let area: AreaRecoveryView | null = null;
  let areaUnavailable: string | null = null;
  try {
    area = areaView(await deps.areaFigures(q.from, q.to), q, today, deps.rules);
  } catch (err) {
    // A backend without the figures (an older one) degrades like an unreachable one.
    if (err instanceof BackendUnavailable) areaUnavailable = 'recovery.dashboard.areaOffline';
    else if (err instanceof BackendRejected) areaUnavailable = 'recovery.dashboard.areaRefused';
    else throw err;
  }
  const clerks = clerkKpis(deps.db, q.from, q.to, deps.timeZone);
  return { from: q.from, to: q.to, today, generatedAt: now.toISOString(), area, areaUnavailable, clerks };
}
