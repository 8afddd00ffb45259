/**
 * Error codes of the counter's money methods (main/contract/payments.ts): payment methods, voids
 * and refunds, late-fee waivers. Texts in resources/locales/<lng>/payments.json.
 */
export const PAYMENT_ERROR_CODES = [
  /** Not a payment code (付款码) a gateway takes: 16–24 digits starting 10–15 or 25–30. */
  'payment.code_invalid',
  /** The gateway declined the payment code (expired, insufficient funds, cancelled by the customer). */
  'payment.code_declined',
  /** The payment could not be confirmed in time and was cancelled at the gateway: the customer is not charged. */
  'payment.code_not_charged',
  /** Not confirmed, and the cancellation has not reached the gateway yet: retried automatically; any charge is returned. */
  'payment.code_reversal_pending',
  'payment.card_reference_invalid',
  /** This bank POS reference number is already recorded for another payment. */
  'payment.card_reference_used',
  /** The parts of a split payment do not add up to the amount. */
  'payment.tenders_mismatch',
  'payment.tender_method_twice',
  'payment.already_reversed',
  /** Voids are for the open shift's payments of today; later, refund it. */
  'payment.void_window_passed',
  /** Part of a prepaid top-up whose token or card credit was delivered: never voided or refunded. */
  'payment.part_of_vend',
  /** The part credited to the prepaid balance has been spent since. */
  'payment.balance_used',
  /** The payment had a bank card part: the bank POS void/refund reference is needed. */
  'payment.card_reference_required',
  /** The gateway could not be reached for the refund: nothing was changed; try again. */
  'payment.refund_unavailable',
  /** The gateway refused the refund (nothing was changed). */
  'payment.refund_refused',
  'lateFee.bill_not_found',
  /** The bill owes no late fee to waive. */
  'lateFee.nothing_to_waive',
  /** More than the fee owed. */
  'lateFee.waiver_exceeds_fee',
] as const;
