/**
 * Receipt documents, built from the one receipt model that the printer prints and the UI
 * previews. Every label comes from the locale files; nothing user-visible is inline.
 */
import type { Receipt, ReceiptLine } from '../../kiosk-drivers/printer/receipt-model.js';
import type { PaymentView, ReversalView, WaiverView } from '../contract/index.js';
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

/**
 * A payment's receipt. A reprint says which one it is (`reprintNo`: 1 for the first reprint); a
 * voided or refunded payment says so at the top; an issued e-invoice is a QR code of its link,
 * printed by the printer itself (ESC/POS `GS ( k`), and one still being issued says so.
 */
export function paymentReceipt(
  p: PaymentView,
  ctx: ReceiptContext & { readonly reprintNo?: number; readonly provisional?: { readonly verifyCode: string } | null },
): Receipt {
  const { t } = ctx;
  const money = formatFen;
  const lines: ReceiptLine[] = receiptTop(ctx, t('receipt.payment.title'), ctx.reprintNo ? t('receipt.reprintNo', { n: ctx.reprintNo }) : t('receipt.reprint'));
  // Not yet acknowledged by the backend (docs/exceptions.md, "Provisional receipts"): said at the top.
  if (ctx.provisional) lines.push({ kind: 'text', text: t('receipt.provisional.mark'), align: 'center', bold: true });
  if (p.status === 'voided' || p.status === 'refunded') {
    lines.splice(lines.length - 1, 0, { kind: 'text', text: t(`receipt.status.${p.status}`), align: 'center', bold: true });
  }
  lines.push(
    { kind: 'pair', left: t('receipt.account'), right: p.accountNo },
    { kind: 'pair', left: t('receipt.name'), right: ctx.accountName },
    { kind: 'rule' },
  );
  for (const a of p.allocations) {
    if (a.principalFen > 0) lines.push({ kind: 'pair', left: t('receipt.billPeriod', { period: a.period }), right: money(a.principalFen) });
    if (a.lateFeeFen > 0) lines.push({ kind: 'pair', left: t('receipt.lateFee', { period: a.period }), right: money(a.lateFeeFen) });
    if ((a.lateFeeWaivedFen ?? 0) > 0) lines.push({ kind: 'pair', left: t('receipt.lateFeeWaived', { period: a.period }), right: `-${money(a.lateFeeWaivedFen ?? 0)}` });
  }
  if (p.toBalanceFen > 0) lines.push({ kind: 'pair', left: t('receipt.toBalance'), right: money(p.toBalanceFen) });
  lines.push(
    { kind: 'rule' },
    { kind: 'pair', left: t('receipt.amountPaid'), right: money(p.amountFen), bold: true },
    { kind: 'pair', left: t('receipt.method'), right: t(`payment.method.${p.method}`) },
  );
  const tenders = p.tenders ?? [];
  if (tenders.length > 1) {
    for (const tender of tenders) lines.push({ kind: 'pair', left: `  ${t(`payment.method.${tender.method}`)}`, right: money(tender.amountFen) });
  }
  for (const tender of tenders) {
    if (tender.externalRef === null) continue;
    const label = tender.method === 'card' ? t('receipt.cardReference') : t('receipt.tradeNo');
    lines.push({ kind: 'pair', left: label, right: tender.externalRef });
  }
  if (p.tenderedFen !== null) {
    lines.push(
      { kind: 'pair', left: t('receipt.tendered'), right: money(p.tenderedFen) },
      { kind: 'pair', left: t('receipt.change'), right: money(p.changeFen) },
    );
  }
  const invoice: ReceiptLine[] = [];
  if (p.invoice?.state === 'issued' && p.invoice.url) {
    invoice.push(
      { kind: 'rule' },
      { kind: 'text', text: t('receipt.invoice.scan'), align: 'center' },
      { kind: 'qr', data: p.invoice.url },
      { kind: 'pair', left: t('receipt.invoice.number'), right: p.invoice.invoiceNo ?? '' },
    );
  } else if (p.invoice?.state === 'requested') {
    invoice.push({ kind: 'rule' }, { kind: 'text', text: t('receipt.invoice.pending'), align: 'center' });
  }
  if (ctx.provisional) {
    invoice.push(
      { kind: 'rule' },
      { kind: 'pair', left: t('receipt.provisional.verifyCode'), right: ctx.provisional.verifyCode, bold: true },
      { kind: 'text', text: t('receipt.provisional.howToCheck') },
    );
  }
  lines.push(
    ...invoice,
    ...receiptBottom(ctx, p, {
      label: t('receipt.paymentNo'),
      id: p.paymentId,
      extra: [{ kind: 'barcode', data: p.paymentId.replace(/-/g, '').slice(0, 20) }],
    }),
  );
  return { lines };
}

