/**
 * The reference backend's effects of the counter's money events beyond `payment.created`
 * (registered with EventIntake as extra effects):
 *
 * - `payment.voided` / `payment.refunded`: the payment is reversed exactly as THIS backend applied
 *   it — the principal it recorded per bill (bill_payments, dropped so late fees replay without
 *   it), the late fees it recorded, and the rest, which went to the balance (whatever exceptions
 *   moved there). Its e-invoice is cancelled. A payment never taken, or reversed already, leaves an
 *   exception and no effect; the event is accepted either way (the money was handed back).
 * - `late_fee.waived`: the bill's waived late fee grows (snapshots carry `lateFeeWaivedFen`).
 * - `invoice.requested`: the request is held by the invoice desk, issued when it can be.
 */
import { z } from 'zod';
import { PaymentCreatedPayloadSchema, type TerminalEvent } from '../../main/wire/backend-wire.js';
import { InvoiceRequestSchema, LateFeeWaivedPayloadSchema, PaymentReversedPayloadSchema } from '../../main/wire/payments-wire.js';
import { nextCounter, type BackendDb } from './db.js';
import type { IntakeContext } from './intake.js';
import type { InvoiceDesk } from './invoices.js';

type Outcome = { ok: true } | { ok: false; reason: string };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS payment_reversals (
  payment_event_id TEXT PRIMARY KEY, reversal_event_id TEXT NOT NULL, kind TEXT NOT NULL, account_no TEXT NOT NULL,
  principal_fen INTEGER NOT NULL, late_fee_fen INTEGER NOT NULL, balance_fen INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS late_fee_waivers (
  waiver_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, account_no TEXT NOT NULL, bill_id TEXT NOT NULL, fen INTEGER NOT NULL,
  reason_code TEXT NOT NULL, approved_by TEXT NOT NULL, as_of TEXT NOT NULL, created_at TEXT NOT NULL);
`;

export class PaymentEffects {
  constructor(
    private readonly db: BackendDb,
    private readonly invoices: InvoiceDesk,
  ) {
    db.exec(SCHEMA);
  }

  /** The effects to register with EventIntake; `invoicesDown` reads the failInvoices knob. */
  effects(invoicesDown: () => boolean): Record<string, (event: TerminalEvent, ctx: IntakeContext) => Outcome> {
    return {
      'payment.voided': (e, ctx) => this.reverse(e, ctx),
      'payment.refunded': (e, ctx) => this.reverse(e, ctx),
      'late_fee.waived': (e, ctx) => this.waive(e, ctx),
      'invoice.requested': (e, ctx) => {
        const parsed = InvoiceRequestSchema.safeParse(e.payload);
        if (!parsed.success) return malformed(parsed.error);
        this.invoices.request(parsed.data, ctx.terminalId, invoicesDown());
        return { ok: true };
      },
    };
  }

  private reverse(event: TerminalEvent, ctx: IntakeContext): Outcome {
    const parsed = PaymentReversedPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return malformed(parsed.error);
    const r = parsed.data;
    const original = this.db
      .prepare<[string], { payload_json: string }>("SELECT payload_json FROM events WHERE event_id = ? AND type = 'payment.created'")
      .get(r.paymentId);
    if (original === undefined) {
      this.exception(event, ctx, 'reversal_unknown_payment', r.accountNo, r.amountFen, `${r.kind} of payment ${r.paymentId}, which this backend never took`);
      return { ok: true };
    }
    if (this.db.prepare('SELECT 1 FROM payment_reversals WHERE payment_event_id = ?').get(r.paymentId) !== undefined) {
      this.exception(event, ctx, 'payment_already_reversed', r.accountNo, 0, `payment ${r.paymentId} was reversed already; ${r.kind} ${r.reversalId} has no effect`);
      return { ok: true };
    }
    const payment = PaymentCreatedPayloadSchema.parse(JSON.parse(original.payload_json));
    const account = this.db.prepare<[string], { account_no: string }>('SELECT account_no FROM accounts WHERE account_no = ?').get(payment.accountNo);
    let principal = 0;
    let fees = 0;
    let balance = 0;
    if (account !== undefined && !heldInSuspense(this.db, r.paymentId)) {
      // Exactly what this backend applied for the payment (it may have moved money to the balance).
      const applied = this.db.prepare<[string], { bill_id: string; principal_fen: number }>('SELECT bill_id, principal_fen FROM bill_payments WHERE event_id = ?').all(r.paymentId);
      for (const a of applied) {
        this.db.prepare("UPDATE bills SET paid_fen = paid_fen - ?, status = 'open' WHERE bill_id = ?").run(a.principal_fen, a.bill_id);
        principal += a.principal_fen;
      }
      this.db.prepare('DELETE FROM bill_payments WHERE event_id = ?').run(r.paymentId);
      for (const f of payment.lateFees) {
        const bill = this.db.prepare<[string], { account_no: string }>('SELECT account_no FROM bills WHERE bill_id = ?').get(f.billId);
        if (bill?.account_no !== payment.accountNo) continue; // went to the balance when it was taken
        this.db.prepare("UPDATE bills SET late_fee_paid_fen = late_fee_paid_fen - ?, status = 'open' WHERE bill_id = ?").run(f.fen, f.billId);
        fees += f.fen;
      }
      balance = payment.amountFen - principal - fees;
      this.db
        .prepare('UPDATE accounts SET balance_fen = balance_fen - ?, version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?')
        .run(balance, ctx.nowIso, nextCounter(this.db, 'change'), payment.accountNo);
    }
    this.db.prepare('INSERT INTO payment_reversals VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(r.paymentId, r.reversalId, r.kind, payment.accountNo, principal, fees, balance, ctx.nowIso);
    this.invoices.cancel(r.paymentId);
    return { ok: true };
  }

  private waive(event: TerminalEvent, ctx: IntakeContext): Outcome {
    const parsed = LateFeeWaivedPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return malformed(parsed.error);
    const w = parsed.data;
    const bill = this.db.prepare<[string], { account_no: string }>('SELECT account_no FROM bills WHERE bill_id = ?').get(w.billId);
    if (bill?.account_no !== w.accountNo) {
      this.exception(event, ctx, 'waiver_unknown_bill', w.accountNo, 0, `waiver ${w.waiverId} names bill ${w.billId}, not a bill of account ${w.accountNo}; nothing waived`);
      return { ok: true };
    }
    this.db.prepare('UPDATE bills SET late_fee_waived_fen = late_fee_waived_fen + ? WHERE bill_id = ?').run(w.fen, w.billId);
    this.db
      .prepare('UPDATE accounts SET version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?')
      .run(ctx.nowIso, nextCounter(this.db, 'change'), w.accountNo);
    this.db.prepare('INSERT OR IGNORE INTO late_fee_waivers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(w.waiverId, ctx.terminalId, w.accountNo, w.billId, w.fen, w.reasonCode, w.approvedBy, w.asOf, ctx.nowIso);
    return { ok: true };
  }

  private exception(event: TerminalEvent, ctx: IntakeContext, kind: string, accountNo: string, fen: number, detail: string): void {
    this.db
      .prepare('INSERT INTO exceptions(event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)')
      .run(event.eventId, ctx.terminalId, kind, accountNo, fen, detail, ctx.nowIso);
  }
}

/**
 * Whether the intake held the payment in suspense (its account closed or moved): it reached no bill
 * and no balance, so its reversal takes nothing back from the account — the office's suspense item
 * is what the void or refund settles.
 */
export function heldInSuspense(db: BackendDb, paymentId: string): boolean {
  return db.prepare(`SELECT 1 FROM exceptions WHERE event_id = ? AND kind IN (${SUSPENSE_KINDS.map((k) => `'${k}'`).join(', ')})`).get(paymentId) !== undefined;
}

/** The exception kinds with which the intake holds a payment in suspense. */
export const SUSPENSE_KINDS = ['account_closed', 'account_moved'] as const;

function malformed(error: z.ZodError): Outcome {
  return { ok: false, reason: `malformed_payload: ${error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}` };
}
