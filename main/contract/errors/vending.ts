/** Vending error codes (STS engine, tariffs, vend state machine). Owned by the vending area. */
export const VENDING_ERROR_CODES = [
  'vending.meter_not_found',
  'vending.amount_below_minimum',
  'vending.amount_above_maximum',
  // STS token engine (main/vending/sts)
  'vending.token_length',
  'vending.token_not_digits',
  'vending.token_out_of_range',
  'vending.token_crc',
  'vending.no_candidates',
  'vending.amount_invalid',
  'vending.amount_overflow',
  'vending.tid_out_of_range',
  'vending.token_field_invalid',
  'vending.bad_key',
  'vending.bad_tables',
  'vending.key_file_unreadable',
  'vending.bad_meter_identity',
  'vending.meter_number_invalid',
] as const;

export type VendingErrorCode = (typeof VENDING_ERROR_CODES)[number];
