/**
 * Taking a payment. The whole money movement — payment row, allocations, bill settlement,
 * balance, journal entry and outbox event — is ONE SQLite transaction; the service answers
 * success only after it commits. The receipt prints afterwards and its outcome is journaled,
 * so a dead printer never undoes or duplicates money.
 */
import { AppError, type BillView, type OperatorView, type PaymentView, type WireError } from '../contract/index.js';
import { cashChange, settle } from '../domain/settlement.js';
import { formatFen } from '../domain/money.js';
import type { Transaction } from 'better-sqlite3';
import { stmt, type Db } from '../store/db.js';
import { appendJournal, journalEntries } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import { uuidv7 } from '../store/ids.js';
import type { PaymentCreatedPayload } from '../wire/backend-wire.js';
import type { AccountService } from './accounts.js';
import type { Clock } from './clock.js';
import { moneyInput } from './money-input.js';
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

interface PaymentRow {
  payment_id: string;
  account_no: string;
  method: 'cash';
  amount_fen: number;
  tendered_fen: number | null;
  change_fen: number;
  to_balance_fen: number;
  operator_id: string;
  created_at: string;
}

export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  async create(input: CreatePaymentInput, operator: OperatorView): Promise<PaymentView> {
    const { db, clock } = this.deps;
    // Validate everything before touching anything.
    const amountFen = moneyInput(input.amount, 'amount');
    const existing = db.prepare('SELECT payment_id, account_no, method, amount_fen FROM payments WHERE request_id = ?').get(input.requestId) as
      | { payment_id: string; account_no: string; method: string; amount_fen: number }
      | undefined;
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
    const paymentId = commitPayment(db, {
      paymentId: uuidv7(() => now),
      requestId: input.requestId,
      accountNo: view.accountNo,
      method: input.method,
      amountFen,
      tenderedFen,
      changeFen: change.changeFen,
      operatorId: operator.operatorId,
      createdAt: now.toISOString(),
      // Re-derived inside the transaction from the cache, so a payment committed meanwhile for the
      // same account is already settled there and is not paid twice.
      openBills: () => this.deps.accounts.view(this.deps.accounts.cached(view.accountNo), view.source).openBills,
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
    const row = db.prepare('SELECT * FROM payments WHERE payment_id = ?').get(paymentId) as PaymentRow | undefined;
    if (!row) throw new AppError('payment.not_found', { paymentId });
    const allocations = db
      .prepare(
        `SELECT a.bill_id AS billId, COALESCE(b.period, '') AS period, a.principal_fen AS principalFen, a.late_fee_fen AS lateFeeFen
         FROM payment_allocations a LEFT JOIN bills b ON b.bill_id = a.bill_id WHERE a.payment_id = ? ORDER BY b.due_date, a.bill_id`,
      )
      .all(paymentId) as PaymentView['allocations'][number][];
    const lastReceipt = journalEntries(db, paymentId).filter((e) => e.type.startsWith('receipt.')).at(-1);
    return {
      paymentId: row.payment_id,
      accountNo: row.account_no,
      method: row.method,
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

export interface PaymentCommit {
  readonly paymentId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly method: 'cash';
  readonly amountFen: number;
  readonly tenderedFen: number;
  readonly changeFen: number;
  readonly operatorId: string;
  readonly createdAt: string;
  /** The account's open bills as of the commit; called inside the transaction. */
  readonly openBills: () => readonly Pick<BillView, 'billId' | 'period' | 'dueDate' | 'outstandingFen' | 'lateFeeFen'>[];
}

/**
 * The money movement itself, as ONE immediate transaction: payment row, allocations, bill
 * settlement, balance, journal entry and outbox event commit together or not at all.
 */
export function commitPayment(db: Db, c: PaymentCommit): string {
  let tx = paymentTransactions.get(db);
  if (!tx) {
    tx = db.transaction((p: PaymentCommit) => writePayment(db, p));
    paymentTransactions.set(db, tx);
  }
  tx.immediate(c);
  return c.paymentId;
}

const paymentTransactions = new WeakMap<Db, Transaction<(c: PaymentCommit) => void>>();

function writePayment(db: Db, c: PaymentCommit): void {
  // A concurrent retry of the same request may have committed while the account was looked up.
  if (stmt(db, 'SELECT 1 FROM payments WHERE request_id = ?').get(c.requestId)) {
    throw new AppError('payment.duplicate_request');
  }
  const settlement = settle(c.amountFen, c.openBills());
  stmt(db, 
    `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen,
       to_balance_fen, operator_id, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?)`,
  ).run(c.paymentId, c.requestId, c.accountNo, c.method, c.amountFen, c.tenderedFen, c.changeFen,
    settlement.toBalanceFen, c.operatorId, c.createdAt);
  const insertAlloc = stmt(db, 
    'INSERT INTO payment_allocations (payment_id, bill_id, principal_fen, late_fee_fen) VALUES (?, ?, ?, ?)',
  );
  const settleBill = stmt(db, 
    `UPDATE bills SET paid_fen = paid_fen + ?, late_fee_paid_fen = late_fee_paid_fen + ?,
       status = CASE WHEN paid_fen + ? >= amount_fen THEN 'paid' ELSE 'open' END
     WHERE bill_id = ?`,
  );
  for (const a of settlement.allocations) {
    insertAlloc.run(c.paymentId, a.billId, a.principalFen, a.lateFeeFen);
    settleBill.run(a.principalFen, a.lateFeeFen, a.principalFen, a.billId);
  }
  if (settlement.toBalanceFen > 0) {
    stmt(db, 'UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = ?').run(settlement.toBalanceFen, c.accountNo);
  }
  const payload: PaymentCreatedPayload = {
    paymentId: c.paymentId,
    accountNo: c.accountNo,
    method: c.method,
    amountFen: c.amountFen,
    allocations: settlement.allocations.filter((a) => a.principalFen > 0).map((a) => ({ billId: a.billId, fen: a.principalFen })),
    lateFees: settlement.allocations.filter((a) => a.lateFeeFen > 0).map((a) => ({ billId: a.billId, fen: a.lateFeeFen })),
    toBalanceFen: settlement.toBalanceFen,
    operatorId: c.operatorId,
  };
  appendJournal(db, {
    type: 'payment.created',
    ref: c.paymentId,
    actor: c.operatorId,
    at: c.createdAt,
    payload: { ...payload, tenderedFen: c.tenderedFen, changeFen: c.changeFen },
  });
  // The payment id is the event id: the backend deduplicates on it forever.
  enqueueOutbox(db, { eventId: c.paymentId, type: 'payment.created', occurredAt: c.createdAt, payload });
}
