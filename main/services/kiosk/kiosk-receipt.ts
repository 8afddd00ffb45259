/**
 * The receipt of a bill payment at the kiosk (QR): what each bill got (principal, late fee), the
 * rest to the balance, the gateway's trade number. The same model is printed and shown on screen
 * (no paper). Every label from the locales.
 */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import { formatFen } from '../../domain/money.js';
import { receiptBottom, receiptTop, type ReceiptContext } from '../receipts.js';

export interface KioskBillsPayment {
  readonly paymentId: string;
  readonly accountNo: string;
  readonly amountFen: number;
  readonly toBalanceFen: number;
  readonly tradeNo: string | null;
  readonly createdAt: string;
  readonly allocations: readonly { readonly billId: string; readonly period: string; readonly principalFen: number; readonly lateFeeFen: number }[];
}

export function billsReceipt(p: KioskBillsPayment, ctx: ReceiptContext, kioskId: string): Receipt {
  const { t } = ctx;
  const lines: ReceiptLine[] = receiptTop(ctx, t('kiosk.receipt.title'), t('kiosk.receipt.reprint'));
  lines.push(
    { kind: 'pair', left: t('kiosk.receipt.account'), right: p.accountNo },
    { kind: 'pair', left: t('kiosk.receipt.name'), right: ctx.accountName },
    { kind: 'rule' },
  );
  for (const a of p.allocations) {
    if (a.principalFen > 0) lines.push({ kind: 'pair', left: t('kiosk.receipt.bill', { period: a.period }), right: formatFen(a.principalFen) });
    if (a.lateFeeFen > 0) lines.push({ kind: 'pair', left: t('kiosk.receipt.lateFee', { period: a.period }), right: formatFen(a.lateFeeFen) });
  }
  if (p.toBalanceFen > 0) lines.push({ kind: 'pair', left: t('kiosk.receipt.toBalance'), right: formatFen(p.toBalanceFen) });
  lines.push(
    { kind: 'pair', left: t('kiosk.receipt.amountPaid'), right: formatFen(p.amountFen), bold: true },
    { kind: 'pair', left: t('kiosk.receipt.method'), right: t('kiosk.receipt.methodQr') },
  );
  if (p.tradeNo !== null) lines.push({ kind: 'pair', left: t('kiosk.receipt.tradeNo'), right: p.tradeNo });
  lines.push(...receiptBottom(ctx, { operatorId: kioskId, createdAt: p.createdAt }, { label: t('kiosk.receipt.paymentNo'), id: p.paymentId }));
  return { lines };
}
