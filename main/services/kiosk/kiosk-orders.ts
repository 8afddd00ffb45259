/**
 * The kiosk's QR orders (merchant-presented codes) and their delivery. An order is its own state
 * machine, every step one journaled commit (kiosk_orders row + journal + outbox event):
 *
 *   creating ─gateway order─▶ awaiting_payment ─paid─▶ paid ─deliver─▶ delivered
 *      │                          │ cancel / expiry / visit ended
 *      └──────────────────────────┴──▶ cancelling ─gateway closed─▶ cancelled | expired
 *                                          │ the gateway says paid (the payment crossed the cancel)
 *                                          ├─ bills: honoured (paid, settled) ─▶ paid
 *                                          ├─ vend, customer still in the visit: honoured ─▶ paid
 *                                          └─ vend, customer gone: refunding ─refund─▶ refunded
 *
 * Bills are paid in the `paid` commit itself, through the one payment writer (method 'qr',
 * external ref = the gateway's trade number). A vend order is a vend opened unpaid
 * (services/vending/vend-kiosk.ts); its `paid` step marks the vend paid and the vend state machine
 * issues and delivers it. Nothing is decided by guessing: the gateway's answer, asked by
 * out-trade number, decides every step, and an unanswered step is retried by the sweeper.
 */
import { AppError, type KioskDeliveryView, type KioskOrderView, type WireError } from '../../contract/index.js';
import { layoutReceiptText } from '../../../kiosk-drivers/printer/receipt-model.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { uuidv7 } from '../../store/ids.js';
import {
  insertKioskOrder,
  kioskOrder,
  kioskStepEventId,
  moveKioskOrder,
  openKioskOrders,
  setKioskOrderColumns,
  type KioskOrderRow,
  type KioskOrderState,
} from '../../store/kiosk.js';
import { paymentAllocations, paymentById } from '../../store/payments.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import type { NativeOrder } from '../../wire/kiosk-wire.js';
import { toWireError } from '../dispatch.js';
import { writePayment } from '../payment-writer.js';
import type { KioskContext } from './kiosk-context.js';
import { billsReceipt } from './kiosk-receipt.js';

export type CloseReason = 'cancelled' | 'expired' | 'visit_ended' | 'gateway_error';

/** Orders whose next step waits on the gateway or a delivery. */
const AWAITING: readonly KioskOrderState[] = ['creating', 'awaiting_payment'];

export class KioskOrders {
  /** One chain per order: the UI's poll, the sweeper and a cancel never step one order at once. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Token slips printing after the token went on screen, and the last failure per order. */
  private readonly printing = new Map<string, Promise<void>>();
  private readonly copyErrors = new Map<string, WireError>();

  constructor(private readonly ctx: KioskContext) {}

  row(orderId: string): KioskOrderRow {
    const row = kioskOrder(this.ctx.deps.db, orderId);
    if (!row) throw new AppError('kiosk.no_order');
    return row;
  }

  // ---- creation ----

