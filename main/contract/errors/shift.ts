/** Shift, drawer and reconciliation error codes. Owned by the shift area. */
export const SHIFT_ERROR_CODES = [
  /** A count named a denomination the rules do not know, or pieces that are not a whole number in range. */
  'shift.bad_count',
  'shift.float_too_large',
  'shift.movement_too_large',
  /** Cash out of more than the drawer should hold. */
  'shift.drawer_insufficient',
  /** The shift's drawer was already counted: no more cash in or out, payments wait for the next shift. */
  'shift.already_counted',
  /** Close before the blind count. */
  'shift.not_counted',
  /** The difference is over the limit: a supervisor's id and PIN and a reason are needed to close. */
  'shift.approval_required',
  'shift.not_found',
  /** The same requestId was used for another movement. */
  'shift.request_conflict',
  /** No Z report yet: no shift of this terminal was closed. */
  'shift.no_report',
  /** A reconciliation needs a day or a shift, not both. */
  'reconciliation.bad_period',
] as const;
export type ShiftErrorCode = (typeof SHIFT_ERROR_CODES)[number];
