/**
 * Shift methods of the contract: the cash drawer (open with a counted float, cash in and out,
 * blind count, close with a supervisor's approval over the limit), X and Z reports (printed on the
 * receipt printer and previewed on screen from the same receipt model), and the four-way
 * end-of-day reconciliation (screen, print, CSV/XLSX). Owned by the shift area; merged into the
 * contract's method map in ./index.ts.
 *
 * Blind count: nothing answers the drawer's expected cash before the clerk has submitted a count.
 */
import { z } from 'zod';
import { COUNTER_STAFF, type Access } from './roles.js';
import type { WireError } from './errors/index.js';
import { SupervisorApprovalFields } from './approvals.js';

const Locale = z.enum(['zh-CN', 'en']);
const MoneyText = z.string().max(40);
/** Pieces per denomination id (`note_100`, `coin_0_5`, … from resources/rules/shift.json). */
const Counts = z.record(z.string().regex(/^[a-z0-9_]{1,24}$/), z.number().int().min(0).max(10_000_000));
const LocalDay = z.iso.date();

/** Who may read and act on the day's money beyond their own drawer. */
const RECONCILERS: readonly ('supervisor' | 'manager' | 'auditor')[] = ['supervisor', 'manager', 'auditor'];

const Period = z
  .object({ date: LocalDay.optional(), shiftId: z.string().uuid().optional() })
  .strict();

export const CASH_IN_REASONS = ['change_fund', 'float_top_up', 'other'] as const;
export const CASH_OUT_REASONS = ['bank_deposit', 'change_fund_return', 'refund', 'other'] as const;

export const shiftMethodSchemas = {
  /** The terminal's shift that is not closed (null when none), the drawer rules, and whether payments need a shift. */
  'shift.current': z.object({}).strict(),
  /** Open a shift with its float counted by denomination. Refused while another shift is unclosed. */
  'shift.open': z.object({ requestId: z.string().uuid(), float: Counts }).strict(),
  /** Put cash into the drawer (change fund, float top-up) with a reason. `requestId` makes a retry return the same movement. */
  'shift.cashIn': z
    .object({ requestId: z.string().uuid(), amount: MoneyText, reason: z.enum(CASH_IN_REASONS), note: z.string().trim().max(100).optional() })
    .strict(),
  /** Take cash out of the drawer (bank deposit, change returned, a refund paid in cash) with a reason. */
  'shift.cashOut': z
    .object({ requestId: z.string().uuid(), amount: MoneyText, reason: z.enum(CASH_OUT_REASONS), note: z.string().trim().max(100).optional() })
    .strict(),
  /**
   * The blind count: pieces per denomination, entered before the expected figure is shown. Final:
   * the answer reveals expected, counted and the difference, and the shift takes no more money.
   */
  'shift.count': z.object({ counts: Counts }).strict(),
  /**
   * Close the counted shift and print the Z report. A difference over the configured limit needs a
   * supervisor's approval (someone else's id and PIN, the shared lockout) and a reason.
   */
  'shift.close': z
    .object({
      reason: z.string().trim().min(1).max(200).optional(),
      supervisorId: SupervisorApprovalFields.supervisorId.optional(),
      supervisorPin: SupervisorApprovalFields.supervisorPin.optional(),
      receiptLocale: Locale.optional(),
    })
    .strict(),
  /** The X (current shift, mid-shift) or Z (a closed shift; the last one by default) report as printed, for the screen. */
  'shift.report': z.object({ kind: z.enum(['x', 'z']), shiftId: z.string().uuid().optional(), receiptLocale: Locale.optional() }).strict(),
  /** Print the X or Z report on the receipt printer (journaled). */
  'shift.printReport': z.object({ kind: z.enum(['x', 'z']), shiftId: z.string().uuid().optional(), receiptLocale: Locale.optional() }).strict(),
  /** Shifts opened on a day (terminal's zone). */
  'shift.list': z.object({ date: LocalDay }).strict(),
  /** Four-way reconciliation of a day (terminal's zone) or of one shift. Asks the backend for its ledger (offline: that column stays empty). */
  'reconciliation.run': Period,
  /** Print the reconciliation report on the receipt printer. */
  'reconciliation.print': Period.extend({ receiptLocale: Locale.optional() }).strict(),
  /** The reconciliation as a file: CSV (UTF-8 with BOM) or XLSX, in the given language. */
  'reconciliation.export': Period.extend({ format: z.enum(['csv', 'xlsx']), locale: Locale.optional() }).strict(),
} as const;

