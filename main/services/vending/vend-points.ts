/**
 * Prepaid points for a vend (issue 11 item 5): accrued in the delivered commit, taken back in the
 * reversing commit, and said on the receipt — which may print before the delivered commit (the
 * token's paper comes first), so the receipt counts the points the vend is about to earn.
 */
import { pointsExpireAt, pointsFor } from '../../domain/credit/points.js';
import type { VendView } from '../../contract/vending.js';
import { accruePoints, pointsBalance, reversePoints, vendPoints } from '../../store/points.js';
import type { VendContext } from './vend-context.js';
import { stepEventId, storedSplit, vendReceiptView, type VendRow } from './vend-store.js';

/** Inside the delivered commit. */
export function accrueVendPoints(ctx: VendContext, row: VendRow, actor: string): void {
  const rules = ctx.deps.pointsRules;
  if (!rules) return;
  const energyFen = storedSplit(row).split.energyFen;
  const now = ctx.deps.clock();
  accruePoints(ctx.deps.db, {
    vendId: row.vend_id,
    accountNo: row.account_no,
    points: pointsFor(rules, { energyFen, method: row.method }),
    energyFen,
    at: now.toISOString(),
    expiresAt: pointsExpireAt(rules, now)?.toISOString() ?? null,
    actor,
    eventId: stepEventId(row.vend_id, 'points'),
  });
}

/** Inside the reversing commit: whatever the vend earned goes back. */
export function reverseVendPoints(ctx: VendContext, row: VendRow, actor: string): void {
  reversePoints(ctx.deps.db, { vendId: row.vend_id, at: ctx.deps.clock().toISOString(), actor, eventId: stepEventId(row.vend_id, 'points-reversed') });
}

/** The printer's copy with the points: earned as accrued (or about to be), the balance with them. */
export function receiptView(ctx: VendContext, row: VendRow): VendView {
  const view = vendReceiptView(row);
  const rules = ctx.deps.pointsRules;
  if (!rules) return view;
  const { db } = ctx.deps;
  const accrued = vendPoints(db, row.vend_id);
  const earned = accrued ?? (row.state === 'reversed' ? 0 : pointsFor(rules, { energyFen: view.split.energyFen, method: row.method }));
  const balance = pointsBalance(db, row.account_no, ctx.deps.clock().toISOString()) + (accrued === null ? earned : 0);
  return earned > 0 || balance > 0 ? { ...view, points: { earned, balance } } : view;
}
