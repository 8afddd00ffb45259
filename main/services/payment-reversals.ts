/**
 * Voids (a payment of the open shift, today) and refunds (later) of a whole payment, each only with
 * a supervisor's approval (the shared `approve`, so the same lockout as sign-in), a reason code and
 * a receipt marked void/refund.
 *
 * The settlement is reversed EXACTLY (main/domain/settlement.ts `reverseSettlement`): each bill gets
 * back the principal and the late fee this payment paid, its dated bill payments are dropped (so a
 * late fee computed afterwards accrues as if it had never been made), the balance part comes off,
 * the payment is marked voided/refunded and its e-invoice cancelled — one transaction with the
 * journal entry and the `payment.voided` / `payment.refunded` outbox event the backend reverses by.
 *
 * The money goes back by the way it came: cash from the drawer, a payment code or kiosk QR
 * refunded at the gateway (idempotent per refund number; the reversal stays 'requested' until the
 * gateway confirms, and is completed by a retry or at start), a bank card voided/refunded on the
 * bank POS, whose reference number the clerk records. A payment that is part of a prepaid vend is
 * never reversed here: its token or card credit was delivered and cannot be taken back.
 */
import { AppError, type OperatorView, type ReversalReasonCode, type ReversalResult, type ReversalView, type WireError } from '../contract/index.js';
import { reverseSettlement } from '../domain/settlement.js';
import type { Db } from '../store/db.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import { uuidv7 } from '../store/ids.js';
import {
  billPaidStates,
  cachedBalance,
  creditBalance,
  dropBillPayments,
  paymentAllocations,
  paymentById,
  paymentTenders,
  setBillPaid,
  setPaymentStatus,
} from '../store/payments.js';
import {
  activeReversalOf,
  insertReversal,
  markReversalCompleted,
  markReversalFailed,
  requestedReversals,
  reversalById,
  reversalByRequest,
  type ReversalRow,
} from '../store/reversals.js';
import { cancelInvoice } from '../store/invoices.js';
import { PAYMENT_EVENT_TYPES, type PaymentReversedPayload, type ReversalTender } from '../wire/payments-wire.js';
import { BackendUnavailable } from '../sync/http-json.js';
import { approve } from './auth.js';
import type { Clock } from './clock.js';
import { reversalReceipt } from './receipts.js';
import { openShiftId, type PaymentReceipts, type PaymentService, type PaymentShiftGate } from './payments.js';
import type { PaymentGateway } from './vending/gateway-client.js';
import type { Locale } from '../i18n/locales.js';

export interface ReversalInput {
  readonly requestId: string;
  readonly paymentId: string;
  readonly reasonCode: ReversalReasonCode;
  readonly note?: string | undefined;
  readonly cardReference?: string | undefined;
  readonly receiptLocale?: Locale | undefined;
  readonly supervisorId: string;
  readonly supervisorPin: string;
}

export interface PaymentReversalsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly payments: PaymentService;
  readonly gateway?: PaymentGateway;
  readonly receipts?: PaymentReceipts;
  readonly defaultLocale: Locale;
  readonly afterCommit: () => void;
  /** The drawer: a cash part goes back out of the open shift's drawer (required when shifts are). */
  readonly shifts?: PaymentShiftGate;
}

const CARD_REFERENCE = /^[A-Za-z0-9-]{4,32}$/;

/** A kiosk QR order (merchant-presented, the native-order API) refunded in full; same outcomes as `refund`. */
async function nativeRefund(gateway: PaymentGateway, outTradeNo: string, outRefundNo: string, amountFen: number, reason: string): Promise<{ status: 'refunded'; refundNo: string } | { status: 'refused' | 'unknown' }> {
  try {
    const r = await gateway.refundNativeOrder(outTradeNo, outRefundNo, amountFen, reason);
    // 'not_paid': the order never took the money — nothing to give back through the gateway.
    return r.status === 'refunded' ? { status: 'refunded', refundNo: r.refundNo ?? outRefundNo } : { status: 'refused' };
  } catch (err) {
    return { status: err instanceof BackendUnavailable && err.reason === 'refused' ? 'refused' : 'unknown' };
  }
}

