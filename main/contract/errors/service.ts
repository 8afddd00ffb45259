/** Service quality error codes (ratings, complaints, applications, recommendations). Owned by the service area (docs/service.md). */
export const SERVICE_ERROR_CODES = [
  /** The pairing code is unknown or was replaced (the clerk paired another display): pair again. */
  'display.not_paired',
  /** A signed-in staff session cannot be the customer display, nor rate. */
  'display.staff_session',
  /** Nothing to rate now, or not this transaction (another, or past the rating window). */
  'rating.not_open',
  /** This transaction was rated already: once per transaction. */
  'rating.already_rated',
  'complaint.unknown_category',
  'complaint.not_found',
  /** The step does not follow from the complaint's status (details: status). */
  'complaint.bad_transition',
  /** The same requestId was used for another complaint or application. */
  'service.request_conflict',
  'application.unknown_type',
  /** This type changes an existing account: choose the account first. */
  'application.account_required',
  /** A form field missing or wrong (details: field, problem). */
  'application.field_invalid',
  /** A document the type's checklist does not have (details: document). */
  'application.unknown_document',
  'application.not_found',
  'application.bad_transition',
  /** Closing an account with bills still open: pay them first (details: openBills). */
  'application.open_bills',
  'recommendation.not_offered',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];
