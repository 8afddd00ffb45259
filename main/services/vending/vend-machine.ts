/**
 * The vend state machine: drives one vend from whatever state it is in through pay, issue and
 * deliver, under the vend's lock. Also the clerk's explicit delivery of an issued vend.
 */
import { AppError, type OperatorView, type WireError } from '../../contract/index.js';
import type { VendView } from '../../contract/vending.js';
import type { Locale } from '../../i18n/locales.js';
import type { VendContext } from './vend-context.js';
import { deliverCard } from './vend-card.js';
import { deliverToken } from './vend-delivery.js';
import { issueCard, issueToken } from './vend-issue.js';
import { markPaid, settleQr } from './vend-payment.js';
import { vendView } from './vend-store.js';

/**
 * Drive one vend as far as it can go now. `payCash`: the clerk is at the counter with the money
 * (a resume on start never marks cash as paid by itself).
 */
export function advance(
  ctx: VendContext,
  vendId: string,
  opts: { payCash: boolean; delivery: 'print' | 'screen' | 'none'; locale?: Locale | undefined; actor?: string | undefined },
): Promise<VendView> {
  return ctx.locked(vendId, async () => {
    let deliveryError: WireError | null = null;
    for (;;) {
      const row = ctx.row(vendId);
      switch (row.state) {
        case 'created':
          if (row.method === 'qr') {
            // A resume never starts a payment by itself: it only asks the gateway what happened.
            const outcome = await settleQr(ctx, row, opts.payCash);
            if (outcome === 'pending') throw new AppError('vending.payment_pending', { vendId });
            if (outcome === 'declined') throw new AppError('vending.payment_declined', { vendId });
            continue;
          }
          if (!opts.payCash) return vendView(row);
          markPaid(ctx, row, null);
          continue;
        case 'paid':
          if (row.meter_kind === 'card') issueCard(ctx, row);
          else await issueToken(ctx, row);
          continue;
        case 'token_issued': {
          if (opts.delivery === 'none') return vendView(row);
          deliveryError =
            row.meter_kind === 'card'
              ? await deliverCard(ctx, row, opts.locale ?? row.locale, opts.actor ?? row.operator_id)
              : await deliverToken(ctx, row, opts.delivery, opts.locale ?? row.locale, row.operator_id);
          if (deliveryError) return { ...vendView(ctx.row(vendId)), deliveryError };
          continue;
        }
        case 'delivered':
        case 'reversed':
        case 'cancelled':
          return { ...vendView(row), deliveryError };
        default: {
          const never: never = row.state;
          throw new Error(`unknown vend state ${String(never)}`);
        }
      }
    }
  });
}

/** The clerk delivers an issued vend again (print, screen or card) after a failed delivery. */
export async function deliverAgain(ctx: VendContext, vendId: string, via: 'print' | 'screen' | 'card', operator: OperatorView, locale?: Locale): Promise<VendView> {
  const first = ctx.row(vendId);
  // A card vend stopped between paid and credit issued (a crash) continues through the machine.
  if (first.meter_kind === 'card' && via === 'card' && first.state === 'paid') {
    return advance(ctx, vendId, { payCash: false, delivery: 'print', locale, actor: operator.operatorId });
  }
  return ctx.locked(vendId, async () => {
    const row = ctx.row(vendId);
    if (row.state !== 'token_issued') {
      if (row.state === 'delivered') return vendView(row);
      throw new AppError('vending.not_delivered_yet', { state: row.state });
    }
    const isCard = row.meter_kind === 'card';
    if (isCard !== (via === 'card')) throw new AppError('vending.card_delivery_only', { meterKind: row.meter_kind, via });
    const error =
      via === 'card'
        ? await deliverCard(ctx, row, locale ?? row.locale, operator.operatorId)
        : await deliverToken(ctx, row, via, locale ?? row.locale, operator.operatorId);
    return { ...vendView(ctx.row(vendId)), deliveryError: error };
  });
}
