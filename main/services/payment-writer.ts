/**
 * The ONE payment writer. Every money movement that reaches an account — a counter payment, the
 * arrears a prepaid vend recovers, and any later channel (kiosk, QR, bank card) — is written by
 * `writePayment`, inside the caller's transaction:
 *
 *   the settlement (main/domain/settlement.ts: oldest bill first, each bill's late fee before its
 *   principal) of the account's open bills as of the commit, then the payment row, the allocations
 *   (principal and late fee per bill), the bill updates and their dated principal payments (which
 *   later late fees replay), the balance, one journal entry and one `payment.created` outbox
 *   event (with `paidOn`, the date the fees were settled as of).
 *
 * The SQL is in the store's repository (main/store/payments.ts). The counter commits through
 * `commitPayment` (services/payments.ts, its own immediate transaction); a vend writes inside its
 * `delivered` commit.
 */
import { AppError } from '../contract/index.js';
import { billSettledBy, settle, type OpenBill, type Settlement } from '../domain/settlement.js';
import type { Db } from '../store/db.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import {
  billsForSettlement,
  creditBalance,
  insertAllocation,
  insertPayment,
  insertTender,
  paymentByRequest,
  recordBillPayment,
  setPaymentEventSeq,
  settleBill,
  type TenderRow,
} from '../store/payments.js';
import type { PaymentCreatedPayload, PaymentMethod } from '../wire/backend-wire.js';
import type { LateFeePolicy } from './accounts.js';
import { billLateFee } from './late-fees.js';

/** The open bills a payment settles, with their late fees as of `asOfDate` (the payment's local date). */
export interface SettlementBills {
  readonly asOfDate: string;
  readonly bills: readonly OpenBill[];
}

/**
 * The account's open bills as settlement reads them from the cache, each with the late fee the
 * policy computes for `asOfDate`. Call it inside the payment's transaction, so a payment committed
 * meanwhile for the same account is already settled there and nothing is paid twice.
 */
export function settlementBills(db: Db, accountNo: string, asOfDate: string, lateFees: LateFeePolicy): SettlementBills {
  const read = billsForSettlement(db, accountNo);
  if (!read) throw new AppError('account.not_found', { accountNo });
  return {
    asOfDate,
    bills: read.bills.map((b) => ({
      billId: b.billId,
      period: b.period,
      dueDate: b.dueDate,
      outstandingFen: b.amountFen - b.paidFen,
      lateFeeFen: billLateFee(lateFees, read.customerClass, b, asOfDate, b.lateFeeWaivedFen).fen,
    })),
  };
}

export interface PaymentToWrite {
  readonly paymentId: string;
  /** Idempotency key (UNIQUE): the counter's requestId, `vend:<vendId>` for a vend's recovery. */
  readonly requestId: string;
  readonly accountNo: string;
  readonly method: PaymentMethod;
  /** Money the account receives. */
  readonly amountFen: number;
  /** At most this much goes to bills, the rest to the balance (default: all of it). */
  readonly maxToBillsFen?: number;
  readonly tenderedFen: number | null;
  readonly changeFen: number;
  readonly operatorId: string;
  /** Gateway trade number, bank-terminal reference, or the vend id. */
  readonly externalRef: string | null;
  readonly createdAt: string;
  /** The open bills as of the commit; called inside the transaction. */
  readonly openBills: () => SettlementBills;
  /**
   * How the money was handed over (they add up to amountFen). Default: one tender of `method`
   * (not 'split') with the amount, tendered, change and external ref above.
   */
  readonly tenders?: readonly TenderRow[];
  /** The shift the payment belongs to (the drawer it went into); null/absent without shifts. */
  readonly shiftId?: string | null;
  /**
   * Or the shift read inside the transaction (the shift area's gate, which throws when shifts are
   * required and none is open), so a shift counted meanwhile cannot take the payment.
   */
  readonly shift?: () => string | null;
}

export interface WrittenPayment {
  readonly paymentId: string;
  readonly settlement: Settlement;
  readonly payload: PaymentCreatedPayload;
}

