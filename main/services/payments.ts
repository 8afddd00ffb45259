/**
 * Taking a payment. The whole money movement — payment row, tenders, allocations, bill
 * settlement, balance, journal entry and outbox event (and the e-invoice request) — is ONE SQLite
 * transaction; the service answers success only after it commits. The receipt prints afterwards
 * and its outcome is journaled, so a dead printer never undoes or duplicates money. The movement
 * itself is written by the one payment writer (./payment-writer.ts), the same one a vend's arrears
 * recovery and the kiosk go through.
 *
 * Methods (docs/payments.md): cash (with change); the customer's payment code, charged through the
 * gateway before anything is written (./code-payments.ts: never charged twice, never charged
 * without a payment); a bank card paid on the separate bank POS, recorded with its reference
 * number; a split of those. Voids and refunds are in ./payment-reversals.ts.
 */
import type { z } from 'zod';
import type { Transaction } from 'better-sqlite3';
import type { Receipt } from '../../kiosk-drivers/printer/receipt-model.js';
import { AppError, type OperatorView, type PaymentView, type TenderView, type WireError, type methodSchemas } from '../contract/index.js';
import { cashChange, checkTenders, type TenderInput } from '../domain/settlement.js';
import { formatFen } from '../domain/money.js';
import type { Db } from '../store/db.js';
import { appendJournal, journalEntries } from '../store/journal.js';
import {
  cardReferenceUsed,
  paymentAllocations,
  paymentById,
  paymentByRequest,
  paymentTenders,
  recentPayments,
  type PaymentRow,
  type TenderRow,
} from '../store/payments.js';
import { codeChargeByRequest, type CodeChargeRow } from '../store/code-charges.js';
import { activeReversalOf } from '../store/reversals.js';
import { invoiceOf } from '../store/invoices.js';
import { waiversOfBill } from '../store/waivers.js';
import { uuidv7 } from '../store/ids.js';
import type { PaymentMethod } from '../wire/backend-wire.js';
import type { AccountService } from './accounts.js';
import { localDate, type Clock } from './clock.js';
import { moneyInput } from './money-input.js';
import { writePayment, type PaymentToWrite, type WrittenPayment } from './payment-writer.js';
import { CodePayments, PAYMENT_CODE, type CodeTiming } from './code-payments.js';
import { InvoiceService } from './invoices.js';
import { paymentReceipt, type ReceiptContext } from './receipts.js';
import { reversalView } from './payment-reversals.js';
import type { PaymentGateway } from './vending/gateway-client.js';
import type { Locale } from '../i18n/locales.js';

export type CreatePaymentInput = z.output<(typeof methodSchemas)['payment.create']>;

/** How receipts reach the printer: the printer itself and the context every receipt starts from. */
export interface PaymentReceipts {
  print(receipt: Receipt): Promise<WireError | null>;
  context(locale: Locale, operatorId: string, accountNo: string): ReceiptContext;
  /**
   * Whether the payment's receipt is provisional (its event not yet acknowledged by the backend)
   * and its verify code; `settle`: give a push in flight a moment first (printing, not previews).
   */
  provisional?(payment: PaymentView, settle: boolean): Promise<{ readonly verifyCode: string } | null>;
}

export interface PaymentServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly accounts: AccountService;
  /**
   * Prints the receipt for a committed payment; resolves to the device error, or null when printed.
   * Used when `receipts` is absent (then receipts carry no reprint number).
   */
  readonly printReceipt?: (payment: PaymentView, reprint: boolean, locale: Locale) => Promise<WireError | null>;
  readonly receipts?: PaymentReceipts;
  readonly defaultLocale: Locale;
  /** Nudges sync after a commit; never awaited by the payment. */
  readonly afterCommit: () => void;
  /** The payment gateway (payment codes); absent: payment codes are refused. */
  readonly gateway?: PaymentGateway;
  readonly codeTiming?: CodeTiming;
  readonly invoices?: InvoiceService;
  /** The terminal's zone (what "today" is for voids); default Asia/Shanghai. */
  readonly timeZone?: string;
  /**
   * The drawer (the shift area's gate): a payment belongs to the open shift, read inside its
   * commit (throws shift.not_open / shift.already_counted when shifts are required), and only the
   * open shift's payments may be voided. Absent: the terminal keeps no shifts (void = same day).
   */
  readonly shifts?: PaymentShiftGate;
  /** The same as `shifts.shiftForPayment`, for a caller that hands over only that function. */
  readonly currentShiftId?: () => string | null;
}

