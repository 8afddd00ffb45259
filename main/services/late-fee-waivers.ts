/**
 * The late-fee explainer and waiver.
 *
 * The explainer shows a bill's fee the way it was computed — the rule's name, and day range by day
 * range the rate, the days, the principal outstanding on them and the amount (computeLateFee's
 * segments) — and what was paid and waived; it is the same computation the account view and a
 * payment use, from the same cached bill (./late-fees.ts).
 *
 * A waiver forgives part or all of the fee due today, with a reason code and a supervisor's
 * approval (the shared `approve`). It is one transaction: the waiver row, the bill's waived total,
 * the journal entry and the `late_fee.waived` outbox event (laid over snapshots that do not hold it
 * yet, like payments). Its receipt is printed, and the next payment's receipt shows it too. The fee
 * keeps accruing after the waiver: a waiver is an amount forgiven, not a stop.
 */
import { AppError, type LateFeeExplanation, type LateFeeWaiverReason, type OperatorView, type WaiverResult, type WaiverView } from '../contract/index.js';
import type { Db } from '../store/db.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import { uuidv7 } from '../store/ids.js';
import { billsForSettlement } from '../store/payments.js';
import { insertWaiver, waiverById, waiverByRequest, waiversOfBill, type WaiverRow } from '../store/waivers.js';
import { PAYMENT_EVENT_TYPES, type LateFeeWaivedPayload } from '../wire/payments-wire.js';
import type { LateFeePolicy } from './accounts.js';
import { approve } from './auth.js';
import { localDate, type Clock } from './clock.js';
import { billLateFee } from './late-fees.js';
import { moneyInput } from './money-input.js';
import { waiverReceipt } from './receipts.js';
import type { PaymentReceipts } from './payments.js';
import type { Locale } from '../i18n/locales.js';
import { formatFen } from '../domain/money.js';

export interface LateFeeWaiversDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly lateFees: LateFeePolicy;
  readonly receipts?: PaymentReceipts;
  readonly defaultLocale: Locale;
  readonly afterCommit: () => void;
}

export interface WaiveInput {
  readonly requestId: string;
  readonly accountNo: string;
  readonly billId: string;
  readonly amount: string;
  readonly reasonCode: LateFeeWaiverReason;
  readonly note?: string | undefined;
  readonly receiptLocale?: Locale | undefined;
  readonly supervisorId: string;
  readonly supervisorPin: string;
}

export class LateFeeWaivers {
  constructor(private readonly deps: LateFeeWaiversDeps) {}

  /** How the open bill's fee is computed today (throws lateFee.bill_not_found for a bill not open in the cache). */
  explain(accountNo: string, billId: string): LateFeeExplanation {
    const { db, clock, timeZone, lateFees } = this.deps;
    const read = billsForSettlement(db, accountNo);
    if (!read) throw new AppError('account.not_found', { accountNo });
    const bill = read.bills.find((b) => b.billId === billId);
    if (!bill) throw new AppError('lateFee.bill_not_found', { billId });
    const asOf = localDate(clock(), timeZone);
    const quote = billLateFee(lateFees, read.customerClass, bill, asOf, bill.lateFeeWaivedFen);
    const c = quote.computation;
    return {
      accountNo,
      billId,
      period: bill.period,
      dueDate: bill.dueDate,
      asOf,
      ruleId: c?.ruleId ?? '',
      ruleNameKey: c?.ruleNameKey ?? quote.ruleKey,
      days: c?.days ?? quote.daysOverdue,
      segments: (c?.segments ?? []).map((s) => ({
        fromDate: s.fromDate,
        toDate: s.toDate,
        days: s.days,
        kind: s.kind,
        kindKey: s.kindKey,
        dailyRatePpm: s.dailyRatePpm,
        baseFen: s.baseFen,
        fen: s.fen,
      })),
      accruedFen: c?.accruedFen ?? 0,
      minimumFeeFen: c?.minimumFeeFen ?? 0,
      minimumApplied: c?.minimumApplied ?? false,
      totalFeeFen: c?.feeFen ?? 0,
      paidFen: bill.lateFeePaidFen,
      waivedFen: bill.lateFeeWaivedFen,
      dueFen: quote.fen,
      waivers: waiversOfBill(db, billId).map((w) => waiverView(w, bill.period)),
    };
  }

