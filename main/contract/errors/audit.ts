/** Error codes of the audit area (main/contract/audit.ts); texts under `errors.audit.*` in resources/locales/<lng>/audit.json. */
export const AUDIT_ERROR_CODES = [
  /**
   * The journal's chain is broken (or the backend refused it): this terminal takes no money until
   * an auditor or manager has acknowledged what is wrong (details: problem, seq).
   */
  'audit.integrity_locked',
  /** An acknowledgement was asked for while nothing is wrong. */
  'audit.nothing_to_acknowledge',
  /** The backend refuses this terminal's journal; only the backend's side can clear it (details: reason). */
  'audit.refused_by_backend',
  /** The period asked for is reversed or too long (details: maxDays). */
  'audit.bad_period',
] as const;
