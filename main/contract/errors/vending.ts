/** Vending error codes (STS engine, tariffs, vend state machine). Owned by the vending area. */
export const VENDING_ERROR_CODES = [
  'vending.meter_not_found',
  'vending.amount_below_minimum',
  'vending.amount_above_maximum',
] as const;
