/**
 * Collection methods of the contract (issue 11 items 3–4, the recovery desk): the daily arrears
 * early-warning worklist (filter, sort, assign, export), reminder and disconnection notices (停电通知)
 * with their earliest lawful date, printed on A4 (PDF) or the receipt printer, and the contact log
 * per account with promises to pay and a polite script for the next contact. Owned by the
 * collection area; merged into the contract's method map in ./index.ts. Managers and supervisors only.
 */
import { z } from 'zod';
import type { Access } from './roles.js';
import type { ExportedFile, PrintOutcome } from './shift.js';

const Locale = z.enum(['zh-CN', 'en']);
const AccountNo = z.string().trim().regex(/^\d{6,20}$/);
const LocalDay = z.iso.date();
const OperatorId = z.string().trim().min(1).max(32);

export const WORKLIST_REASON_KINDS = [
  'overdue',
  'due_soon_late_payer',
  'prepaid_running_out',
  'consumption_dropped',
  'last_minute_buyer',
  'tokens_stopped',
  'promise_lapsed',
  'follow_up_due',
] as const;
export type WorklistReasonKindView = (typeof WORKLIST_REASON_KINDS)[number];
export const WORKLIST_SORTS = ['priority', 'overdue_fen', 'overdue_days', 'days_left', 'account'] as const;
export const CONTACT_CHANNELS = ['call', 'visit', 'sms', 'letter'] as const;
export const CONTACT_OUTCOMES = ['reached', 'promised', 'no_answer', 'refused', 'wrong_number', 'already_paid', 'left_message'] as const;
export const NOTICE_KINDS = ['reminder', 'disconnection'] as const;
const CUSTOMER_CLASS = z.enum(['residential', 'commercial', 'industrial', 'agricultural']);

const WorklistFilter = z
  .object({
    /** Only entries with any of these reasons. */
    reasons: z.array(z.enum(WORKLIST_REASON_KINDS)).max(WORKLIST_REASON_KINDS.length).optional(),
    /** Overdue age bucket index (see `bucketBounds` in the answer). */
    ageBucket: z.int().min(0).max(8).optional(),
    customerClass: CUSTOMER_CLASS.optional(),
    /** Credit grade in force (AAA … C). */
    grade: z.enum(['AAA', 'AA', 'A', 'B', 'C']).optional(),
    /** An operator id, or 'unassigned'. */
    assignee: z.union([z.literal('unassigned'), OperatorId]).optional(),
    sort: z.enum(WORKLIST_SORTS).default('priority'),
  })
  .strict();

export const collectionMethodSchemas = {
  /** Today's worklist (the terminal's day), filtered and sorted, one page of it. */
  'collection.worklist': WorklistFilter.extend({ offset: z.int().min(0).max(10_000_000).default(0), limit: z.int().min(1).max(200).default(50) }).strict(),
  /** Assign worklist accounts to a member of staff (null: take the assignment off). Journaled and synced. */
  'collection.assign': z.object({ accountNos: z.array(AccountNo).min(1).max(500), assigneeId: OperatorId.nullable() }).strict(),
  /** The filtered worklist as a file (CSV UTF-8 with BOM, or XLSX), in the given language. */
  'collection.export': WorklistFilter.extend({ format: z.enum(['csv', 'xlsx']), locale: Locale.optional() }).strict(),
  /** What a notice for this account would say today: amounts, eligibility, the earliest lawful date and why. */
  'collection.noticePreview': z.object({ accountNo: AccountNo, kind: z.enum(NOTICE_KINDS) }).strict(),
  /**
   * Serve a notice: written with its lawful date (journaled, synced), then printed — as an A4 PDF
   * returned to the screen, or on the receipt printer. `requestId` makes a retry return the same notice.
   */
  'collection.issueNotice': z
    .object({ requestId: z.string().uuid(), accountNo: AccountNo, kind: z.enum(NOTICE_KINDS), output: z.enum(['pdf', 'receipt']), locale: Locale.optional() })
    .strict(),
  /** Print a served notice again (same number and date; journaled as a reprint). */
  'collection.printNotice': z.object({ noticeId: z.string().uuid(), output: z.enum(['pdf', 'receipt']), locale: Locale.optional() }).strict(),
  /** An account's notices, newest first. */
  'collection.notices': z.object({ accountNo: AccountNo }).strict(),
  /** Log a contact (call, visit, SMS, letter) with its outcome; a promise to pay carries its date. Journaled and synced. */
  'collection.logContact': z
    .object({
      requestId: z.string().uuid(),
      accountNo: AccountNo,
      channel: z.enum(CONTACT_CHANNELS),
      outcome: z.enum(CONTACT_OUTCOMES),
      note: z.string().trim().max(500).default(''),
      smsText: z.string().trim().min(1).max(500).optional(),
      promiseOn: LocalDay.optional(),
      /** Yuan text, e.g. "120.50". */
      promiseAmount: z.string().trim().min(1).max(40).optional(),
    })
    .strict(),
  /** An account's contact log (newest first), its open promise, and the suggested script for the next contact. */
  'collection.contacts': z.object({ accountNo: AccountNo, locale: Locale.optional() }).strict(),
} as const;

const DESK: Access = ['manager', 'supervisor'];
export const collectionMethodAccess: { readonly [K in keyof typeof collectionMethodSchemas]: Access } = {
  'collection.worklist': DESK,
  'collection.assign': DESK,
  'collection.export': DESK,
  'collection.noticePreview': DESK,
  'collection.issueNotice': DESK,
  'collection.printNotice': DESK,
  'collection.notices': DESK,
  'collection.logContact': DESK,
  'collection.contacts': DESK,
};

