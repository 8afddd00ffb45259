/**
 * Finishing vends nobody is waiting on: every unfinished vend on start and on `vend.resume`, the
 * vends waiting for a card when it is inserted, and stale cash vends that never got paid.
 */
import { AppError } from '../../contract/index.js';
import type { VendResumeSummary } from '../../contract/vending.js';
import type { VendContext } from './vend-context.js';
import { advance } from './vend-machine.js';
import { undeliveredCardVends, unfinishedVends, type VendRow } from './vend-store.js';

/** Every unfinished vend, as far as it can go: used at start and by `vend.resume`. */
export async function resume(ctx: VendContext): Promise<VendResumeSummary> {
  const { db } = ctx.deps;
  const counts = { examined: 0, paid: 0, issued: 0, delivered: 0, cancelled: 0, stillPending: 0 };
  for (const row of unfinishedVends(db)) {
    if (!db.open) break;
    // A kiosk QR order's vend (merchant-presented code: no auth code) is unpaid until the kiosk sees
    // the customer's payment; the kiosk drives it (services/kiosk), including a late payment's refund.
    if (isKioskOrderVend(row)) continue;
    counts.examined++;
    if (isStaleCash(ctx, row) && (await cancelStaleCash(ctx, row.vend_id))) {
      counts.cancelled++;
      continue;
    }
    try {
      const after = await advance(ctx, row.vend_id, { payCash: false, delivery: 'print' });
      if (row.state === 'created' && after.state !== 'created' && after.state !== 'cancelled') counts.paid++;
      if ((row.state === 'created' || row.state === 'paid') && after.token !== null) counts.issued++;
      if (after.state === 'delivered') counts.delivered++;
      if (after.state === 'cancelled') counts.cancelled++;
      if (after.state === 'created' || after.state === 'paid' || after.state === 'token_issued') counts.stillPending++;
    } catch (e) {
      counts.stillPending++;
      if (!(e instanceof AppError)) ctx.deps.log?.(`[vend] resume of ${row.vend_id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return counts;
}

/**
 * A card entered the reader: finish every undelivered vend waiting for that card (an
 * interrupted write is recovered first). Failures stay on the vend for the clerk to see.
 */
export async function onCardInserted(ctx: VendContext, cardSerial: string | null): Promise<void> {
  if (cardSerial === null || !ctx.deps.db.open) return;
  for (const row of undeliveredCardVends(ctx.deps.db, cardSerial)) {
    try {
      await advance(ctx, row.vend_id, { payCash: false, delivery: 'print' });
    } catch (e) {
      if (!(e instanceof AppError)) ctx.deps.log?.(`[vend] card delivery of ${row.vend_id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * A cash vend left at `created` (the process died between the created and the paid commits): the
 * clerk's retry of the same request continues it, but nobody came back. Cash is recorded as taken
 * only at `paid`, so nothing was taken here; left alone it would hold offline credit (and a card
 * meter's one pending purchase) for ever.
 */
function isStaleCash(ctx: VendContext, row: VendRow): boolean {
  return row.state === 'created' && row.method === 'cash' && ctx.deps.clock().getTime() - Date.parse(row.created_at) >= ctx.deps.staleCashVendMs;
}

function cancelStaleCash(ctx: VendContext, vendId: string): Promise<boolean> {
  return ctx.locked(vendId, () => {
    const row = ctx.row(vendId);
    if (!isStaleCash(ctx, row)) return Promise.resolve(false);
    ctx.transition(row, 'cancelled', 'vend.cancelled', 'system', { reason: 'stale_cash_created', ageMs: ctx.deps.clock().getTime() - Date.parse(row.created_at) }, {});
    return Promise.resolve(true);
  });
}

/** A vend opened for a kiosk QR order and not paid yet: only the kiosk's order logic moves it on. */
export function isKioskOrderVend(row: VendRow): boolean {
  return row.state === 'created' && row.method === 'qr' && row.auth_code === null;
}