export function reversalView(r: ReversalRow): ReversalView {
  return {
    reversalId: r.reversal_id,
    paymentId: r.payment_id,
    kind: r.kind,
    state: r.state,
    amountFen: r.amount_fen,
    reasonCode: r.reason_code as ReversalReasonCode,
    note: r.note,
    cardReference: r.card_reference,
    operatorId: r.operator_id,
    approvedBy: r.approved_by,
    createdAt: r.created_at,
  };
}

export class PaymentReversals {
  private readonly running = new Map<string, Promise<ReversalResult>>();

  constructor(private readonly deps: PaymentReversalsDeps) {}

  async reverse(kind: 'void' | 'refund', input: ReversalInput, operator: OperatorView): Promise<ReversalResult> {
    const { db, clock } = this.deps;
    const again = reversalByRequest(db, input.requestId);
    if (again) {
      if (again.payment_id !== input.paymentId || again.kind !== kind) throw new AppError('payment.request_conflict', { reversalId: again.reversal_id });
      return this.finish(again.reversal_id, input.receiptLocale);
    }
    // The request first: a PIN is tried only for a payment that exists and may be reversed this way.
    const row = paymentById(db, input.paymentId);
    if (!row) throw new AppError('payment.not_found', { paymentId: input.paymentId });
    if (row.request_id.startsWith('vend:')) throw new AppError('payment.part_of_vend', { vendId: row.request_id.slice(5) });
    const active = activeReversalOf(db, row.payment_id);
    // One under way (its money was on its way back when the answer was lost): finish that one.
    if (active?.state === 'requested') return this.finish(active.reversal_id, input.receiptLocale);
    if (active || row.status !== 'completed') throw new AppError('payment.already_reversed', { paymentId: row.payment_id });
    if (kind === 'void' && !this.deps.payments.voidable(row)) throw new AppError('payment.void_window_passed');
    const tenders = paymentTenders(db, row.payment_id);
    const cardReference = input.cardReference?.trim() ?? null;
    if (tenders.some((t) => t.method === 'card')) {
      if (!cardReference) throw new AppError('payment.card_reference_required');
      if (!CARD_REFERENCE.test(cardReference)) throw new AppError('payment.card_reference_invalid');
    }
    if (tenders.some((t) => (t.method === 'code' || t.method === 'qr') && t.outTradeNo === null)) {
      throw new AppError('payment.refund_refused', { reason: 'no_gateway_order' });
    }
    if (row.to_balance_fen > 0 && (cachedBalance(db, row.account_no) ?? 0) < row.to_balance_fen) {
      throw new AppError('payment.balance_used', { toBalance: row.to_balance_fen });
    }
    // Cash goes back out of a drawer: that needs the open shift when the terminal keeps shifts.
    const shiftId = tenders.some((t) => t.method === 'cash') ? (this.deps.shifts?.shiftForPayment() ?? null) : openShiftId(this.deps.shifts);
    // Then the approval (shared lockout with sign-in; refusals are journaled as 'approval.failed').
    const approver = approve({ db, clock }, operator, { action: `payment.${kind}`, ref: row.payment_id, approverId: input.supervisorId, approverPin: input.supervisorPin });

    const reversalId = uuidv7(clock);
    const at = clock().toISOString();
    db.transaction(() => {
      insertReversal(db, {
        reversalId,
        requestId: input.requestId,
        paymentId: row.payment_id,
        accountNo: row.account_no,
        kind,
        amountFen: row.amount_fen,
        reasonCode: input.reasonCode,
        note: input.note ?? '',
        cardReference: tenders.some((t) => t.method === 'card') ? cardReference : null,
        operatorId: operator.operatorId,
        approvedBy: approver.operatorId,
        shiftId,
        createdAt: at,
      });
      appendJournal(db, {
        type: 'payment.reversal_requested',
        ref: row.payment_id,
        actor: operator.operatorId,
        at,
        payload: { reversalId, kind, amountFen: row.amount_fen, reasonCode: input.reasonCode, approvedBy: approver.operatorId },
      });
    }).immediate();
    return this.finish(reversalId, input.receiptLocale);
  }

