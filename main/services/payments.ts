/**
 * Taking a payment. The whole money movement — payment row, allocations, bill settlement,
 * balance, journal entry and outbox event — is ONE SQLite transaction; the service answers
 * success only after it commits. The receipt prints afterwards and its outcome is journaled,
 * so a dead printer never undoes or duplicates money. The movement itself is written by the one
 * payment writer (./payment-writer.ts), the same one a vend's arrears recovery goes through.
 */
import { AppError, type OperatorView, type PaymentView, type WireError } from '../contract/index.js';
import { cashChange } from '../domain/settlement.js';
import { formatFen } from '../domain/money.js';
import type { Transaction } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { appendJournal, journalEntries } from '../store/journal.js';
import { paymentAllocations, paymentById, paymentByRequest } from '../store/payments.js';
import { uuidv7 } from '../store/ids.js';
import type { AccountService } from './accounts.js';
import type { Clock } from './clock.js';
import { moneyInput } from './money-input.js';
import { writePayment, type PaymentToWrite, type WrittenPayment } from './payment-writer.js';
import type { Locale } from '../i18n/locales.js';

export interface CreatePaymentInput {
  readonly requestId: string;
  readonly accountNo: string;
  readonly method: 'cash';
  readonly amount: string;
  readonly tendered?: string | undefined;
  readonly receiptLocale?: Locale | undefined;
}

export interface PaymentServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly accounts: AccountService;
  /** Prints the receipt for a committed payment; resolves to the device error, or null when printed. */
  readonly printReceipt: (payment: PaymentView, reprint: boolean, locale: Locale) => Promise<WireError | null>;
  readonly defaultLocale: Locale;
  /** Nudges sync after a commit; never awaited by the payment. */
  readonly afterCommit: () => void;
}

export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  async create(input: CreatePaymentInput, operator: OperatorView): Promise<PaymentView> {
    const { db, clock } = this.deps;
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
    const tenderedFen = input.tendered === undefined || input.tendered.trim() === '' ? amountFen : moneyInput(input.tendered, 'tendered');
    const change = cashChange(amountFen, tenderedFen);
    if (!change.ok) throw new AppError('payment.tendered_insufficient', { short: formatFen(change.shortFen) });

    // Freshest bills we can get (online, else cache); throws account.not_found for unknown accounts.
    const view = await this.deps.accounts.lookup(input.accountNo);
    const now = clock();
    const { paymentId } = commitPayment(db, {
      paymentId: uuidv7(() => now),
      requestId: input.requestId,
      accountNo: view.accountNo,
      method: input.method,
      amountFen,
      tenderedFen,
      changeFen: change.changeFen,
      operatorId: operator.operatorId,
      externalRef: null,
      createdAt: now.toISOString(),
      // Re-derived inside the transaction from the cache, so a payment committed meanwhile for the
      // same account is already settled there and is not paid twice.
      openBills: () => this.deps.accounts.settlementBills(view.accountNo),
    });
    this.deps.afterCommit();

    const committed = this.load(paymentId);
    const printError = await this.printAndJournal(committed, operator.operatorId, false, input.receiptLocale);
    return { ...committed, receipt: { printed: printError === null, error: printError } };
  }

  async reprint(paymentId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null }> {
    const payment = this.load(paymentId);
    const error = await this.printAndJournal(payment, operator.operatorId, true, locale);
    return { printed: error === null, error };
  }

  private async printAndJournal(payment: PaymentView, actor: string, reprint: boolean, locale: Locale | undefined): Promise<WireError | null> {
    const error = await this.deps.printReceipt(payment, reprint, locale ?? this.deps.defaultLocale);
    const type = error ? 'receipt.failed' : reprint ? 'receipt.reprinted' : 'receipt.printed';
    appendJournal(this.deps.db, {
      type,
      ref: payment.paymentId,
      actor,
      at: this.deps.clock().toISOString(),
      payload: error ? { code: error.code, reprint } : { reprint },
    });
    return error;
  }

  load(paymentId: string): PaymentView {
    const { db } = this.deps;
    const row = paymentById(db, paymentId);
    if (!row) throw new AppError('payment.not_found', { paymentId });
    const allocations = paymentAllocations(db, paymentId);
    const lastReceipt = journalEntries(db, paymentId).filter((e) => e.type.startsWith('receipt.')).at(-1);
    return {
      paymentId: row.payment_id,
      accountNo: row.account_no,
      // Counter payments only (payment.create takes cash); vend settlements are shown as vends.
      method: row.method as PaymentView['method'],
      amountFen: row.amount_fen,
      tenderedFen: row.tendered_fen,
      changeFen: row.change_fen,
      toBalanceFen: row.to_balance_fen,
      allocations,
      operatorId: row.operator_id,
      createdAt: row.created_at,
      receipt: { printed: lastReceipt !== undefined && lastReceipt.type !== 'receipt.failed', error: null },
    };
  }
}

/**
 * The counter's money movement as ONE immediate transaction around the payment writer: payment
 * row, allocations, bill settlement, balance, journal entry and outbox event commit together or
 * not at all.
 */
export function commitPayment(db: Db, p: PaymentToWrite): WrittenPayment {
  let tx = paymentTransactions.get(db);
  if (!tx) {
    tx = db.transaction((c: PaymentToWrite) => writePayment(db, c));
    paymentTransactions.set(db, tx);
  }
  return tx.immediate(p);
}

const paymentTransactions = new WeakMap<Db, Transaction<(c: PaymentToWrite) => WrittenPayment>>();
