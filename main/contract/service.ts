/**
 * Service quality methods of the contract (docs/service.md): the customer display and its ratings,
 * complaints and suggestions with working-day deadlines, service applications (业扩/变更) with their
 * acceptance slip, and recommendations at the counter. Merged into the method map in ./index.ts.
 *
 * The customer display is a second window (a second browser window under the host shell, a window
 * on the second screen under Electron) whose session is NOT signed in: the clerk's session asks
 * `display.pair` for a one-time code, the display window opens with it and `display.attach`es; from
 * then on it sees only what rating needs (the clerk's display name, the kind and amount of the
 * transaction to rate) and can do only `display.current` and `display.rate`. A signed-in session —
 * the clerk's own included — can never rate. Instants ISO-8601 UTC, money integer fen.
 */
import { z } from 'zod';
import type { Access, Role } from './roles.js';
import { COUNTER_STAFF } from './roles.js';
import type { WireError } from './errors/index.js';

/** Reports: those who supervise service (and the auditor, read-only). */
export const SERVICE_REPORT_ROLES: readonly Role[] = ['supervisor', 'manager', 'auditor'];
/** Complaint and application lists: counter staff and the auditor. */
export const SERVICE_READ_ROLES: readonly Role[] = ['clerk', 'supervisor', 'manager', 'auditor'];

export const RATING_REASONS = ['fast', 'friendly', 'clear', 'slow', 'unfriendly', 'unclear', 'receipt_problem', 'other'] as const;
export type RatingReason = (typeof RATING_REASONS)[number];

