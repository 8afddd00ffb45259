/**
 * The pay step: cash is marked paid at the counter; a QR vend pays once through the gateway or,
 * on resume, only asks the gateway what happened to its out-trade number. Never a guess.
 */
import { crashPoint } from '../../vending/vend/crash-point.js';
import type { VendContext } from './vend-context.js';
import { storedSplit, type VendRow } from './vend-store.js';

/** QR: pay (first time) or ask the gateway by out-trade number (resume); never guess. */
export async function settleQr(ctx: VendContext, row: VendRow, mayPay: boolean): Promise<'paid' | 'declined' | 'pending'> {
  const outTradeNo = row.out_trade_no as string;
  let status: 'success' | 'declined' | 'unknown' | 'not_found';
  let tradeNo: string | null = null;
  if (mayPay && row.auth_code !== null && !ctx.journaled(row.vend_id, 'vend.gateway_requested')) {
    ctx.journalOnly(row.vend_id, 'vend.gateway_requested', row.operator_id, { outTradeNo });
    const r = await ctx.deps.gateway.pay(outTradeNo, row.auth_code, row.amount_fen);
    status = r.status;
    if (r.status === 'success') tradeNo = r.tradeNo;
  } else {
    try {
      const q = await ctx.deps.gateway.query(outTradeNo);
      status = q.status === 'pending' ? 'unknown' : q.status;
      tradeNo = q.tradeNo ?? null;
      if (q.status === 'success' && q.amountFen !== undefined && q.amountFen !== row.amount_fen) {
        throw new Error(`gateway order ${outTradeNo} amount ${q.amountFen} ≠ vend ${row.amount_fen}`);
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('gateway order')) throw e;
      status = 'unknown';
    }
  }
  crashPoint('vend.gateway_answered');
  if (status === 'success') {
    markPaid(ctx, row, tradeNo);
    return 'paid';
  }
  if (status === 'declined' || status === 'not_found') {
    ctx.transition(row, 'cancelled', 'vend.cancelled', row.operator_id, { reason: status }, {});
    return 'declined';
  }
  return 'pending';
}

/** Paid, with the fixed charges marked in the same commit so no later quote charges them again. */
export function markPaid(ctx: VendContext, row: VendRow, externalRef: string | null): void {
  const { db } = ctx.deps;
  const stored = storedSplit(row);
  ctx.transition(row, 'paid', 'vend.paid', row.operator_id, { method: row.method, amountFen: row.amount_fen, externalRef }, { external_ref: externalRef }, () => {
    const mark = db.prepare('INSERT OR IGNORE INTO vend_fixed_charges (vend_id, account_no, charge_id, period_key) VALUES (?, ?, ?, ?)');
    for (const c of stored.fixedChargePeriods) mark.run(row.vend_id, row.account_no, c.chargeId, c.periodKey);
  });
  crashPoint('vend.paid');
}
