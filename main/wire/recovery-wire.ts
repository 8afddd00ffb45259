/**
 * The recovery dashboard's part of the backend wire (docs/recovery.md, "Recovery-rate dashboard").
 * The backend holds the whole service area's bills and payments, so it answers the area-wide
 * figures; the terminal adds its own clerks' figures from its journal. Common tier: zod only.
 */
import { z } from 'zod';

/** GET, signed: `?from=YYYY-MM&to=YYYY-MM` — the area's recovery cells for those billing months and its arrears. */
export const RECOVERY_DASHBOARD_PATH = '/api/recovery/dashboard';

const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const fen = z.int().nonnegative();
const count = z.int().nonnegative();

/** One billing month × area × customer class × grade: additive figures (main/domain/recovery-dashboard). */
export const RecoveryCellSchema = z.object({
  period,
  /** The area (district) the account's supply address lies in. */
  area: z.string().min(1).max(40),
  customerClass: z.string().min(1).max(20),
  /** The account's credit grade as the backend holds it. */
  grade: z.string().min(1).max(8),
  billedFen: fen,
  collectedFen: fen,
  collectedOnTimeFen: fen,
  bills: count,
  paidBills: count,
  lateFeeFen: fen,
});
export type RecoveryCellWire = z.infer<typeof RecoveryCellSchema>;

/** What is still owed on the bills of one month × area × class × grade, all due on `dueDate`. */
export const ArrearsCellSchema = z.object({
  period,
  dueDate: z.iso.date(),
  area: z.string().min(1).max(40),
  customerClass: z.string().min(1).max(20),
  grade: z.string().min(1).max(8),
  outstandingFen: fen,
  bills: count,
});
export type ArrearsCellWire = z.infer<typeof ArrearsCellSchema>;

export const RecoveryDashboardWireSchema = z.object({
  from: period,
  to: period,
  /** When the backend read its ledger (ISO). */
  asOf: z.string(),
  cells: z.array(RecoveryCellSchema).max(200_000),
  /** Every month with something still owed, whatever the range: arrears age past any window. */
  arrears: z.array(ArrearsCellSchema).max(200_000),
});
export type RecoveryDashboardWire = z.infer<typeof RecoveryDashboardWireSchema>;

/** The most months one request may span (two years: the history the backend keeps). */
export const RECOVERY_MAX_MONTHS = 24;