  async waive(input: WaiveInput, operator: OperatorView): Promise<WaiverResult> {
    const { db, clock } = this.deps;
    const fen = moneyInput(input.amount, 'amount');
    const again = waiverByRequest(db, input.requestId);
    if (again) {
      if (again.bill_id !== input.billId || again.fen !== fen) throw new AppError('payment.request_conflict', { waiverId: again.waiver_id });
      return this.result(again, input.receiptLocale, false);
    }
    // The request first: a PIN is tried only for a fee that is owed and may be waived this much.
    const before = this.explain(input.accountNo, input.billId);
    if (before.dueFen <= 0) throw new AppError('lateFee.nothing_to_waive');
    if (fen > before.dueFen) throw new AppError('lateFee.waiver_exceeds_fee', { due: formatFen(before.dueFen) });
    const approver = approve({ db, clock }, operator, { action: 'lateFee.waive', ref: input.billId, approverId: input.supervisorId, approverPin: input.supervisorPin });

    const now = clock();
    const at = now.toISOString();
    const waiverId = uuidv7(() => now);
    const payload: LateFeeWaivedPayload = {
      waiverId,
      accountNo: input.accountNo,
      billId: input.billId,
      fen,
      feeBeforeFen: before.dueFen,
      reasonCode: input.reasonCode,
      ...(input.note ? { note: input.note } : {}),
      asOf: before.asOf,
      operatorId: operator.operatorId,
      approvedBy: approver.operatorId,
    };
    db.transaction(() => {
      const seq = enqueueOutbox(db, { eventId: waiverId, type: PAYMENT_EVENT_TYPES.lateFeeWaived, occurredAt: at, payload });
      insertWaiver(db, {
        waiverId,
        requestId: input.requestId,
        accountNo: input.accountNo,
        billId: input.billId,
        fen,
        feeBeforeFen: before.dueFen,
        reasonCode: input.reasonCode,
        note: input.note ?? '',
        asOf: before.asOf,
        operatorId: operator.operatorId,
        approvedBy: approver.operatorId,
        createdAt: at,
        eventSeq: seq,
      });
      appendJournal(db, { type: PAYMENT_EVENT_TYPES.lateFeeWaived, ref: input.billId, actor: operator.operatorId, at, payload });
    }).immediate();
    this.deps.afterCommit();
    return this.result(waiverById(db, waiverId) as WaiverRow, input.receiptLocale, true);
  }

  private async result(w: WaiverRow, locale: Locale | undefined, print: boolean): Promise<WaiverResult> {
    const explanation = this.explainOrNull(w.account_no, w.bill_id);
    const view = waiverView(w, explanation?.period ?? '');
    const feeAfterFen = explanation?.dueFen ?? 0;
    if (!print) return { waiver: view, feeAfterFen, receipt: { printed: true, error: null } };
    const receipts = this.deps.receipts;
    const error = receipts ? await receipts.print(waiverReceipt(view, feeAfterFen, w.account_no, receipts.context(locale ?? this.deps.defaultLocale, w.operator_id, w.account_no))) : null;
    const { db, clock } = this.deps;
    appendJournal(db, {
      type: error ? 'receipt.failed' : 'receipt.printed',
      ref: w.waiver_id,
      actor: w.operator_id,
      at: clock().toISOString(),
      payload: error ? { code: error.code, reprint: false } : { reprint: false },
    });
    return { waiver: view, feeAfterFen, receipt: { printed: error === null, error } };
  }

  private explainOrNull(accountNo: string, billId: string): LateFeeExplanation | null {
    try {
      return this.explain(accountNo, billId);
    } catch {
      return null;
    }
  }
}

function waiverView(w: WaiverRow, period: string): WaiverView {
  return {
    waiverId: w.waiver_id,
    billId: w.bill_id,
    period,
    fen: w.fen,
    feeBeforeFen: w.fee_before_fen,
    reasonCode: w.reason_code as LateFeeWaiverReason,
    note: w.note,
    asOf: w.as_of,
    operatorId: w.operator_id,
    approvedBy: w.approved_by,
    createdAt: w.created_at,
  };
}
