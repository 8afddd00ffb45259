/**
 * Audit and inspection (稽查) methods of the contract: the journal's integrity (checked at start,
 * on demand, and by the backend on every push), the safe state a broken chain puts the terminal in,
 * and the auditor's read-only inspection — entries filtered by type, clerk, period and account, and
 * anomaly reports per clerk and period, exportable. Owned by the audit area; merged into the
 * contract's method map in ./index.ts. docs/audit.md explains the design.
 */
import { z } from 'zod';
import type { Access, Role } from './roles.js';
import type { ExportedFile } from './shift.js';
import type { MethodName } from './index.js';
import { ANOMALY_KIND_NAMES, type AnomalyKindName } from '../domain/audit/anomaly-kinds.js';

export { AUDIT_ERROR_CODES } from './errors/audit.js';
export { ANOMALY_KIND_NAMES, type AnomalyKindName } from '../domain/audit/anomaly-kinds.js';

/** Longest period one report covers (a month and a bit; the benchmark is a month of a busy hall). */
export const AUDIT_MAX_PERIOD_DAYS = 31;

const LocalDay = z.iso.date();
const OperatorKey = z.string().trim().min(1).max(32);
const Locale = z.enum(['zh-CN', 'en']);

/** A period of local days (terminal's zone), both ends included. */
const Period = z.object({ from: LocalDay, to: LocalDay }).strict();
const AnomalyQuery = Period.extend({
  actor: OperatorKey.optional(),
  kinds: z.array(z.enum(ANOMALY_KIND_NAMES)).max(ANOMALY_KIND_NAMES.length).optional(),
}).strict();

/** Who may inspect: the auditor, and the branch manager who answers for the hall. */
const INSPECTORS: readonly Role[] = ['auditor', 'manager'];

export const auditMethodSchemas = {
  /** The journal's integrity as last checked (at start, on demand, by the backend's last answer). */
  'audit.status': z.object({}).strict(),
  /** Walk the whole chain now (every hash recomputed) and answer the result. */
  'audit.verify': z.object({}).strict(),
  /**
   * An auditor or manager acknowledges the breaks found (journaled and sent to the backend as an
   * alarm) so the terminal may take money again; the walk then accepts exactly those breaks.
   * A refusal by the backend is not cleared here.
   */
  'audit.acknowledge': z.object({ reason: z.string().trim().min(1).max(200) }).strict(),
  /** Journal entries, oldest first, filtered; `afterSeq` pages on. */
  'audit.entries': z
    .object({
      type: z.string().trim().min(1).max(64).optional(),
      actor: OperatorKey.optional(),
      accountNo: z.string().trim().regex(/^\d{1,20}$/).optional(),
      from: LocalDay.optional(),
      to: LocalDay.optional(),
      afterSeq: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  /** Anomalies in a period, per clerk (resources/rules/audit.json). */
  'audit.anomalies': AnomalyQuery,
  /** The anomaly report as a file: CSV (UTF-8 with BOM) or XLSX, in the given language. */
  'audit.export': AnomalyQuery.extend({ format: z.enum(['csv', 'xlsx']), locale: Locale.optional() }).strict(),
} as const;

export const auditMethodAccess: { readonly [K in keyof typeof auditMethodSchemas]: Access } = {
  // Every member of staff sees why the terminal refuses money.
  'audit.status': ['clerk', 'supervisor', 'manager', 'auditor', 'technician'],
  'audit.verify': ['supervisor', 'manager', 'auditor'],
  'audit.acknowledge': INSPECTORS,
  'audit.entries': INSPECTORS,
  'audit.anomalies': INSPECTORS,
  'audit.export': INSPECTORS,
};

/** Methods that move money: refused while the journal's integrity is in doubt. */
export const MONEY_METHODS = [
  'payment.create',
  'payment.void',
  'payment.refund',
  'lateFee.waive',
  'vend.purchase',
  'vend.reverse',
  'kiosk.order.create',
] as const satisfies readonly MethodName[];

export const CHAIN_PROBLEM_NAMES = ['hash', 'link', 'sequence', 'downgrade', 'truncated', 'anchor'] as const;

export interface ChainBreakView {
  readonly problem: (typeof CHAIN_PROBLEM_NAMES)[number];
  readonly seq: number;
  readonly acknowledged: boolean;
}

export interface IntegrityView {
  /** 'ok'; 'broken': the local walk found unacknowledged breaks; 'refused': the backend refused the chain. */
  readonly state: 'ok' | 'broken' | 'refused';
  readonly checkedAt: string;
  /** Entries walked; the head (seq + hash) is what the backend is sent. */
  readonly entries: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly breaks: readonly ChainBreakView[];
  /** The head the backend last acknowledged (this terminal's copy), null before the first push. */
  readonly anchor: { readonly seq: number; readonly hash: string } | null;
  /** Why the backend refused the chain ('shorter', 'rewritten', …), null while it accepts it. */
  readonly refusal: { readonly reason: string; readonly at: string } | null;
  /** Money methods are refused. */
  readonly locked: boolean;
}

export interface JournalEntryView {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly ref: string;
  readonly actor: string;
  readonly accountNo: string | null;
  /** The payload as stored (JSON text), for the detail view. */
  readonly payload: string;
  readonly hash: string;
}

export interface AnomalyView {
  readonly kind: AnomalyKindName;
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly type: string;
  readonly ref: string;
  readonly accountNo: string | null;
  readonly fen: number | null;
  readonly approver: string | null;
  readonly count: number | null;
}

export interface AnomalyReportView {
  readonly from: string;
  readonly to: string;
  /** Entries read. */
  readonly scanned: number;
  readonly total: number;
  /** The newest first 1,000 (the export has them all). */
  readonly items: readonly AnomalyView[];
  readonly byClerk: readonly { readonly actor: string; readonly counts: Readonly<Partial<Record<AnomalyKindName, number>>>; readonly total: number }[];
}

export interface AuditMethodResults {
  'audit.status': IntegrityView;
  'audit.verify': IntegrityView;
  'audit.acknowledge': IntegrityView;
  'audit.entries': { readonly items: readonly JournalEntryView[]; readonly more: boolean };
  'audit.anomalies': AnomalyReportView;
  'audit.export': ExportedFile;
}
