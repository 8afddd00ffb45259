/**
 * Idempotent event intake. One batch is one IMMEDIATE transaction, so the duplicate check and
 * the effect of an event are atomic with respect to every other batch, in this process or another
 * one on the same file. An event id seen before (in an earlier batch or earlier in the same
 * batch) answers 'duplicate' and has no second effect. Rejected events are not stored, so the
 * terminal can send them again once the cause is fixed.
 */
import { recordBillPaid } from './history.js';
import {
  EVENT_TYPES,
  PaymentCreatedPayloadSchema,
  StsParamsSchema,
  TerminalEventSchema,
  type EventResult,
  type ExceptionKind,
  type TerminalEvent,
} from '../../main/wire/backend-wire.js';
import { z } from 'zod';
import { nextCounter, type BackendDb } from './db.js';
import { applyKeyChange, ensureStsIssuesTable, recordOfflineIssue } from './sts-issue.js';
import { accountClosure } from './exception-desk.js';

/**
 * The exception kind for an offline token whose (meter, TID) another vend already used.
 * Not yet in backend-wire's EXCEPTION_KINDS (owned elsewhere): recorded with this literal.
 */
const TID_REUSED_EXCEPTION = 'tid_reused';

/**
 * A key change pair the backend could not apply (the meter's record is not the key the pair was
 * issued under). Not yet in backend-wire's EXCEPTION_KINDS (owned elsewhere): recorded with this literal.
 */
const KEY_CHANGE_CONFLICT_EXCEPTION = 'key_change_conflict';

/** The part of a token.management_issued payload the backend acts on (key changes). */
export const ManagementIssuedSchema = z.object({
  tokenId: z.string().min(1),
  accountNo: z.string().min(1),
  meterNo: z.string().regex(/^\d{12,20}$/),
  kind: z.string(),
  next: StsParamsSchema.nullable().optional(),
  prev: StsParamsSchema.optional(),
});

/** The part of a vend.token_issued payload the backend acts on (STS vends issued offline). */
export const OfflineTokenIssuedSchema = z.object({
  vendId: z.string().min(1),
  accountNo: z.string().optional(),
  meterNo: z.string().regex(/^\d{12,20}$/),
  meterKind: z.string().optional(),
  tid: z.int().nonnegative().optional(),
  amountTenths: z.int().nonnegative().optional(),
  deliveredTenths: z.int().nonnegative().optional(),
  offline: z.boolean(),
});

export interface IntakeContext {
  readonly terminalId: string;
  readonly nowIso: string;
  /** Event ids to reject with reason 'knob' (fault injection). */
  readonly failEventIds: ReadonlySet<string>;
}

export type EffectOutcome = { ok: true } | { ok: false; reason: string };

interface ExceptionInput {
  readonly kind: ExceptionKind;
  readonly accountNo?: string;
  readonly billId?: string;
  readonly fen: number;
  readonly detail: string;
}

class RejectEvent extends Error {}

/** Statements are prepared once per connection; `ingest` runs one batch. */
export class EventIntake {
  private readonly exists;
  private readonly insertEvent;
  private readonly seqUsed;
  private readonly insertException;
  private readonly accountExists;
  private readonly billOf;
  private readonly payBill;
  private readonly payLateFee;
  private readonly recordBillPayment;
  private readonly creditAccount;
  private readonly insertZeroFenException;
  private readonly markProcessed;
  /** Event types with an effect on accounts. Every other type is stored without one. */
  private readonly effects: Readonly<Record<string, (event: TerminalEvent, ctx: IntakeContext) => EffectOutcome>>;

