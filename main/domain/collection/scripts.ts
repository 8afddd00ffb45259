/**
 * A polite script for the next contact, chosen by the account's situation (seed §3.1: collect
 * lawfully, gently and patiently; explain why paying on time matters). The texts are locale keys
 * (`collection.script.<id>`), filled with the account's figures by the screen or the notice.
 */
import type { WorklistReason } from './worklist.js';

export const SCRIPT_IDS = [
  'friendly_reminder',
  'due_soon',
  'promise_follow_up',
  'before_disconnection',
  'after_notice',
  'prepaid_low',
  'visit_anomaly',
  'thanks',
] as const;
export type ScriptId = (typeof SCRIPT_IDS)[number];

export interface ScriptSituation {
  readonly reasons: readonly WorklistReason[];
  /** A disconnection notice is already served and its date not yet passed. */
  readonly noticeServed: boolean;
  /** Days past due after which a disconnection notice may be served for this customer. */
  readonly noticeAfterDays: number;
}

/** The most pressing situation decides: a broken promise, a served notice, age, then the early signs. */
export function suggestScript(s: ScriptSituation): ScriptId {
  const has = (k: WorklistReason['kind']) => s.reasons.find((r) => r.kind === k);
  if (has('promise_lapsed')) return 'promise_follow_up';
  const overdue = has('overdue');
  if (overdue && overdue.kind === 'overdue') {
    if (s.noticeServed) return 'after_notice';
    return overdue.days > s.noticeAfterDays ? 'before_disconnection' : 'friendly_reminder';
  }
  if (has('prepaid_running_out')) return 'prepaid_low';
  if (has('due_soon_late_payer')) return 'due_soon';
  if (has('consumption_dropped') || has('tokens_stopped') || has('last_minute_buyer')) return 'visit_anomaly';
  return 'thanks';
}
