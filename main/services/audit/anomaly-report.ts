/**
 * The anomaly report of a period (local days of the terminal's zone): the journal read once,
 * streamed through the detector (main/domain/audit/anomalies.ts), filtered by clerk and kinds,
 * summarised per clerk. The export reads the same report.
 */
import { AppError, AUDIT_MAX_PERIOD_DAYS, type AnomalyKindName, type AnomalyReportView, type AnomalyView } from '../../contract/index.js';
import { anomalyDetector, summariseByClerk } from '../../domain/audit/anomalies.js';
import type { AuditRules } from '../../domain/audit/rules.js';
import type { Db } from '../../store/db.js';
import { iterateEntries } from '../../store/journal-audit.js';
import { localDayRange } from '../shift/local-day.js';

export interface AnomalyQuery {
  readonly from: string;
  readonly to: string;
  readonly actor?: string | undefined;
  readonly kinds?: readonly AnomalyKindName[] | undefined;
}

/** Items a report answers on screen; the export has them all. */
export const REPORT_ITEMS_ON_SCREEN = 1000;

/** [from, to) instants of a period of local days, both days included; refused when reversed or too long. */
export function periodRange(from: string, to: string, timeZone: string): { from: string; to: string } {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (!(days >= 1 && days <= AUDIT_MAX_PERIOD_DAYS)) throw new AppError('audit.bad_period', { maxDays: AUDIT_MAX_PERIOD_DAYS });
  return { from: localDayRange(from, timeZone).from, to: localDayRange(to, timeZone).to };
}

export function anomalyReport(db: Db, rules: AuditRules, timeZone: string, q: AnomalyQuery): AnomalyReportView & { readonly all: readonly AnomalyView[] } {
  const range = periodRange(q.from, q.to, timeZone);
  const detector = anomalyDetector(rules, timeZone);
  let scanned = 0;
  for (const e of iterateEntries(db, range.from, range.to)) {
    scanned++;
    detector.push(e);
  }
  const kinds = q.kinds && q.kinds.length > 0 ? new Set(q.kinds) : null;
  const all = detector.finish().filter((a) => (q.actor === undefined || a.actor === q.actor) && (kinds === null || kinds.has(a.kind)));
  return {
    from: q.from,
    to: q.to,
    scanned,
    total: all.length,
    items: all.slice(-REPORT_ITEMS_ON_SCREEN).reverse(),
    byClerk: summariseByClerk(all),
    all,
  };
}
