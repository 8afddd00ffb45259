/** Credit grading error codes (issue 11 items 1–2). Owned by the credit area. */
export const CREDIT_ERROR_CODES = [
  /** The account is not in this terminal's cache (details: accountNo). */
  'credit.no_account',
  /** An override needs a reason of at least 4 characters. */
  'credit.reason_required',
  /** Lifting an override the account does not have. */
  'credit.no_override',
  /** An override to the grade the model gives already (details: grade). */
  'credit.same_grade',
  /** Not a promotion candidate now (prepaid already, or not in the cache) (details: accountNo). */
  'promotion.not_candidate',
  'promotion.offer_not_found',
  /** The offer was answered already (details: status). */
  'promotion.already_answered',
  /** The same requestId was used for another account. */
  'promotion.request_conflict',
] as const;
export type CreditErrorCode = (typeof CREDIT_ERROR_CODES)[number];
