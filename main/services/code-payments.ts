/**
 * The customer's payment code (付款码), scanned at the counter and charged through the payment
 * gateway. Two promises: never charged twice, never charged without a payment.
 *
 *   1. The charge is written (code_charges, 'requested', journaled) BEFORE the gateway is asked,
 *      with a merchant order number derived from the payment id it will become. A retry of the same
 *      request finds it and never sends a second pay request; the gateway is idempotent per order
 *      number anyway.
 *   2. Pay. 'success' → the payment is written in one transaction with the charge marked
 *      'committed' (the commit is the caller's: a cash payment with a code part, a code payment).
 *      'declined' → nothing is written. No answer, or 'pending' (the customer still confirming on
 *      the phone) → the order is QUERIED every `queryIntervalMs` until `confirmWithinMs` after the
 *      charge began — never guessed.
 *   3. Anything that does not end in a written payment is REVERSED at the gateway: a pending order
 *      is cancelled, a charged one refunded in full, one the gateway never saw closed (so a pay
 *      request arriving late is refused). A payment whose commit fails after the gateway charged is
 *      reversed the same way. A reversal that cannot reach the gateway stays 'reversing' and is
 *      retried (`resume`, at start and after every push) until the gateway confirms.
 *   4. A charge left 'requested' or 'paid' by a crash is resolved by `resume`: queried; charged →
 *      written as the payment it was meant to be (a single code payment; a split one is reversed,
 *      because its cash part is not known to have been handed over); otherwise reversed.
 */
import { AppError } from '../contract/index.js';
import type { Db } from '../store/db.js';
import { appendJournal, journalEntries } from '../store/journal.js';
import { codeCharge, insertCodeCharge, setCodeChargeState, unresolvedCodeCharges, type CodeChargeRow } from '../store/code-charges.js';
import type { Clock } from './clock.js';
import type { PaymentGateway } from './vending/gateway-client.js';

/** A payment code as gateways issue them: 16–24 digits, starting 10–15 (WeChat Pay) or 25–30 (Alipay). */
export const PAYMENT_CODE = /^(1[0-5]|2[5-9]|30)\d{14,22}$/;

export interface CodeTiming {
  /** Between two queries of an order whose outcome is not known. */
  readonly queryIntervalMs: number;
  /** From the start of a charge: a charge not confirmed by then is reversed. */
  readonly confirmWithinMs: number;
}

export interface CodePaymentsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly gateway: PaymentGateway;
  readonly timing: CodeTiming;
  /** Waits (tests pin it); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface NewCharge {
  readonly requestId: string;
  readonly paymentId: string;
  readonly accountNo: string;
  /** The code part (the whole amount unless split). */
  readonly amountFen: number;
  /** The whole payment's amount, and whether other tenders make it up (journaled for `resume`). */
  readonly paymentAmountFen: number;
  readonly split: boolean;
  readonly authCode: string;
  readonly operatorId: string;
}

/**
 * Writes the payment for a charged order, inside ONE transaction that the caller opens, including
 * `markCommitted` (the charge becomes 'committed' with the payment). Throws to refuse.
 */
export type CommitCharged = (charge: CodeChargeRow, markCommitted: () => void) => void;

/** The merchant order number of a payment's code charge. */
export function outTradeNoFor(paymentId: string): string {
  return `C${paymentId.replace(/-/g, '')}`;
}