/** The receipt of a void or refund: what goes back, per bill, and who approved it why. */
export function reversalReceipt(r: ReversalView, p: PaymentView, ctx: ReceiptContext): Receipt {
  const { t } = ctx;
  const money = formatFen;
  const lines: ReceiptLine[] = receiptTop(ctx, t(`receipt.reversal.title.${r.kind}`), t('receipt.reprint'));
  lines.push(
    { kind: 'pair', left: t('receipt.account'), right: p.accountNo },
    { kind: 'pair', left: t('receipt.name'), right: ctx.accountName },
    { kind: 'pair', left: t('receipt.reversal.original'), right: '' },
    { kind: 'text', text: p.paymentId },
    { kind: 'rule' },
  );
  for (const a of p.allocations) {
    if (a.principalFen > 0) lines.push({ kind: 'pair', left: t('receipt.billPeriod', { period: a.period }), right: `-${money(a.principalFen)}` });
    if (a.lateFeeFen > 0) lines.push({ kind: 'pair', left: t('receipt.lateFee', { period: a.period }), right: `-${money(a.lateFeeFen)}` });
  }
  if (p.toBalanceFen > 0) lines.push({ kind: 'pair', left: t('receipt.toBalance'), right: `-${money(p.toBalanceFen)}` });
  lines.push({ kind: 'rule' }, { kind: 'pair', left: t(`receipt.reversal.amount.${r.kind}`), right: money(r.amountFen), bold: true });
  for (const tender of p.tenders ?? []) {
    lines.push({ kind: 'pair', left: t('receipt.reversal.backBy', { method: t(`payment.method.${tender.method}`) }), right: money(tender.amountFen) });
  }
  if (r.cardReference) lines.push({ kind: 'pair', left: t('receipt.cardReference'), right: r.cardReference });
  lines.push(
    { kind: 'pair', left: t('receipt.reversal.reason'), right: t(`payment.reversalReason.${r.reasonCode}`) },
    ...(r.note ? [{ kind: 'text', text: r.note } as const] : []),
    { kind: 'pair', left: t('receipt.approvedBy'), right: r.approvedBy },
  );
  if (p.invoice && p.invoice.state !== 'requested') lines.push({ kind: 'text', text: t('receipt.invoice.cancelled'), align: 'center' });
  lines.push(...receiptBottom(ctx, { operatorId: r.operatorId, createdAt: r.createdAt }, { label: t('receipt.reversal.no'), id: r.reversalId }));
  return { lines };
}

/** The receipt of a late-fee waiver: the bill, the fee before and after, the reason and the approver. */
export function waiverReceipt(w: WaiverView, feeAfterFen: number, accountNo: string, ctx: ReceiptContext): Receipt {
  const { t } = ctx;
  const money = formatFen;
  const lines: ReceiptLine[] = receiptTop(ctx, t('receipt.waiver.title'), t('receipt.reprint'));
  lines.push(
    { kind: 'pair', left: t('receipt.account'), right: accountNo },
    { kind: 'pair', left: t('receipt.name'), right: ctx.accountName },
    { kind: 'pair', left: t('receipt.waiver.bill'), right: `${w.period} ${w.billId}` },
    { kind: 'rule' },
    { kind: 'pair', left: t('receipt.waiver.feeBefore'), right: money(w.feeBeforeFen) },
    { kind: 'pair', left: t('receipt.waiver.waived'), right: `-${money(w.fen)}`, bold: true },
    { kind: 'pair', left: t('receipt.waiver.feeAfter'), right: money(feeAfterFen) },
    { kind: 'rule' },
    { kind: 'pair', left: t('receipt.waiver.reason'), right: t(`lateFee.waiverReason.${w.reasonCode}`) },
    ...(w.note ? [{ kind: 'text', text: w.note } as const] : []),
    { kind: 'pair', left: t('receipt.approvedBy'), right: w.approvedBy },
    ...receiptBottom(ctx, w, { label: t('receipt.waiver.no'), id: w.waiverId }),
  );
  return { lines };
}