/** What payments need of the shift area (main/services/shift: ShiftGate). */
export interface PaymentShiftGate {
  /** The open shift's id for a payment committed now; throws when shifts are required and none is open. */
  shiftForPayment(): string | null;
}

/** The open shift's id, or null (none open, or the terminal keeps no shifts). */
export function openShiftId(shifts: PaymentShiftGate | undefined): string | null {
  if (!shifts) return null;
  try {
    return shifts.shiftForPayment();
  } catch {
    return null;
  }
}

const DEFAULT_CODE_TIMING: CodeTiming = { queryIntervalMs: 2000, confirmWithinMs: 15_000 };
/** A bank POS reference number (参考号): 4–32 letters, digits or dashes. */
const CARD_REFERENCE = /^[A-Za-z0-9-]{4,32}$/;

/** A payment as planned from the request, before anything is written. */
interface Plan {
  readonly method: PaymentMethod;
  readonly amountFen: number;
  readonly tenders: readonly TenderRow[];
  /** Cash handed over (the cash part), null without cash. */
  readonly tenderedFen: number | null;
  readonly changeFen: number;
  /** The code part, charged at the gateway first. */
  readonly code: { readonly authCode: string; readonly amountFen: number } | null;
}

export class PaymentService {
  readonly codes: CodePayments | null;
  readonly invoices: InvoiceService;
  /** The drawer's gate (from `shifts` or `currentShiftId`); undefined without shifts. */
  readonly shifts: PaymentShiftGate | undefined;

  constructor(private readonly deps: PaymentServiceDeps) {
    const current = deps.currentShiftId;
    this.shifts = deps.shifts ?? (current ? { shiftForPayment: () => current() } : undefined);
    this.codes = deps.gateway
      ? new CodePayments({ db: deps.db, clock: deps.clock, gateway: deps.gateway, timing: deps.codeTiming ?? DEFAULT_CODE_TIMING })
      : null;
    this.invoices = deps.invoices ?? new InvoiceService({ db: deps.db, clock: deps.clock, client: null, timeoutMs: 0 });
  }

  async create(input: CreatePaymentInput, operator: OperatorView): Promise<PaymentView> {
    const { db } = this.deps;
    // Validate everything before touching anything.
    const amountFen = moneyInput(input.amount, 'amount');
    const existing = paymentByRequest(db, input.requestId);
    if (existing) {
      // A retry of the same payment gets the first one back; the same id for another payment is refused.
      if (existing.account_no !== input.accountNo || existing.method !== input.method || existing.amount_fen !== amountFen) {
        throw new AppError('payment.request_conflict', { paymentId: existing.payment_id });
      }
      return this.load(existing.payment_id);
    }
    const charged = codeChargeByRequest(db, input.requestId);
    if (charged) {
      // The same payment asked again while (or after) its code was being charged: never a second charge.
      if (charged.account_no !== input.accountNo) throw new AppError('payment.request_conflict', { paymentId: charged.payment_id });
      const plan = this.plan(input, amountFen, { retry: true });
      if (plan.code?.amountFen !== charged.amount_fen) throw new AppError('payment.request_conflict', { paymentId: charged.payment_id });
      return this.settleCode(charged.out_trade_no, charged.payment_id, input, plan, operator, false);
    }
    const plan = this.plan(input, amountFen, { retry: false });
    // No drawer, no money: checked before the customer's code is charged (and again in the commit).
    this.shifts?.shiftForPayment();

    // Freshest bills we can get (online, else cache); throws account.not_found for unknown accounts.
    const view = await this.deps.accounts.lookup(input.accountNo);
    const paymentId = uuidv7(this.deps.clock);
    if (plan.code) {
      if (!this.codes) throw new AppError('payment.method_unsupported', { method: 'code' });
      const outTradeNo = this.codes.begin({
        requestId: input.requestId,
        paymentId,
        accountNo: view.accountNo,
        amountFen: plan.code.amountFen,
        paymentAmountFen: amountFen,
        split: plan.tenders.length > 1,
        authCode: plan.code.authCode,
        operatorId: operator.operatorId,
      });
      return this.settleCode(outTradeNo, paymentId, input, plan, operator, true);
    }
    try {
      commitPayment(db, this.toWrite(paymentId, input.requestId, view.accountNo, plan, operator.operatorId, null, null), () => this.requestInvoice(paymentId));
    } catch (err) {
      throw cardReferenceClash(err) ? new AppError('payment.card_reference_used') : err;
    }
    return this.afterPayment(paymentId, operator, input.receiptLocale);
  }