  /** `extraEffects`: effects other parts of the backend give their event types (the kiosk's ratings). */
  constructor(
    private readonly db: BackendDb,
    extraEffects: Readonly<Record<string, (event: TerminalEvent, ctx: IntakeContext) => EffectOutcome>> = {},
  ) {
    this.exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM events WHERE event_id = ?');
    this.markProcessed = db.prepare<[string, number]>(
      `INSERT INTO terminal_progress (terminal_id, processed_seq) VALUES (?, ?)
       ON CONFLICT (terminal_id) DO UPDATE SET processed_seq = MAX(processed_seq, excluded.processed_seq)`,
    );
    this.insertEvent = db.prepare(
      'INSERT INTO events(event_id, terminal_id, seq, type, occurred_at, payload_json, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.seqUsed = db.prepare<[string, number], { event_id: string }>(
      'SELECT event_id FROM events WHERE terminal_id = ? AND seq = ? LIMIT 1',
    );
    this.insertException = db.prepare(
      'INSERT INTO exceptions(event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.accountExists = db.prepare<[string], { account_no: string }>('SELECT account_no FROM accounts WHERE account_no = ?');
    this.billOf = db.prepare<[string], { account_no: string; amount_fen: number; paid_fen: number }>(
      'SELECT account_no, amount_fen, paid_fen FROM bills WHERE bill_id = ?',
    );
    this.payLateFee = db.prepare('UPDATE bills SET late_fee_paid_fen = late_fee_paid_fen + ? WHERE bill_id = ?');
    this.recordBillPayment = db.prepare('INSERT OR IGNORE INTO bill_payments(event_id, bill_id, paid_on, principal_fen) VALUES (?, ?, ?, ?)');
    this.payBill = db.prepare(
      "UPDATE bills SET paid_fen = paid_fen + ?, status = CASE WHEN paid_fen + ? >= amount_fen THEN 'paid' ELSE 'open' END WHERE bill_id = ?",
    );
    this.creditAccount = db.prepare(
      'UPDATE accounts SET balance_fen = balance_fen + ?, version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?',
    );
    ensureStsIssuesTable(db);
    this.insertZeroFenException = db.prepare(
      'INSERT INTO exceptions(event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at) VALUES (?, ?, ?, ?, NULL, 0, ?, ?)',
    );
    this.effects = {
      [EVENT_TYPES.paymentCreated]: (e, ctx) => this.applyPaymentCreated(e, ctx),
      'vend.token_issued': (e, ctx) => this.applyTokenIssued(e, ctx),
      'token.management_issued': (e, ctx) => this.applyManagementIssued(e, ctx),
      ...extraEffects,
    };
  }

  /** The event types this intake gives an effect: a store that lacks one must refuse those events, not store them bare. */
  get effectTypes(): string[] {
    return Object.keys(this.effects);
  }

  ingest(rawEvents: readonly unknown[], ctx: IntakeContext): EventResult[] {
    return this.db.transaction((): EventResult[] => rawEvents.map((raw) => this.ingestOne(raw, ctx))).immediate();
  }

  private ingestOne(raw: unknown, ctx: IntakeContext): EventResult {
    const parsed = TerminalEventSchema.safeParse(raw);
    if (!parsed.success) {
      return { eventId: rawEventId(raw), status: 'rejected', reason: `malformed: ${parsed.error.issues.map(issueText).join('; ')}` };
    }
    const event = parsed.data;
    if (this.exists.get(event.eventId) !== undefined) return { eventId: event.eventId, status: 'duplicate' };
    // Accepted or rejected, the event is processed: snapshots read from now on hold its effects (none, if rejected).
    this.markProcessed.run(ctx.terminalId, event.seq);
    if (ctx.failEventIds.has(event.eventId)) return { eventId: event.eventId, status: 'rejected', reason: 'knob' };
    const effect = this.effects[event.type];
    // A savepoint per event: a rejected event leaves nothing behind, the rest of the batch goes on.
    const apply = this.db.transaction((): void => {
      const result = effect === undefined ? { ok: true as const } : effect(event, ctx);
      if (!result.ok) throw new RejectEvent(result.reason);
      const earlier = this.seqUsed.get(ctx.terminalId, event.seq);
      if (earlier !== undefined) {
        this.recordException(event, ctx, { kind: 'seq_reused', fen: 0, detail: `seq ${event.seq} was used by ${earlier.event_id}` });
      }
      this.insertEvent.run(event.eventId, ctx.terminalId, event.seq, event.type, event.occurredAt, JSON.stringify(event.payload ?? null), ctx.nowIso);
    });
    try {
      apply();
      return { eventId: event.eventId, status: 'accepted' };
    } catch (e) {
      if (e instanceof RejectEvent) return { eventId: event.eventId, status: 'rejected', reason: e.message };
      throw e;
    }
  }

  private recordException(event: TerminalEvent, ctx: IntakeContext, x: ExceptionInput): void {
    this.insertException.run(event.eventId, ctx.terminalId, x.kind, x.accountNo ?? null, x.billId ?? null, x.fen, x.detail, ctx.nowIso);
  }

  /**
   * A token issued by a terminal's local secure module (offline): its (meter, TID) becomes used
   * here too, so the online issuer refuses that TID to every other terminal. A TID another vend
   * already used is an exception for staff (two tokens with one TID: the meter takes only the
   * first); the event is still accepted, because the token exists.
   */
  private applyTokenIssued(event: TerminalEvent, ctx: IntakeContext): EffectOutcome {
    const parsed = OfflineTokenIssuedSchema.safeParse(event.payload);
    if (!parsed.success) return { ok: false, reason: `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}` };
    const p = parsed.data;
    if (!p.offline || p.meterKind === 'card' || p.tid === undefined) return { ok: true };
    const outcome = recordOfflineIssue(this.db, {
      vendId: p.vendId,
      terminalId: ctx.terminalId,
      meterNo: p.meterNo,
      tid: p.tid,
      amountTenths: p.amountTenths ?? 0,
      deliveredTenths: p.deliveredTenths ?? p.amountTenths ?? 0,
      issuedAt: event.occurredAt,
    });
    if (outcome.kind === 'tid_reused') {
      this.insertZeroFenException.run(
        event.eventId,
        ctx.terminalId,
        TID_REUSED_EXCEPTION,
        p.accountNo ?? null,
        `offline vend ${p.vendId} used TID ${p.tid} of meter ${p.meterNo}, already used by vend ${outcome.byVendId} (${outcome.byTerminalId})`,
        ctx.nowIso,
      );
    }
    return { ok: true };
  }

  /**
   * A key change pair issued at a terminal: the meter's STS parameters and the account version
   * move (see applyKeyChange). Accepted even when it cannot be applied: the tokens exist; staff get
   * an exception. Other management tokens have no effect here.
   */
  private applyManagementIssued(event: TerminalEvent, ctx: IntakeContext): EffectOutcome {
    const parsed = ManagementIssuedSchema.safeParse(event.payload);
    if (!parsed.success) return { ok: false, reason: `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}` };
    const p = parsed.data;
    if (p.kind !== 'key_change' || p.next === null || p.next === undefined) return { ok: true };
    const outcome = applyKeyChange(this.db, { accountNo: p.accountNo, meterNo: p.meterNo, next: p.next, prev: p.prev, nowIso: ctx.nowIso });
    if (outcome.kind === 'conflict') {
      this.insertZeroFenException.run(event.eventId, ctx.terminalId, KEY_CHANGE_CONFLICT_EXCEPTION, p.accountNo, outcome.detail, ctx.nowIso);
    }
    return { ok: true };
  }

  /**
   * Applies a payment. The money was taken at the counter, so a payment is never rejected for
   * a business conflict: whatever cannot go to the named bill goes to the balance and leaves an
   * exception row for staff. Late fees (`lateFees`) are recorded per bill the same way for every
   * payment, counter or vend settlement alike; principal applied is recorded with its date.
   */
  private applyPaymentCreated(event: TerminalEvent, ctx: IntakeContext): EffectOutcome {
    const parsed = PaymentCreatedPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return { ok: false, reason: `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}` };
    const p = parsed.data;
    if (this.accountExists.get(p.accountNo) === undefined) {
      this.recordException(event, ctx, {
        kind: 'unknown_account',
        accountNo: p.accountNo,
        fen: p.amountFen,
        detail: `payment ${p.paymentId} for unknown account ${p.accountNo} held in suspense`,
      });
      return { ok: true };
    }
    // Closed or moved at the office (maybe while the terminal was offline): the money was taken, so
    // it is accepted and held in suspense for the office to refund or transfer; staff are told.
    const closure = accountClosure(this.db, p.accountNo);
    if (closure !== undefined) {
      this.insertException.run(
        event.eventId,
        ctx.terminalId,
        closure.movedTo === null ? 'account_closed' : 'account_moved',
        p.accountNo,
        null,
        p.amountFen,
        closure.movedTo === null
          ? `payment ${p.paymentId} for closed account ${p.accountNo} held in suspense`
          : `payment ${p.paymentId} for account ${p.accountNo}, moved to ${closure.movedTo}, held in suspense`,
        ctx.nowIso,
      );
      return { ok: true };
    }
    let toBalance = p.toBalanceFen;
    // The terminal's local date; a terminal that does not send it gets the event's UTC date.
    const paidOn = p.paidOn ?? event.occurredAt.slice(0, 10);
    for (const allocation of p.allocations) {
      const bill = this.billOf.get(allocation.billId);
      if (bill === undefined || bill.account_no !== p.accountNo) {
        toBalance += allocation.fen;
        this.recordException(event, ctx, {
          kind: 'unknown_bill',
          accountNo: p.accountNo,
          billId: allocation.billId,
          fen: allocation.fen,
          detail: `bill ${allocation.billId} is not a bill of account ${p.accountNo}; ${allocation.fen} fen moved to balance`,
        });
        continue;
      }
      const remaining = Math.max(0, bill.amount_fen - bill.paid_fen);
      const applied = Math.min(remaining, allocation.fen);
      const excess = allocation.fen - applied;
      if (applied > 0) {
        this.payBill.run(applied, applied, allocation.billId);
        // Dated, so late fees replay it: each day accrues on the principal outstanding that day.
        this.recordBillPayment.run(p.paymentId, allocation.billId, paidOn, applied);
        recordBillPaid(this.db, allocation.billId, paidOn);
      }
      if (excess > 0) {
        toBalance += excess;
        this.recordException(event, ctx, {
          kind: remaining === 0 ? 'bill_already_paid' : 'bill_overpaid',
          accountNo: p.accountNo,
          billId: allocation.billId,
          fen: excess,
          detail:
            remaining === 0
              ? `bill ${allocation.billId} was already paid; ${excess} fen moved to balance`
              : `bill ${allocation.billId} had ${remaining} fen left; ${excess} fen moved to balance`,
        });
      }
    }
    for (const fee of p.lateFees) {
      const bill = this.billOf.get(fee.billId);
      if (bill === undefined || bill.account_no !== p.accountNo) {
        toBalance += fee.fen;
        this.recordException(event, ctx, {
          kind: 'unknown_bill',
          accountNo: p.accountNo,
          billId: fee.billId,
          fen: fee.fen,
          detail: `late fee for bill ${fee.billId}, not a bill of account ${p.accountNo}; ${fee.fen} fen moved to balance`,
        });
        continue;
      }
      this.payLateFee.run(fee.fen, fee.billId);
    }
    this.creditAccount.run(toBalance, ctx.nowIso, nextCounter(this.db, 'change'), p.accountNo);
    return { ok: true };
  }
}

function rawEventId(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && 'eventId' in raw && typeof raw.eventId === 'string') return raw.eventId;
  return '';
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`;
}
