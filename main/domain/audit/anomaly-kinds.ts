/** The kinds of anomaly the inspection reports (docs/audit.md); the contract re-exports them. */
export const ANOMALY_KIND_NAMES = [
  'reversal',
  'reprint',
  'approval',
  'approval_refused',
  'late_fee_waiver',
  'cash_difference',
  'off_hours',
  'repeated_lookup',
  'token_reissue',
  'card_recovery',
] as const;
export type AnomalyKindName = (typeof ANOMALY_KIND_NAMES)[number];
