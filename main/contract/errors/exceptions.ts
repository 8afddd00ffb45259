/** Exceptions-queue error codes. Owned by sync (docs/exceptions.md). */
export const EXCEPTIONS_ERROR_CODES = [
  'exceptions.not_found',
  /** Someone resolved it meanwhile. */
  'exceptions.already_resolved',
  /** That outcome does not fit this item (only a rejected event can be sent again). */
  'exceptions.resolution_not_allowed',
] as const;
export type ExceptionsErrorCode = (typeof EXCEPTIONS_ERROR_CODES)[number];