  /** Bills: the order row (creating), then the gateway order. */
  async createBills(visitId: string, accountNo: string, amountFen: number, billIds: readonly string[], quoteDigest: string, locale: 'zh-CN' | 'en'): Promise<KioskOrderRow> {
    const { db } = this.ctx.deps;
    const now = this.ctx.now();
    const orderId = uuidv7(() => now);
    db.transaction(() => {
      insertKioskOrder(db, {
        order_id: orderId,
        visit_id: visitId,
        what: 'bills',
        account_no: accountNo,
        amount_fen: amountFen,
        bills_json: JSON.stringify(billIds),
        quote_digest: quoteDigest,
        out_trade_no: `K${orderId.replace(/-/g, '')}`,
        vend_id: null,
        locale,
        actor: this.ctx.actor,
        created_at: now.toISOString(),
      });
      this.ctx.record('kiosk.order_created', orderId, kioskStepEventId(orderId, 'created'), { orderId, visitId, what: 'bills', accountNo, amountFen, billIds });
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.openAtGateway(orderId, `电费缴费 ${accountNo}`);
  }

  /** Vend: the vend's created commit writes the order row too; then the gateway order. */
  async createVend(visitId: string, accountNo: string, amount: string, quoteDigest: string, locale: 'zh-CN' | 'en'): Promise<KioskOrderRow> {
    const { db } = this.ctx.deps;
    const now = this.ctx.now();
    const orderId = uuidv7(() => now);
    try {
      await this.ctx.deps.vends.kioskOpen(
        { requestId: orderId, accountNo, amount, delivery: 'print', receiptLocale: locale, splitDigest: quoteDigest },
        this.ctx.operator,
        (vendId, outTradeNo) => {
          const row = db.prepare('SELECT amount_fen FROM vends WHERE vend_id = ?').get(vendId) as { amount_fen: number };
          insertKioskOrder(db, {
            order_id: orderId,
            visit_id: visitId,
            what: 'vend',
            account_no: accountNo,
            amount_fen: row.amount_fen,
            bills_json: null,
            quote_digest: quoteDigest,
            out_trade_no: outTradeNo,
            vend_id: vendId,
            locale,
            actor: this.ctx.actor,
            created_at: now.toISOString(),
          });
          this.ctx.record('kiosk.order_created', orderId, kioskStepEventId(orderId, 'created'), { orderId, visitId, what: 'vend', accountNo, amountFen: row.amount_fen, vendId });
        },
      );
    } catch (e) {
      if (e instanceof AppError && e.code === 'vending.split_changed') throw new AppError('kiosk.quote_changed', e.details);
      throw e;
    }
    return this.openAtGateway(orderId, `购电 ${accountNo}`);
  }

  private async openAtGateway(orderId: string, subject: string): Promise<KioskOrderRow> {
    const row = this.row(orderId);
    let answer: NativeOrder;
    try {
      answer = await this.ctx.deps.gateway.createNativeOrder({
        outTradeNo: row.out_trade_no,
        amountFen: row.amount_fen,
        subject,
        expiresInSeconds: this.ctx.deps.config.kiosk.orderTtlSeconds,
      });
    } catch {
      // The gateway may or may not hold the order now: close it there (retried until it answers).
      await this.cancel(orderId, 'gateway_error');
      throw new AppError('kiosk.gateway_unavailable');
    }
    if (answer.status !== 'pending' || answer.codeUrl === undefined || answer.expiresAt === undefined) {
      // An order number the gateway already knows in another state: ask it what happened.
      await this.poll(orderId);
      return this.row(orderId);
    }
    const { db } = this.ctx.deps;
    // Under the order's lock: the sweeper may be asking the gateway about this order right now,
    // holding the row as it read it ('creating'); moving it underneath would make its answer (a
    // payment made at once) fail on a stale state and wait for the next poll.
    return this.locked(orderId, () => {
      const at = this.ctx.now().toISOString();
      db.transaction(() => {
        if (moveKioskOrder(db, orderId, ['creating'], 'awaiting_payment', at, { code_url: answer.codeUrl ?? null, expires_at: answer.expiresAt ?? null })) {
          this.ctx.journal('kiosk.order_awaiting_payment', orderId, { orderId, outTradeNo: row.out_trade_no, expiresAt: answer.expiresAt });
        }
      }).immediate();
      return Promise.resolve(this.row(orderId));
    });
  }

  // ---- the gateway's answers ----

  /** Ask the gateway about an open order and take the step its answer calls for. */
  poll(orderId: string): Promise<KioskOrderRow> {
    return this.locked(orderId, async () => {
      const row = this.row(orderId);
      switch (row.state) {
        case 'creating':
        case 'awaiting_payment':
        case 'cancelling': {
          let answer: NativeOrder;
          try {
            answer = await this.ctx.deps.gateway.queryNativeOrder(row.out_trade_no);
          } catch {
            return row;
          }
          await this.onAnswer(row, answer);
          // Expired here, unpaid there: close it (the gateway's answer to the close decides).
          const now = this.row(orderId);
          if (now.state === 'awaiting_payment' && now.expires_at !== null && Date.parse(now.expires_at) <= this.ctx.now().getTime()) {
            await this.closeLocked(now, 'expired');
          } else if (now.state === 'creating' && answer.status === 'not_found' && this.ctx.now().getTime() - Date.parse(now.created_at) > 30_000) {
            // Crashed before the gateway order existed: nothing can be paid; close it.
            await this.closeLocked(now, 'gateway_error');
          } else if (now.state === 'cancelling') {
            await this.tryClose(now);
          }
          return this.row(orderId);
        }
        case 'refunding':
          await this.tryRefund(row);
          return this.row(orderId);
        case 'paid':
          await this.syncPaid(row);
          return this.row(orderId);
        default:
          return row;
      }
    });
  }

  private async onAnswer(row: KioskOrderRow, answer: NativeOrder): Promise<void> {
    switch (answer.status) {
      case 'paid':
        await this.onPaid(row, answer.tradeNo ?? null, answer.paidAt ?? this.ctx.now().toISOString());
        return;
      case 'closed':
        if (row.state === 'awaiting_payment' || row.state === 'cancelling' || row.state === 'creating') {
          await this.finishClosed(row, answer.closedReason === 'expired' || row.close_reason === 'expired' ? 'expired' : 'cancelled');
        }
        return;
      case 'refunded':
        if (row.state === 'refunding') await this.finishRefund(row, null);
        return;
      case 'pending':
      case 'not_found':
        return;
      default: {
        const never: never = answer.status;
        throw new Error(`unknown gateway order status ${String(never)}`);
      }
    }
  }

  /**
   * The gateway says paid. Within its time (awaiting payment): paid. After a cancel or expiry was
   * asked for (the payment crossed it): bills are honoured — a payment through the one settlement
   * path; a vend is honoured while its customer is still in the visit, else refunded.
   */
  private async onPaid(row: KioskOrderRow, tradeNo: string | null, paidAt: string): Promise<void> {
    if (row.state === 'creating' || row.state === 'awaiting_payment') {
      await this.markPaid(row, tradeNo, paidAt, false);
      return;
    }
    if (row.state !== 'cancelling' && row.state !== 'cancelled' && row.state !== 'expired') return;
    if (row.what === 'bills' || this.customerPresent(row)) {
      this.ctx.journal('kiosk.late_payment', row.order_id, { orderId: row.order_id, tradeNo, decision: 'honour', what: row.what });
      await this.markPaid(row, tradeNo, paidAt, true);
      const v = this.ctx.visit;
      if (v && v.visitId === row.visit_id) {
        v.orderId = row.order_id;
        v.state = 'paid';
      }
      return;
    }
    const { db } = this.ctx.deps;
    const at = this.ctx.now().toISOString();
    db.transaction(() => {
      if (!moveKioskOrder(db, row.order_id, [row.state], 'refunding', at, { trade_no: tradeNo, paid_at: paidAt })) return;
      this.ctx.record('kiosk.late_payment', row.order_id, kioskStepEventId(row.order_id, 'late_payment'), {
        orderId: row.order_id,
        tradeNo,
        decision: 'refund',
        what: row.what,
        amountFen: row.amount_fen,
      });
    }).immediate();
    this.ctx.deps.afterCommit();
    this.changed(row.order_id);
    await this.tryRefund(this.row(row.order_id));
  }

  /** The vend's customer is still at the kiosk: the visit that made the order is the current one, on the same account. */
  private customerPresent(row: KioskOrderRow): boolean {
    const v = this.ctx.visit;
    return v !== null && v.visitId === row.visit_id && v.accountNo === row.account_no;
  }

  private async markPaid(row: KioskOrderRow, tradeNo: string | null, paidAt: string, honoured: boolean): Promise<void> {
    const { db } = this.ctx.deps;
    const now = this.ctx.now();
    const at = now.toISOString();
    db.transaction(() => {
      let paymentId: string | null = null;
      if (row.what === 'bills') {
        // The bills settle in this very commit, by the one rule, from the cache as of now.
        paymentId = uuidv7(() => now);
        writePayment(db, {
          paymentId,
          requestId: `kiosk:${row.order_id}`,
          accountNo: row.account_no,
          method: 'qr',
          amountFen: row.amount_fen,
          tenderedFen: null,
          changeFen: 0,
          operatorId: this.ctx.actor,
          externalRef: tradeNo,
          // The gateway order number goes with the tender: a refund at the counter goes back by it
          // (the native-order refund), and a qr tender without one is refused a refund.
          tenders: [{ method: 'qr', amountFen: row.amount_fen, tenderedFen: null, changeFen: 0, externalRef: tradeNo, outTradeNo: row.out_trade_no }],
          createdAt: at,
          openBills: () => this.ctx.deps.accounts.settlementBills(row.account_no),
        });
      }
      if (!moveKioskOrder(db, row.order_id, [row.state], 'paid', at, { trade_no: tradeNo, paid_at: paidAt, honoured: honoured ? 1 : 0, payment_id: paymentId })) {
        throw new Error(`kiosk order ${row.order_id} is no longer ${row.state}`);
      }
      this.ctx.record('kiosk.order_paid', row.order_id, kioskStepEventId(row.order_id, 'paid'), {
        orderId: row.order_id,
        what: row.what,
        amountFen: row.amount_fen,
        tradeNo,
        paidAt,
        honoured,
        ...(paymentId ? { paymentId } : {}),
        ...(row.vend_id ? { vendId: row.vend_id } : {}),
      });
    }).immediate();
    this.ctx.deps.afterCommit();
    crashPoint('kiosk.order_paid');
    if (row.vend_id !== null) await this.ctx.deps.vends.kioskPaid(row.vend_id, tradeNo);
    this.changed(row.order_id);
  }

  /**
   * A paid order: its vend is marked paid (a crash in between), and a vend delivered meanwhile (a
   * card returned) finishes the order. A token committed as shown is left to the delivery or the
   * unattended finish, which print its slip first when the screen may have died before showing it.
   */
  private async syncPaid(row: KioskOrderRow): Promise<void> {
    if (row.vend_id === null) return;
    let v = this.ctx.deps.vends.get(row.vend_id);
    if (v.state === 'created') v = await this.ctx.deps.vends.kioskPaid(row.vend_id, row.trade_no);
    if (v.state === 'delivered' && v.delivery !== 'shown') this.markDelivered(row, false);
  }

  // ---- cancel, expiry, refund ----

  /** Cancel an unpaid order (the customer, the idle limit, expiry, a failed creation). */
  cancel(orderId: string, reason: CloseReason): Promise<KioskOrderRow> {
    return this.locked(orderId, async () => {
      const row = this.row(orderId);
      if (AWAITING.includes(row.state)) await this.closeLocked(row, reason);
      else if (row.state === 'cancelling') await this.tryClose(row);
      return this.row(orderId);
    });
  }

  private async closeLocked(row: KioskOrderRow, reason: CloseReason): Promise<void> {
    const { db } = this.ctx.deps;
    const at = this.ctx.now().toISOString();
    db.transaction(() => {
      if (moveKioskOrder(db, row.order_id, AWAITING, 'cancelling', at, { close_reason: reason })) {
        this.ctx.journal('kiosk.order_cancel_requested', row.order_id, { orderId: row.order_id, reason });
      }
    }).immediate();
    await this.tryClose(this.row(row.order_id));
  }

  /** Ask the gateway to close; its answer decides: closed → cancelled/expired, paid → the late-payment rule. */
  private async tryClose(row: KioskOrderRow): Promise<void> {
    let answer: NativeOrder;
    try {
      answer = await this.ctx.deps.gateway.closeNativeOrder(row.out_trade_no);
    } catch {
      return; // No answer: the order stays 'cancelling' and the sweeper asks again.
    }
    if (answer.status === 'not_found') await this.finishClosed(row, row.close_reason === 'expired' ? 'expired' : 'cancelled');
    else await this.onAnswer(row, answer);
  }

  private async finishClosed(row: KioskOrderRow, to: 'cancelled' | 'expired'): Promise<void> {
    const { db } = this.ctx.deps;
    const at = this.ctx.now().toISOString();
    db.transaction(() => {
      if (!moveKioskOrder(db, row.order_id, ['creating', 'awaiting_payment', 'cancelling'], to, at)) return;
      this.ctx.record(`kiosk.order_${to}`, row.order_id, kioskStepEventId(row.order_id, to), { orderId: row.order_id, reason: row.close_reason ?? to });
    }).immediate();
    this.ctx.deps.afterCommit();
    // No money was taken: the vend opened for it is cancelled (a crash here is finished on start).
    if (row.vend_id !== null) await this.ctx.deps.vends.kioskCancel(row.vend_id, this.ctx.actor, { reason: `kiosk_order_${to}`, orderId: row.order_id });
    this.changed(row.order_id);
  }

  private async tryRefund(row: KioskOrderRow): Promise<void> {
    let refundNo: string | null = null;
    try {
      const r = await this.ctx.deps.gateway.refundNativeOrder(row.out_trade_no, `R${row.order_id.replace(/-/g, '')}`, row.amount_fen, 'paid after the kiosk order was closed');
      if (r.status !== 'refunded') {
        // Not paid after all? Ask what the gateway holds; nothing else is decided here.
        const q = await this.ctx.deps.gateway.queryNativeOrder(row.out_trade_no);
        if (q.status !== 'refunded') return;
      } else refundNo = r.refundNo ?? null;
    } catch {
      return; // Retried by the sweeper until the gateway answers.
    }
    await this.finishRefund(row, refundNo);
  }

  private async finishRefund(row: KioskOrderRow, refundNo: string | null): Promise<void> {
    const { db } = this.ctx.deps;
    const at = this.ctx.now().toISOString();
    db.transaction(() => {
      if (!moveKioskOrder(db, row.order_id, ['refunding'], 'refunded', at, { refund_no: refundNo })) return;
      this.ctx.record('kiosk.order_refunded', row.order_id, kioskStepEventId(row.order_id, 'refunded'), {
        orderId: row.order_id,
        amountFen: row.amount_fen,
        tradeNo: row.trade_no,
        refundNo,
      });
    }).immediate();
    this.ctx.deps.afterCommit();
    if (row.vend_id !== null) await this.ctx.deps.vends.kioskCancel(row.vend_id, this.ctx.actor, { reason: 'kiosk_late_payment_refunded', orderId: row.order_id, refundNo });
    this.changed(row.order_id);
  }

  // ---- delivery ----

  /**
   * Deliver a paid order per capability: bills print their receipt when there is paper (and it is
   * shown either way); a token is printed when there is paper and shown; a card top-up writes the
   * card in the reader or waits for it. A second call shows the same delivery and delivers nothing twice.
   */
  deliver(orderId: string, printReady: boolean): Promise<KioskOrderView> {
    return this.locked(orderId, async () => {
      const row = this.row(orderId);
      if (row.state !== 'paid' && row.state !== 'delivered') throw new AppError('kiosk.order_not_paid', { state: row.state });
      const delivery = row.what === 'bills' ? await this.deliverBills(row, printReady) : await this.deliverVend(row, printReady);
      setKioskOrderColumns(this.ctx.deps.db, orderId, this.ctx.now().toISOString(), { presented_at: this.ctx.now().toISOString() });
      return this.view(this.row(orderId), delivery);
    });
  }

  private async deliverBills(row: KioskOrderRow, printReady: boolean): Promise<KioskDeliveryView> {
    const { db } = this.ctx.deps;
    const paymentId = row.payment_id as string;
    const lines = layoutReceiptText(this.receiptFor(row, false));
    let printError: WireError | null = null;
    let printed = row.receipt_printed === 1;
    if (row.state === 'paid') {
      if (printReady) {
        printError = await this.print(row, false);
        printed = printError === null;
        this.ctx.journal(printError ? 'receipt.failed' : 'receipt.printed', paymentId, printError ? { code: printError.code, reprint: false } : { reprint: false });
        if (printed) setKioskOrderColumns(db, row.order_id, this.ctx.now().toISOString(), { receipt_printed: 1 });
      }
      this.markDelivered(row, true);
    }
    const payment = paymentById(db, paymentId);
    return {
      done: true,
      token: null,
      tokenGroups: null,
      energyCkwh: null,
      printed,
      printing: false,
      printError,
      needsCard: false,
      cardError: null,
      allocations: paymentAllocations(db, paymentId),
      toBalanceFen: payment?.to_balance_fen ?? null,
      receiptLines: lines,
    };
  }

  private async deliverVend(row: KioskOrderRow, printReady: boolean): Promise<KioskDeliveryView> {
    const vends = this.ctx.deps.vends;
    const vendId = row.vend_id as string;
    let v = vends.get(vendId);
    let cardError: WireError | null = null;
    if (v.state === 'created') v = await vends.kioskPaid(vendId, row.trade_no);
    if (v.state === 'paid' || v.state === 'token_issued') {
      if (v.meterKind === 'card') {
        v = await vends.kioskDrive(vendId, 'print', row.locale, this.ctx.actor);
        cardError = v.deliveryError;
      } else {
        // The customer is at the screen: the token is shown the moment it is issued (the attempt
        // journaled first, like every delivery), and its slip prints while they read it.
        v = await vends.kioskDrive(vendId, 'screen', row.locale, this.ctx.actor);
        if (v.state === 'delivered' && printReady) this.printCopy(row.order_id, vendId, row.locale);
      }
    }
    if (v.state === 'delivered') this.markDelivered(this.row(row.order_id), true);
    const copyPrinted = this.row(row.order_id).receipt_printed === 1;
    return {
      done: v.state === 'delivered',
      token: v.token,
      tokenGroups: v.tokenGroups,
      energyCkwh: v.split.energyCkwh,
      printed: v.delivery === 'printed' || copyPrinted || (v.meterKind === 'card' && v.state === 'delivered' && printReady),
      printing: this.printing.has(row.order_id),
      printError: this.copyErrors.get(row.order_id) ?? null,
      needsCard: v.meterKind === 'card' && v.state !== 'delivered',
      cardError,
      allocations: null,
      toBalanceFen: null,
      receiptLines: null,
    };
  }

  /**
   * Print the slip of a token already on screen, once per order (a repeated deliver while it prints
   * joins it); the order records the paper, and the visit hears when it is done or failed.
   */
  private printCopy(orderId: string, vendId: string, locale: KioskOrderRow['locale']): void {
    if (this.printing.has(orderId) || this.row(orderId).receipt_printed === 1) return;
    this.copyErrors.delete(orderId);
    const job = this.ctx.deps.vends
      .printShownCopy(vendId, this.ctx.actor, locale)
      .then((error) => {
        if (!this.ctx.deps.db.open) return;
        if (error) this.copyErrors.set(orderId, error);
        else setKioskOrderColumns(this.ctx.deps.db, orderId, this.ctx.now().toISOString(), { receipt_printed: 1 });
      })
      .catch((e: unknown) => this.ctx.log(`[kiosk] slip of order ${orderId}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.printing.delete(orderId);
        if (this.ctx.deps.db.open) this.changed(orderId);
      });
    this.printing.set(orderId, job);
  }

  /** Slips still printing (shutdown waits for them, so a closing database never meets one). */
  async settled(): Promise<void> {
    await Promise.all([...this.printing.values()]);
  }

  private markDelivered(row: KioskOrderRow, presented: boolean): void {
    const { db } = this.ctx.deps;
    const at = this.ctx.now().toISOString();
    db.transaction(() => {
      if (!moveKioskOrder(db, row.order_id, ['paid'], 'delivered', at, { delivered_at: at })) return;
      if (presented) setKioskOrderColumns(db, row.order_id, at, { presented_at: at });
      this.ctx.record('kiosk.order_delivered', row.order_id, kioskStepEventId(row.order_id, 'delivered'), {
        orderId: row.order_id,
        what: row.what,
        transactionId: row.payment_id ?? row.vend_id,
      });
    }).immediate();
    this.ctx.deps.afterCommit();
    const v = this.ctx.visit;
    const tx = this.row(row.order_id);
    const id = tx.payment_id ?? tx.vend_id;
    if (v && v.orderId === row.order_id && id && !v.delivered.includes(id)) {
      v.delivered.push(id);
      v.state = 'delivered';
    }
    this.changed(row.order_id);
  }

  private receiptFor(row: KioskOrderRow, reprint: boolean) {
    const { deps } = this.ctx;
    const payment = paymentById(deps.db, row.payment_id as string);
    let accountName = '';
    try {
      accountName = deps.accounts.cached(row.account_no).name;
    } catch {
      accountName = '';
    }
    return billsReceipt(
      {
        paymentId: row.payment_id as string,
        accountNo: row.account_no,
        amountFen: row.amount_fen,
        toBalanceFen: payment?.to_balance_fen ?? 0,
        tradeNo: row.trade_no,
        createdAt: payment?.created_at ?? row.paid_at ?? row.created_at,
        allocations: paymentAllocations(deps.db, row.payment_id as string),
      },
      {
        t: deps.translators[row.locale],
        header: deps.config.receipt.header,
        hotline: deps.config.receipt.hotline,
        terminalId: deps.config.terminalId,
        timeZone: deps.config.timeZone,
        operatorName: '',
        accountName,
        reprint,
      },
      this.ctx.actor,
    );
  }

  private async print(row: KioskOrderRow, reprint: boolean): Promise<WireError | null> {
    const printer = this.ctx.deps.devices?.printer ?? this.ctx.deps.printer;
    if (!printer) return toWireError(new DeviceError('device.not_found', { device: 'printer' }));
    try {
      await printer.print(this.receiptFor(row, reprint));
      return null;
    } catch (e) {
      return toWireError(e);
    }
  }

  // ---- resume and views ----

  /**
   * Every open order, as far as it can go without a customer: on start and by the sweeper. A paid
   * order bound to no visit is finished: bills get their receipt printed (when there is paper), a
   * vend is issued and printed (when there is paper; else it waits to be shown), a card waits for
   * the card. What was delivered this way is offered on screen for `presentWindowMs`.
   */
  async sweep(printReady: boolean): Promise<void> {
    for (const row of openKioskOrders(this.ctx.deps.db)) {
      if (!this.ctx.deps.db.open) return;
      try {
        const after = await this.poll(row.order_id);
        const bound = this.ctx.visit !== null && this.ctx.visit.orderId === after.order_id;
        if (after.state === 'paid' && !bound) await this.finishUnattended(after, printReady);
      } catch (e) {
        if (!(e instanceof AppError)) this.ctx.log(`[kiosk] order ${row.order_id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async finishUnattended(row: KioskOrderRow, printReady: boolean): Promise<void> {
    if (row.what === 'bills') {
      await this.locked(row.order_id, () => this.deliverBills(this.row(row.order_id), printReady).then(() => undefined));
      setKioskOrderColumns(this.ctx.deps.db, row.order_id, this.ctx.now().toISOString(), { presented_at: null });
      return;
    }
    await this.locked(row.order_id, async () => {
      const vendId = row.vend_id as string;
      let v = this.ctx.deps.vends.get(vendId);
      if (v.state === 'created') v = await this.ctx.deps.vends.kioskPaid(vendId, row.trade_no);
      if (v.meterKind === 'card' || printReady) v = await this.ctx.deps.vends.kioskDrive(vendId, 'print', row.locale, this.ctx.actor);
      else if (v.state === 'paid') v = await this.ctx.deps.vends.kioskDrive(vendId, 'none', row.locale, this.ctx.actor);
      // Shown on a screen that died before the customer surely saw it: the slip is their copy.
      if (v.state === 'delivered' && v.delivery === 'shown' && printReady && this.row(row.order_id).receipt_printed === 0) {
        const error = await this.ctx.deps.vends.printShownCopy(vendId, this.ctx.actor, row.locale);
        if (error === null) setKioskOrderColumns(this.ctx.deps.db, row.order_id, this.ctx.now().toISOString(), { receipt_printed: 1 });
      }
      if (v.state === 'delivered') this.markDelivered(this.row(row.order_id), false);
    });
  }

  view(row: KioskOrderRow, delivery: KioskDeliveryView | null = null): KioskOrderView {
    return {
      orderId: row.order_id,
      what: row.what,
      state: row.state,
      amountFen: row.amount_fen,
      qr: row.state === 'awaiting_payment' && row.code_url !== null && row.expires_at !== null ? { codeUrl: row.code_url, expiresAt: row.expires_at } : null,
      paidAt: row.paid_at,
      transactionId: row.payment_id ?? (row.state === 'paid' || row.state === 'delivered' ? row.vend_id : null),
      honoured: row.honoured === 1,
      delivery,
      createdAt: row.created_at,
    };
  }

  private changed(orderId: string): void {
    const row = kioskOrder(this.ctx.deps.db, orderId);
    if (!row) return;
    const { delivery: _omit, ...view } = this.view(row);
    this.ctx.deps.emit('kiosk.orderChanged', { ...view, visitId: row.visit_id });
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
