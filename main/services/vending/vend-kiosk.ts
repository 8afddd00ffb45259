/**
 * The kiosk's use of the vend state machine (services/kiosk drives it). A kiosk vend is opened
 * unpaid for a QR order the customer scans (method 'qr', no auth code, channel 'kiosk_qr'); it is
 * marked paid only when the kiosk has seen the gateway's payment, or cancelled when the order is
 * closed (or its late payment refunded). From paid on it is an ordinary vend: issued and delivered
 * by the same steps, resumed on start like every other.
 */
import { AppError, type OperatorView } from '../../contract/index.js';
import type { VendView } from '../../contract/vending.js';
import type { Locale } from '../../i18n/locales.js';
import type { VendContext } from './vend-context.js';
import { advance } from './vend-machine.js';
import { markPaid } from './vend-payment.js';
import { openVend } from './vend-purchase.js';
import { offlineExposureFen, vendView } from './vend-store.js';
import type { PurchaseInput } from './vend-types.js';

export type KioskVendInput = Omit<PurchaseInput, 'method' | 'authCode' | 'tendered' | 'channel'>;

/** The created commit of a kiosk vend; `inCreatedCommit` writes the kiosk's order row in the same transaction. */
export function openKioskVend(
  ctx: VendContext,
  input: KioskVendInput,
  operator: OperatorView,
  inCreatedCommit: (vendId: string, outTradeNo: string) => void,
): Promise<VendView> {
  return openVend(ctx, { ...input, method: 'qr', channel: 'kiosk_qr' }, operator, {
    advance: false,
    inCreatedCommit: (vendId, outTradeNo) => {
      if (outTradeNo === null) throw new Error('a QR vend has an out-trade number');
      inCreatedCommit(vendId, outTradeNo);
    },
  });
}

/** The gateway says the order is paid: created → paid (once, whoever races). */
export function payKioskVend(ctx: VendContext, vendId: string, tradeNo: string | null): Promise<VendView> {
  return ctx.locked(vendId, () => {
    const row = ctx.row(vendId);
    if (row.state === 'created') markPaid(ctx, row, tradeNo);
    else if (row.state === 'cancelled' || row.state === 'reversed') throw new AppError('vending.not_delivered_yet', { state: row.state });
    return Promise.resolve(vendView(ctx.row(vendId)));
  });
}

/** No money was kept (order closed, or its late payment refunded): created → cancelled. */
export function cancelKioskVend(ctx: VendContext, vendId: string, actor: string, payload: Record<string, unknown>): Promise<VendView> {
  return ctx.locked(vendId, () => {
    const row = ctx.row(vendId);
    if (row.state === 'created') ctx.transition(row, 'cancelled', 'vend.cancelled', actor, payload, {});
    return Promise.resolve(vendView(ctx.row(vendId)));
  });
}

/** Issue and deliver a paid kiosk vend as far as it goes now ('none': issue only). */
export function driveKioskVend(ctx: VendContext, vendId: string, delivery: 'print' | 'screen' | 'none', locale: Locale | undefined, actor: string): Promise<VendView> {
  return advance(ctx, vendId, { payCash: false, delivery, locale, actor });
}

/** Offline credit still available before this terminal must sync. */
export function offlineAvailableFen(ctx: VendContext): number {
  return Math.max(0, ctx.deps.offlineCreditLimitFen - offlineExposureFen(ctx.deps.db));
}

/** Whether a token can be issued now: the backend answers, or a local module may issue (local mode or fallback). */
export function canIssueTokens(ctx: VendContext, backendOnline: boolean): boolean {
  if (ctx.deps.secureModule.mode === 'local') return true;
  return backendOnline || (ctx.deps.localModule !== null && ctx.deps.localFallback);
}
