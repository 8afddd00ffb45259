/**
 * Delivery of an STS token (print or screen, the attempt committed first), the delivered commit
 * with its settlement (shared with card vends), and reprints of a delivered vend.
 */
import { AppError, type OperatorView, type WireError } from '../../contract/index.js';
import type { Locale } from '../../i18n/locales.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import type { PaymentCreatedPayload } from '../../wire/backend-wire.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import type { VendContext } from './vend-context.js';
import { stepEventId, storedSplit, vendReceiptView, type VendRow } from './vend-store.js';

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
    const error = await ctx.deps.printVend(vendReceiptView(ctx.row(row.vend_id)), printedBefore, locale);
    if (error) {
      ctx.journalOnly(row.vend_id, 'vend.delivery_failed', actor, { via, code: error.code });
      return error;
    }
    crashPoint('vend.printed');
  }
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
    const toBills = split.arrearsFen;
    const toBalance = split.remainderFen;
    if (toBills + toBalance === 0) return;
    const paymentId = stepEventId(row.vend_id, 'settlement');
    const bills = db
      .prepare("SELECT bill_id, amount_fen - paid_fen AS due FROM bills WHERE account_no = ? AND status = 'open' ORDER BY due_date, period, bill_id")
      .all(row.account_no) as { bill_id: string; due: number }[];
    let left = toBills;
    const allocations: { billId: string; fen: number }[] = [];
    for (const b of bills) {
      if (left === 0) break;
      const fen = Math.min(left, b.due);
      if (fen > 0) allocations.push({ billId: b.bill_id, fen });
      left -= fen;
    }
    const toBalanceFen = toBalance + left;
    db.prepare(
      `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen,
         operator_id, external_ref, status, created_at) VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, 'completed', ?)`,
    ).run(paymentId, `vend:${row.vend_id}`, row.account_no, row.method, toBills + toBalance, toBalanceFen, row.operator_id, row.vend_id, ctx.deps.clock().toISOString());
    const alloc = db.prepare('INSERT INTO payment_allocations (payment_id, bill_id, principal_fen, late_fee_fen) VALUES (?, ?, ?, 0)');
    const settleBill = db.prepare(
      "UPDATE bills SET paid_fen = paid_fen + ?, status = CASE WHEN paid_fen + ? >= amount_fen THEN 'paid' ELSE 'open' END WHERE bill_id = ?",
    );
    for (const a of allocations) {
      alloc.run(paymentId, a.billId, a.fen);
      settleBill.run(a.fen, a.fen, a.billId);
    }
    if (toBalanceFen > 0) db.prepare('UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = ?').run(toBalanceFen, row.account_no);
    const payload: PaymentCreatedPayload = {
      paymentId,
      accountNo: row.account_no,
      method: row.method,
      amountFen: toBills + toBalance,
      allocations,
      lateFees: [],
      toBalanceFen,
      operatorId: row.operator_id,
      externalRef: row.vend_id,
    };
    enqueueOutbox(db, { eventId: paymentId, type: 'payment.created', occurredAt: ctx.deps.clock().toISOString(), payload });
  });
  crashPoint('vend.delivered');
}

/** A copy of a delivered vend's receipt, marked REPRINT and counted; a token_issued vend is delivered instead (see VendService.reprint). */
export function reprintDelivered(ctx: VendContext, vendId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null; reprints: number }> {
  const row = ctx.row(vendId);
  if (row.state !== 'delivered') throw new AppError('vending.not_delivered_yet', { state: row.state });
  return ctx.locked(vendId, async () => {
    const current = ctx.row(vendId);
    const error = await ctx.deps.printVend(vendReceiptView(current), true, locale ?? current.locale);
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