  private async settleCode(outTradeNo: string, paymentId: string, input: CreatePaymentInput, plan: Plan, operator: OperatorView, mayPay: boolean): Promise<PaymentView> {
    if (!this.codes) throw new AppError('payment.method_unsupported', { method: 'code' });
    await this.codes.settle(
      outTradeNo,
      (charge, markCommitted) => {
        // Written already (by this charge, before an answer was lost): it stays the one payment.
        if (paymentByRequest(this.deps.db, input.requestId)) return markCommitted();
        writePayment(this.deps.db, this.toWrite(paymentId, input.requestId, charge.account_no, plan, operator.operatorId, charge.trade_no, outTradeNo));
        this.requestInvoice(paymentId);
        markCommitted();
      },
      mayPay,
    );
    return this.afterPayment(paymentId, operator, input.receiptLocale);
  }

  /**
   * Charges a crash or a lost answer left unresolved (see CodePayments.resume): a single code
   * payment the gateway charged is written as it was meant to be; a split one is reversed.
   */
  async resumeCodeCharges(): Promise<number> {
    if (!this.codes) return 0;
    const codes = this.codes;
    return codes.resume((charge: CodeChargeRow) => {
      const details = codes.requestedDetails(charge.out_trade_no);
      if (!details || details.split || details.paymentAmountFen !== charge.amount_fen) return null;
      const plan: Plan = {
        method: 'code',
        amountFen: charge.amount_fen,
        tenders: [{ method: 'code', amountFen: charge.amount_fen, tenderedFen: null, changeFen: 0, externalRef: null, outTradeNo: null }],
        tenderedFen: null,
        changeFen: 0,
        code: { authCode: charge.auth_code, amountFen: charge.amount_fen },
      };
      return (row, markCommitted) => {
        if (paymentByRequest(this.deps.db, row.request_id)) return markCommitted();
        writePayment(this.deps.db, this.toWrite(row.payment_id, row.request_id, row.account_no, plan, row.operator_id, row.trade_no, row.out_trade_no));
        this.requestInvoice(row.payment_id);
        markCommitted();
      };
    });
  }

