/** Collection (worklist, notices, contact log) error codes. Owned by the collection area (issue 11). */
export const COLLECTION_ERROR_CODES = [
  /** A notice for an account with nothing overdue. */
  'collection.nothing_overdue',
  /** A disconnection notice before the oldest bill is overdue long enough (details: from, overdueDays, days). */
  'collection.not_yet_eligible',
  'collection.notice_not_found',
  /** The assignee is not an active member of staff. */
  'collection.unknown_assignee',
  /** A promise to pay dated before today, or further ahead than the rules allow (details: min, max). */
  'collection.promise_date_invalid',
  /** An outcome of 'promised' needs the promised date; any other outcome takes none. */
  'collection.promise_mismatch',
  /** An SMS contact needs the text sent. */
  'collection.sms_text_required',
  /** The same requestId was used for another notice or contact. */
  'collection.request_conflict',
  /** No font with Chinese glyphs was found to lay out the A4 notice (details: tried). */
  'collection.pdf_font_missing',
] as const;
export type CollectionErrorCode = (typeof COLLECTION_ERROR_CODES)[number];
