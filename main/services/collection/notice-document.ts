/**
 * A notice's content in one language, as blocks both outputs lay out (A4 PDF and the receipt
 * printer), so the two always say the same: who, what is owed, what happens and when at the
 * earliest, how to pay, and the legal publicity text (seed §3.2: rights and duties, why paying on
 * time matters, the consequences of unlawful use). Every word comes from the locale files.
 */
import type { NoticeView } from '../../contract/index.js';
import { formatFen } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';

export interface NoticeDocument {
  readonly header: string;
  readonly title: string;
  /** Between a label and its value: '：' in Chinese, ': ' in English. */
  readonly colon: string;
  readonly noticeNo: string;
  readonly addressee: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly billColumns: readonly string[];
  readonly bills: readonly (readonly string[])[];
  readonly totals: readonly { readonly label: string; readonly value: string }[];
  readonly body: readonly string[];
  /** The lawful date and why, for disconnection notices. */
  readonly dateBasis: readonly string[];
  readonly publicity: readonly { readonly heading: string; readonly text: string }[];
  readonly closing: readonly string[];
}

export const PUBLICITY_SECTIONS = ['rights', 'duties', 'whyOnTime', 'unlawfulUse'] as const;

export function noticeDocument(n: NoticeView, t: Translate, ctx: { readonly header: string; readonly hotline: string; readonly terminalId: string }): NoticeDocument {
  const k = n.kind;
  const lateFeeFen = n.bills.reduce((s, b) => s + b.lateFeeFen, 0);
  const vars = {
    name: n.name,
    accountNo: n.accountNo,
    overdue: formatFen(n.overdueFen),
    total: formatFen(n.overdueFen + lateFeeFen),
    date: n.earliestDisconnectOn ?? '',
    servedOn: n.servedOn,
    days: n.noticeDays ?? 0,
    hours: n.callBeforeHours ?? 0,
    hotline: ctx.hotline,
  };
  const dateBasis =
    k === 'disconnection'
      ? n.steps.map((s) => {
          switch (s.rule) {
            case 'count_from_next_working_day':
              return t('collection.step.count_from_next_working_day', { from: s.from, to: s.to });
            case 'notice_days':
              return t('collection.step.notice_days', { days: s.days, from: s.from, to: s.to });
            case 'not_on_non_working_day':
              return t('collection.step.not_on_non_working_day', { from: s.from, to: s.to });
            case 'not_in_month_end':
              return t('collection.step.not_in_month_end', { lastDays: s.lastDays, from: s.from, to: s.to });
            default: {
              const never: never = s;
              return String(never);
            }
          }
        })
      : [];
  return {
    header: ctx.header,
    title: t(`collection.notice.title.${k}`),
    colon: t('collection.notice.colon'),
    noticeNo: t('collection.notice.no', { no: n.noticeNo }),
    addressee: t('collection.notice.addressee', vars),
    facts: [
      { label: t('collection.notice.accountNo'), value: n.accountNo },
      { label: t('collection.notice.name'), value: n.name },
      { label: t('collection.notice.address'), value: n.address },
      { label: t('collection.notice.customerClass'), value: t(`collection.class.${n.customerClass}`) },
      { label: t('collection.notice.servedOn'), value: n.servedOn },
      ...(k === 'disconnection' ? [{ label: t('collection.notice.earliest'), value: n.earliestDisconnectOn ?? '' }] : []),
    ],
    billColumns: ['period', 'dueDate', 'daysOverdue', 'outstanding', 'lateFee'].map((c) => t(`collection.notice.column.${c}`)),
    bills: n.bills.map((b) => [b.period, b.dueDate, String(b.daysOverdue), formatFen(b.outstandingFen), formatFen(b.lateFeeFen)]),
    totals: [
      { label: t('collection.notice.totalOverdue'), value: formatFen(n.overdueFen) },
      { label: t('collection.notice.totalLateFee'), value: formatFen(lateFeeFen) },
      { label: t('collection.notice.totalDue'), value: formatFen(n.overdueFen + lateFeeFen) },
    ],
    body: [
      t(`collection.notice.body.${k}`, vars),
      ...(k === 'disconnection' && (n.callBeforeHours ?? 0) > 0 ? [t('collection.notice.body.callBefore', vars)] : []),
      t('collection.notice.body.howToPay', vars),
      ...(k === 'disconnection' ? [t('collection.notice.body.reconnection', vars)] : []),
    ],
    dateBasis,
    publicity: PUBLICITY_SECTIONS.map((s) => ({ heading: t(`collection.publicity.${s}.heading`), text: t(`collection.publicity.${s}.text`) })),
    closing: [t('collection.notice.closing', vars), t('collection.notice.issuer', { header: ctx.header, terminal: ctx.terminalId, date: n.servedOn })],
  };
}