export class CodePayments {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: CodePaymentsDeps) {}

  /** Record a new charge (before the gateway is asked) and return its order number. */
  begin(c: NewCharge): string {
    const { db, clock } = this.deps;
    const outTradeNo = outTradeNoFor(c.paymentId);
    const at = clock().toISOString();
    db.transaction(() => {
      insertCodeCharge(db, { outTradeNo, requestId: c.requestId, paymentId: c.paymentId, accountNo: c.accountNo, amountFen: c.amountFen, authCode: c.authCode, operatorId: c.operatorId, at });
      // Never the payment code itself: it is a bearer credential while it is valid.
      appendJournal(db, {
        type: 'code_charge.requested',
        ref: outTradeNo,
        actor: c.operatorId,
        at,
        payload: { requestId: c.requestId, paymentId: c.paymentId, accountNo: c.accountNo, amountFen: c.amountFen, paymentAmountFen: c.paymentAmountFen, split: c.split },
      });
    }).immediate();
    return outTradeNo;
  }

  /**
   * Drive a charge to its end: paid and written by `commit`, or declined, or reversed. Resolves
   * once the payment is written; throws `payment.code_declined`, `payment.code_not_charged`
   * (reversed: the customer is not charged) or `payment.code_reversal_pending` (the reversal is
   * retried in the background). `mayPay`: only the first call for a charge sends the pay request.
   */
  async settle(outTradeNo: string, commit: CommitCharged, mayPay: boolean): Promise<void> {
    return this.locked(outTradeNo, async () => {
      let row = this.row(outTradeNo);
      if (row.state === 'requested') {
        const outcome = await this.resolve(row, mayPay);
        if (outcome.status === 'declined') {
          this.setState(row, 'declined', 'code_charge.declined', { reason: outcome.reason });
          throw new AppError('payment.code_declined');
        }
        if (outcome.status === 'success') {
          this.setState(row, 'paid', 'code_charge.paid', { tradeNo: outcome.tradeNo });
        }
        row = this.row(outTradeNo);
      }
      if (row.state === 'paid') {
        try {
          this.commit(row, commit);
          return;
        } catch (err) {
          // Charged but not written: the money goes back.
          const cause = err instanceof AppError ? err.code : 'internal';
          this.journal(row, 'code_charge.commit_failed', { error: err instanceof AppError ? err.code : String(err).slice(0, 200) });
          await this.reverse(row.out_trade_no, 'commit_failed');
          this.throwFor(this.row(outTradeNo), { cause });
        }
      }
      if (row.state === 'requested') await this.reverse(outTradeNo, 'not_confirmed');
      this.throwFor(this.row(outTradeNo));
    });
  }

  /**
   * Resolve what a crash or a lost answer left: charges 'requested' or 'paid' are queried (a charged
   * single code payment is written by `commitOrphan`; anything else reversed), charges 'reversing'
   * reversed again. Returns how many were settled one way or the other.
   */
  async resume(commitOrphan: (charge: CodeChargeRow) => CommitCharged | null): Promise<number> {
    let settled = 0;
    for (const row of unresolvedCodeCharges(this.deps.db)) {
      // A charge whose clerk is still waiting on it is not this sweep's to decide.
      if (this.locks.has(row.out_trade_no)) continue;
      try {
        if (row.state === 'reversing') {
          await this.locked(row.out_trade_no, () => this.reverse(row.out_trade_no, 'retry'));
        } else {
          const commit = commitOrphan(row);
          if (commit === null) {
            await this.locked(row.out_trade_no, async () => {
              const now = this.row(row.out_trade_no);
              if (now.state === 'requested' || now.state === 'paid') await this.reverse(row.out_trade_no, 'orphaned');
            });
          } else {
            await this.settle(row.out_trade_no, commit, false);
          }
        }
      } catch {
        // Declined, reversed or still reversing: recorded on the row; the sweep goes on.
      }
      if (this.row(row.out_trade_no).state !== 'reversing') settled++;
    }
    return settled;
  }

  /** The whole-payment figures `begin` journaled (for `resume`). */
  requestedDetails(outTradeNo: string): { paymentAmountFen: number; split: boolean } | null {
    const entry = journalEntries(this.deps.db, outTradeNo).find((e) => e.type === 'code_charge.requested');
    const p = entry?.payload as { paymentAmountFen?: number; split?: boolean } | undefined;
    return p && typeof p.paymentAmountFen === 'number' ? { paymentAmountFen: p.paymentAmountFen, split: p.split === true } : null;
  }

  private async resolve(row: CodeChargeRow, mayPay: boolean): Promise<{ status: 'success'; tradeNo: string | null } | { status: 'declined'; reason: string } | { status: 'unknown' }> {
    const { gateway, timing } = this.deps;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = Date.parse(row.created_at) + timing.confirmWithinMs;
    if (mayPay && !journalEntries(this.deps.db, row.out_trade_no).some((e) => e.type === 'code_charge.sent')) {
      this.journal(row, 'code_charge.sent', {});
      const r = await gateway.pay(row.out_trade_no, row.auth_code, row.amount_fen);
      if (r.status === 'success') return { status: 'success', tradeNo: r.tradeNo };
      if (r.status === 'declined') return { status: 'declined', reason: 'declined' };
      this.journal(row, 'code_charge.unknown', {});
    }
    // No answer, or the customer is still confirming: ask by order number, never guess. At least once.
    for (let first = true; first || this.deps.clock().getTime() < deadline; first = false) {
      if (!first) await sleep(timing.queryIntervalMs);
      let q;
      try {
        q = await gateway.query(row.out_trade_no);
      } catch {
        continue;
      }
      if (q.status === 'success') {
        if (q.amountFen !== undefined && q.amountFen !== row.amount_fen) {
          // Not the order this charge sent: never take it for a payment.
          this.journal(row, 'code_charge.amount_mismatch', { gatewayAmountFen: q.amountFen });
          return { status: 'unknown' };
        }
        return { status: 'success', tradeNo: q.tradeNo ?? null };
      }
      if (q.status === 'declined') return { status: 'declined', reason: q.reversed ? 'reversed' : 'declined' };
      // 'pending' or 'not_found' (a pay request still on its way): ask again until the deadline.
    }
    return { status: 'unknown' };
  }

  private commit(row: CodeChargeRow, commit: CommitCharged): void {
    const { db, clock } = this.deps;
    db.transaction(() => {
      commit(row, () => setCodeChargeState(db, row.out_trade_no, 'committed', clock().toISOString()));
    }).immediate();
  }

  /** Cancel or refund the order at the gateway; 'reversing' until the gateway confirms. */
  private async reverse(outTradeNo: string, why: string): Promise<void> {
    let row = this.row(outTradeNo);
    if (row.state !== 'reversing') {
      this.setState(row, 'reversing', 'code_charge.reversing', { reason: why });
      row = this.row(outTradeNo);
    }
    const r = await this.deps.gateway.reverse(outTradeNo);
    if (r === 'reversed') this.setState(row, 'reversed', 'code_charge.reversed', { reason: why });
  }

  private throwFor(row: CodeChargeRow, details: Record<string, string> = {}): never {
    switch (row.state) {
      case 'declined':
        throw new AppError('payment.code_declined', details);
      case 'reversed':
        throw new AppError('payment.code_not_charged', details);
      case 'reversing':
        throw new AppError('payment.code_reversal_pending', details);
      case 'committed':
      case 'paid':
      case 'requested':
        throw new Error(`code charge ${row.out_trade_no} left in state ${row.state}`);
      default: {
        const never: never = row.state;
        throw new Error(`unknown code charge state ${String(never)}`);
      }
    }
  }

  private row(outTradeNo: string): CodeChargeRow {
    const row = codeCharge(this.deps.db, outTradeNo);
    if (!row) throw new Error(`no code charge ${outTradeNo}`);
    return row;
  }

  private setState(row: CodeChargeRow, state: CodeChargeRow['state'], type: string, extra: { tradeNo?: string | null; reason?: string }): void {
    const { db, clock } = this.deps;
    const at = clock().toISOString();
    db.transaction(() => {
      setCodeChargeState(db, row.out_trade_no, state, at, extra);
      appendJournal(db, { type, ref: row.out_trade_no, actor: row.operator_id, at, payload: { paymentId: row.payment_id, ...extra } });
    }).immediate();
  }

  private journal(row: CodeChargeRow, type: string, payload: Record<string, unknown>): void {
    const { db, clock } = this.deps;
    db.transaction(() => {
      appendJournal(db, { type, ref: row.out_trade_no, actor: row.operator_id, at: clock().toISOString(), payload: { paymentId: row.payment_id, ...payload } });
    }).immediate();
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }
}