  /** Reversals left 'requested' (the gateway was away, or a crash): finished now if the gateway answers. */
  async resume(): Promise<number> {
    let done = 0;
    for (const r of requestedReversals(this.deps.db)) {
      try {
        await this.finish(r.reversal_id, undefined);
        done++;
      } catch {
        // The gateway is still away, or refused (recorded): the next round.
      }
    }
    return done;
  }

  /** One completion per reversal at a time: a retry and the start-up sweep never refund twice. */
  private finish(reversalId: string, locale: Locale | undefined): Promise<ReversalResult> {
    const running = this.running.get(reversalId);
    if (running) return running;
    const run = this.complete(reversalId, locale).finally(() => this.running.delete(reversalId));
    this.running.set(reversalId, run);
    return run;
  }

  private async complete(reversalId: string, locale: Locale | undefined): Promise<ReversalResult> {
    const { db, clock } = this.deps;
    let rev = reversalById(db, reversalId);
    if (!rev) throw new Error(`no reversal ${reversalId}`);
    if (rev.state === 'failed') throw new AppError('payment.refund_refused');
    if (rev.state === 'completed') {
      return { reversal: reversalView(rev), payment: this.deps.payments.load(rev.payment_id), receipt: this.lastReceipt(reversalId) };
    }
    const payment = paymentById(db, rev.payment_id);
    if (!payment) throw new Error(`reversal ${reversalId} of missing payment ${rev.payment_id}`);
    const tenders = paymentTenders(db, payment.payment_id);
    const refunds: ReversalTender[] = [];
    for (const [i, t] of tenders.entries()) {
      if (t.method === 'code' || t.method === 'qr') {
        const gateway = this.deps.gateway;
        if (!gateway || t.outTradeNo === null) throw new AppError('payment.refund_unavailable');
        const outRefundNo = `R${reversalId.replace(/-/g, '')}${i + 1}`;
        const r = t.method === 'qr' ? await nativeRefund(gateway, t.outTradeNo, outRefundNo, t.amountFen, rev.reason_code) : await gateway.refund(t.outTradeNo, outRefundNo, t.amountFen);
        if (r.status === 'refused') {
          this.journalOnly(rev, 'payment.reversal_failed', { reason: 'gateway_refused', outTradeNo: t.outTradeNo });
          markReversalFailed(db, reversalId, clock().toISOString());
          throw new AppError('payment.refund_refused');
        }
        if (r.status !== 'refunded') throw new AppError('payment.refund_unavailable');
        refunds.push({ method: t.method, fen: t.amountFen, externalRef: r.refundNo });
      } else if (t.method === 'card') {
        refunds.push({ method: 'card', fen: t.amountFen, ...(rev.card_reference ? { externalRef: rev.card_reference } : {}) });
      } else {
        refunds.push({ method: 'cash', fen: t.amountFen });
      }
    }
    this.commit(rev, refunds);
    this.deps.afterCommit();
    rev = reversalById(db, reversalId) as ReversalRow;
    const paymentView = this.deps.payments.load(rev.payment_id);
    const reversal = reversalView(rev);
    const receipt = await this.printReceipt(reversal, paymentView, locale);
    return { reversal, payment: paymentView, receipt };
  }