  /** The request as a plan: tenders checked, amounts parsed; throws the first thing wrong. */
  private plan(input: CreatePaymentInput, amountFen: number, opts: { retry: boolean }): Plan {
    const single = (t: TenderRow, code: Plan['code'] = null): Plan => ({
      method: input.method,
      amountFen,
      tenders: [t],
      tenderedFen: t.tenderedFen,
      changeFen: t.changeFen,
      code,
    });
    switch (input.method) {
      case 'cash': {
        const tenderedFen = input.tendered === undefined || input.tendered.trim() === '' ? amountFen : moneyInput(input.tendered, 'tendered');
        const change = cashChange(amountFen, tenderedFen);
        if (!change.ok) throw new AppError('payment.tendered_insufficient', { short: formatFen(change.shortFen) });
        return single({ method: 'cash', amountFen, tenderedFen, changeFen: change.changeFen, externalRef: null, outTradeNo: null });
      }
      case 'code': {
        const authCode = this.authCode(input.authCode);
        return single({ method: 'code', amountFen, tenderedFen: null, changeFen: 0, externalRef: null, outTradeNo: null }, { authCode, amountFen });
      }
      case 'card': {
        const ref = this.cardReference(input.cardReference, opts.retry);
        return single({ method: 'card', amountFen, tenderedFen: null, changeFen: 0, externalRef: ref, outTradeNo: null });
      }
      case 'split': {
        const parts: (TenderInput & { authCode?: string; ref?: string })[] = input.tenders.map((t, i) => {
          const fen = moneyInput(t.amount, `tenders.${i}.amount`);
          if (t.method === 'cash') {
            const tendered = t.tendered === undefined || t.tendered.trim() === '' ? fen : moneyInput(t.tendered, `tenders.${i}.tendered`);
            return { method: 'cash', amountFen: fen, tenderedFen: tendered };
          }
          if (t.method === 'code') return { method: 'code', amountFen: fen, authCode: this.authCode(t.authCode) };
          return { method: 'card', amountFen: fen, ref: this.cardReference(t.cardReference, opts.retry) };
        });
        const check = checkTenders(amountFen, parts);
        if (!check.ok) {
          if (check.reason === 'sum') throw new AppError('payment.tenders_mismatch', { sum: formatFen(check.sumFen), amount: formatFen(amountFen) });
          if (check.reason === 'duplicate_method') throw new AppError('payment.tender_method_twice', { method: check.method });
          throw new AppError('payment.tendered_insufficient', { short: formatFen(check.shortFen) });
        }
        const tenders: TenderRow[] = parts.map((p) => ({
          method: p.method,
          amountFen: p.amountFen,
          tenderedFen: p.method === 'cash' ? (p.tenderedFen ?? p.amountFen) : null,
          changeFen: p.method === 'cash' ? check.changeFen : 0,
          externalRef: p.ref ?? null,
          outTradeNo: null,
        }));
        const cash = tenders.find((t) => t.method === 'cash');
        const code = parts.find((p) => p.method === 'code');
        return {
          method: 'split',
          amountFen,
          tenders,
          tenderedFen: cash ? cash.tenderedFen : null,
          changeFen: cash ? cash.changeFen : 0,
          code: code?.authCode ? { authCode: code.authCode, amountFen: code.amountFen } : null,
        };
      }
      default: {
        const never: never = input;
        throw new AppError('payment.method_unsupported', { method: String((never as { method?: unknown }).method) });
      }
    }
  }

  private authCode(text: string): string {
    const code = text.replace(/\s+/g, '');
    if (!PAYMENT_CODE.test(code)) throw new AppError('payment.code_invalid');
    return code;
  }

  private cardReference(text: string, retry: boolean): string {
    const ref = text.trim();
    if (!CARD_REFERENCE.test(ref)) throw new AppError('payment.card_reference_invalid');
    if (!retry && cardReferenceUsed(this.deps.db, ref)) throw new AppError('payment.card_reference_used');
    return ref;
  }

  private toWrite(paymentId: string, requestId: string, accountNo: string, plan: Plan, operatorId: string, tradeNo: string | null, outTradeNo: string | null): PaymentToWrite {
    const now = this.deps.clock();
    const tenders = plan.tenders.map((t) => (t.method === 'code' ? { ...t, externalRef: tradeNo, outTradeNo } : t));
    return {
      paymentId,
      requestId,
      accountNo,
      method: plan.method,
      amountFen: plan.amountFen,
      tenderedFen: plan.tenderedFen,
      changeFen: plan.changeFen,
      operatorId,
      externalRef: tenders.length === 1 ? (tenders[0]?.externalRef ?? null) : null,
      createdAt: now.toISOString(),
      tenders,
      shift: () => this.shifts?.shiftForPayment() ?? null,
      // Re-derived inside the transaction from the cache, so a payment committed meanwhile for the
      // same account is already settled there and is not paid twice.
      openBills: () => this.deps.accounts.settlementBills(accountNo),
    };
  }

