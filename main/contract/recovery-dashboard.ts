/**
 * The recovery-rate dashboard (电费回收率, issue 11 item 6): recovery by month, area, customer class
 * and grade, arrears ageing and late-fee income for the whole service area (answered by the
 * backend, which holds every account's bills), and the KPIs of this terminal's clerks (from its own
 * journal). Managers and supervisors. Merged into the contract's method map in ./index.ts.
 */
import { z } from 'zod';
import type { Access } from './roles.js';
import type { ExportedFile } from './shift.js';

const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const Locale = z.enum(['zh-CN', 'en']);

/** The most months one dashboard spans (the backend keeps two years of history). */
export const DASHBOARD_MAX_MONTHS = 24;

function months(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

const DashboardQuery = z
  .object({
    /** First and last billing month, 'YYYY-MM'; absent: the rules' default span ending last month (the terminal's today). */
    from: Period.optional(),
    to: Period.optional(),
    /** Narrow every figure to one area (district), customer class or grade. */
    area: z.string().trim().min(1).max(40).optional(),
    customerClass: z.enum(['residential', 'commercial', 'industrial', 'agricultural']).optional(),
    grade: z.string().trim().min(1).max(8).optional(),
  })
  .strict();

const inRange = (q: { from?: string | undefined; to?: string | undefined }) =>
  q.from === undefined || q.to === undefined || (q.from <= q.to && months(q.from, q.to) <= DASHBOARD_MAX_MONTHS);
const rangeIssue = { message: 'from must not be after to, and the range at most 24 months', path: ['to'] };

export const recoveryDashboardMethodSchemas = {
  /** The dashboard for billing months [from, to]. Offline: the area's figures are null, the clerks' are there. */
  'recovery.dashboard': DashboardQuery.refine(inRange, rangeIssue),
  /** The same as a file: CSV (UTF-8 with BOM) or XLSX (a sheet per table), in the given language. */
  'recovery.dashboardExport': DashboardQuery.extend({ format: z.enum(['csv', 'xlsx']), locale: Locale.optional() }).strict().refine(inRange, rangeIssue),
} as const;

export const recoveryDashboardMethodAccess: { readonly [K in keyof typeof recoveryDashboardMethodSchemas]: Access } = {
  'recovery.dashboard': ['manager', 'supervisor'],
  'recovery.dashboardExport': ['manager', 'supervisor'],
};

/** One group's figures. Rates in basis points (8,312 = 83.12 %), null when nothing was billed. */
export interface RecoveryRowView {
  readonly key: string;
  readonly billedFen: number;
  readonly collectedFen: number;
  readonly collectedOnTimeFen: number;
  readonly outstandingFen: number;
  readonly bills: number;
  readonly paidBills: number;
  readonly lateFeeFen: number;
  readonly rateBp: number | null;
  readonly onTimeRateBp: number | null;
  readonly householdRateBp: number | null;
}

export interface AgeingBucketView {
  /** 'not_due', 'd1_30', … 'over_365'. */
  readonly id: string;
  readonly fromDays: number;
  readonly toDays: number | null;
  readonly outstandingFen: number;
  readonly bills: number;
}

/** The whole service area's figures, as the backend answered them. */
export interface AreaRecoveryView {
  /** When the backend read its ledger. */
  readonly asOf: string;
  readonly total: RecoveryRowView;
  readonly byMonth: readonly RecoveryRowView[];
  readonly byArea: readonly RecoveryRowView[];
  readonly byClass: readonly RecoveryRowView[];
  readonly byGrade: readonly RecoveryRowView[];
  /** Everything still owed, by days past due as of the terminal's today (filters applied). */
  readonly ageing: readonly AgeingBucketView[];
  /** What the filters can be set to (before filtering). */
  readonly options: { readonly areas: readonly string[]; readonly grades: readonly string[] };
}

/**
 * One clerk of this terminal: their part in collecting the bills of the chosen months (the same
 * receivable-period basis as the area's rate), the collection work the KPIs rest on (seed §3.1).
 */
export interface ClerkKpiView {
  readonly operatorId: string;
  readonly name: string;
  readonly payments: number;
  readonly accounts: number;
  /** Principal and late fees paid on the months' bills. */
  readonly amountFen: number;
  readonly principalFen: number;
  /** Principal on bills already past due when paid. */
  readonly arrearsRecoveredFen: number;
  readonly lateFeeFen: number;
  /** This clerk's share of the terminal's principal collected, basis points. */
  readonly shareBp: number | null;
  /** Payments on the months' bills the clerk took back (void, refund). */
  readonly reversals: number;
  /** Collection notices the clerk served for the months' bills, and how many were paid within N days. */
  readonly notices: NoticeConversionView;
}

/** Notices sent → paid within `withinDays` (resources/rules/recovery-dashboard.json). */
export interface NoticeConversionView {
  readonly withinDays: number;
  readonly sent: number;
  readonly paidWithin: number;
  /** Still inside their days and unpaid: not in the rate yet. */
  readonly pending: number;
  readonly rateBp: number | null;
}

export interface RecoveryDashboardView {
  readonly from: string;
  readonly to: string;
  /** The terminal's today, the day arrears are aged to. */
  readonly today: string;
  readonly generatedAt: string;
  /** null when the backend could not answer (offline); `areaUnavailable` then says why. */
  readonly area: AreaRecoveryView | null;
  /** i18n key of why the area's figures are missing. */
  readonly areaUnavailable: string | null;
  readonly clerks: readonly ClerkKpiView[];
  /** This terminal's collection notices for the months' bills, all clerks. */
  readonly notices: NoticeConversionView;
}

export interface RecoveryDashboardMethodResults {
  'recovery.dashboard': RecoveryDashboardView;
  'recovery.dashboardExport': ExportedFile;
}
