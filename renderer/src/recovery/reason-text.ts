import type { TFunction } from 'i18next';
import type { WorklistReasonView } from '../../../main/contract/index.js';
import { formatFen } from '../format';

/** One worklist reason in words (the same keys the export uses). */
export function reasonText(r: WorklistReasonView, t: TFunction): string {
  switch (r.kind) {
    case 'overdue':
      return t('collection.reasonText.overdue', { amount: formatFen(r.fen), days: r.days, bills: r.bills });
    case 'due_soon_late_payer':
      return t('collection.reasonText.due_soon_late_payer', { amount: formatFen(r.fen), dueDate: r.dueDate, times: r.lateTimes });
    case 'prepaid_running_out':
      return t('collection.reasonText.prepaid_running_out', { days: r.daysLeft, balance: formatFen(r.balanceFen), kwh: r.kwhPerDay });
    case 'consumption_dropped':
      return t('collection.reasonText.consumption_dropped', { last: r.lastKwh, usual: r.usualKwh });
    case 'last_minute_buyer':
      return t('collection.reasonText.last_minute_buyer', { cutoffs: r.cutoffs });
    case 'tokens_stopped':
      return t('collection.reasonText.tokens_stopped', { months: r.months, kwh: r.lastKwh });
    case 'promise_lapsed':
      return t('collection.reasonText.promise_lapsed', { date: r.promisedOn, amount: r.promisedFen === null ? '' : formatFen(r.promisedFen) });
    case 'follow_up_due':
      return t('collection.reasonText.follow_up_due', { via: t(`collection.via.${r.via}`), date: r.lastOn, days: r.days });
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

export function bucketLabel(i: number, bounds: readonly number[], t: TFunction): string {
  const lo = i === 0 ? 1 : (bounds[i - 1] ?? 0) + 1;
  const hi = bounds[i];
  return hi === undefined ? t('collection.bucket.over', { days: lo - 1 }) : t('collection.bucket.range', { from: lo, to: hi });
}
