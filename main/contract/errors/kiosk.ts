/** Kiosk error codes (visits, identification, QR orders, delivery, ratings, staff exit). Owned by the kiosk area. */
export const KIOSK_ERROR_CODES = [
  /** A kiosk method on a terminal that is not in kiosk mode. */
  'kiosk.not_kiosk_mode',
  /** Staff sign-in on a kiosk: only through the staff exit (staff card + PIN). */
  'kiosk.staff_exit_only',
  /** The staff member's role may not use the staff exit. */
  'kiosk.staff_role_refused',
  /** The staff exit: the card in the reader is a customer's prepaid card, not a staff badge. */
  'kiosk.staff_card_customer',
  /** The staff exit: the card is neither a staff badge nor a prepaid card (blank, another issuer's). */
  'kiosk.staff_card_unknown',
  /** The staff exit: the card says "badge" but its MAC is wrong (altered or forged); journaled. */
  'kiosk.staff_badge_invalid',
  /** The staff exit: the badge is past its "valid until" date. */
  'kiosk.staff_badge_expired',
  /** `kiosk.staffExit {via: 'card'}` without a badge read in this session (or its time ran out). */
  'kiosk.staff_card_required',
  /** No such visit for this session (unknown, another session's, or already ended). */
  'kiosk.visit_not_found',
  /** The visit was ended (idle limit, a new visit, the staff exit). */
  'kiosk.visit_ended',
  /** A paid kiosk transaction is not delivered yet: it is finished first. */
  'kiosk.pending_delivery',
  'kiosk.not_identified',
  /** No account for this number, barcode or card (exact matches only). */
  'kiosk.account_not_found',
  /** The card in the reader is not a customer's prepaid card this terminal knows. */
  'kiosk.card_not_registered',
  'kiosk.verify_failed',
  'kiosk.verify_locked',
  /** Personal details and history need the card or the phone check. */
  'kiosk.verification_required',
  /** The function is not offered now (device, backend or gateway state); `function`, `reason` in details. */
  'kiosk.function_unavailable',
  'kiosk.out_of_service',
  /** A chosen bill is paid only together with every older open bill (oldest first). */
  'kiosk.bills_out_of_order',
  'kiosk.bill_not_open',
  /** The quote changed since the customer saw it (a payment elsewhere, a new day's late fee): quote again. */
  'kiosk.quote_changed',
  /** The visit already has an order awaiting payment or delivery. */
  'kiosk.order_open',
  'kiosk.no_order',
  'kiosk.order_not_paid',
  'kiosk.order_expired',
  /** The QR gateway could not be reached: no order was taken. */
  'kiosk.gateway_unavailable',
  'kiosk.already_rated',
  /** Only a delivered transaction of this visit may be rated. */
  'kiosk.rating_not_allowed',
] as const;

export type KioskErrorCode = (typeof KIOSK_ERROR_CODES)[number];
