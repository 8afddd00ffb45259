/**
 * The vend receipt: the token big and grouped 4-4-4-4-4, and the full breakdown (channel fee,
 * debt recovered, fixed charges, energy per block, the rounding rule). Every label from the locales.
 */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { VendView } from '../../contract/vending.js';
import { formatFen } from '../../domain/money.js';
import { formatTokenGroups } from '../../vending/sts/index.js';
import { formatCkwh } from '../../vending/vend/vend-states.js';
import { receiptBottom, receiptTop, type ReceiptContext } from '../receipts.js';



export function vendReceipt(v: VendView, ctx: ReceiptContext): Receipt {
  const { t } = ctx;
  const money = formatFen;
  const s = v.split;
  const lines: ReceiptLine[] = receiptTop(ctx, t('vending.receipt.title'), t('vending.receipt.reprint', { n: v.reprints + 1 }));
  lines.push(
    { kind: 'pair', left: t('vending.receipt.account'), right: v.accountNo },
    { kind: 'pair', left: t('vending.receipt.name'), right: ctx.accountName },
    { kind: 'pair', left: t('vending.receipt.meter'), right: v.meterNo },
    { kind: 'pair', left: t('vending.receipt.tariff'), right: t(s.tariffNameKey) },
    { kind: 'rule' },
    { kind: 'pair', left: t('vending.receipt.amountPaid'), right: money(v.amountFen), bold: true },
  );
  if (s.channelFeeFen > 0) lines.push({ kind: 'pair', left: t('vending.receipt.channelFee'), right: money(s.channelFeeFen) });
  if (s.arrearsFen > 0) {
    lines.push({ kind: 'pair', left: t('vending.receipt.arrears'), right: money(s.arrearsFen) });
    lines.push({ kind: 'pair', left: t('vending.receipt.debtLeft'), right: money(s.debtAfterFen) });
  }
  for (const c of s.fixedCharges) lines.push({ kind: 'pair', left: t(c.nameKey), right: money(c.fen) });
  lines.push({ kind: 'pair', left: t('vending.receipt.energyMoney'), right: money(s.energyFen) });
  for (const b of s.blocks) {
    lines.push({
      kind: 'pair',
      left: t('vending.receipt.block', { tier: b.tier, price: (b.centifenPerKwh / 10_000).toFixed(4) }),
      right: `${formatCkwh(b.energyCkwh)} kWh ${money(b.fen)}`,
    });
  }
  if (s.remainderFen > 0) lines.push({ kind: 'pair', left: t('vending.receipt.remainder'), right: money(s.remainderFen) });
  lines.push({ kind: 'pair', left: t('vending.receipt.energy'), right: `${formatCkwh(s.energyCkwh)} kWh`, bold: true });
  // Where the customer stands in the tiers afterwards, as the screen said before paying (flat/TOU: one tier, nothing to say).
  if (s.tierAfter.tierCount > 1) {
    lines.push({
      kind: 'text',
      text:
        s.tierAfter.remainingInTierCkwh === null
          ? t('vending.receipt.tierOpen', { tier: s.tierAfter.tier })
          : t('vending.receipt.tierLeft', { kwh: formatCkwh(s.tierAfter.remainingInTierCkwh), tier: s.tierAfter.tier }),
    });
  }
  lines.push(
    { kind: 'text', text: t('vending.receipt.rounding', { rule: t(s.roundingRuleKey) }) },
    { kind: 'pair', left: t('vending.receipt.method'), right: t(`vending.method.${v.method}`) },
  );
  if (v.tenderedFen !== null) {
    lines.push(
      { kind: 'pair', left: t('vending.receipt.tendered'), right: money(v.tenderedFen) },
      { kind: 'pair', left: t('vending.receipt.change'), right: money(v.changeFen) },
    );
  }
  if (v.externalRef) lines.push({ kind: 'pair', left: t('vending.receipt.tradeNo'), right: v.externalRef });
  if (v.points) {
    lines.push(
      { kind: 'pair', left: t('vending.receipt.pointsEarned'), right: String(v.points.earned) },
      { kind: 'pair', left: t('vending.receipt.pointsBalance'), right: String(v.points.balance) },
    );
  }
  if (v.card) {
    // Card vends: no token; the purchase is on the card, identified by its purchase count.
    lines.push({ kind: 'rule' }, { kind: 'text', text: t('vending.receipt.cardTitle'), align: 'center', bold: true });
    lines.push({ kind: 'pair', left: t('vending.receipt.cardSerial'), right: v.card.cardSerial });
    if (v.card.counterAfter !== null) lines.push({ kind: 'pair', left: t('vending.receipt.cardCounter'), right: String(v.card.counterAfter), bold: true });
    if (v.card.amountFen !== null) lines.push({ kind: 'pair', left: t('vending.receipt.cardCredit'), right: money(v.card.amountFen) });
    if (v.card.energyCkwh !== null) lines.push({ kind: 'pair', left: t('vending.receipt.energy'), right: `${formatCkwh(v.card.energyCkwh)} kWh` });
    if (v.offline) lines.push({ kind: 'text', text: t('vending.receipt.offline') });
    lines.push({ kind: 'text', text: t('vending.receipt.cardLoad'), align: 'center' });
  } else {
    lines.push({ kind: 'rule' }, { kind: 'text', text: t('vending.receipt.token'), align: 'center', bold: true });
    if (v.token) {
      const groups = formatTokenGroups(v.token);
      lines.push({ kind: 'text', text: groups, align: 'center', bold: true, size: 2 });
    }
    if (v.deliveredTenths !== null) {
      lines.push({ kind: 'pair', left: t('vending.receipt.tokenEnergy'), right: `${formatCkwh(v.deliveredTenths * 10)} kWh` });
    }
    lines.push({ kind: 'pair', left: t('vending.receipt.tid'), right: String(v.tid) });
    if (v.offline) lines.push({ kind: 'text', text: t('vending.receipt.offline') });
    lines.push({ kind: 'text', text: t('vending.receipt.keyIn'), align: 'center' });
  }
  lines.push(
    ...receiptBottom(ctx, v, { label: t('vending.receipt.vendNo'), id: v.vendId }, [
      t(v.card ? 'vending.receipt.cardNoRefund' : 'vending.receipt.noRefund'),
    ]),
  );
  return { lines };
}
