/**
 * Supervisor reversal before delivery. An STS vend whose token may have left the terminal, and a
 * card vend whose purchase landed on the card, are never refunded: that would be a second credit.
 */
import { AppError, type OperatorView } from '../../contract/index.js';
import type { VendView } from '../../contract/vending.js';
import { isReversible } from '../../vending/vend/vend-states.js';
import { approve } from '../auth.js';
import type { VendContext } from './vend-context.js';
import { cardLanded } from './vend-card.js';
import { markDelivered } from './vend-delivery.js';
import { reverseVendPoints } from './vend-points.js';
import { vendView } from './vend-store.js';

export async function reverse(ctx: VendContext, p: { vendId: string; supervisorId: string; supervisorPin: string; reason: string }, operator: OperatorView): Promise<VendView> {
  return ctx.locked(p.vendId, async () => {
    // The request first: a PIN is tried only for a vend that exists and may be reversed.
    const row = ctx.row(p.vendId);
    if (!isReversible(row.state) || (row.state === 'created' && row.method === 'qr')) {
      throw new AppError('vending.not_reversible', { state: row.state });
    }
    if (row.meter_kind !== 'card' && row.delivery_attempts > 0) {
      // The token was printed or shown, or that was attempted: the customer may hold it. A refund
      // would be a second credit for one payment.
      ctx.journalOnly(row.vend_id, 'vend.reversal_refused', operator.operatorId, { supervisorId: p.supervisorId, reason: 'delivery_attempted', attempts: row.delivery_attempts });
      throw new AppError('vending.delivery_attempted', { attempts: row.delivery_attempts });
    }
    // Then the approval (shared lockout with sign-in; refusals are journaled as 'approval.failed').
    approve(ctx.deps, operator, { action: 'vend.reverse', ref: row.vend_id, approverId: p.supervisorId, approverPin: p.supervisorPin });
    if (row.meter_kind === 'card' && row.state === 'token_issued' && ctx.journaled(row.vend_id, 'vend.card_write_started')) {
      // A write was attempted: only the card can say whether the purchase is on it. A purchase
      // that landed is delivered, never refunded.
      if (await cardLanded(ctx, row, operator.operatorId)) {
        markDelivered(ctx, row, 'card', operator.operatorId, { card_counter_after: (row.card_counter_before ?? 0) + 1 });
        throw new AppError('vending.not_reversible', { state: 'delivered' });
      }
    }
    const refundFen = row.state === 'created' ? 0 : row.amount_fen;
    ctx.transition(row, 'reversed', 'vend.reversed', operator.operatorId, {
      approvedBy: p.supervisorId,
      reason: p.reason,
      refundFen,
      tokenVoided: row.token !== null,
    }, { approved_by: p.supervisorId }, () => {
      ctx.deps.db.prepare('DELETE FROM vend_fixed_charges WHERE vend_id = ?').run(row.vend_id);
      // Nothing to take back today (points accrue only on delivery, and a delivered vend is not
      // reversed), but a reversal always takes back whatever the vend earned, in its own commit.
      reverseVendPoints(ctx, row, operator.operatorId);
      // Cash handed back comes out of the open drawer (journal cash.out), in the same commit.
      if (row.method === 'cash' && refundFen > 0) {
        ctx.deps.shifts?.payOut({ amountFen: refundFen, reason: 'refund', ref: row.vend_id, operatorId: operator.operatorId, at: ctx.deps.clock().toISOString() });
      }
    });
    return vendView(ctx.row(p.vendId));
  });
}
