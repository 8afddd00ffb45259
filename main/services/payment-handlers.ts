/**
 * The counter's money area, built once by the core: payments by every method, voids and refunds,
 * the late-fee explainer and waiver, e-invoices, and their RPC handlers (main/contract/payments.ts,
 * plus the receipt methods of the core contract). `resume` finishes what a crash or an unreachable
 * gateway left (payment-code charges, reversals whose money is on its way back); `afterSync` picks
 * up e-invoices the backend has issued since.
 */
import type { Receipt } from '../../kiosk-drivers/printer/receipt-model.js';
import { layoutReceiptText } from '../../kiosk-drivers/printer/receipt-model.js';
import type { OperatorView, WireError } from '../contract/index.js';
import type { Db } from '../store/db.js';
import type { Locale } from '../i18n/locales.js';
import type { AccountService, LateFeePolicy } from './accounts.js';
import type { Clock } from './clock.js';
import type { Handlers, Session } from './dispatch.js';
import type { CodeTiming } from './code-payments.js';
import { InvoiceService, type InvoiceClient } from './invoices.js';
import { LateFeeWaivers } from './late-fee-waivers.js';
import { PaymentReversals } from './payment-reversals.js';
import { PaymentService, type PaymentReceipts, type PaymentShiftGate } from './payments.js';
import type { ReceiptContext } from './receipts.js';
import type { PaymentGateway } from './vending/gateway-client.js';

export interface PaymentAreaDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly defaultLocale: Locale;
  readonly accounts: AccountService;
  readonly lateFees: LateFeePolicy;
  readonly gateway: PaymentGateway;
  readonly codeTiming: CodeTiming;
  /** The backend's e-invoice service; null: no e-invoices. */
  readonly invoiceClient: InvoiceClient | null;
  readonly invoiceTimeoutMs: number;
  /** Prints one receipt; resolves to the device error, or null when printed. */
  readonly print: (receipt: Receipt) => Promise<WireError | null>;
  /** What every receipt starts from (hall, terminal, clerk's and account holder's names) in a language. */
  readonly receiptContext: (locale: Locale, operatorId: string, accountNo: string) => ReceiptContext;
  /** Provisional receipts (their verify code) while a payment is not yet acknowledged; absent: never provisional. */
  readonly provisional?: PaymentReceipts['provisional'];
  readonly shifts?: PaymentShiftGate;
  readonly afterCommit: () => void;
}

type PaymentHandlerNames =
  | 'payment.create'
  | 'payment.get'
  | 'payment.listForAccount'
  | 'payment.void'
  | 'payment.refund'
  | 'lateFee.explain'
  | 'lateFee.waive'
  | 'receipt.reprint'
  | 'receipt.preview';

export interface PaymentArea {
  readonly payments: PaymentService;
  readonly reversals: PaymentReversals;
  readonly waivers: LateFeeWaivers;
  readonly invoices: InvoiceService;
  readonly handlers: Pick<Handlers, PaymentHandlerNames>;
  /** Finish charges and reversals left unresolved (at start, and after pushes). */
  resume(): Promise<void>;
  /** After a push: e-invoices issued since. */
  afterSync(): Promise<void>;
}

export function createPaymentArea(deps: PaymentAreaDeps): PaymentArea {
  const receipts: PaymentReceipts = { print: deps.print, context: deps.receiptContext, ...(deps.provisional ? { provisional: deps.provisional } : {}) };
  const invoices = new InvoiceService({ db: deps.db, clock: deps.clock, client: deps.invoiceClient, timeoutMs: deps.invoiceTimeoutMs });
  const payments = new PaymentService({
    db: deps.db,
    clock: deps.clock,
    accounts: deps.accounts,
    receipts,
    defaultLocale: deps.defaultLocale,
    afterCommit: deps.afterCommit,
    gateway: deps.gateway,
    codeTiming: deps.codeTiming,
    invoices,
    timeZone: deps.timeZone,
    ...(deps.shifts ? { shifts: deps.shifts } : {}),
  });
  const reversals = new PaymentReversals({
    db: deps.db,
    clock: deps.clock,
    payments,
    gateway: deps.gateway,
    receipts,
    defaultLocale: deps.defaultLocale,
    afterCommit: deps.afterCommit,
    ...(deps.shifts ? { shifts: deps.shifts } : {}),
  });
  const waivers = new LateFeeWaivers({
    db: deps.db,
    clock: deps.clock,
    timeZone: deps.timeZone,
    lateFees: deps.lateFees,
    receipts,
    defaultLocale: deps.defaultLocale,
    afterCommit: deps.afterCommit,
  });

  const operatorOf = (s: Session): OperatorView => {
    if (!s.operator) throw new Error('dispatch let an anonymous session through');
    return s.operator;
  };

  let resuming: Promise<void> | null = null;
  const resume = (): Promise<void> =>
    (resuming ??= (async () => {
      try {
        await payments.resumeCodeCharges();
        await reversals.resume();
      } finally {
        resuming = null;
      }
    })());

  return {
    payments,
    reversals,
    waivers,
    invoices,
    resume,
    afterSync: async () => {
      await invoices.refreshRequested();
    },
    handlers: {
      'payment.create': (p, s) => payments.create(p, operatorOf(s)),
      'payment.get': async (p) => {
        await invoices.refresh(p.paymentId);
        return payments.load(p.paymentId);
      },
      'payment.listForAccount': (p) => ({ items: payments.list(p.accountNo) }),
      'payment.void': (p, s) => reversals.reverse('void', p, operatorOf(s)),
      'payment.refund': (p, s) => reversals.reverse('refund', p, operatorOf(s)),
      'lateFee.explain': (p) => waivers.explain(p.accountNo, p.billId),
      'lateFee.waive': (p, s) => waivers.waive(p, operatorOf(s)),
      'receipt.reprint': (p, s) => payments.reprint(p.paymentId, operatorOf(s), p.receiptLocale),
      'receipt.preview': async (p) => ({ lines: layoutReceiptText(await payments.receiptFor(p.paymentId, p.receiptLocale)) }),
    },
  };
}
