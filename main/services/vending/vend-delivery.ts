/**
 * Delivery of an STS token (print or screen, the attempt committed first), the delivered commit
 * with its settlement (shared with card vends), and reprints of a delivered vend.
 */
import { AppError, type OperatorView, type WireError } from '../../contract/index.js';
import type { Locale } from '../../i18n/locales.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { writePayment } from '../payment-writer.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import type { VendContext } from './vend-context.js';
import { accrueVendPoints, receiptView } from './vend-points.js';
import { stepEventId, storedSplit, type VendRow } from './vend-store.js';

/**
 * Print or show the token. The attempt is committed BEFORE the token leaves the terminal: after
 * a crash, a lost answer or a printer fault the customer may hold it, so the vend can then only
 * be delivered, never reversed.
 */
export async function deliverToken(ctx: VendContext, row: VendRow, via: 'print' | 'screen', locale: Locale, actor: string): Promise<WireError | null> {
  // A print attempt already journaled (a crash, a lost answer, a printer fault mid-job) may have
  // put paper in the customer's hand: this print then carries the reprint mark.
  const printedBefore = printAttempts(ctx, row.vend_id) > 0;
  markDeliveryAttempted(ctx, row, via, actor);
  if (via === 'print') {
    const error = await ctx.deps.printVend(receiptView(ctx, ctx.row(row.vend_id)), printedBefore, locale);
    if (error) {
      ctx.journalOnly(row.vend_id, 'vend.delivery_failed', actor, { via, code: error.code });
      return error;
    }
    crashPoint('vend.printed');
  } else crashPoint('vend.shown');
  markDelivered(ctx, row, via === 'print' ? 'printed' : 'shown', actor);
  return null;
}

function printAttempts(ctx: VendContext, vendId: string): number {
  return (ctx.deps.db
    .prepare("SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = 'vend.delivery_attempted' AND json_extract(payload, '$.via') = 'print'")
    .get(vendId) as { n: number }).n;
}

function markDeliveryAttempted(ctx: VendContext, row: VendRow, via: 'print' | 'screen', actor: string): void {
  const { db } = ctx.deps;
  const at = ctx.deps.clock().toISOString();
  db.transaction(() => {
    const info = db.prepare("UPDATE vends SET delivery_attempts = delivery_attempts + 1, updated_at = ? WHERE vend_id = ? AND state = 'token_issued'").run(at, row.vend_id);
    if (info.changes !== 1) throw new Error(`vend ${row.vend_id} is no longer token_issued`);
    const attempt = (db.prepare('SELECT delivery_attempts AS n FROM vends WHERE vend_id = ?').get(row.vend_id) as { n: number }).n;
    appendJournal(db, { type: 'vend.delivery_attempted', ref: row.vend_id, actor, at, payload: { vendId: row.vend_id, via, attempt } });
  }).immediate();
}

/**
 * Delivered: the vend is final. The arrears it recovered settle the oldest open bills and the
 * remainder goes to the balance — as a payment (payment.created), in the same commit.
 */
export function markDelivered(ctx: VendContext, row: VendRow, delivery: 'printed' | 'shown' | 'card', actor: string, columns: Partial<Pick<VendRow, 'card_counter_after'>> = {}): void {
  const { db } = ctx.deps;
  const split = storedSplit(row).split;
  ctx.transition(row, 'delivered', 'vend.delivered', actor, {
    delivery,
    amountFen: row.amount_fen,
    channelFeeFen: split.channelFeeFen,
    arrearsFen: split.arrearsFen,
    fixedChargesFen: split.fixedChargesFen,
    energyFen: split.energyFen,
    energyCkwh: split.energyCkwh,
    remainderFen: split.remainderFen,
    ...(columns.card_counter_after !== undefined ? { cardCounterAfter: columns.card_counter_after, cardAmountFen: row.card_amount_fen } : {}),
  }, { delivery, ...columns }, () => {
    // The recovered arrears settle the oldest bills by the one settlement rule (each bill's late
    // fee before its principal); the remainder (and any arrears the bills no longer need) goes to
    // the balance. Written by the one payment writer, inside this delivered commit.
    // Points for the energy bought, in this same commit: the guarded transition runs once per vend.
    accrueVendPoints(ctx, row, actor);
    const toBills = split.arrearsFen;
    const amountFen = toBills + split.remainderFen;
    if (amountFen === 0) return;
    writePayment(db, {
      paymentId: stepEventId(row.vend_id, 'settlement'),
      requestId: `vend:${row.vend_id}`,
      accountNo: row.account_no,
      method: row.method,
      amountFen,
      maxToBillsFen: toBills,
      tenderedFen: null,
      changeFen: 0,
      operatorId: row.operator_id,
      externalRef: row.vend_id,
      createdAt: ctx.deps.clock().toISOString(),
      openBills: () => ctx.deps.accounts.settlementBills(row.account_no),
    });
  });
  crashPoint('vend.delivered');
}

/** A copy of a delivered vend's receipt, marked REPRINT and counted; a token_issued vend is delivered instead (see VendService.reprint). */
export function reprintDelivered(ctx: VendContext, vendId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null; reprints: number }> {
  const row = ctx.row(vendId);
  if (row.state !== 'delivered') throw new AppError('vending.not_delivered_yet', { state: row.state });
  return ctx.locked(vendId, async () => {
    const current = ctx.row(vendId);
    const error = await ctx.deps.printVend(receiptView(ctx, current), true, locale ?? current.locale);
    const at = ctx.deps.clock().toISOString();
    const { db } = ctx.deps;
    if (error) {
      ctx.journalOnly(vendId, 'vend.reprint_failed', operator.operatorId, { code: error.code });
      return { printed: false, error, reprints: current.reprints };
    }
    db.transaction(() => {
      db.prepare('UPDATE vends SET reprints = reprints + 1, updated_at = ? WHERE vend_id = ?').run(at, vendId);
      const n = current.reprints + 1;
      appendJournal(db, { type: 'vend.reprinted', ref: vendId, actor: operator.operatorId, at, payload: { vendId, reprint: n } });
      enqueueOutbox(db, { eventId: stepEventId(vendId, `reprint-${n}`), type: 'vend.reprinted', occurredAt: at, payload: { vendId, reprint: n, operatorId: operator.operatorId } });
    }).immediate();
    ctx.deps.afterCommit();
    return { printed: true, error: null, reprints: current.reprints + 1 };
  });
}

/**
 * The first paper copy of a token already shown on screen (the kiosk shows the token first and
 * prints while the customer reads it). Not a reprint: no earlier paper left the printer. The
 * delivery itself was the screen, so a failed print here loses nothing; both outcomes are journaled.
 */
export function printShownCopy(ctx: VendContext, vendId: string, actor: string, locale?: Locale): Promise<WireError | null> {
  return ctx.locked(vendId, async () => {
    const row = ctx.row(vendId);
    if (row.state !== 'delivered' || row.delivery !== 'shown') throw new AppError('vending.not_delivered_yet', { state: row.state });
    const error = await ctx.deps.printVend(receiptView(ctx, row), false, locale ?? row.locale);
    if (error) ctx.journalOnly(vendId, 'vend.copy_print_failed', actor, { code: error.code });
    else ctx.journalOnly(vendId, 'vend.copy_printed', actor, {});
    return error;
  });
}
