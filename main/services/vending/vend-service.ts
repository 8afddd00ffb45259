/**
 * Prepaid vending: the vend state machine of ARCHITECTURE.md.
 *
 *   created ──pay──▶ paid ──issue──▶ token_issued ──deliver──▶ delivered
 *      │ (QR declined)                   │ before delivery, supervisor-approved:
 *      ▼                                 ▼
 *   cancelled                         reversed
 *
 * Each arrow is ONE SQLite transaction: the vends row, a hash-chained journal entry and an outbox
 * event. Every input of the token (meter, TID, RND, amount) is fixed at `created`, so issuing again
 * after a crash gives the byte-identical token, never a second credit. Devices (printer) and the
 * network (gateway, online secure module) are only touched between commits.
 *
 * This class is the façade the contract handlers call; each intent lives in its own module
 * (docs/vending/vend.md lists them) and shares one VendContext, so the per-vend lock is one.
 */
import type { OperatorView, WireError } from '../../contract/index.js';
import type { TokenExplainView, VendCardCheckView, VendPreviewView, VendResumeSummary, VendView } from '../../contract/vending.js';
import type { Locale } from '../../i18n/locales.js';
import type { LocalSecureModule } from '../../vending/secure-module/index.js';
import { cardCheck } from './vend-card.js';
import { VendContext } from './vend-context.js';
import { printShownCopy, reprintDelivered } from './vend-delivery.js';
import { explainVendToken } from './vend-help-desk.js';
import { deliverAgain } from './vend-machine.js';
import { openVend } from './vend-purchase.js';
import { vendPreview } from './vend-quote.js';
import { onCardInserted, resume } from './vend-resume.js';
import { reverse } from './vend-reversal.js';
import { accountVends, vendView } from './vend-store.js';
import { cancelKioskVend, canIssueTokens, driveKioskVend, offlineAvailableFen, openKioskVend, payKioskVend, type KioskVendInput } from './vend-kiosk.js';
import type { PurchaseInput, VendServiceDeps } from './vend-types.js';

export type { PurchaseInput, VendServiceDeps } from './vend-types.js';
export { splitDigest, splitView } from './vend-quote.js';

export class VendService {
  private readonly ctx: VendContext;

  constructor(deps: VendServiceDeps) {
    this.ctx = new VendContext(deps);
  }

  /** The local secure module (one instance, shared with management tokens), or null. */
  get localModule(): LocalSecureModule | null {
    return this.ctx.deps.localModule;
  }

  preview(p: { accountNo: string; meterNo?: string | undefined; method: 'cash' | 'qr'; amount?: string | undefined; energyKwh?: string | undefined }): Promise<VendPreviewView> {
    return vendPreview(this.ctx, p);
  }

  purchase(input: PurchaseInput, operator: OperatorView): Promise<VendView> {
    return openVend(this.ctx, input, operator);
  }

  get(vendId: string): VendView {
    return vendView(this.ctx.row(vendId));
  }

  list(accountNo: string, limit: number): { items: VendView[] } {
    return { items: accountVends(this.ctx.deps.db, accountNo, limit).map(vendView) };
  }

  deliverAgain(vendId: string, via: 'print' | 'screen' | 'card', operator: OperatorView, locale?: Locale): Promise<VendView> {
    return deliverAgain(this.ctx, vendId, via, operator, locale);
  }

  async reprint(vendId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null; reprints: number }> {
    // A token never delivered is not reprinted but delivered: its first print carries the mark only
    // when an earlier attempt may have put paper in the customer's hand.
    if (this.ctx.row(vendId).state === 'token_issued') {
      const v = await this.deliverAgain(vendId, 'print', operator, locale);
      return { printed: v.deliveryError === null, error: v.deliveryError, reprints: v.reprints };
    }
    return reprintDelivered(this.ctx, vendId, operator, locale);
  }

  reverse(p: { vendId: string; supervisorId: string; supervisorPin: string; reason: string }, operator: OperatorView): Promise<VendView> {
    return reverse(this.ctx, p, operator);
  }

  cardCheck(p: { accountNo: string; meterNo?: string | undefined }): Promise<VendCardCheckView> {
    return cardCheck(this.ctx, p);
  }

  onCardInserted(cardSerial: string | null): Promise<void> {
    return onCardInserted(this.ctx, cardSerial);
  }

  resume(): Promise<VendResumeSummary> {
    return resume(this.ctx);
  }

  explain(p: { token: string; accountNo?: string | undefined; meterNo?: string | undefined }): Promise<TokenExplainView> {
    return explainVendToken(this.ctx, p);
  }

  // The kiosk's QR orders (services/kiosk; ./vend-kiosk.ts).

  kioskPreview(p: { accountNo: string; amount: string }): Promise<VendPreviewView> {
    return vendPreview(this.ctx, { ...p, method: 'qr', channel: 'kiosk_qr' });
  }

  kioskOpen(input: KioskVendInput, operator: OperatorView, inCreatedCommit: (vendId: string, outTradeNo: string) => void): Promise<VendView> {
    return openKioskVend(this.ctx, input, operator, inCreatedCommit);
  }

  kioskPaid(vendId: string, tradeNo: string | null): Promise<VendView> {
    return payKioskVend(this.ctx, vendId, tradeNo);
  }

  kioskCancel(vendId: string, actor: string, payload: Record<string, unknown>): Promise<VendView> {
    return cancelKioskVend(this.ctx, vendId, actor, payload);
  }

  kioskDrive(vendId: string, delivery: 'print' | 'screen' | 'none', locale: Locale | undefined, actor: string): Promise<VendView> {
    return driveKioskVend(this.ctx, vendId, delivery, locale, actor);
  }

  /** The paper copy of a token the kiosk has shown (./vend-delivery.ts printShownCopy). */
  printShownCopy(vendId: string, actor: string, locale?: Locale): Promise<WireError | null> {
    return printShownCopy(this.ctx, vendId, actor, locale);
  }

  offlineAvailableFen(): number {
    return offlineAvailableFen(this.ctx);
  }

  canIssueTokens(backendOnline: boolean): boolean {
    return canIssueTokens(this.ctx, backendOnline);
  }
}
