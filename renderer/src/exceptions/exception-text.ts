import type { TFunction } from 'i18next';
import type { SyncExceptionView } from '../../../main/contract/index.js';
import { formatFen } from '../format';

/** Kinds with their own words in resources/locales/<lng>/exceptions.json; any other shows the backend's detail. */
const WORDED = new Set([
  'rejected',
  'bill_already_paid',
  'bill_overpaid',
  'unknown_bill',
  'unknown_account',
  'account_closed',
  'account_moved',
  'tariff_changed',
  'seq_reused',
  'tid_reused',
  'key_change_conflict',
  'reversal_unknown_payment',
  'payment_already_reversed',
  'waiver_unknown_bill',
]);

/** The item's reason in plain words, with its facts (amount, bill period, new account, tariffs). */
export function reasonText(t: TFunction, x: SyncExceptionView): string {
  const values = {
    amount: formatFen(x.fen),
    account: x.accountNo ?? '—',
    bill: x.facts.period ?? x.billId ?? '—',
    movedTo: x.facts.movedTo ?? '—',
    tariffFrom: x.facts.tariffFrom ?? '—',
    tariffTo: x.facts.tariffTo ?? '—',
    event: x.eventType ? t(`exceptions.events.${x.eventType.replace(/\./g, '_')}`, { defaultValue: x.eventType }) : '—',
    detail: x.detail,
  };
  if (WORDED.has(x.kind)) return t(`exceptions.kinds.${x.kind}`, values);
  return t('exceptions.kinds.other', { ...values, kind: x.kind });
}