export type WorklistReasonView =
  | { readonly kind: 'overdue'; readonly fen: number; readonly days: number; readonly bills: number }
  | { readonly kind: 'due_soon_late_payer'; readonly fen: number; readonly dueDate: string; readonly lateTimes: number }
  | { readonly kind: 'prepaid_running_out'; readonly daysLeft: number; readonly balanceFen: number; readonly kwhPerDay: number }
  | { readonly kind: 'consumption_dropped'; readonly lastKwh: number; readonly usualKwh: number }
  | { readonly kind: 'last_minute_buyer'; readonly cutoffs: number }
  | { readonly kind: 'tokens_stopped'; readonly months: number; readonly lastKwh: number }
  | { readonly kind: 'promise_lapsed'; readonly promisedOn: string; readonly promisedFen: number | null; readonly contactId: string }
  | { readonly kind: 'follow_up_due'; readonly lastOn: string; readonly via: 'call' | 'visit' | 'sms' | 'letter' | 'notice'; readonly days: number };

export interface WorklistItemView {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly customerClass: 'residential' | 'commercial' | 'industrial' | 'agricultural';
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly reasons: readonly WorklistReasonView[];
  readonly overdueFen: number;
  readonly overdueDays: number;
  readonly ageBucket: number | null;
  readonly daysLeft: number | null;
  readonly priority: number;
  /** Credit grade in force (AAA … C); null before the account's first grading. */
  readonly grade: string | null;
  readonly assigneeId: string | null;
  readonly assigneeName: string | null;
}

export interface WorklistView {
  /** The day the list is for (terminal's zone). */
  readonly date: string;
  /** Overdue buckets' upper bounds in days: [30, 60, 90] → 1–30, 31–60, 61–90, over 90. */
  readonly bucketBounds: readonly number[];
  /** Entries matching the filter, and how many carry each reason / sit in each bucket (whole list, before the filter). */
  readonly total: number;
  readonly all: number;
  readonly byReason: Readonly<Record<WorklistReasonKindView, number>>;
  readonly byBucket: readonly number[];
  readonly items: readonly WorklistItemView[];
  /** Who may be assigned (active staff). */
  readonly staff: readonly { readonly operatorId: string; readonly name: string; readonly role: string }[];
}

export type LawfulStepView =
  | { readonly rule: 'count_from_next_working_day'; readonly from: string; readonly to: string }
  | { readonly rule: 'notice_days'; readonly days: number; readonly from: string; readonly to: string }
  | { readonly rule: 'not_on_non_working_day'; readonly from: string; readonly to: string }
  | { readonly rule: 'not_in_month_end'; readonly lastDays: number; readonly from: string; readonly to: string };

export interface NoticeBillView {
  readonly billId: string;
  readonly period: string;
  readonly dueDate: string;
  readonly outstandingFen: number;
  readonly lateFeeFen: number;
  readonly daysOverdue: number;
}

export interface NoticePreviewView {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly customerClass: WorklistItemView['customerClass'];
  readonly kind: 'reminder' | 'disconnection';
  readonly servedOn: string;
  readonly bills: readonly NoticeBillView[];
  readonly overdueFen: number;
  readonly lateFeeFen: number;
  /** The notice may be served today; else `eligibleFrom` says when. */
  readonly eligible: boolean;
  readonly eligibleFrom: string | null;
  /** Disconnection notices: the earliest lawful date and the steps behind it. */
  readonly earliestDisconnectOn: string | null;
  readonly noticeDays: number | null;
  readonly callBeforeHours: number | null;
  readonly steps: readonly LawfulStepView[];
}

export interface NoticeView extends Omit<NoticePreviewView, 'eligible' | 'eligibleFrom'> {
  readonly noticeId: string;
  readonly noticeNo: string;
  readonly operatorId: string;
  readonly createdAt: string;
  readonly printedCount: number;
}

export interface NoticeIssued {
  readonly notice: NoticeView;
  /** Output 'pdf': the A4 notice. */
  readonly pdf: ExportedFile | null;
  /** Output 'receipt': how the receipt printer did. */
  readonly printed: PrintOutcome | null;
}

export interface ContactView {
  readonly contactId: string;
  readonly accountNo: string;
  readonly channel: (typeof CONTACT_CHANNELS)[number];
  readonly outcome: (typeof CONTACT_OUTCOMES)[number];
  readonly note: string;
  readonly smsText: string | null;
  readonly promiseOn: string | null;
  readonly promiseFen: number | null;
  /** For a promise: open (date not passed), kept (paid since), lapsed (date passed, not paid); null otherwise. */
  readonly promiseState: 'open' | 'kept' | 'lapsed' | null;
  readonly operatorId: string;
  readonly operatorName: string;
  readonly createdAt: string;
}

export interface ContactsView {
  readonly accountNo: string;
  readonly name: string;
  readonly phone: string;
  readonly items: readonly ContactView[];
  /** The suggested script for the next contact: its id and the text, filled in, in the asked language. */
  readonly script: { readonly id: string; readonly text: string };
  readonly reasons: readonly WorklistReasonView[];
}

export interface CollectionMethodResults {
  'collection.worklist': WorklistView;
  'collection.assign': { readonly assigned: number };
  'collection.export': ExportedFile;
  'collection.noticePreview': NoticePreviewView;
  'collection.issueNotice': NoticeIssued;
  'collection.printNotice': NoticeIssued;
  'collection.notices': { readonly items: readonly NoticeView[] };
  'collection.logContact': ContactView;
  'collection.contacts': ContactsView;
}
