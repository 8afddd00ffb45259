/**
 * Builds the recovery-rate dashboard: the whole area's figures from the backend (it holds every
 * account's bills; a branch terminal's cache holds only open ones), narrowed by the filters and
 * summed by the pure rules, and this terminal's clerks from its own store. Offline, the clerks'
 * part still answers and the area's says why it is missing.
 */
import { AppError } from '../../contract/index.js';
import type { AreaRecoveryView, ClerkKpiView, RecoveryDashboardView } from '../../contract/recovery-dashboard.js';
import { ageArrears, groupBy, noticeConversion, rateBp, total, type NoticeOutcome, type RecoveryCell, type RecoveryDashboardRules } from '../../domain/recovery-dashboard/index.js';
import { CREDIT_GRADES } from '../../domain/credit/rules.js';
import type { Db } from '../../store/db.js';
import { clerkCollections, clerkReversals, noticeOutcomes, operatorName } from '../../store/recovery-dashboard.js';
import { BackendRejected, BackendUnavailable } from '../../sync/http-json.js';
import type { RecoveryDashboardWire } from '../../wire/recovery-wire.js';
import { localDate, type Clock } from '../clock.js';

export interface DashboardQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
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

function addMonths(period: string, delta: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function monthsSpanned(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

/**
 * The billing months asked for: absent bounds default to the rules' span ending last month (the
 * latest month billed); one bound alone keeps that span from or to it, within the rules' maximum.
 */
export function resolveRange(q: DashboardQuery, today: string, rules: RecoveryDashboardRules): { from: string; to: string } {
  const span = rules.defaultMonths;
  const to = q.to ?? (q.from !== undefined ? addMonths(q.from, span - 1) : addMonths(today.slice(0, 7), -1));
  const from = q.from ?? addMonths(to, -(span - 1));
  if (from > to || monthsSpanned(from, to) > rules.maxMonths) {
    throw new AppError('validation.invalid_params', { field: 'to', issue: 'range' });
  }
  return { from, to };
}

/** Grades best first (AAA … C), anything else after them in text order. */
function gradeOrder(a: string, b: string): number {
  const rank = (g: string) => {
    const i = (CREDIT_GRADES as readonly string[]).indexOf(g);
    return i === -1 ? CREDIT_GRADES.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
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
    byGrade: groupBy(cells, 'grade').sort((a, b) => gradeOrder(a.key, b.key)),
    ageing: ageArrears(arrears, today, rules.ageingBucketDays),
    options: {
      areas: [...new Set(wire.cells.map((c) => c.area))].sort(),
      grades: [...new Set(wire.cells.map((c) => c.grade))].sort(gradeOrder),
    },
  };
}

/** This terminal's clerks' part in collecting the bills of billing months [from, to]. */
export function clerkKpis(db: Db, from: string, to: string, today: string, rules: RecoveryDashboardRules): { clerks: ClerkKpiView[]; notices: NoticeOutcome[] } {
  const rows = clerkCollections(db, from, to);
  const served = noticeOutcomes(db, from, to);
  const noticesOf = (operatorId: string | null) =>
    noticeConversion(
      served.filter((n) => operatorId === null || n.operator_id === operatorId).map((n) => ({ servedOn: n.served_on, unpaid: n.unpaid, lastPaid: n.last_paid })),
      rules.noticePaidWithinDays,
      today,
    );
  const reversals = new Map(clerkReversals(db, from, to).map((r) => [r.operator_id, r.reversals]));
  const principal = rows.reduce((sum, r) => sum + r.principal_fen, 0);
  const kpis: ClerkKpiView[] = rows.map((r) => ({
    operatorId: r.operator_id,
    name: r.name ?? '',
    payments: r.payments,
    accounts: r.accounts,
    amountFen: r.principal_fen + r.late_fee_fen,
    principalFen: r.principal_fen,
    arrearsRecoveredFen: r.arrears_fen,
    lateFeeFen: r.late_fee_fen,
    shareBp: rateBp(r.principal_fen, principal),
    reversals: reversals.get(r.operator_id) ?? 0,
    notices: noticesOf(r.operator_id),
  }));
  // A clerk who only took payments back or served notices still shows.
  const others = new Set([...reversals.keys(), ...served.map((n) => n.operator_id)]);
  for (const operatorId of [...others].sort()) {
    if (!kpis.some((k) => k.operatorId === operatorId)) {
      kpis.push({
        operatorId,
        name: operatorName(db, operatorId),
        payments: 0,
        accounts: 0,
        amountFen: 0,
        principalFen: 0,
        arrearsRecoveredFen: 0,
        lateFeeFen: 0,
        shareBp: null,
        reversals: reversals.get(operatorId) ?? 0,
        notices: noticesOf(operatorId),
      });
    }
  }
  return { clerks: kpis, notices: served.map((n) => ({ servedOn: n.served_on, unpaid: n.unpaid, lastPaid: n.last_paid })) };
}

export async function buildDashboard(deps: DashboardDeps, q: DashboardQuery): Promise<RecoveryDashboardView> {
  const now = deps.clock();
  const today = localDate(now, deps.timeZone);
  const { from, to } = resolveRange(q, today, deps.rules);
  let area: AreaRecoveryView | null = null;
  let areaUnavailable: string | null = null;
  try {
    area = areaView(await deps.areaFigures(from, to), q, today, deps.rules);
  } catch (err) {
    // A backend without the figures (an older one) degrades like an unreachable one.
    if (err instanceof BackendUnavailable) areaUnavailable = 'recovery.dashboard.areaOffline';
    else if (err instanceof BackendRejected) areaUnavailable = 'recovery.dashboard.areaRefused';
    else throw err;
  }
  const { clerks, notices } = clerkKpis(deps.db, from, to, today, deps.rules);
  return { from, to, today, generatedAt: now.toISOString(), area, areaUnavailable, clerks, notices: noticeConversion(notices, deps.rules.noticePaidWithinDays, today) };
}
