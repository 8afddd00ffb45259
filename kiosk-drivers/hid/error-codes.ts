export const HID_ERROR_CODES = [
  'hid.bad_frame',
  'hid.checksum',
  'card.removed',
  'card.foreign',
] as const;
