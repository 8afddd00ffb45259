/**
 * Receipt documents, built from the one receipt model that the printer prints and the UI
 * previews. Every label comes from the locale files; nothing user-visible is inline.
 */
import type { Receipt, ReceiptLine } from '../../kiosk-drivers/printer/receipt-model.js';
import type { PaymentView } from '../contract/index.js';
import { formatFen } from '../domain/money.js';
import type { Translate } from '../i18n/locales.js';
import { localDateTime } from './clock.js';

export interface ReceiptContext {
  /** Translator of the receipt's language. */
  readonly t: Translate;
  readonly header: string;
  readonly hotline: string;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly operatorName: string;
  readonly accountName: string;
  readonly reprint: boolean;
}

/** Every receipt starts alike: the hall, the title, a reprint mark when it is one. */
export function receiptTop(ctx: ReceiptContext, title: string, reprintMark: string): ReceiptLine[] {
  return [
    { kind: 'text', text: ctx.header, align: 'center', bold: true },
    { kind: 'text', text: title, align: 'center', bold: true, size: 2 },
    ...(ctx.reprint ? [{ kind: 'text', text: reprintMark, align: 'center', bold: true } as const] : []),
    { kind: 'rule' },
  ];
}

/** …and ends alike: who, where, when, the reference to quote, closing notes, the hotline. */
export function receiptBottom(
  ctx: ReceiptContext,
  who: { readonly operatorId: string; readonly createdAt: string },
  reference: { readonly label: string; readonly id: string; readonly extra?: readonly ReceiptLine[] },
  notes: readonly string[] = [],
): ReceiptLine[] {
  const { t } = ctx;
  return [
    { kind: 'rule' },
    { kind: 'pair', left: t('receipt.operator'), right: `${who.operatorId} ${ctx.operatorName}` },
    { kind: 'pair', left: t('receipt.terminal'), right: ctx.terminalId },
    { kind: 'pair', left: t('receipt.time'), right: localDateTime(new Date(who.createdAt), ctx.timeZone) },
    { kind: 'text', text: reference.label },
    { kind: 'text', text: reference.id },
    ...(reference.extra ?? []),
    ...notes.map((text) => ({ kind: 'text', text, align: 'center' }) as const),
    { kind: 'text', text: t('receipt.hotline', { hotline: ctx.hotline }), align: 'center' },
    { kind: 'feed', lines: 3 },
  ];
}

export function paymentReceipt(p: PaymentView, ctx: ReceiptContext): Receipt {
  const { t } = ctx;
  const money = formatFen;
  const lines: ReceiptLine[] = receiptTop(ctx, t('receipt.payment.title'), t('receipt.reprint'));
  lines.push(
    { kind: 'pair', left: t('receipt.account'), right: p.accountNo },
    { kind: 'pair', left: t('receipt.name'), right: ctx.accountName },
    { kind: 'rule' },
  );
  for (const a of p.allocations) {
    if (a.principalFen > 0) lines.push({ kind: 'pair', left: t('receipt.billPeriod', { period: a.period }), right: money(a.principalFen) });
    if (a.lateFeeFen > 0) lines.push({ kind: 'pair', left: t('receipt.lateFee', { period: a.period }), right: money(a.lateFeeFen) });
  }
  if (p.toBalanceFen > 0) lines.push({ kind: 'pair', left: t('receipt.toBalance'), right: money(p.toBalanceFen) });
  lines.push(
    { kind: 'rule' },
    { kind: 'pair', left: t('receipt.amountPaid'), right: money(p.amountFen), bold: true },
    { kind: 'pair', left: t('receipt.method'), right: t(`payment.method.${p.method}`) },
  );
  if (p.tenderedFen !== null) {
    lines.push(
      { kind: 'pair', left: t('receipt.tendered'), right: money(p.tenderedFen) },
      { kind: 'pair', left: t('receipt.change'), right: money(p.changeFen) },
    );
  }
  lines.push(
    ...receiptBottom(ctx, p, {
      label: t('receipt.paymentNo'),
      id: p.paymentId,
      extra: [{ kind: 'barcode', data: p.paymentId.replace(/-/g, '').slice(0, 20) }],
    }),
  );
  return { lines };
}