  /** Inside the payment's transaction: its e-invoice request (row and outbox event). */
  private requestInvoice(paymentId: string): void {
    if (!this.invoices.enabled) return;
    const row = paymentById(this.deps.db, paymentId);
    if (!row) return;
    this.invoices.recordRequest(
      {
        paymentId,
        accountNo: row.account_no,
        amountFen: row.amount_fen,
        buyerName: this.deps.accounts.cached(row.account_no).name.slice(0, 100) || row.account_no,
        paidOn: localDate(new Date(row.created_at), this.timeZone),
      },
      row.created_at,
    );
  }

  private async afterPayment(paymentId: string, operator: OperatorView, locale: Locale | undefined): Promise<PaymentView> {
    this.deps.afterCommit();
    const row = paymentById(this.deps.db, paymentId);
    if (row && this.invoices.enabled) {
      await this.invoices.requestNow({
        paymentId,
        accountNo: row.account_no,
        amountFen: row.amount_fen,
        buyerName: this.deps.accounts.cached(row.account_no).name.slice(0, 100) || row.account_no,
        paidOn: localDate(new Date(row.created_at), this.timeZone),
      });
    }
    const committed = this.load(paymentId);
    const printError = await this.printAndJournal(committed, operator.operatorId, 0, locale);
    return { ...committed, receipt: { printed: printError === null, error: printError } };
  }

  async reprint(paymentId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null }> {
    this.load(paymentId);
    // A reprint carries the invoice's QR code if it was issued since.
    await this.invoices.refresh(paymentId);
    const payment = this.load(paymentId);
    const error = await this.printAndJournal(payment, operator.operatorId, this.reprintsOf(paymentId) + 1, locale);
    return { printed: error === null, error };
  }

  /** The payment's receipt as printed (reprintNo 0: the original), for the screen's preview. */
  async receiptFor(paymentId: string, locale: Locale | undefined, reprintNo = 0): Promise<Receipt> {
    await this.invoices.refresh(paymentId);
    const payment = this.load(paymentId);
    return this.buildReceipt(payment, reprintNo, locale ?? this.deps.defaultLocale, false);
  }

  /** How many reprints of this payment's receipt were made (printed or not). */
  reprintsOf(paymentId: string): number {
    return journalEntries(this.deps.db, paymentId).filter(
      (e) => e.type === 'receipt.reprinted' || (e.type === 'receipt.failed' && (e.payload as { reprint?: boolean }).reprint === true),
    ).length;
  }

  private async buildReceipt(payment: PaymentView, reprintNo: number, locale: Locale, settle: boolean): Promise<Receipt> {
    const r = this.deps.receipts;
    if (!r) throw new Error('no receipt context');
    const provisional = (await r.provisional?.(payment, settle)) ?? null;
    return paymentReceipt(payment, { ...r.context(locale, payment.operatorId, payment.accountNo), reprint: reprintNo > 0, reprintNo, provisional });
  }

  private async printAndJournal(payment: PaymentView, actor: string, reprintNo: number, locale: Locale | undefined): Promise<WireError | null> {
    const lng = locale ?? this.deps.defaultLocale;
    const reprint = reprintNo > 0;
    let error: WireError | null;
    if (this.deps.receipts) error = await this.deps.receipts.print(await this.buildReceipt(payment, reprintNo, lng, true));
    else if (this.deps.printReceipt) error = await this.deps.printReceipt(payment, reprint, lng);
    else error = null;
    const type = error ? 'receipt.failed' : reprint ? 'receipt.reprinted' : 'receipt.printed';
    appendJournal(this.deps.db, {
      type,
      ref: payment.paymentId,
      actor,
      at: this.deps.clock().toISOString(),
      payload: error ? { code: error.code, reprint, ...(reprint ? { reprintNo } : {}) } : { reprint, ...(reprint ? { reprintNo } : {}) },
    });
    return error;
  }