export const shiftMethodAccess: { readonly [K in keyof typeof shiftMethodSchemas]: Access } = {
  'shift.current': ['clerk', 'supervisor', 'manager', 'auditor'],
  'shift.open': COUNTER_STAFF,
  'shift.cashIn': COUNTER_STAFF,
  'shift.cashOut': COUNTER_STAFF,
  'shift.count': COUNTER_STAFF,
  'shift.close': COUNTER_STAFF,
  'shift.report': ['clerk', 'supervisor', 'manager', 'auditor'],
  'shift.printReport': COUNTER_STAFF,
  'shift.list': ['clerk', 'supervisor', 'manager', 'auditor'],
  'reconciliation.run': RECONCILERS,
  'reconciliation.print': ['supervisor', 'manager'],
  'reconciliation.export': RECONCILERS,
};

export interface DenominationView {
  readonly id: string;
  readonly kind: 'note' | 'coin';
  readonly fen: number;
}

export interface DrawerRulesView {
  readonly denominations: readonly DenominationView[];
  readonly differenceApprovalFen: number;
  readonly maxFloatFen: number;
  readonly maxMovementFen: number;
}

export interface ShiftView {
  readonly shiftId: string;
  readonly operatorId: string;
  readonly operatorName: string;
  readonly state: 'open' | 'counted' | 'closed';
  readonly openedAt: string;
  readonly floatFen: number;
  /** Set by the blind count; expected and difference are null until then (the count stays blind). */
  readonly countedAt: string | null;
  readonly countedFen: number | null;
  readonly expectedFen: number | null;
  readonly differenceFen: number | null;
  /** Closing needs a supervisor's approval (difference over the limit); null before the count. */
  readonly approvalRequired: boolean | null;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
  readonly approvedBy: string | null;
  readonly closeReason: string | null;
  /** Z report number, set at close. */
  readonly zNo: number | null;
}

export interface ShiftStatusView {
  readonly shift: ShiftView | null;
  readonly rules: DrawerRulesView;
  /** Payments and vends are refused without an open shift (counter mode, `shift.required`). */
  readonly required: boolean;
  /** The terminal's date now ('YYYY-MM-DD' in its zone, by its clock): the day to reconcile by default. */
  readonly today: string;
}

export interface DrawerMovementView {
  readonly movementId: string;
  readonly shiftId: string;
  readonly kind: 'in' | 'out';
  readonly amountFen: number;
  readonly reason: string;
  readonly note: string;
  readonly operatorId: string;
  readonly createdAt: string;
}

export interface PrintOutcome {
  readonly printed: boolean;
  readonly error: WireError | null;
}

export type ReconciliationCause =
  | 'counted_short'
  | 'counted_over'
  | 'not_counted'
  | 'journal_mismatch'
  | 'not_synced'
  | 'rejected'
  | 'missing_at_backend'
  | 'unknown_at_terminal'
  | 'amount_mismatch'
  | 'void'
  | 'waived'
  | 'credit_pending'
  | 'credit_without_payment'
  | 'credit_twice';

export interface ReconciliationDifferenceView {
  readonly cause: ReconciliationCause;
  readonly severity: 'info' | 'warning' | 'problem';
  readonly way: 'drawer' | 'journal' | 'backend' | 'credits';
  readonly ref: string;
  readonly eventType: string | null;
  readonly amountFen: number;
  readonly detail: string | null;
}

export interface ReconciliationView {
  readonly period: { readonly kind: 'day'; readonly date: string } | { readonly kind: 'shift'; readonly shiftId: string };
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly shifts: readonly ShiftView[];
  readonly summary: {
    readonly cashExpectedFen: number;
    readonly cashCountedFen: number;
    readonly shiftsCounted: number;
    readonly shiftsOpen: number;
    readonly journal: { readonly count: number; readonly fen: number };
    readonly backend: { readonly count: number; readonly fen: number } | null;
    readonly pending: number;
    readonly rejected: number;
    readonly vendsPaid: { readonly count: number; readonly fen: number };
    readonly creditsIssued: { readonly count: number; readonly fen: number };
    readonly creditsMatched: number;
    readonly problems: number;
    readonly warnings: number;
  };
  readonly differences: readonly ReconciliationDifferenceView[];
}

export interface ExportedFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly base64: string;
}

export interface ShiftMethodResults {
  'shift.current': ShiftStatusView;
  'shift.open': ShiftView;
  'shift.cashIn': DrawerMovementView;
  'shift.cashOut': DrawerMovementView;
  'shift.count': ShiftView;
  'shift.close': ShiftView & { readonly report: PrintOutcome };
  'shift.report': { readonly lines: readonly string[] };
  'shift.printReport': PrintOutcome;
  'shift.list': { readonly items: readonly ShiftView[] };
  'reconciliation.run': ReconciliationView;
  'reconciliation.print': PrintOutcome;
  'reconciliation.export': ExportedFile;
}
