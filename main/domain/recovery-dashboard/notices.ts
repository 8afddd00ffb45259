/**
 * Notices sent → paid within N days (催费通知回款率): of the notices whose N days are over, the share
 * whose bills were all paid within N days of serving. A notice still inside its N days and unpaid
 * is pending: counted as sent, left out of the rate until it is decided. Bills settled with no date
 * known here (paid elsewhere, seen only as settled in a snapshot) count as paid in time.
 */
import { daysPastDue } from './ageing.js';
import { rateBp } from './recovery-rate.js';

export interface NoticeOutcome {
  readonly servedOn: string;
  /** Bills of the notice still unpaid now. */
  readonly unpaid: number;
  /** Latest payment day on its bills, null when none is dated. */
  readonly lastPaid: string | null;
}

export interface NoticeConversion {
  readonly withinDays: number;
  readonly sent: number;
  readonly paidWithin: number;
  readonly pending: number;
  /** paidWithin ÷ (sent − pending), basis points; null when none is decided. */
  readonly rateBp: number | null;
}

export function noticeConversion(notices: readonly NoticeOutcome[], withinDays: number, today: string): NoticeConversion {
  let paidWithin = 0;
  let pending = 0;
  for (const n of notices) {
    const paid = n.unpaid === 0 && (n.lastPaid === null || daysPastDue(n.servedOn, n.lastPaid) <= withinDays);
    if (paid) paidWithin += 1;
    else if (n.unpaid > 0 && daysPastDue(n.servedOn, today) <= withinDays) pending += 1;
  }
  return { withinDays, sent: notices.length, paidWithin, pending, rateBp: rateBp(paidWithin, notices.length - pending) };
}