  /** This terminal's payments of an account, newest first. */
  list(accountNo: string, limit = 20): PaymentView[] {
    return recentPayments(this.deps.db, accountNo, limit).map((r) => this.view(r));
  }

  load(paymentId: string): PaymentView {
    const row = paymentById(this.deps.db, paymentId);
    if (!row) throw new AppError('payment.not_found', { paymentId });
    return this.view(row);
  }

  /** Whether a payment may be voided now: completed, not a vend's, of the open shift and of today. */
  voidable(row: PaymentRow): boolean {
    if (row.status !== 'completed' || row.request_id.startsWith('vend:')) return false;
    const tz = this.timeZone;
    const sameDay = localDate(new Date(row.created_at), tz) === localDate(this.deps.clock(), tz);
    const sameShift = (row.shift_id ?? null) === openShiftId(this.shifts);
    return sameDay && sameShift;
  }

  get timeZone(): string {
    return this.deps.timeZone ?? 'Asia/Shanghai';
  }

  private view(row: PaymentRow): PaymentView {
    const { db } = this.deps;
    const lastReceipt = journalEntries(db, row.payment_id).filter((e) => e.type.startsWith('receipt.')).at(-1);
    const tenders: TenderView[] = paymentTenders(db, row.payment_id).map((t) => ({
      method: t.method,
      amountFen: t.amountFen,
      tenderedFen: t.tenderedFen,
      changeFen: t.changeFen,
      externalRef: t.externalRef,
    }));
    const allocations = paymentAllocations(db, row.payment_id).map((a) => {
      // Waived on this bill before the payment: the receipt shows it beside the fee paid.
      const waived = waiversOfBill(db, a.billId).filter((w) => w.created_at <= row.created_at).reduce((s, w) => s + w.fen, 0);
      return waived > 0 ? { ...a, lateFeeWaivedFen: waived } : a;
    });
    const reversal = activeReversalOf(db, row.payment_id);
    const invoice = invoiceOf(db, row.payment_id);
    const vendId = row.request_id.startsWith('vend:') ? row.request_id.slice(5) : null;
    return {
      paymentId: row.payment_id,
      accountNo: row.account_no,
      method: row.method as PaymentView['method'],
      amountFen: row.amount_fen,
      tenderedFen: row.tendered_fen,
      changeFen: row.change_fen,
      toBalanceFen: row.to_balance_fen,
      allocations,
      operatorId: row.operator_id,
      createdAt: row.created_at,
      receipt: { printed: lastReceipt !== undefined && lastReceipt.type !== 'receipt.failed', error: null },
      tenders,
      status: row.status === 'voided' || row.status === 'refunded' ? row.status : 'completed',
      reversal: reversal ? reversalView(reversal) : null,
      invoice: invoice ? { state: invoice.state, invoiceNo: invoice.invoice_no, url: invoice.url } : null,
      vendId,
      voidable: this.voidable(row),
    };
  }
}

function cardReferenceClash(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes('payment_tenders');
}

/**
 * The counter's money movement as ONE immediate transaction around the payment writer: payment
 * row, tenders, allocations, bill settlement, balance, journal entry and outbox event commit
 * together or not at all. `within` adds the caller's own rows to the same transaction (e.g. the
 * e-invoice request, the shift the payment belongs to).
 */
export function commitPayment(db: Db, p: PaymentToWrite, within?: (written: WrittenPayment) => void): WrittenPayment {
  let tx = paymentTransactions.get(db);
  if (!tx) {
    tx = db.transaction((c: PaymentToWrite, w: ((written: WrittenPayment) => void) | undefined) => {
      const written = writePayment(db, c);
      w?.(written);
      return written;
    });
    paymentTransactions.set(db, tx);
  }
  return tx.immediate(p, within);
}

const paymentTransactions = new WeakMap<Db, Transaction<(c: PaymentToWrite, w: ((written: WrittenPayment) => void) | undefined) => WrittenPayment>>();
