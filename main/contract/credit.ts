/**
 * Credit methods of the contract (issue 11 items 1–2, the recovery desk): an account's credit grade
 * with its score, top reasons and what the grade means for this visit; a manager's override with a
 * reason (journaled, synced) and its lifting; the monthly re-grading of the whole cache. Owned by
 * the credit area; merged into the contract's method map in ./index.ts.
 */
import { z } from 'zod';
import type { Access } from './roles.js';

const AccountNo = z.string().trim().regex(/^\d{6,20}$/);
export const CREDIT_GRADE_LETTERS = ['AAA', 'AA', 'A', 'B', 'C'] as const;
export type CreditGradeView = (typeof CREDIT_GRADE_LETTERS)[number];
const Reason = z.string().trim().max(200);

export const creditMethodSchemas = {
  /** The account's grade now (re-evaluated from the cache's facts, so a new fact shows at once), its reasons, advice and history. */
  'credit.get': z.object({ accountNo: AccountNo }).strict(),
  /** A manager sets the grade by hand, with a reason; the model goes on scoring underneath. Journaled and synced. */
  'credit.override': z.object({ accountNo: AccountNo, grade: z.enum(CREDIT_GRADE_LETTERS), reason: Reason }).strict(),
  /** A manager lifts the account's override; the model's grade applies again. Journaled and synced. */
  'credit.liftOverride': z.object({ accountNo: AccountNo, reason: Reason }).strict(),
  /** Re-grade every cached account now (the monthly run does this on the first day of a month). */
  'credit.evaluateAll': z.object({}).strict(),
  /** Prepaid promotion: postpaid candidates ranked by the model, with their offer and its state, and the conversion totals. */
  'promotion.candidates': z.object({ limit: z.int().min(1).max(200).default(50) }).strict(),
  /** Record that the candidate was offered a prepaid meter (its offer by grade). `requestId` makes a retry return the same offer. Journaled and synced. */
  'promotion.offer': z.object({ requestId: z.uuid(), accountNo: AccountNo }).strict(),
  /** The customer's answer to an offer. Journaled and synced. */
  'promotion.respond': z.object({ offerId: z.uuid(), outcome: z.enum(['accepted', 'declined']) }).strict(),
  /** Prepaid points: the account's balance in force and its latest entries, for the counter's account panel. */
  'points.balance': z.object({ accountNo: AccountNo }).strict(),
} as const;

export const creditMethodAccess = {
  'credit.get': ['clerk', 'supervisor', 'manager', 'auditor'],
  'credit.override': ['manager'],
  'credit.liftOverride': ['manager'],
  'credit.evaluateAll': ['supervisor', 'manager'],
  'promotion.candidates': ['supervisor', 'manager'],
  'promotion.offer': ['supervisor', 'manager'],
  'promotion.respond': ['supervisor', 'manager'],
  'points.balance': ['clerk', 'supervisor', 'manager', 'auditor'],
} as const satisfies Record<keyof typeof creditMethodSchemas, Access>;

export type CreditIndicatorView =
  | 'late_payments'
  | 'days_late'
  | 'arrears_times'
  | 'late_fees'
  | 'current_arrears'
  | 'violations'
  | 'disconnections'
  | 'prepaid'
  | 'tenure';

/** One line of explanation: `i18nKey` with `params` ("paid late 5 times in 12 months: −18"). */
export interface CreditReasonView {
  readonly indicator: CreditIndicatorView;
  readonly i18nKey: string;
  readonly params: Readonly<Record<string, number>>;
  /** Whole points lost (≤ 0). */
  readonly points: number;
}

export interface CreditOverrideView {
  readonly overrideId: string;
  readonly grade: CreditGradeView;
  readonly reason: string;
  readonly operatorId: string;
  readonly operatorName: string;
  readonly createdAt: string;
}

export interface CreditHistoryEntryView {
  readonly grade: CreditGradeView;
  readonly modelGrade: CreditGradeView;
  readonly score: number;
  readonly trigger: 'first' | 'monthly' | 'fact' | 'override' | 'override_lifted';
  readonly at: string;
}

/** What the grade means for this visit and for collection (resources/rules/credit.json `treatment`). */
export interface CreditAdviceView {
  readonly fastLane: boolean;
  readonly overpayNoConfirmFen: number;
  readonly offerEBill: boolean;
  readonly reminderLeadDays: number;
  readonly followUpDays: number;
  readonly flagPrepaid: boolean;
  readonly strictCollection: boolean;
  /** Locale keys of what to do or offer now, in order. */
  readonly adviceKeys: readonly string[];
}

export interface CreditView {
  readonly accountNo: string;
  /** The grade in force: the override's when there is one, else the model's. */
  readonly grade: CreditGradeView;
  readonly modelGrade: CreditGradeView;
  /** 0..100. */
  readonly score: number;
  readonly reasons: readonly CreditReasonView[];
  readonly advice: CreditAdviceView;
  readonly override: CreditOverrideView | null;
  /** Newest first, up to 24 changes. */
  readonly history: readonly CreditHistoryEntryView[];
  /** Whether the backend's 24-month history is known for the account (else only the cache's bills). */
  readonly factsKnown: boolean;
  readonly evaluatedAt: string;
}

export interface CreditEvaluateAllView {
  readonly evaluated: number;
  readonly changed: number;
  readonly byGrade: Readonly<Record<CreditGradeView, number>>;
}

/** An offer of a prepaid meter; 'converted' once the account is prepaid. */
export interface PromotionOfferView {
  readonly offerId: string;
  readonly accountNo: string;
  readonly kind: string;
  readonly bonusFen: number;
  readonly status: 'offered' | 'accepted' | 'declined' | 'converted';
  readonly offeredBy: string;
  readonly offeredAt: string;
  readonly validUntil: string;
}

export interface PromotionCandidateView {
  readonly accountNo: string;
  readonly name: string;
  readonly grade: CreditGradeView;
  /** 0..100, higher first. */
  readonly rank: number;
  readonly latePayments12: number;
  readonly avgKwh: number;
  readonly cvPercent: number;
  /** The offer this candidate gets (by grade). */
  readonly offerKind: string;
  readonly bonusFen: number;
  readonly offer: PromotionOfferView | null;
}

export interface PromotionListView {
  readonly items: readonly PromotionCandidateView[];
  /** Candidates found in the cache (before the limit). */
  readonly candidates: number;
  readonly totals: { readonly offered: number; readonly accepted: number; readonly declined: number; readonly converted: number };
}

export interface PointsEntryView {
  readonly vendId: string;
  readonly kind: 'accrual' | 'reversal';
  /** Negative for a reversal. */
  readonly points: number;
  readonly energyFen: number;
  readonly at: string;
  readonly expiresAt: string | null;
}

export interface PointsBalanceView {
  readonly accountNo: string;
  readonly balance: number;
  /** Points per yuan of energy bought (0: the scheme is off). */
  readonly pointsPerYuan: number;
  readonly recent: readonly PointsEntryView[];
}

export interface CreditMethodResults {
  'points.balance': PointsBalanceView;
  'credit.get': CreditView;
  'promotion.candidates': PromotionListView;
  'promotion.offer': PromotionOfferView;
  'promotion.respond': PromotionOfferView;
  'credit.override': CreditView;
  'credit.liftOverride': CreditView;
  'credit.evaluateAll': CreditEvaluateAllView;
}