  /** The reversed settlement, the payment's status, journal and outbox — one transaction. */
  private commit(rev: ReversalRow, refunds: readonly ReversalTender[]): void {
    const { db, clock } = this.deps;
    const at = clock().toISOString();
    db.transaction(() => {
      const payment = paymentById(db, rev.payment_id);
      const current = reversalById(db, rev.reversal_id);
      if (!payment || payment.status !== 'completed' || current?.state !== 'requested') throw new AppError('payment.already_reversed', { paymentId: rev.payment_id });
      const allocations = paymentAllocations(db, payment.payment_id);
      // The pure rule on the cached bills: exactly this payment's principal and fee come off, its dated payments go.
      const after = reverseSettlement(
        billPaidStates(db, allocations.map((a) => a.billId)),
        payment.payment_id,
        allocations.map((a) => ({ billId: a.billId, principalFen: a.principalFen, lateFeeFen: a.lateFeeFen })),
      );
      for (const b of after) setBillPaid(db, b.billId, b.paidFen, b.lateFeePaidFen);
      dropBillPayments(db, payment.payment_id);
      if (payment.to_balance_fen > 0) creditBalance(db, payment.account_no, -payment.to_balance_fen);
      setPaymentStatus(db, payment.payment_id, rev.kind === 'void' ? 'voided' : 'refunded');
      cancelInvoice(db, payment.payment_id);
      const payload: PaymentReversedPayload = {
        reversalId: rev.reversal_id,
        paymentId: payment.payment_id,
        accountNo: payment.account_no,
        kind: rev.kind,
        amountFen: payment.amount_fen,
        allocations: allocations.filter((a) => a.principalFen > 0).map((a) => ({ billId: a.billId, fen: a.principalFen })),
        lateFees: allocations.filter((a) => a.lateFeeFen > 0).map((a) => ({ billId: a.billId, fen: a.lateFeeFen })),
        toBalanceFen: payment.to_balance_fen,
        method: payment.method as PaymentReversedPayload['method'],
        tenders: [...refunds],
        reasonCode: rev.reason_code,
        ...(rev.note ? { note: rev.note } : {}),
        operatorId: rev.operator_id,
        approvedBy: rev.approved_by,
        ...(rev.shift_id ? { shiftId: rev.shift_id } : {}),
      };
      const type = rev.kind === 'void' ? PAYMENT_EVENT_TYPES.paymentVoided : PAYMENT_EVENT_TYPES.paymentRefunded;
      // The reversal id is the event id; its sequence number lays it over snapshots that do not hold it.
      const seq = enqueueOutbox(db, { eventId: rev.reversal_id, type, occurredAt: at, payload });
      markReversalCompleted(db, rev.reversal_id, at, seq);
      appendJournal(db, { type, ref: payment.payment_id, actor: rev.operator_id, at, payload });
    }).immediate();
  }

  private async printReceipt(reversal: ReversalView, payment: ReturnType<PaymentService['load']>, locale: Locale | undefined): Promise<{ printed: boolean; error: WireError | null }> {
    const receipts = this.deps.receipts;
    let error: WireError | null = null;
    if (receipts) {
      const lng = locale ?? this.deps.defaultLocale;
      error = await receipts.print(reversalReceipt(reversal, payment, receipts.context(lng, reversal.operatorId, payment.accountNo)));
    }
    const { db, clock } = this.deps;
    appendJournal(db, {
      type: error ? 'receipt.failed' : 'receipt.printed',
      ref: reversal.reversalId,
      actor: reversal.operatorId,
      at: clock().toISOString(),
      payload: error ? { code: error.code, reprint: false } : { reprint: false },
    });
    return { printed: error === null, error };
  }

  private lastReceipt(reversalId: string): { printed: boolean; error: WireError | null } {
    const last = this.deps.db
      .prepare("SELECT type FROM journal WHERE ref = ? AND type LIKE 'receipt.%' ORDER BY seq DESC LIMIT 1")
      .get(reversalId) as { type: string } | undefined;
    return { printed: last?.type === 'receipt.printed', error: null };
  }

  private journalOnly(rev: ReversalRow, type: string, payload: Record<string, unknown>): void {
    const { db, clock } = this.deps;
    db.transaction(() => {
      appendJournal(db, { type, ref: rev.payment_id, actor: rev.operator_id, at: clock().toISOString(), payload: { reversalId: rev.reversal_id, ...payload } });
    }).immediate();
  }
}
