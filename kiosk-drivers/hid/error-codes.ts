/**
 * Error codes of the HID device family: the framed card-reader protocol (`hid.*`), prepaid cards
 * (`card.*`) and barcode scanners (`scanner.*`). Each has zh-CN and en text under
 * `errors.<code>` in resources/locales/<lng>/devices.json.
 */
export const HID_ERROR_CODES = [
  'hid.bad_frame',
  'hid.checksum',
  'hid.bad_length',
  'hid.bad_report',
  'hid.timeout',
  'hid.status_error',
  'hid.unsupported_command',
  'card.removed',
  'card.foreign',
  'card.absent',
  'card.auth_failed',
  'card.io_error',
  'card.unsupported_type',
  'card.format_unsupported',
  'card.mac_invalid',
  'card.account_mismatch',
  'card.generation_mismatch',
  'card.previous_not_loaded',
  'card.counter_mismatch',
  'card.write_verify_failed',
  'card.grey_locked',
  'scanner.bad_report',
  'scanner.overflow',
] as const;

export type HidErrorCode = (typeof HID_ERROR_CODES)[number];