/** Writes one payment inside the caller's transaction (see the module comment). */
export function writePayment(db: Db, p: PaymentToWrite): WrittenPayment {
  if (!db.inTransaction) throw new Error('writePayment must run inside a transaction');
  // A concurrent retry of the same request may have committed while the account was looked up.
  if (paymentByRequest(db, p.requestId)) throw new AppError('payment.duplicate_request');
  const tenders: readonly TenderRow[] = p.tenders ?? [
    {
      method: singleTenderMethod(p.method),
      amountFen: p.amountFen,
      tenderedFen: p.tenderedFen,
      changeFen: p.changeFen,
      externalRef: p.externalRef,
      outTradeNo: null,
    },
  ];
  if (tenders.length === 0 || tenders.reduce((sum, t) => sum + t.amountFen, 0) !== p.amountFen) {
    throw new Error(`tenders of payment ${p.paymentId} do not add up to its amount`);
  }
  const shiftId = p.shift ? p.shift() : (p.shiftId ?? null);
  const { asOfDate, bills } = p.openBills();
  const settlement = settle(p.amountFen, bills, p.maxToBillsFen === undefined ? {} : { maxToBillsFen: p.maxToBillsFen });
  insertPayment(db, {
    paymentId: p.paymentId,
    requestId: p.requestId,
    accountNo: p.accountNo,
    method: p.method,
    amountFen: p.amountFen,
    tenderedFen: p.tenderedFen,
    changeFen: p.changeFen,
    toBalanceFen: settlement.toBalanceFen,
    operatorId: p.operatorId,
    externalRef: p.externalRef,
    createdAt: p.createdAt,
    shiftId,
  });
  tenders.forEach((t, i) => insertTender(db, p.paymentId, i + 1, t));
  const byId = new Map(bills.map((b) => [b.billId, b]));
  for (const a of settlement.allocations) {
    const bill = byId.get(a.billId);
    if (!bill) throw new Error(`settlement allocated to unknown bill ${a.billId}`);
    insertAllocation(db, p.paymentId, a);
    settleBill(db, a.billId, a.principalFen, a.lateFeeFen, billSettledBy(bill, a));
    // Dated, so the late fee from tomorrow on accrues on the principal left.
    if (a.principalFen > 0) recordBillPayment(db, a.billId, p.paymentId, asOfDate, a.principalFen);
  }
  if (settlement.toBalanceFen > 0) creditBalance(db, p.accountNo, settlement.toBalanceFen);
  const payload: PaymentCreatedPayload = {
    paymentId: p.paymentId,
    accountNo: p.accountNo,
    method: p.method,
    amountFen: p.amountFen,
    allocations: settlement.allocations.filter((a) => a.principalFen > 0).map((a) => ({ billId: a.billId, fen: a.principalFen })),
    lateFees: settlement.allocations.filter((a) => a.lateFeeFen > 0).map((a) => ({ billId: a.billId, fen: a.lateFeeFen })),
    toBalanceFen: settlement.toBalanceFen,
    operatorId: p.operatorId,
    ...(p.externalRef !== null ? { externalRef: p.externalRef } : {}),
    ...(shiftId ? { shiftId } : {}),
    // A split tender says how; a single tender is the method itself.
    ...(tenders.length > 1
      ? { tenders: tenders.map((t) => ({ method: t.method, fen: t.amountFen, ...(t.externalRef !== null ? { externalRef: t.externalRef } : {}) })) }
      : {}),
    paidOn: asOfDate,
  };
  appendJournal(db, {
    type: 'payment.created',
    ref: p.paymentId,
    actor: p.operatorId,
    at: p.createdAt,
    payload: { ...payload, tenderedFen: p.tenderedFen, changeFen: p.changeFen },
  });
  // The payment id is the event id: the backend deduplicates on it forever.
  const seq = enqueueOutbox(db, { eventId: p.paymentId, type: 'payment.created', occurredAt: p.createdAt, payload });
  // Snapshots say up to which sequence number they hold this terminal's events: later payments are laid over them.
  setPaymentEventSeq(db, p.paymentId, seq);
  return { paymentId: p.paymentId, settlement, payload };
}

function singleTenderMethod(method: PaymentMethod): TenderRow['method'] {
  if (method === 'split') throw new Error('a split payment lists its tenders');
  return method;
}