export const APPLICATION_TYPE_IDS = ['new_connection', 'capacity_increase', 'transfer', 'name_change', 'closure'] as const;
export type ApplicationTypeId = (typeof APPLICATION_TYPE_IDS)[number];
export const APPLICATION_STATUSES = ['documents_pending', 'accepted', 'in_review', 'approved', 'completed', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const COMPLAINT_STATUSES = ['open', 'replied', 'resolved', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export const RECOMMENDATION_KINDS = ['tou', 'prepaid', 'ebilling', 'season_tip'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

const RequestId = z.string().uuid();
const AccountNo = z.string().regex(/^\d{10}$/);
const Note = z.string().trim().min(1).max(500);
const Locale = z.enum(['zh-CN', 'en']);
const CivilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const RuleId = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/);

export const serviceMethodSchemas = {
  /** COUNTER. A one-time code pairing a customer display with this clerk's session (replaces an earlier pairing). */
  'display.pair': z.object({}).strict(),
  /** PUBLIC, not signed in. This window becomes the customer display of the pairing `code` names. */
  'display.attach': z.object({ code: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
  /** PUBLIC, the attached display only. What to show: idle, or the transaction to rate. Poll it. */
  'display.current': z.object({}).strict(),
  /**
   * PUBLIC, the attached display only. The customer's rating of the transaction on screen: 1–5,
   * optional reasons. Once per transaction; journaled (rating.created) and synced.
   */
  'display.rate': z
    .object({
      transactionId: z.string().uuid(),
      score: z.number().int().min(1).max(5),
      reasons: z.array(z.enum(RATING_REASONS)).max(RATING_REASONS.length).default([]),
    })
    .strict(),
  /**
   * Ratings of a period (local dates, inclusive) grouped by clerk, hall, transaction type or day,
   * with the transactions' outcomes (failed print, long service) beside them, and the low ones.
   */
  'rating.report': z
    .object({ from: CivilDate, to: CivilDate, groupBy: z.enum(['clerk', 'hall', 'type', 'day']) })
    .strict()
    .refine((p) => p.from <= p.to, { message: 'from after to', path: ['to'] }),
  /** COUNTER. A complaint or suggestion taken at the counter; deadlines from the category's rule. */
  'complaint.create': z
    .object({
      requestId: RequestId,
      category: RuleId,
      text: z.string().trim().min(1).max(2000),
      contactName: z.string().trim().max(40).optional(),
      contactPhone: z.string().trim().regex(/^\d{7,12}$/).optional(),
      accountNo: AccountNo.optional(),
      transactionId: z.string().uuid().optional(),
    })
    .strict(),
  /** Open ones (or all), overdue first, then by the nearest deadline, and the categories to file under. Escalates what is due first. */
  'complaint.list': z.object({ include: z.enum(['open', 'all']).default('open') }).strict(),
  'complaint.get': z.object({ complaintId: z.string().uuid() }).strict(),
  /** COUNTER. The first reply to the customer (stops the reply deadline). */
  'complaint.reply': z.object({ complaintId: z.string().uuid(), note: Note }).strict(),
  /** COUNTER. Resolved, with the closing note. */
  'complaint.resolve': z.object({ complaintId: z.string().uuid(), closingNote: Note }).strict(),
  /** COUNTER. The customer's confirmation of the resolution (satisfied or not); closes it. */
  'complaint.confirm': z.object({ complaintId: z.string().uuid(), satisfied: z.boolean(), note: z.string().trim().max(500).optional() }).strict(),
  /** COUNTER. The application types: their fields, document checklist and the paper form each replaces. */
  'application.types': z.object({}).strict(),
  /**
   * COUNTER. Take an application: the type's fields only, the documents seen. Complete documents:
   * accepted with a reference number; else documents_pending. Journaled and synced.
   */
  'application.create': z
    .object({
      requestId: RequestId,
      type: z.enum(APPLICATION_TYPE_IDS),
      accountNo: AccountNo.optional(),
      fields: z.record(z.string().max(32), z.string().max(200)),
      documents: z.array(RuleId).max(20).default([]),
    })
    .strict(),
  /** COUNTER. More documents seen later; complete ones move documents_pending to accepted. */
  'application.documents': z.object({ applicationId: z.string().uuid(), documents: z.array(RuleId).min(1).max(20) }).strict(),
  /** COUNTER. The next status (in_review → approved → completed, or rejected) with a note. */
  'application.advance': z
    .object({ applicationId: z.string().uuid(), status: z.enum(['in_review', 'approved', 'completed', 'rejected']), note: Note })
    .strict(),
  'application.get': z.object({ applicationId: z.string().uuid() }).strict(),
  'application.list': z.object({ accountNo: AccountNo.optional() }).strict(),
  /** COUNTER. Print the acceptance slip (reference number, checklist) on the receipt printer. */
  'application.printSlip': z.object({ applicationId: z.string().uuid(), locale: Locale.optional() }).strict(),
  /** COUNTER. What to offer this customer now, each with its reason (and the saving, computed from their last 12 months). */
  'recommendation.list': z.object({ accountNo: AccountNo }).strict(),
  /** COUNTER. The customer's answer to one recommendation; journaled and synced. */
  'recommendation.respond': z.object({ accountNo: AccountNo, kind: z.enum(RECOMMENDATION_KINDS), response: z.enum(['accepted', 'declined']) }).strict(),
} as const;

export const serviceMethodAccess: { readonly [K in keyof typeof serviceMethodSchemas]: Access } = {
  'display.pair': COUNTER_STAFF,
  'display.attach': 'public',
  'display.current': 'public',
  'display.rate': 'public',
  'rating.report': SERVICE_REPORT_ROLES,
  'complaint.create': COUNTER_STAFF,
  'complaint.list': SERVICE_READ_ROLES,
  'complaint.get': SERVICE_READ_ROLES,
  'complaint.reply': COUNTER_STAFF,
  'complaint.resolve': COUNTER_STAFF,
  'complaint.confirm': COUNTER_STAFF,
  'application.types': COUNTER_STAFF,
  'application.create': COUNTER_STAFF,
  'application.documents': COUNTER_STAFF,
  'application.advance': COUNTER_STAFF,
  'application.get': SERVICE_READ_ROLES,
  'application.list': SERVICE_READ_ROLES,
  'application.printSlip': COUNTER_STAFF,
  'recommendation.list': COUNTER_STAFF,
  'recommendation.respond': COUNTER_STAFF,
};

/** What the customer display may see: never the account, the customer's name or the clerk's id. */
export interface DisplayView {
  readonly state: 'idle' | 'rate' | 'thanks';
  /** The clerk's name as on their badge. */
  readonly clerkName: string;
  readonly transaction: { readonly transactionId: string; readonly kind: 'payment' | 'vend'; readonly amountFen: number; readonly at: string } | null;
  readonly reasons: readonly RatingReason[];
}

export interface RatingOutcomeView {
  /** The receipt (or token slip) failed to print. */
  readonly printFailed: boolean;
  /** From the clerk's first look at the account to the transaction, longer than the rules' limit. */
  readonly longService: boolean;
  readonly serviceSeconds: number | null;
}

export interface RatingReportGroup {
  readonly key: string;
  /** Clerk groups: the clerk's name; else the key again. */
  readonly label: string;
  readonly count: number;
  /** Average score × 100 (integer: 4.25 → 425). */
  readonly averageX100: number;
  /** Ratings with score 1..5. */
  readonly distribution: readonly [number, number, number, number, number];
  readonly printFailed: number;
  readonly longService: number;
}

export interface RatingReportItem {
  readonly ratingId: string;
  readonly transactionId: string;
  readonly kind: 'payment' | 'vend';
  readonly channel: 'kiosk' | 'counter';
  readonly score: number;
  readonly reasons: readonly string[];
  readonly operatorId: string;
  readonly hallId: string;
  readonly ratedAt: string;
  readonly outcome: RatingOutcomeView;
}

export interface RatingReportView {
  readonly from: string;
  readonly to: string;
  readonly groupBy: 'clerk' | 'hall' | 'type' | 'day';
  readonly groups: readonly RatingReportGroup[];
  /** Scores of 1 and 2, newest first, each with its outcome. */
  readonly low: readonly RatingReportItem[];
}

export interface ServiceHistoryEntry {
  readonly at: string;
  readonly actor: string;
  /** created, replied, escalated, resolved, confirmed, documents, status… */
  readonly action: string;
  readonly status: string;
  readonly note: string | null;
}

export interface ComplaintView {
  readonly complaintId: string;
  /** The customer's tracking number, e.g. TS-20261127-0001. */
  readonly trackingNo: string;
  readonly kind: 'complaint' | 'suggestion';
  readonly category: string;
  readonly text: string;
  readonly contactName: string | null;
  readonly contactPhone: string | null;
  readonly accountNo: string | null;
  readonly transactionId: string | null;
  readonly status: ComplaintStatus;
  readonly replyDueAt: string;
  readonly resolveDueAt: string;
  readonly repliedAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly overdue: boolean;
  /** 0 none, 1 supervisor (a deadline near), 2 branch manager (a deadline passed). */
  readonly escalationLevel: number;
  readonly closingNote: string | null;
  /** The customer's confirmation: null until asked. */
  readonly customerSatisfied: boolean | null;
  readonly operatorId: string;
  readonly createdAt: string;
  readonly history: readonly ServiceHistoryEntry[];
}

/** A complaint category from the rules, with its deadlines in working days. */
export interface ComplaintCategoryView {
  readonly id: string;
  readonly kind: 'complaint' | 'suggestion';
  readonly replyWorkingDays: number;
  readonly resolveWorkingDays: number;
}

export interface ApplicationTypeView {
  readonly id: ApplicationTypeId;
  readonly needsAccount: boolean;
  readonly fields: readonly string[];
  readonly documents: readonly string[];
  readonly paperForm: { readonly fields: number; readonly steps: number };
  /** What the counter asks: fields keyed and steps. */
  readonly counterForm: { readonly fields: number; readonly steps: number };
}

export interface ApplicationView {
  readonly applicationId: string;
  /** Printed on the slip, e.g. YK-20261127-0001. */
  readonly referenceNo: string;
  readonly type: ApplicationTypeId;
  readonly accountNo: string | null;
  readonly fields: Readonly<Record<string, string>>;
  /** The checklist: each document and whether it was seen. */
  readonly documents: readonly { readonly id: string; readonly received: boolean }[];
  readonly status: ApplicationStatus;
  readonly operatorId: string;
  readonly createdAt: string;
  readonly history: readonly ServiceHistoryEntry[];
}

export interface RecommendationView {
  readonly kind: RecommendationKind;
  /** i18n key of the reason, with `reasonVars`. */
  readonly reasonKey: string;
  readonly reasonVars: Readonly<Record<string, string | number>>;
  /** TOU: what the last 12 months cost and would have cost. */
  readonly tou: { readonly currentFen: number; readonly touFen: number; readonly savingFen: number; readonly monthsKwh: readonly number[] } | null;
  /** The customer's last answer, when they accepted it. */
  readonly accepted: boolean;
}

export interface ServiceMethodResults {
  'display.pair': { readonly code: string };
  'display.attach': DisplayView;
  'display.current': DisplayView;
  'display.rate': { readonly ratingId: string; readonly transactionId: string; readonly score: number };
  'rating.report': RatingReportView;
  'complaint.create': ComplaintView;
  'complaint.list': { readonly items: readonly ComplaintView[]; readonly categories: readonly ComplaintCategoryView[] };
  'complaint.get': ComplaintView;
  'complaint.reply': ComplaintView;
  'complaint.resolve': ComplaintView;
  'complaint.confirm': ComplaintView;
  'application.types': { readonly types: readonly ApplicationTypeView[] };
  'application.create': ApplicationView;
  'application.documents': ApplicationView;
  'application.advance': ApplicationView;
  'application.get': ApplicationView;
  'application.list': { readonly items: readonly ApplicationView[] };
  'application.printSlip': { readonly printed: boolean; readonly error: WireError | null; readonly lines: readonly string[] };
  'recommendation.list': { readonly items: readonly RecommendationView[]; readonly source: 'online' | 'cache' };
  'recommendation.respond': { readonly recorded: true };
}
