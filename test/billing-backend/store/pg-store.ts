/**
 * The PostgreSQL store: the sync protocol's intake and ledger on a `pg` Pool, for many terminals
 * pushing at once (the fleet run, docs/fleet.md).
 *
 * One transaction per batch (READ COMMITTED). Exactly-once rests on the events primary key: an
 * event is claimed with INSERT … ON CONFLICT DO NOTHING before its effect, so a second push of the
 * same batch racing the first waits on the first's uncommitted row and then finds it — 'duplicate',
 * no second effect. A batch first locks every account it pays into (FOR UPDATE, in account order,
 * so batches queue rather than deadlock; an account's bills change only under its lock); a
 * serialization failure or deadlock all the same is retried as a whole. Payloads are checked
 * before the claim, so a claimed event is never taken back and no savepoints are needed; the
 * batch's new events are claimed in one statement. A batch is two round trips (lock, claim and
 * bills read; then every write and COMMIT): the accounts stay locked for one exchange, not one per
 * statement, which is what kept a fleet's batches queueing behind each other under load.
 *
 * Ported: payment.created (bills, late fees, balance, the history month of a bill paid in full, every exception kind it raises), payment.voided/refunded (pg-reversals.ts), late_fee.waived, audit.break_acknowledged (an alarm), the collection desk's notice.issued/contact.logged/worklist.assigned (pg-collection.ts),
 * vend.created's tariff check, vend.token_issued (offline tokens' TIDs: pg-offline-tokens.ts), token.management_issued (key changes), exception.resolved (a supervisor's resolution kept), rating.created (pg-ratings.ts) and invoice.requested (pg-invoices.ts). Every other event type the SQLite intake gives an effect
 * (`unportedEffects`) is rejected with `not_supported_on_store`, never stored without its effect.
 * Beside the intake: provisioning (pg-enrolment.ts) and what terminals pull — snapshots, the change
 * feed, the snapshot stream and the staff list (pg-accounts.ts) — and a terminal's own records read
 * back: its ledger for a period, its exceptions feed, receipts' verify codes.
 */
import pg from 'pg';
import { z } from 'zod';
import {
  EVENT_TYPES,
  PaymentCreatedPayloadSchema,
  TerminalEventSchema,
  type EventResult,
  type ExceptionKind,
  type ExceptionRecord,
  type LedgerEntry,
  type PaymentCreatedPayload,
  type TerminalEvent,
} from '../../../main/wire/backend-wire.js';
import type { IntakeContext } from '../intake.js';
import { markBillPaid } from '../history.js';
import { ledgerRange } from '../terminal-ledger.js';
import { receiptVerdict, toTerminalException, type ExceptionRow } from '../exception-desk.js';
import {
  EXCEPTION_PAGE_LIMIT,
  EXCEPTION_RESOLVED_EVENT,
  ExceptionResolvedPayloadSchema,
  type ExceptionResolvedPayload,
  type ReceiptVerifyRequest, type ReceiptVerifyResult, type TerminalException } from '../../../main/wire/exceptions-wire.js';
import { judgeProof, type HeadCheck, type JournalAlarm } from '../journal-anchor.js';
import type { JournalHeadWire, JournalProof } from '../../../main/wire/journal-anchor-wire.js';
import { HeartbeatSchema, type Heartbeat } from '../../../main/wire/kiosk-wire.js';
import { exceptionRecord, ledgerEntry, storedResolution } from './sqlite-store.js';
import type { AccountHistory, AccountSnapshot, ChangesPage, OperatorSnapshot } from '../../../main/wire/backend-wire.js';
import type { EnrolmentJournalEntry, IssuedCode, SiteSettings } from '../../../main/wire/enrolment-wire.js';
import type { EnrolOutcome } from '../enrolment.js';
import { DRAWS_CHANGE_SEQ, PG_ACCOUNTS_SCHEMA, PgAccounts } from './pg-accounts.js';
import { int, intArray, lit, multiOn as multi, textArray } from './pg-sql.js';
import { PG_ENROLMENT_SCHEMA, PgEnrolment } from './pg-enrolment.js';
import { PG_STS_SCHEMA, PgStsIssuer } from './pg-sts.js';
import { PG_INVOICES_SCHEMA, PgInvoices } from './pg-invoices.js';
import { invoiceNumber } from '../invoices.js';
import { checkRating, PG_RATINGS_SCHEMA, RATING_CREATED_EVENT, ratedTransactions, readRatings } from './pg-ratings.js';
import type { RatingCreatedPayload } from '../../../main/wire/kiosk-wire.js';
import { PG_RECOVERY_SCHEMA, PgRecovery } from './pg-recovery.js';
import { COLLECTION_EVENTS, collectionRefusal, collectionWritesSql, PG_COLLECTION_SCHEMA, readContacts, readNotices, type CollectionItem } from './pg-collection.js';
import { ManagementIssuedSchema } from '../intake.js';
import { keyChangeDecision } from '../sts-issue.js';
import { SUSPENSE_KINDS } from '../payment-effects.js';
import type { StsParams } from '../../../main/wire/backend-wire.js';
import { offlineOutcome, offlineTokensSql, tokenIssuedRefusal, type OfflineToken } from './pg-offline-tokens.js';
import { PG_REVERSALS_SCHEMA, paymentAccounts, REVERSAL_EVENTS, reversalReadsSql, reversalRefusal, reversalWritesSql, ReversalState, reversedPaymentIds, type ReversalRecord } from './pg-reversals.js';
import type { RecoveryDashboardWire } from '../../../main/wire/recovery-wire.js';
import { InvoiceRequestSchema, LateFeeWaivedPayloadSchema, type Invoice, type InvoiceRequest, type LateFeeWaivedPayload, type PaymentReversedPayload } from '../../../main/wire/payments-wire.js';
import type { StsIssueAnswer } from '../sts-issue.js';
import {
  UNSUPPORTED_EFFECT_REASON,
  type BackendStore,
  type SeedAccountInput,
  type StoredAccount,
  type StoredBill,
  type StoredHeartbeat,
  type StoredRating,
  type StoredNotice,
  type StoredContact,
  type StoredResolution,
  type TerminalTotals,
} from './backend-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS account_change_seq;
CREATE TABLE IF NOT EXISTS accounts (
  account_no text PRIMARY KEY, name text NOT NULL, balance_fen bigint NOT NULL, version integer NOT NULL,
  updated_at text NOT NULL, change_seq bigint NOT NULL, closure text, moved_to text, tariff_code text NOT NULL);
CREATE TABLE IF NOT EXISTS bills (
  bill_id text PRIMARY KEY, account_no text NOT NULL REFERENCES accounts(account_no), period text NOT NULL,
  amount_fen bigint NOT NULL, paid_fen bigint NOT NULL, late_fee_paid_fen bigint NOT NULL DEFAULT 0,
  due_date text NOT NULL, status text NOT NULL);
CREATE INDEX IF NOT EXISTS bills_account ON bills(account_no, period);
CREATE TABLE IF NOT EXISTS bill_payments (
  event_id text NOT NULL, bill_id text NOT NULL, paid_on text NOT NULL, principal_fen bigint NOT NULL,
  PRIMARY KEY (event_id, bill_id));
CREATE TABLE IF NOT EXISTS events (
  event_id text PRIMARY KEY, arrival bigint GENERATED ALWAYS AS IDENTITY UNIQUE, terminal_id text NOT NULL,
  seq bigint NOT NULL, type text NOT NULL, occurred_at text NOT NULL, payload_json text NOT NULL, received_at text NOT NULL);
CREATE INDEX IF NOT EXISTS events_terminal_seq ON events(terminal_id, seq);
CREATE TABLE IF NOT EXISTS terminal_progress (terminal_id text PRIMARY KEY, processed_seq bigint NOT NULL);
CREATE TABLE IF NOT EXISTS exceptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id text NOT NULL, terminal_id text NOT NULL, kind text NOT NULL,
  account_no text, bill_id text, fen bigint NOT NULL, detail text NOT NULL, created_at text NOT NULL);
CREATE INDEX IF NOT EXISTS exceptions_terminal ON exceptions(terminal_id, id);
CREATE TABLE IF NOT EXISTS journal_heads (terminal_id text PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL, updated_at text NOT NULL);
CREATE TABLE IF NOT EXISTS journal_alarms (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, terminal_id text NOT NULL, reason text NOT NULL, anchor_seq bigint,
  anchor_hash text, head_seq bigint, head_hash text, detail text NOT NULL, created_at text NOT NULL,
  UNIQUE NULLS NOT DISTINCT (terminal_id, reason, head_seq, head_hash));
CREATE TABLE IF NOT EXISTS heartbeats (terminal_id text PRIMARY KEY, received_at text NOT NULL, body jsonb NOT NULL, count bigint NOT NULL);
CREATE TABLE IF NOT EXISTS exception_resolutions (
  exception_id bigint PRIMARY KEY, resolution_id text NOT NULL, terminal_id text NOT NULL, resolution text NOT NULL,
  note text NOT NULL, resolved_by text NOT NULL, event_id text NOT NULL, created_at text NOT NULL);
CREATE TABLE IF NOT EXISTS late_fee_waivers (
  waiver_id text PRIMARY KEY, terminal_id text NOT NULL, account_no text NOT NULL, bill_id text NOT NULL, fen bigint NOT NULL,
  reason_code text NOT NULL, approved_by text NOT NULL, as_of text NOT NULL, created_at text NOT NULL);
CREATE TABLE IF NOT EXISTS rejection_resolutions (
  resolution_id text PRIMARY KEY, terminal_id text NOT NULL, event_id text NOT NULL, resolution text NOT NULL,
  note text NOT NULL, resolved_by text NOT NULL, created_at text NOT NULL);
`;

const INVOICE_REQUESTED_EVENT = 'invoice.requested';
const LATE_FEE_WAIVED_EVENT = 'late_fee.waived';
/** An auditor's acknowledgement of a journal break (docs/audit.md): stored, and an alarm for the office. */
const BREAK_ACKNOWLEDGED_EVENT = 'audit.break_acknowledged';
/** A management token issued at a terminal; a key change pair moves the meter's STS parameters (sts-issue.ts). */
const MANAGEMENT_ISSUED_EVENT = 'token.management_issued';

const PORTED_EFFECTS: ReadonlySet<string> = new Set([EVENT_TYPES.paymentCreated, 'vend.token_issued', 'vend.created', EXCEPTION_RESOLVED_EVENT, RATING_CREATED_EVENT, INVOICE_REQUESTED_EVENT, ...REVERSAL_EVENTS, LATE_FEE_WAIVED_EVENT, BREAK_ACKNOWLEDGED_EVENT, ...COLLECTION_EVENTS, MANAGEMENT_ISSUED_EVENT]);

/** The part of a vend.created payload the tariff check reads (as exception-desk.ts). */
const VendCreatedSchema = z.object({
  vendId: z.string().min(1),
  accountNo: z.string().min(1),
  amountFen: z.int().nonnegative(),
  split: z.object({ tariffId: z.string().min(1) }),
});

/** Serialization failure and deadlock: the batch is retried from the start. */
const RETRY_CODES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

export interface PgStoreOptions {
  readonly url: string;
  /** Default 10. */
  readonly poolSize?: number;
  /** Event types with an effect on the SQLite store that this store does not implement. */
  readonly unportedEffects: readonly string[];
  /** The backend's clock (enrolment codes' expiry, the journal). Default: the real clock. */
  readonly now?: () => Date;
  /** The server's public base URL once it listens (invoice links point at it). Default none (''). */
  readonly publicUrl?: () => string;
}

/**
 * Bumped when what the PG seed keeps changes, so a database seeded by an older layout is refused
 * (as a stale SQLite file is), not served with columns left empty. 2: whole snapshots and the staff.
 */
const PG_SEED_LAYOUT = 2;

type Db = pg.PoolClient;
/** What the effects read of an account, under the batch's lock (closures and tariffs change only at the office). */
interface AccountRow {
  readonly closure: string | null;
  readonly moved_to: string | null;
  readonly tariff_code: string;
  /** The 24 months its snapshots carry: a bill paid in full here is marked in it, as on SQLite. */
  readonly history_json: string | null;
}

export class PgBackendStore implements BackendStore {
  readonly kind = 'pg' as const;
  private readonly unported = new Set<string>();
  private readonly accounts: PgAccounts;
  private readonly enrolment: PgEnrolment;
  private readonly sts: PgStsIssuer;
  private readonly invoices: PgInvoices;
  private readonly recovery: PgRecovery;
  /** Whether the tax platform is down (the server's failInvoices knob): invoice.requested then holds the request pending. */
  private invoicesDown: () => boolean = () => false;

  private constructor(
    private readonly pool: pg.Pool,
    unported: readonly string[],
    now: () => Date,
    publicUrl: () => string,
  ) {
    this.refuseEffects(unported);
    this.accounts = new PgAccounts(pool);
    this.enrolment = new PgEnrolment(pool, () => now().toISOString());
    this.sts = new PgStsIssuer(pool, () => now().toISOString());
    this.invoices = new PgInvoices(pool, () => now().toISOString(), publicUrl);
    this.recovery = new PgRecovery(pool);
  }

  /** The server's failInvoices knob, read by invoice.requested as the SQLite intake reads it. */
  setInvoicesDown(down: () => boolean): void {
    this.invoicesDown = down;
  }

  /** Event types with an effect elsewhere (the server's full SQLite intake) that this store refuses; its own ported ones are kept. */
  refuseEffects(types: readonly string[]): void {
    for (const t of types) if (!PORTED_EFFECTS.has(t)) this.unported.add(t);
  }

  static async open(opts: PgStoreOptions): Promise<PgBackendStore> {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client's lost connection (the cluster stopped under it) must not crash the process.
    pool.on('error', () => undefined);
    try {
      const c = await pool.connect();
      try {
        // Two servers starting on one database: one creates the schema, the other waits.
        await c.query('SELECT pg_advisory_lock(727001)');
        await c.query(SCHEMA);
        await c.query(PG_ACCOUNTS_SCHEMA);
        await c.query(PG_ENROLMENT_SCHEMA);
        await c.query(PG_STS_SCHEMA);
        await c.query(PG_INVOICES_SCHEMA);
        await c.query(PG_RATINGS_SCHEMA);
        await c.query(PG_RECOVERY_SCHEMA);
        await c.query(PG_REVERSALS_SCHEMA);
        await c.query(PG_COLLECTION_SCHEMA);
        await PgEnrolment.prepare(c);
        await c.query('SELECT pg_advisory_unlock(727001)');
      } finally {
        c.release();
      }
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgBackendStore(pool, opts.unportedEffects, opts.now ?? (() => new Date()), opts.publicUrl ?? (() => ''));
  }

  /**
   * One batch in two round trips, so an account's lock is held for one exchange with the server, not
   * one per statement (under load the wait between statements, not PostgreSQL, is what holds it):
   * [BEGIN; lock the accounts; claim the new events; read the bills they pay] → the effects worked
   * out here against what was read → [every write; COMMIT]. Both go as simple multi-statement
   * queries, every value inlined as an escaped literal (numbers checked as safe integers).
   */
  async ingest(rawEvents: readonly unknown[], ctx: IntakeContext): Promise<EventResult[]> {
    const taken = await this.ingestJournaled(rawEvents, ctx, null);
    if ('refused' in taken) throw new Error('a batch without a journal head cannot be refused for it');
    return taken.results;
  }

  /**
   * A batch with the terminal's journal head (docs/audit.md): the head is checked against the
   * acknowledged one (its row locked first, so a terminal's pushes take turns), the events taken and
   * the head acknowledged in the same transaction — as on SQLite, one step. A refused head takes
   * nothing (the transaction rolls back) and a shorter or rewritten chain raises its alarm.
   */
  async ingestJournaled(rawEvents: readonly unknown[], ctx: IntakeContext, proof: JournalProof | null): Promise<{ results: EventResult[] } | { refused: Extract<HeadCheck, { ok: false }> }> {
    const plan = this.plan(
      rawEvents, ctx, await this.exceptionOwners(rawEvents), new Map(await ratedTransactions(this.pool, rawEvents)), await paymentAccounts(this.pool, reversedPaymentIds(rawEvents)),
    );
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        const taken = await this.ingestIn(c, plan, ctx, proof);
        if ('refused' in taken && taken.alarm !== null) await this.raiseAlarm(ctx.terminalId, taken.alarm.anchor, proof as JournalProof, taken.refused, ctx.nowIso);
        return 'refused' in taken ? { refused: taken.refused } : taken;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        const code = (e as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRY_CODES.has(code)) throw e;
      } finally {
        c.release();
      }
    }
  }

  /** Phase 1, no database: parse and check every event; what is left are the candidates to claim. */
  /** `paidInto`: the accounts of stored payments the batch's reversals name (read before its transaction). */
  private plan(rawEvents: readonly unknown[], ctx: IntakeContext, owners: ReadonlyMap<number, string>, rated: Map<string, string>, paidInto: ReadonlyMap<string, string>): BatchPlan {
    const slots: Slot[] = [];
    const candidates = new Map<string, TerminalEvent>();
    const payments = new Map<string, PaymentCreatedPayload>();
    const resolutions = new Map<string, ExceptionResolvedPayload>();
    const ratings = new Map<string, RatingCreatedPayload>();
    const invoices = new Map<string, InvoiceRequest>();
    const reversals = new Map<string, PaymentReversedPayload>();
    const waivers = new Map<string, LateFeeWaivedPayload>();
    const collection = new Map<string, CollectionItem>();
    const offlineTokens = new Map<string, OfflineToken>();
    const keyChanges = new Map<string, KeyChange>();
    for (const raw of rawEvents) {
      const parsed = TerminalEventSchema.safeParse(raw);
      if (!parsed.success) {
        slots.push({ kind: 'done', result: { eventId: rawEventId(raw), status: 'rejected', reason: `malformed: ${parsed.error.issues.map(issueText).join('; ')}` } });
        continue;
      }
      const event = parsed.data;
      const refusal = ctx.failEventIds.has(event.eventId) ? 'knob' : (this.precheck(event, payments, resolutions, owners, ctx.terminalId) ?? ratingRefusal(event, rated, ratings) ?? invoiceRefusal(event, invoices) ?? reversalRefusal(event, reversals, issueText) ?? waiverRefusal(event, waivers) ?? collectionRefusal(event, collection) ?? tokenIssuedRefusal(event, offlineTokens, issueText) ?? managementRefusal(event, keyChanges));
      if (refusal !== null) {
        // Already held (earlier in this batch, or stored before: asked in the first round trip) → duplicate.
        slots.push(candidates.has(event.eventId) ? { kind: 'done', result: { eventId: event.eventId, status: 'duplicate' } } : { kind: 'refused', event, reason: refusal });
        continue;
      }
      if (candidates.has(event.eventId)) {
        slots.push({ kind: 'done', result: { eventId: event.eventId, status: 'duplicate' } });
        continue;
      }
      candidates.set(event.eventId, event);
      slots.push({ kind: 'candidate', event });
    }
    const accounts = new Set<string>();
    const bills = new Set<string>();
    for (const e of candidates.values()) {
      const no = (e.payload as { accountNo?: unknown } | null)?.accountNo;
      if ((e.type === EVENT_TYPES.paymentCreated || e.type === 'vend.created') && typeof no === 'string') accounts.add(no);
      const k = keyChanges.get(e.eventId);
      if (e.type === MANAGEMENT_ISSUED_EVENT && k !== undefined) accounts.add(k.accountNo);
      const w = waivers.get(e.eventId);
      if (e.type === LATE_FEE_WAIVED_EVENT && w !== undefined) {
        accounts.add(w.accountNo);
        bills.add(w.billId);
      }
      const r = reversals.get(e.eventId);
      if (REVERSAL_EVENTS.has(e.type) && r !== undefined) {
        // The reversed payment's account is the one it changes; the reversal's own is locked too, as SQLite's batch holds every account.
        accounts.add(r.accountNo);
        const into = paidInto.get(r.paymentId) ?? payments.get(r.paymentId)?.accountNo;
        if (into !== undefined) accounts.add(into);
        for (const f of payments.get(r.paymentId)?.lateFees ?? []) bills.add(f.billId);
      }
      const p = payments.get(e.eventId);
      if (e.type === EVENT_TYPES.paymentCreated && p !== undefined) {
        for (const a of p.allocations) bills.add(a.billId);
        for (const f of p.lateFees) bills.add(f.billId);
      }
    }
    const reversedPayments = [...new Set([...reversals.entries()].filter(([id]) => candidates.has(id)).map(([, r]) => r.paymentId))];
    return { slots, candidates: [...candidates.values()], payments, resolutions, ratings, invoices, reversals, reversedPayments, waivers, collection, offlineTokens: [...offlineTokens.values()].filter((t) => candidates.has(t.eventId)), keyChanges, accounts: [...accounts].sort(), bills: [...bills] };
  }

  private async ingestIn(
    c: Db, plan: BatchPlan, ctx: IntakeContext, proof: JournalProof | null,
  ): Promise<{ results: EventResult[] } | { refused: Extract<HeadCheck, { ok: false }>; alarm: { anchor: JournalHeadWire } | null }> {
    const refused = plan.slots.filter((s): s is Extract<Slot, { kind: 'refused' }> => s.kind === 'refused');
    // Round trip 1. Every account the batch names is locked up front, in one order: two batches
    // naming the same accounts in opposite orders queue instead of deadlocking. The bills are read
    // after the lock (a statement of their own, so its snapshot follows the previous holder's commit);
    // an account's bills change only under its lock.
    const first: string[] = [];
    const headAt = proof !== null ? first.push(`SELECT seq, hash FROM journal_heads WHERE terminal_id = ${lit(ctx.terminalId)} FOR UPDATE`) - 1 : -1;
    const lockAt = plan.accounts.length > 0 && plan.candidates.length > 0 ? first.push(lockSql(plan.accounts)) - 1 : -1;
    const claimAt = plan.candidates.length > 0 ? first.push(claimSql(plan.candidates, ctx)) - 1 : -1;
    const billsAt = plan.bills.length > 0 && plan.candidates.length > 0 ? first.push(billsSql(plan.bills)) - 1 : -1;
    const reversalsAt = plan.reversedPayments.length > 0 && plan.candidates.length > 0 ? first.push(...reversalReadsSql(plan.reversedPayments, textArray)) - 4 : -1;
    const tokensAt = plan.offlineTokens.length > 0 ? first.push(...offlineTokensSql(plan.offlineTokens, ctx.terminalId, { lit, textArray, intArray })) - 1 : -1;
    const keyMeters = [...new Set([...plan.keyChanges.values()].map((k) => k.meterNo))];
    // After the accounts' lock: a meter's parameters change only under its account's lock.
    const metersAt = keyMeters.length > 0 && plan.candidates.length > 0 ? first.push(`SELECT meter_no, account_no, kind, sts_json FROM meters WHERE meter_no = ANY(${textArray(keyMeters)})`) - 1 : -1;
    const storedAt = refused.length > 0 ? first.push(`SELECT event_id FROM events WHERE event_id = ANY(${textArray(refused.map((s) => s.event.eventId))})`) - 1 : -1;
    const rows = first.length === 0 ? [] : await multi(c, ['BEGIN', ...first]);
    const at = (i: number): Record<string, unknown>[] => (i < 0 ? [] : (rows[i + 1] ?? []));
    const accounts = new Map(at(lockAt).map((r) => [String(r.account_no), r as unknown as AccountRow]));
    const claimed = new Map(at(claimAt).map((r) => [String(r.event_id), r.seq_used_by === null ? null : String(r.seq_used_by)]));
    const stored = new Set(at(storedAt).map((r) => String(r.event_id)));
    const bills = new Map(
      at(billsAt).map((r) => [String(r.bill_id), { accountNo: String(r.account_no), amount: Number(r.amount_fen), paid: Number(r.paid_fen), period: String(r.period), dueDate: String(r.due_date) }]),
    );
    const reversalState = reversalsAt < 0 ? null : new ReversalState([0, 1, 2, 3].map((i) => at(reversalsAt + i)));
    // This batch's payments are read with the stored ones (claimed before the read); one the batch has not reached yet is not taken yet, as on SQLite.
    const paymentsAhead = reversalState === null ? new Set<string>() : new Set(plan.candidates.filter((e) => e.type === EVENT_TYPES.paymentCreated && claimed.has(e.eventId)).map((e) => e.eventId));
    if (proof !== null) {
      const row = at(headAt)[0];
      const anchor = row === undefined ? null : { seq: Number(row.seq), hash: String(row.hash) };
      const verdict = judgeProof(anchor, proof);
      if (!verdict.ok) {
        await c.query('ROLLBACK');
        return { refused: verdict, alarm: verdict.reason !== 'stale' && anchor !== null ? { anchor } : null };
      }
    }

    // The claimed events' effects, in batch order, against the bills as read under the lock.
    const writes = new Writes(ctx, this.invoicesDown());
    const seqInBatch = new Map<number, string>();
    let meters: Map<string, { account_no: string; kind: string; sts_json: string | null }> | undefined;
    let processed = -1;
    const out: EventResult[] = [];
    for (const slot of plan.slots) {
      if (slot.kind === 'done') {
        out.push(slot.result);
        continue;
      }
      const event = slot.event;
      if (slot.kind === 'refused') {
        if (stored.has(event.eventId)) {
          out.push({ eventId: event.eventId, status: 'duplicate' });
        } else {
          processed = Math.max(processed, event.seq);
          out.push({ eventId: event.eventId, status: 'rejected', reason: slot.reason });
        }
        continue;
      }
      if (!claimed.has(event.eventId)) {
        out.push({ eventId: event.eventId, status: 'duplicate' });
        continue;
      }
      processed = Math.max(processed, event.seq);
      if (event.type === 'vend.created') checkVendTariff(writes, event, accounts);
      const resolution = plan.resolutions.get(event.eventId);
      if (event.type === EXCEPTION_RESOLVED_EVENT && resolution !== undefined) writes.resolve(event, resolution);
      const rating = plan.ratings.get(event.eventId);
      if (event.type === RATING_CREATED_EVENT && rating !== undefined) writes.rate(rating);
      const invoice = plan.invoices.get(event.eventId);
      if (event.type === INVOICE_REQUESTED_EVENT && invoice !== undefined) writes.requestInvoice(invoice);
      const payment = plan.payments.get(event.eventId);
      if (event.type === EVENT_TYPES.paymentCreated && payment !== undefined) applyPayment(writes, event, payment, accounts, bills);
      paymentsAhead.delete(event.eventId);
      if (event.type === BREAK_ACKNOWLEDGED_EVENT) writes.acknowledgeBreak(event);
      const keyChange = plan.keyChanges.get(event.eventId);
      if (event.type === MANAGEMENT_ISSUED_EVENT && keyChange !== undefined) {
        meters ??= new Map(at(metersAt).map((r) => [String(r.meter_no), { account_no: String(r.account_no), kind: String(r.kind), sts_json: r.sts_json === null ? null : String(r.sts_json) }]));
        const meter = meters.get(keyChange.meterNo);
        const decision = keyChangeDecision(meter, keyChange);
        if (decision.kind === 'conflict') writes.exception(event, 'key_change_conflict', keyChange.accountNo, null, 0, decision.detail);
        if (decision.kind === 'apply' && meter !== undefined) {
          // The batch's later key changes of this meter see this one, as on SQLite.
          meters.set(keyChange.meterNo, { ...meter, sts_json: JSON.stringify(decision.next) });
          writes.changeKey(keyChange.meterNo, JSON.stringify(decision.next), decision.accountNo);
        }
      }
      const token = tokensAt < 0 ? undefined : plan.offlineTokens.find((t) => t.eventId === event.eventId);
      if (token !== undefined) {
        const outcome = offlineOutcome(token, ctx.terminalId, at(tokensAt));
        if (outcome.kind === 'tid_reused') {
          writes.exception(
            event, 'tid_reused', token.accountNo, null, 0,
            `offline vend ${token.vendId} used TID ${token.tid} of meter ${token.meterNo}, already used by vend ${outcome.byVendId} (${outcome.byTerminalId})`,
          );
        }
      }
      const collected = plan.collection.get(event.eventId);
      if (COLLECTION_EVENTS.has(event.type) && collected !== undefined) writes.collect(collected);
      const waiver = plan.waivers.get(event.eventId);
      if (event.type === LATE_FEE_WAIVED_EVENT && waiver !== undefined) applyWaiver(writes, event, waiver, bills);
      const reversal = plan.reversals.get(event.eventId);
      if (REVERSAL_EVENTS.has(event.type) && reversal !== undefined && reversalState !== null) applyReversal(writes, event, reversal, reversalState, paymentsAhead, bills);
      const seqUsedBy = claimed.get(event.eventId) ?? seqInBatch.get(event.seq) ?? null;
      if (seqUsedBy !== null) writes.exception(event, 'seq_reused', null, null, 0, `seq ${event.seq} was used by ${seqUsedBy}`);
      if (!seqInBatch.has(event.seq)) seqInBatch.set(event.seq, event.eventId);
      out.push({ eventId: event.eventId, status: 'accepted' });
    }
    // Round trip 2: every write of the batch (and the head it came with) and COMMIT (a batch that opened no transaction has none).
    const second = writes.sql(processed);
    if (proof !== null) second.push(acceptHeadSql(ctx.terminalId, proof.head, ctx.nowIso));
    if (first.length > 0) await multi(c, [...second, 'COMMIT']);
    else if (second.length > 0) await multi(c, ['BEGIN', ...second, 'COMMIT']);
    return { results: out };
  }

  private async raiseAlarm(terminalId: string, anchor: JournalHeadWire, proof: JournalProof, verdict: Extract<HeadCheck, { ok: false }>, nowIso: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO journal_alarms (terminal_id, reason, anchor_seq, anchor_hash, head_seq, head_hash, detail, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [terminalId, verdict.reason, anchor.seq, anchor.hash, proof.head.seq, proof.head.hash, verdict.detail, nowIso],
    );
  }

  /**
   * Who owns the exceptions a batch's resolutions name (id → terminal), read before its transaction:
   * an exception never changes terminal nor goes away, and a terminal learns its id only from the
   * feed, after it committed — so this read cannot go stale. A batch without resolutions reads nothing.
   */
  private async exceptionOwners(rawEvents: readonly unknown[]): Promise<ReadonlyMap<number, string>> {
    const ids = new Set<number>();
    for (const raw of rawEvents) {
      if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== EXCEPTION_RESOLVED_EVENT) continue;
      const r = ExceptionResolvedPayloadSchema.safeParse((raw as { payload?: unknown }).payload);
      if (r.success && r.data.backendId !== null) ids.add(r.data.backendId);
    }
    if (ids.size === 0) return new Map();
    const r = await this.pool.query<{ id: string; terminal_id: string }>('SELECT id, terminal_id FROM exceptions WHERE id = ANY($1::bigint[])', [[...ids]]);
    return new Map(r.rows.map((row) => [Number(row.id), row.terminal_id]));
  }

  /** Why the event is refused before anything is stored, or null; a payment's (or resolution's) parsed payload goes to `payments` (`resolutions`). */
  private precheck(
    event: TerminalEvent, payments: Map<string, PaymentCreatedPayload>, resolutions: Map<string, ExceptionResolvedPayload>, owners: ReadonlyMap<number, string>, terminalId: string,
  ): string | null {
    if (this.unported.has(event.type)) return `${UNSUPPORTED_EFFECT_REASON}: the effect of ${event.type} is not implemented on the pg store`;
    if (event.type === EVENT_TYPES.paymentCreated) {
      const p = PaymentCreatedPayloadSchema.safeParse(event.payload);
      if (!p.success) return `malformed_payload: ${p.error.issues.map(issueText).join('; ')}`;
      if (!payments.has(event.eventId)) payments.set(event.eventId, p.data);
    }
    if (event.type === EXCEPTION_RESOLVED_EVENT) {
      // As ExceptionDesk.resolve: only an exception of the resolving terminal (owners: read before the batch).
      const r = ExceptionResolvedPayloadSchema.safeParse(event.payload);
      if (!r.success) return `malformed_payload: ${r.error.issues.map(issueText).join('; ')}`;
      if (r.data.backendId !== null && owners.get(r.data.backendId) !== terminalId) return `unknown_exception: ${r.data.backendId} is not an exception of ${terminalId}`;
      if (!resolutions.has(event.eventId)) resolutions.set(event.eventId, r.data);
    }
    return null;
  }

  // ---- journal heads (docs/audit.md), as JournalAnchors on SQLite ----

  async journalAnchor(terminalId: string): Promise<JournalHeadWire | null> {
    const row = (await this.pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM journal_heads WHERE terminal_id = $1', [terminalId])).rows[0];
    return row === undefined ? null : { seq: Number(row.seq), hash: row.hash };
  }

  /** Whether `proof` extends the terminal's acknowledged head; a shorter or rewritten chain is an alarm. */
  async journalCheck(terminalId: string, proof: JournalProof, nowIso: string): Promise<HeadCheck> {
    const anchor = await this.journalAnchor(terminalId);
    const verdict = judgeProof(anchor, proof);
    if (!verdict.ok && verdict.reason !== 'stale' && anchor !== null) await this.raiseAlarm(terminalId, anchor, proof, verdict, nowIso);
    return verdict;
  }

  /** Records `head` as acknowledged (after the push it came with was taken); never moves back. */
  async journalAccept(terminalId: string, head: JournalHeadWire, nowIso: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO journal_heads (terminal_id, seq, hash, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (terminal_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
       WHERE excluded.seq >= journal_heads.seq`,
      [terminalId, head.seq, head.hash, nowIso],
    );
  }

  async journalAlarms(terminalId?: string): Promise<JournalAlarm[]> {
    const r = await this.pool.query<{ id: string; terminal_id: string; reason: string; anchor_seq: string | null; head_seq: string | null; detail: string; created_at: string }>(
      'SELECT * FROM journal_alarms WHERE $1::text IS NULL OR terminal_id = $1 ORDER BY id',
      [terminalId ?? null],
    );
    return r.rows.map((a) => ({
      id: Number(a.id), terminalId: a.terminal_id, reason: a.reason, anchorSeq: a.anchor_seq === null ? null : Number(a.anchor_seq),
      headSeq: a.head_seq === null ? null : Number(a.head_seq), detail: a.detail, createdAt: a.created_at,
    }));
  }

  async processedSeq(terminalId: string): Promise<number> {
    const r = await this.pool.query<{ processed_seq: string }>('SELECT processed_seq FROM terminal_progress WHERE terminal_id = $1', [terminalId]);
    return Number(r.rows[0]?.processed_seq ?? 0);
  }

  async ledger(terminalId?: string): Promise<LedgerEntry[]> {
    const r = await this.pool.query(
      'SELECT event_id, terminal_id, seq, type, occurred_at, payload_json, received_at FROM events WHERE $1::text IS NULL OR terminal_id = $1 ORDER BY arrival',
      [terminalId ?? null],
    );
    return r.rows.map(ledgerEntry);
  }

  async exceptions(terminalId?: string): Promise<ExceptionRecord[]> {
    const r = await this.pool.query('SELECT * FROM exceptions WHERE $1::text IS NULL OR terminal_id = $1 ORDER BY id', [terminalId ?? null]);
    return r.rows.map(exceptionRecord);
  }

  async account(accountNo: string): Promise<StoredAccount | undefined> {
    const row = (await this.pool.query<{ account_no: string; balance_fen: string; closure: string | null; moved_to: string | null }>(
      'SELECT account_no, balance_fen, closure, moved_to FROM accounts WHERE account_no = $1',
      [accountNo],
    )).rows[0];
    if (row === undefined) return undefined;
    return { accountNo: row.account_no, balanceFen: Number(row.balance_fen), status: row.closure === null ? 'active' : row.moved_to === null ? 'closed' : 'moved' };
  }

  async bills(accountNo: string): Promise<StoredBill[]> {
    const r = await this.pool.query<{ bill_id: string; account_no: string; amount_fen: string; paid_fen: string; late_fee_paid_fen: string; status: string }>(
      'SELECT bill_id, account_no, amount_fen, paid_fen, late_fee_paid_fen, status FROM bills WHERE account_no = $1 ORDER BY period, bill_id',
      [accountNo],
    );
    return r.rows.map((b) => ({
      billId: b.bill_id, accountNo: b.account_no, amountFen: Number(b.amount_fen), paidFen: Number(b.paid_fen), lateFeePaidFen: Number(b.late_fee_paid_fen), status: b.status,
    }));
  }

  async totals(): Promise<TerminalTotals[]> {
    const r = await this.pool.query<{ terminal_id: string; events: string; payment_fen: string | null }>(
      `SELECT terminal_id, COUNT(*) AS events,
         SUM(CASE WHEN type = 'payment.created' THEN (payload_json::jsonb ->> 'amountFen')::bigint ELSE 0 END) AS payment_fen
       FROM events GROUP BY terminal_id ORDER BY terminal_id`,
    );
    return r.rows.map((t) => ({ terminalId: t.terminal_id, events: Number(t.events), paymentFen: Number(t.payment_fen ?? 0) }));
  }

  async seed(accounts: readonly SeedAccountInput[]): Promise<void> {
    await this.seedRows(
      accounts.map((a) => ({
        accountNo: a.accountNo,
        name: `Seeded ${a.accountNo}`,
        balanceFen: a.balanceFen ?? 0,
        tariffCode: a.tariffCode ?? 'R1',
        closure: a.closed ? (a.closed.movedTo === null ? 'closed' : 'moved') : null,
        movedTo: a.closed?.movedTo ?? null,
        bills: (a.bills ?? []).map((b) => ({ billId: b.billId, period: b.period ?? '2026-10', amountFen: b.amountFen, paidFen: b.paidFen ?? 0, dueDate: b.dueDate ?? '2026-11-30' })),
      })),
    );
  }

  /**
   * The demo data (seed.ts) once per database, as ensureSeeded keeps it on SQLite: whole snapshots
   * (meters, bills, history, the seed's closed status — closures come from the office only) in
   * generator order, so change_seq counts as SQLite's does, and the staff. A database seeded with
   * other parameters (or by an older layout of this store) is an error, as on SQLite. One
   * transaction: a seeding cut short leaves nothing to be taken for seeded.
   */
  async ensureSeeded(
    seedKey: string,
    generate: () => { readonly operators: readonly OperatorSnapshot[]; readonly accounts: Iterable<AccountSnapshot> },
  ): Promise<'seeded' | 'reused'> {
    const key = `${seedKey} pg-layout ${PG_SEED_LAYOUT}`;
    const c = await this.pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock(727002)');
      const existing = (await c.query<{ value: string }>("SELECT value FROM meta WHERE key = 'seed'")).rows[0]?.value;
      if (existing !== undefined) {
        if (existing !== key) throw new Error(`backend database was seeded with ${existing}, not ${key}; use another database`);
        return 'reused';
      }
      const data = generate();
      await c.query('BEGIN');
      try {
        await PgAccounts.insertSeed(c, [], data.operators);
        const chunk: AccountSnapshot[] = [];
        // A chunk at a time: a million accounts never sit in memory together.
        for (const a of data.accounts) {
          chunk.push(a);
          if (chunk.length >= 2000) await PgAccounts.insertSeed(c, chunk.splice(0), []);
        }
        await PgAccounts.insertSeed(c, chunk, []);
        await c.query("INSERT INTO meta (key, value) VALUES ('seed', $1)", [key]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      // Statistics now, not whenever autovacuum gets to it: without them the planner reads a whole
      // change_seq range to sort it, for every chunk of the snapshot stream.
      await c.query('ANALYZE accounts, meters, bills, bill_payments');
      return 'seeded';
    } finally {
      await c.query('SELECT pg_advisory_unlock(727002)').catch(() => undefined);
      c.release();
    }
  }

  private async seedRows(rows: readonly SeedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const bills = rows.flatMap((a) => a.bills.map((b) => ({ ...b, accountNo: a.accountNo })));
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(DRAWS_CHANGE_SEQ);
      await c.query(
        `INSERT INTO accounts (account_no, name, balance_fen, version, updated_at, change_seq, closure, moved_to, tariff_code)
         SELECT a, n, b, 1, '2026-01-01T00:00:00.000Z', nextval('account_change_seq'), cl, mt, tc
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS t(a, n, b, cl, mt, tc)`,
        [rows.map((a) => a.accountNo), rows.map((a) => a.name), rows.map((a) => a.balanceFen), rows.map((a) => a.closure), rows.map((a) => a.movedTo), rows.map((a) => a.tariffCode)],
      );
      if (bills.length > 0) {
        await c.query(
          `INSERT INTO bills (bill_id, account_no, period, amount_fen, paid_fen, due_date, status)
           SELECT i, a, p, am, pd, d, CASE WHEN pd >= am THEN 'paid' ELSE 'open' END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[]) AS t(i, a, p, am, pd, d)`,
          [bills.map((b) => b.billId), bills.map((b) => b.accountNo), bills.map((b) => b.period), bills.map((b) => b.amountFen), bills.map((b) => b.paidFen), bills.map((b) => b.dueDate)],
        );
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async recordHeartbeat(terminalId: string, heartbeat: Heartbeat, receivedAt: string): Promise<void> {
    // One statement: a thousand terminals' minute beats are a thousand single-row upserts, no transaction.
    await this.pool.query(
      `INSERT INTO heartbeats (terminal_id, received_at, body, count) VALUES ($1, $2, $3, 1)
       ON CONFLICT (terminal_id) DO UPDATE SET received_at = excluded.received_at, body = excluded.body, count = heartbeats.count + 1`,
      [terminalId, receivedAt, JSON.stringify(heartbeat)],
    );
  }

  async heartbeats(): Promise<StoredHeartbeat[]> {
    const r = await this.pool.query<{ terminal_id: string; received_at: string; body: unknown; count: string }>('SELECT terminal_id, received_at, body, count FROM heartbeats ORDER BY terminal_id COLLATE "C"');
    return r.rows.map((row) => ({ terminalId: row.terminal_id, receivedAt: row.received_at, count: Number(row.count), heartbeat: HeartbeatSchema.parse(row.body) }));
  }

  // ---- provisioning (pg-enrolment.ts) ----

  putSite(siteId: string, settings: SiteSettings): Promise<void> {
    return this.enrolment.putSite(siteId, settings);
  }

  issueEnrolmentCode(req: { siteId: string; mode: 'counter' | 'kiosk'; ttlMinutes: number; issuedBy: string }): Promise<IssuedCode | null> {
    return this.enrolment.issue(req);
  }

  enrol(code: string, meta: { hostname?: string | undefined }): Promise<EnrolOutcome> {
    return this.enrolment.enrol(code, meta);
  }

  enrolmentJournal(): Promise<EnrolmentJournalEntry[]> {
    return this.enrolment.journalEntries();
  }

  enrolledSecret(terminalId: string): Promise<string | undefined> {
    return this.enrolment.secretFor(terminalId);
  }

  // ---- what terminals pull (pg-accounts.ts) ----

  operators(): Promise<OperatorSnapshot[]> {
    return this.accounts.operators();
  }

  accountSnapshot(accountNo: string, terminalId: string): Promise<AccountSnapshot | undefined> {
    return this.accounts.get(accountNo, terminalId);
  }

  searchAccounts(q: string, terminalId: string): Promise<AccountSnapshot[]> {
    return this.accounts.search(q, terminalId);
  }

  changes(cursor: string, limit: number, terminalId: string): Promise<ChangesPage> {
    return this.accounts.changes(cursor, limit, terminalId);
  }

  snapshotStreamBounds(after: number): Promise<{ until: number; total: number }> {
    return this.accounts.streamBounds(after);
  }

  snapshotStreamChunk(after: number, until: number, limit: number, terminalId: string): Promise<{ text: string; cursor: number | null; count: number }> {
    return this.accounts.streamChunk(after, until, limit, terminalId);
  }

  // ---- a terminal's own records, read back ----

  /**
   * As terminal-ledger.ts. No index of its own: events_terminal_seq finds the terminal's events and
   * the period filters them (an index on occurred_at would cost every intake for a read made at shift
   * close). Compared byte-wise (COLLATE "C") as SQLite compares text, whatever the cluster's locale.
   */
  async terminalLedger(terminalId: string, search: URLSearchParams): Promise<{ items: LedgerEntry[] } | null> {
    const range = ledgerRange(search);
    if (range === null) return null;
    const r = await this.pool.query(
      `SELECT event_id, terminal_id, seq, type, occurred_at, payload_json, received_at FROM events
       WHERE terminal_id = $1 AND occurred_at COLLATE "C" >= $2 AND occurred_at COLLATE "C" < $3 ORDER BY arrival`,
      [terminalId, range.from, range.to],
    );
    return { items: r.rows.map(ledgerEntry) };
  }

  /** As verifyReceipt (exception-desk.ts): the same verdict over the payment as stored here. */
  async verifyReceipt(req: ReceiptVerifyRequest, secret: string | undefined): Promise<ReceiptVerifyResult> {
    const row = (await this.pool.query<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE event_id = $1 AND terminal_id = $2 AND type = 'payment.created'",
      [req.paymentId, req.terminalId],
    )).rows[0];
    return receiptVerdict(req, secret, row?.payload_json);
  }

  /**
   * As ExceptionDesk.forTerminal: the same page and facts (the bill's period, the account moved to,
   * the vend's tariff and the account's now), the closure read from the account's own columns.
   */
  async terminalExceptions(terminalId: string, search: URLSearchParams): Promise<{ items: TerminalException[] } | null> {
    const afterText = search.get('after') ?? '0';
    if (!/^\d{1,15}$/.test(afterText)) return null;
    const r = await this.pool.query<Omit<ExceptionRow, 'id' | 'fen'> & { id: string; fen: string }>(
      `SELECT x.id, x.event_id, x.kind, x.account_no, x.bill_id, x.fen, x.detail, x.created_at, e.type AS event_type, b.period AS bill_period,
         a.moved_to, (SELECT payload_json FROM events v WHERE v.event_id = x.event_id AND v.type = 'vend.created') AS vend_json, a.tariff_code AS tariff_now
       FROM exceptions x
       LEFT JOIN events e ON e.event_id = x.event_id
       LEFT JOIN bills b ON b.bill_id = x.bill_id
       LEFT JOIN accounts a ON a.account_no = x.account_no
       WHERE x.terminal_id = $1 AND x.id > $2 ORDER BY x.id LIMIT $3`,
      [terminalId, Number(afterText), EXCEPTION_PAGE_LIMIT],
    );
    return { items: r.rows.map((row) => toTerminalException({ ...row, id: Number(row.id), fen: Number(row.fen) })) };
  }

  async resolutions(): Promise<StoredResolution[]> {
    const r = await this.pool.query(
      `SELECT * FROM (
         SELECT resolution_id, terminal_id, exception_id, event_id, resolution, note, resolved_by, created_at FROM exception_resolutions
         UNION ALL SELECT resolution_id, terminal_id, NULL, event_id, resolution, note, resolved_by, created_at FROM rejection_resolutions
       ) r ORDER BY exception_id IS NULL, exception_id, resolution_id COLLATE "C"`,
    );
    return r.rows.map(storedResolution);
  }

  stsIssue(raw: unknown, terminalId: string): Promise<StsIssueAnswer> {
    return this.sts.issue(raw, terminalId);
  }

  requestInvoice(req: InvoiceRequest, terminalId: string, down: boolean): Promise<Invoice> {
    return this.invoices.request(req, terminalId, down);
  }

  invoice(paymentId: string, down: boolean): Promise<Invoice | undefined> {
    return this.invoices.get(paymentId, down);
  }

  invoicePage(invoiceNo: string): Promise<string | undefined> {
    return this.invoices.page(invoiceNo);
  }

  ratings(): Promise<StoredRating[]> {
    return readRatings(this.pool);
  }

  collectionNotices(): Promise<StoredNotice[]> {
    return readNotices(this.pool);
  }

  collectionContacts(): Promise<StoredContact[]> {
    return readContacts(this.pool);
  }

  ensureRecoveryRollup(asOf: string): Promise<'built' | 'present'> {
    return this.recovery.ensureRollup({ asOf });
  }

  recoveryDashboard(search: URLSearchParams, nowIso: string): Promise<RecoveryDashboardWire | null> {
    return this.recovery.dashboard(search, nowIso);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface SeedRow {
  readonly accountNo: string;
  readonly name: string;
  readonly balanceFen: number;
  readonly tariffCode: string;
  readonly closure: 'closed' | 'moved' | null;
  readonly movedTo: string | null;
  readonly bills: readonly { billId: string; period: string; amountFen: number; paidFen: number; dueDate: string }[];
}

/** An event's place in its batch: answered already, refused before the claim, or a candidate to claim. */
type Slot =
  | { readonly kind: 'done'; readonly result: EventResult }
  | { readonly kind: 'refused'; readonly event: TerminalEvent; readonly reason: string }
  | { readonly kind: 'candidate'; readonly event: TerminalEvent };

interface BatchPlan {
  readonly slots: readonly Slot[];
  readonly candidates: readonly TerminalEvent[];
  /** The candidates' payment payloads as parsed, by event id. */
  readonly payments: ReadonlyMap<string, PaymentCreatedPayload>;
  /** The candidates' exception.resolved payloads as parsed (their exceptions checked), by event id. */
  readonly resolutions: ReadonlyMap<string, ExceptionResolvedPayload>;
  /** The candidates' rating.created payloads as parsed (not rated already), by event id. */
  readonly ratings: ReadonlyMap<string, RatingCreatedPayload>;
  /** The candidates' invoice.requested payloads as parsed, by event id. */
  readonly invoices: ReadonlyMap<string, InvoiceRequest>;
  /** The candidates' payment.voided / payment.refunded payloads as parsed, by event id, and the payments they name. */
  readonly reversals: ReadonlyMap<string, PaymentReversedPayload>;
  readonly reversedPayments: readonly string[];
  /** The candidates' late_fee.waived payloads as parsed, by event id. */
  readonly waivers: ReadonlyMap<string, LateFeeWaivedPayload>;
  /** The candidates' collection desk events as parsed, by event id. */
  readonly collection: ReadonlyMap<string, CollectionItem>;
  /** The candidates' offline STS tokens (vend.token_issued), in batch order. */
  readonly offlineTokens: readonly OfflineToken[];
  /** The candidates' key change pairs (token.management_issued), by event id. */
  readonly keyChanges: ReadonlyMap<string, KeyChange>;
  /** Accounts the candidates pay into or vend for, sorted (the lock order). */
  readonly accounts: readonly string[];
  /** Bills the candidates' payments name. */
  readonly bills: readonly string[];
}

/** A bill as read under the batch's lock; `paid` follows the batch's own allocations. */
interface BillState {
  readonly accountNo: string;
  readonly amount: number;
  paid: number;
  readonly period: string;
  readonly dueDate: string;
}

/** Everything a batch writes after its claim, gathered while its effects are worked out, sent as one round trip. */
class Writes {
  /** Per account, what the batch's payments add to the balance. */
  private readonly credits = new Map<string, { fen: number; payments: number }>();
  private readonly billDeltas = new Map<string, { paid: number; fee: number }>();
  private readonly billPayments: { paymentId: string; billId: string; paidOn: string; fen: number }[] = [];
  private readonly exceptions: { eventId: string; kind: string; accountNo: string | null; billId: string | null; fen: number; detail: string }[] = [];
  /** This batch's payments held in suspense (their event ids). */
  private readonly suspended = new Set<string>();
  /** Per account, its history as this batch's fully paid bills left it (parsed once per batch). */
  private readonly histories = new Map<string, { history: AccountHistory; changed: boolean }>();
  /** Supervisors' resolutions: of a backend exception (by its id) or of an event the backend rejected. */
  private readonly exceptionResolutions: { exceptionId: number; eventId: string; r: ExceptionResolvedPayload }[] = [];
  private readonly rejectionResolutions: ExceptionResolvedPayload[] = [];
  private readonly ratings: RatingCreatedPayload[] = [];
  private readonly invoiceRequests: InvoiceRequest[] = [];
  /** Reversals (pg-reversals.ts): what they take off each bill, and one record per payment reversed. */
  private readonly reversedBills = new Map<string, { paid: number; fee: number }>();
  private readonly reversals: ReversalRecord[] = [];
  private readonly paidAfterReversal = new Set<string>();
  private readonly waivers: LateFeeWaivedPayload[] = [];
  private readonly acknowledgedBreaks: { eventId: string; detail: string }[] = [];
  private readonly collected: CollectionItem[] = [];
  /** Meters' STS parameters as the batch's key changes leave them. */
  private readonly meterSts = new Map<string, string>();

  constructor(
    private readonly ctx: IntakeContext,
    /** The failInvoices knob as the batch began. */
    private readonly invoicesDown: boolean,
  ) {}

  /** As InvoiceDesk.request from invoice.requested: held once per payment, issued unless the platform is down (pg-invoices.ts). */
  requestInvoice(r: InvoiceRequest): void {
    this.invoiceRequests.push(r);
  }

  /** As KioskBackend.applyRatingCreated: kept once per rating id and transaction (pg-ratings.ts). */
  rate(r: RatingCreatedPayload): void {
    this.ratings.push(r);
  }

  /** As ExceptionDesk.resolve: kept beside the exception (or the rejected event); a second resolution of one is ignored. */
  resolve(event: TerminalEvent, r: ExceptionResolvedPayload): void {
    if (r.backendId === null) this.rejectionResolutions.push(r);
    else this.exceptionResolutions.push({ exceptionId: r.backendId, eventId: event.eventId, r });
  }

  credit(accountNo: string, fen: number): void {
    const at = this.credits.get(accountNo) ?? { fen: 0, payments: 0 };
    this.credits.set(accountNo, { fen: at.fen + fen, payments: at.payments + 1 });
  }

  payBill(billId: string, paymentId: string, paidOn: string, fen: number): void {
    // Paid again after a reversal reopened it in this batch: its status follows this payment, as on SQLite.
    if (this.reversedBills.has(billId)) this.paidAfterReversal.add(billId);
    const d = this.billDeltas.get(billId) ?? { paid: 0, fee: 0 };
    this.billDeltas.set(billId, { ...d, paid: d.paid + fen });
    this.billPayments.push({ paymentId, billId, paidOn, fen });
  }

  /** As recordBillPaid on SQLite: the bill's month of the account's history says how late it was paid in full. */
  billPaidInFull(accountNo: string, account: AccountRow, bill: BillState, paidOn: string): void {
    if (account.history_json === null) return;
    let entry = this.histories.get(accountNo);
    if (entry === undefined) {
      entry = { history: JSON.parse(account.history_json) as AccountHistory, changed: false };
      this.histories.set(accountNo, entry);
    }
    if (markBillPaid(entry.history, bill.period, bill.dueDate, paidOn)) entry.changed = true;
  }

  /** The principal this batch recorded for a payment (not stored yet). */
  batchPrincipal(paymentId: string): { billId: string; fen: number }[] {
    return this.billPayments.filter((x) => x.paymentId === paymentId).map((x) => ({ billId: x.billId, fen: x.fen }));
  }

  unpayBill(billId: string, principal: number, fee: number): void {
    const d = this.reversedBills.get(billId) ?? { paid: 0, fee: 0 };
    this.reversedBills.set(billId, { paid: d.paid + principal, fee: d.fee + fee });
  }

  /** A payment reversed: its record kept, its stored principal dropped and its invoice cancelled (pg-reversals.ts). */
  reverse(record: ReversalRecord): void {
    this.reversals.push(record);
  }

  /** As PaymentEffects.waive: the bill's waived fee grows, the account's version moves (no money), the waiver kept once. */
  waive(w: LateFeeWaivedPayload): void {
    this.waivers.push(w);
    this.credit(w.accountNo, 0);
  }

  /** As JournalAnchors.acknowledgedBreak: an alarm naming the event, the anchor as it stood before this push's head. */
  acknowledgeBreak(event: TerminalEvent): void {
    this.acknowledgedBreaks.push({ eventId: event.eventId, detail: JSON.stringify(event.payload).slice(0, 500) });
  }

  /** As CollectionDesk's effects: a notice or contact kept once per id (pg-collection.ts). */
  collect(item: CollectionItem): void {
    this.collected.push(item);
  }

  /** As applyKeyChange: the meter's parameters move and the account's version and change-feed place with them. */
  changeKey(meterNo: string, stsJson: string, accountNo: string): void {
    this.meterSts.set(meterNo, stsJson);
    this.credit(accountNo, 0);
  }

  payLateFee(billId: string, fen: number): void {
    const d = this.billDeltas.get(billId) ?? { paid: 0, fee: 0 };
    this.billDeltas.set(billId, { ...d, fee: d.fee + fen });
  }

  exception(event: TerminalEvent, kind: ExceptionKind | 'account_closed' | 'account_moved' | 'tariff_changed', accountNo: string | null, billId: string | null, fen: number, detail: string): void {
    this.exceptions.push({ eventId: event.eventId, kind, accountNo, billId, fen, detail });
    if ((SUSPENSE_KINDS as readonly string[]).includes(kind)) this.suspended.add(event.eventId);
  }

  /** Whether this batch held the payment in suspense (stored ones: ReversalState's hasAccount). */
  heldInSuspense(paymentId: string): boolean {
    return this.suspended.has(paymentId);
  }

  /** The statements, in the order the one-by-one version ran them: bills, dated payments, exceptions, balances, progress. */
  sql(processedSeq: number): string[] {
    const { terminalId, nowIso } = this.ctx;
    const out: string[] = [];
    if (this.billDeltas.size > 0) {
      const d = [...this.billDeltas.entries()];
      // The status follows a principal payment only, as the per-allocation UPDATE did.
      out.push(
        `UPDATE bills b SET paid_fen = b.paid_fen + d.paid, late_fee_paid_fen = b.late_fee_paid_fen + d.fee,
           status = CASE WHEN d.paid > 0 THEN (CASE WHEN b.paid_fen + d.paid >= b.amount_fen THEN 'paid' ELSE 'open' END) ELSE b.status END
         FROM unnest(${textArray(d.map(([id]) => id))}, ${intArray(d.map(([, v]) => v.paid))}, ${intArray(d.map(([, v]) => v.fee))}) AS d(id, paid, fee)
         WHERE b.bill_id = d.id`,
      );
    }
    if (this.billPayments.length > 0) {
      const p = this.billPayments;
      out.push(
        `INSERT INTO bill_payments (event_id, bill_id, paid_on, principal_fen)
         SELECT * FROM unnest(${textArray(p.map((x) => x.paymentId))}, ${textArray(p.map((x) => x.billId))}, ${textArray(p.map((x) => x.paidOn))}, ${intArray(p.map((x) => x.fen))})
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.exceptions.length > 0) {
      const x = this.exceptions;
      out.push(
        `INSERT INTO exceptions (event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at)
         SELECT e, ${lit(terminalId)}, k, a, b, f, d, ${lit(nowIso)}
         FROM unnest(${textArray(x.map((r) => r.eventId))}, ${textArray(x.map((r) => r.kind))}, ${textArray(x.map((r) => r.accountNo))}, ${textArray(x.map((r) => r.billId))},
           ${intArray(x.map((r) => r.fen))}, ${textArray(x.map((r) => r.detail))}) WITH ORDINALITY AS t(e, k, a, b, f, d, n)
         ORDER BY n`,
      );
    }
    if (this.exceptionResolutions.length > 0) {
      const x = this.exceptionResolutions;
      // In batch order, so the first of two resolutions of one exception is kept, as on SQLite.
      out.push(
        `INSERT INTO exception_resolutions (exception_id, resolution_id, terminal_id, resolution, note, resolved_by, event_id, created_at)
         SELECT x, r, ${lit(terminalId)}, rs, nt, rb, e, ${lit(nowIso)}
         FROM unnest(${intArray(x.map((v) => v.exceptionId))}, ${textArray(x.map((v) => v.r.resolutionId))}, ${textArray(x.map((v) => v.r.resolution))},
           ${textArray(x.map((v) => v.r.note))}, ${textArray(x.map((v) => v.r.resolvedBy))}, ${textArray(x.map((v) => v.eventId))}) WITH ORDINALITY AS t(x, r, rs, nt, rb, e, n)
         ORDER BY n
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.rejectionResolutions.length > 0) {
      const x = this.rejectionResolutions;
      out.push(
        `INSERT INTO rejection_resolutions (resolution_id, terminal_id, event_id, resolution, note, resolved_by, created_at)
         SELECT r, ${lit(terminalId)}, e, rs, nt, rb, ${lit(nowIso)}
         FROM unnest(${textArray(x.map((v) => v.resolutionId))}, ${textArray(x.map((v) => v.eventId))}, ${textArray(x.map((v) => v.resolution))},
           ${textArray(x.map((v) => v.note))}, ${textArray(x.map((v) => v.resolvedBy))}) WITH ORDINALITY AS t(r, e, rs, nt, rb, n)
         ORDER BY n
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.ratings.length > 0) {
      const r = this.ratings;
      out.push(
        `INSERT INTO ratings (rating_id, transaction_id, transaction_kind, account_no, score, reasons_json, operator_id, channel, terminal_id, rated_at, received_at)
         SELECT ri, ti, tk, an, sc, rs, op, ch, ${lit(terminalId)}, ra, ${lit(nowIso)}
         FROM unnest(${textArray(r.map((x) => x.ratingId))}, ${textArray(r.map((x) => x.transactionId))}, ${textArray(r.map((x) => x.transactionKind))},
           ${textArray(r.map((x) => x.accountNo))}, ${intArray(r.map((x) => x.score))}, ${textArray(r.map((x) => JSON.stringify(x.reasons)))},
           ${textArray(r.map((x) => x.operatorId))}, ${textArray(r.map((x) => x.channel))}, ${textArray(r.map((x) => x.ratedAt))}) WITH ORDINALITY AS t(ri, ti, tk, an, sc, rs, op, ch, ra, n)
         ORDER BY n
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.invoiceRequests.length > 0) {
      const r = this.invoiceRequests;
      out.push(
        `INSERT INTO invoices (payment_id, terminal_id, account_no, amount_fen, buyer_name, paid_on, status, requested_at)
         SELECT p, ${lit(terminalId)}, a, f, b, d, 'pending', ${lit(nowIso)}
         FROM unnest(${textArray(r.map((x) => x.paymentId))}, ${textArray(r.map((x) => x.accountNo))}, ${intArray(r.map((x) => x.amountFen))},
           ${textArray(r.map((x) => x.buyerName))}, ${textArray(r.map((x) => x.paidOn))}) WITH ORDINALITY AS t(p, a, f, b, d, n)
         ORDER BY n
         ON CONFLICT (payment_id) DO NOTHING`,
      );
      // One statement per request, in batch order: numbers drawn in the order SQLite issues them.
      // A request or read racing on its own row (pg-invoices.ts) takes turns on the row's lock.
      if (!this.invoicesDown) {
        const prefix = invoiceNumber(nowIso, 0).slice(0, -8);
        for (const paymentId of new Set(r.map((x) => x.paymentId))) {
          out.push(
            `UPDATE invoices SET status = 'issued', invoice_no = ${lit(prefix)} || lpad(nextval('invoice_no_seq')::text, 8, '0'), issued_at = ${lit(nowIso)}
             WHERE payment_id = ${lit(paymentId)} AND status = 'pending'`,
          );
        }
      }
    }
    if (this.meterSts.size > 0) {
      const m = [...this.meterSts.entries()];
      out.push(`UPDATE meters m SET sts_json = d.s FROM unnest(${textArray(m.map(([no]) => no))}, ${textArray(m.map(([, v]) => v))}) AS d(no, s) WHERE m.meter_no = d.no`);
    }
    out.push(...collectionWritesSql(this.collected, terminalId, nowIso, { lit, textArray, intArray }));
    if (this.acknowledgedBreaks.length > 0) {
      const b = this.acknowledgedBreaks;
      // Before the push's own head is acknowledged (that statement follows these), as SQLite reads the anchor mid-intake.
      out.push(
        `INSERT INTO journal_alarms (terminal_id, reason, anchor_seq, anchor_hash, head_seq, head_hash, detail, created_at)
         SELECT ${lit(terminalId)}, 'acknowledged_break', h.seq, h.hash, NULL, x.e, x.d, ${lit(nowIso)}
         FROM unnest(${textArray(b.map((x) => x.eventId))}, ${textArray(b.map((x) => x.detail))}) WITH ORDINALITY AS x(e, d, n)
           LEFT JOIN journal_heads h ON h.terminal_id = ${lit(terminalId)}
         ORDER BY x.n
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.waivers.length > 0) {
      const w = this.waivers;
      const sums = new Map<string, number>();
      for (const x of w) sums.set(x.billId, (sums.get(x.billId) ?? 0) + x.fen);
      out.push(
        `UPDATE bills b SET late_fee_waived_fen = b.late_fee_waived_fen + d.fen
         FROM unnest(${textArray([...sums.keys()])}, ${intArray([...sums.values()])}) AS d(id, fen) WHERE b.bill_id = d.id`,
      );
      // A waiver id seen before keeps its first row (SQLite's INSERT OR IGNORE); its amount is waived all the same, as there.
      out.push(
        `INSERT INTO late_fee_waivers (waiver_id, terminal_id, account_no, bill_id, fen, reason_code, approved_by, as_of, created_at)
         SELECT wi, ${lit(terminalId)}, a, b, f, rc, ap, ao, ${lit(nowIso)}
         FROM unnest(${textArray(w.map((x) => x.waiverId))}, ${textArray(w.map((x) => x.accountNo))}, ${textArray(w.map((x) => x.billId))}, ${intArray(w.map((x) => x.fen))},
           ${textArray(w.map((x) => x.reasonCode))}, ${textArray(w.map((x) => x.approvedBy))}, ${textArray(w.map((x) => x.asOf))}) WITH ORDINALITY AS t(wi, a, b, f, rc, ap, ao, n)
         ORDER BY n
         ON CONFLICT DO NOTHING`,
      );
    }
    // After the payments' writes, so a payment reversed in its own batch is taken back whole.
    out.push(...reversalWritesSql(this.reversedBills, this.reversals, nowIso, { lit, textArray, intArray }));
    if (this.paidAfterReversal.size > 0) {
      out.push(`UPDATE bills SET status = CASE WHEN paid_fen >= amount_fen THEN 'paid' ELSE 'open' END WHERE bill_id = ANY(${textArray([...this.paidAfterReversal])})`);
    }
    if (this.credits.size > 0) {
      // The accounts are locked; the version goes up once per payment, as on SQLite, and the account moves to the end of the change feed.
      const c = [...this.credits.entries()];
      // Held to COMMIT, so the change feed's head never passes this batch's number before it commits (pg-accounts.ts).
      out.push(DRAWS_CHANGE_SEQ);
      out.push(
        `UPDATE accounts a SET balance_fen = a.balance_fen + d.fen, version = a.version + d.n, updated_at = ${lit(nowIso)}, change_seq = nextval('account_change_seq')
         FROM unnest(${textArray(c.map(([no]) => no))}, ${intArray(c.map(([, v]) => v.fen))}, ${intArray(c.map(([, v]) => v.payments))}) AS d(no, fen, n) WHERE a.account_no = d.no`,
      );
    }
    const histories = [...this.histories.entries()].filter(([, h]) => h.changed);
    if (histories.length > 0) {
      out.push(
        `UPDATE accounts a SET history_json = d.h FROM unnest(${textArray(histories.map(([no]) => no))}, ${textArray(histories.map(([, h]) => JSON.stringify(h.history)))}) AS d(no, h)
         WHERE a.account_no = d.no`,
      );
    }
    if (processedSeq >= 0) {
      out.push(
        `INSERT INTO terminal_progress (terminal_id, processed_seq) VALUES (${lit(terminalId)}, ${int(processedSeq)})
         ON CONFLICT (terminal_id) DO UPDATE SET processed_seq = GREATEST(terminal_progress.processed_seq, excluded.processed_seq)`,
      );
    }
    return out;
  }
}

/** An invoice.requested event's refusal before the claim (SQLite's words), its payload kept in `invoices`; null for other events. */
function invoiceRefusal(event: TerminalEvent, invoices: Map<string, InvoiceRequest>): string | null {
  if (event.type !== INVOICE_REQUESTED_EVENT) return null;
  const parsed = InvoiceRequestSchema.safeParse(event.payload);
  if (!parsed.success) return `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}`;
  if (!invoices.has(event.eventId)) invoices.set(event.eventId, parsed.data);
  return null;
}

interface KeyChange {
  readonly accountNo: string;
  readonly meterNo: string;
  readonly next: StsParams;
  readonly prev: StsParams | undefined;
}

/** A token.management_issued event's refusal (SQLite's words); a key change pair it carries kept in `keyChanges`; null otherwise. */
function managementRefusal(event: TerminalEvent, keyChanges: Map<string, KeyChange>): string | null {
  if (event.type !== MANAGEMENT_ISSUED_EVENT) return null;
  const parsed = ManagementIssuedSchema.safeParse(event.payload);
  if (!parsed.success) return `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}`;
  const p = parsed.data;
  if (p.kind !== 'key_change' || p.next === null || p.next === undefined) return null;
  if (!keyChanges.has(event.eventId)) keyChanges.set(event.eventId, { accountNo: p.accountNo, meterNo: p.meterNo, next: p.next, prev: p.prev });
  return null;
}

/** A late_fee.waived event's refusal before the claim (SQLite's words), its payload kept in `waivers`; null for other events. */
function waiverRefusal(event: TerminalEvent, waivers: Map<string, LateFeeWaivedPayload>): string | null {
  if (event.type !== LATE_FEE_WAIVED_EVENT) return null;
  const parsed = LateFeeWaivedPayloadSchema.safeParse(event.payload);
  if (!parsed.success) return `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}`;
  if (!waivers.has(event.eventId)) waivers.set(event.eventId, parsed.data);
  return null;
}

/** As PaymentEffects.waive: a bill not of the account waives nothing; staff are told. */
function applyWaiver(writes: Writes, event: TerminalEvent, w: LateFeeWaivedPayload, bills: ReadonlyMap<string, BillState>): void {
  if (bills.get(w.billId)?.accountNo !== w.accountNo) {
    writes.exception(event, 'waiver_unknown_bill', w.accountNo, null, 0, `waiver ${w.waiverId} names bill ${w.billId}, not a bill of account ${w.accountNo}; nothing waived`);
    return;
  }
  writes.waive(w);
}

/** A rating event's refusal before the claim (pg-ratings.ts), its payload kept in `ratings`; null for other events. */
function ratingRefusal(event: TerminalEvent, rated: Map<string, string>, ratings: Map<string, RatingCreatedPayload>): string | null {
  if (event.type !== RATING_CREATED_EVENT) return null;
  const checked = checkRating(event.payload, rated);
  if ('refusal' in checked) return checked.refusal;
  if (!ratings.has(event.eventId)) ratings.set(event.eventId, checked.rating);
  return null;
}

/** As ExceptionDesk.checkVendTariff: a vend priced under another tariff than the account's now stands; staff are told. */
function checkVendTariff(writes: Writes, event: TerminalEvent, accounts: ReadonlyMap<string, AccountRow>): void {
  const parsed = VendCreatedSchema.safeParse(event.payload);
  if (!parsed.success) return; // older payloads carry no split: nothing to check
  const v = parsed.data;
  const account = accounts.get(v.accountNo);
  if (account === undefined || account.tariff_code === v.split.tariffId) return;
  writes.exception(event, 'tariff_changed', v.accountNo, null, v.amountFen, `vend ${v.vendId} was priced under tariff ${v.split.tariffId}; the account's tariff is ${account.tariff_code}`);
}

/** As EventIntake.applyPaymentCreated: the money was taken, so what cannot go to a bill goes to the balance, with an exception. */
function applyPayment(writes: Writes, event: TerminalEvent, p: PaymentCreatedPayload, accounts: ReadonlyMap<string, AccountRow>, bills: ReadonlyMap<string, BillState>): void {
  const account = accounts.get(p.accountNo);
  if (account === undefined) {
    writes.exception(event, 'unknown_account', p.accountNo, null, p.amountFen, `payment ${p.paymentId} for unknown account ${p.accountNo} held in suspense`);
    return;
  }
  if (account.closure !== null) {
    const moved = account.moved_to;
    writes.exception(
      event, moved === null ? 'account_closed' : 'account_moved', p.accountNo, null, p.amountFen,
      moved === null ? `payment ${p.paymentId} for closed account ${p.accountNo} held in suspense` : `payment ${p.paymentId} for account ${p.accountNo}, moved to ${moved}, held in suspense`,
    );
    return;
  }
  let toBalance = p.toBalanceFen;
  const paidOn = p.paidOn ?? event.occurredAt.slice(0, 10);
  const billOf = (billId: string): BillState | undefined => {
    const bill = bills.get(billId);
    return bill === undefined || bill.accountNo !== p.accountNo ? undefined : bill;
  };
  for (const a of p.allocations) {
    const bill = billOf(a.billId);
    if (bill === undefined) {
      toBalance += a.fen;
      writes.exception(event, 'unknown_bill', p.accountNo, a.billId, a.fen, `bill ${a.billId} is not a bill of account ${p.accountNo}; ${a.fen} fen moved to balance`);
      continue;
    }
    const remaining = Math.max(0, bill.amount - bill.paid);
    const applied = Math.min(remaining, a.fen);
    const excess = a.fen - applied;
    if (applied > 0) {
      bill.paid += applied;
      writes.payBill(a.billId, p.paymentId, paidOn, applied);
      if (bill.paid >= bill.amount) writes.billPaidInFull(p.accountNo, account, bill, paidOn);
    }
    if (excess > 0) {
      toBalance += excess;
      writes.exception(
        event, remaining === 0 ? 'bill_already_paid' : 'bill_overpaid', p.accountNo, a.billId, excess,
        remaining === 0 ? `bill ${a.billId} was already paid; ${excess} fen moved to balance` : `bill ${a.billId} had ${remaining} fen left; ${excess} fen moved to balance`,
      );
    }
  }
  for (const fee of p.lateFees) {
    if (billOf(fee.billId) === undefined) {
      toBalance += fee.fen;
      writes.exception(event, 'unknown_bill', p.accountNo, fee.billId, fee.fen, `late fee for bill ${fee.billId}, not a bill of account ${p.accountNo}; ${fee.fen} fen moved to balance`);
      continue;
    }
    writes.payLateFee(fee.billId, fee.fen);
  }
  writes.credit(p.accountNo, toBalance);
}

/**
 * As PaymentEffects.reverse: exactly what this backend applied for the payment comes back — the
 * principal recorded per bill, the late fees on the payment's own bills, the rest from the balance;
 * a payment never taken (or not yet, later in this batch) or reversed already leaves an exception.
 */
function applyReversal(
  writes: Writes, event: TerminalEvent, r: PaymentReversedPayload, state: ReversalState, paymentsAhead: ReadonlySet<string>, bills: ReadonlyMap<string, BillState>,
): void {
  const original = paymentsAhead.has(r.paymentId) ? undefined : state.original(r.paymentId);
  if (original === undefined) {
    writes.exception(event, 'reversal_unknown_payment', r.accountNo, null, r.amountFen, `${r.kind} of payment ${r.paymentId}, which this backend never took`);
    return;
  }
  if (state.isReversed(r.paymentId)) {
    writes.exception(event, 'payment_already_reversed', r.accountNo, null, 0, `payment ${r.paymentId} was reversed already; ${r.kind} ${r.reversalId} has no effect`);
    return;
  }
  const payment = original.payment;
  let principal = 0;
  let fees = 0;
  let balance = 0;
  // A payment held in suspense reached no bill and no balance: its reversal takes nothing back (payment-effects.ts).
  if (original.hasAccount && !writes.heldInSuspense(r.paymentId)) {
    for (const a of [...state.storedPrincipal(r.paymentId), ...writes.batchPrincipal(r.paymentId)]) {
      writes.unpayBill(a.billId, a.fen, 0);
      const bill = bills.get(a.billId);
      if (bill !== undefined) bill.paid -= a.fen;
      principal += a.fen;
    }
    for (const f of payment.lateFees) {
      const owner = state.feeBillAccount(f.billId) ?? bills.get(f.billId)?.accountNo;
      if (owner !== payment.accountNo) continue; // went to the balance when it was taken
      writes.unpayBill(f.billId, 0, f.fen);
      fees += f.fen;
    }
    balance = payment.amountFen - principal - fees;
    writes.credit(payment.accountNo, -balance);
  }
  state.markReversed(r.paymentId);
  writes.reverse({ paymentId: r.paymentId, reversalId: r.reversalId, kind: r.kind, accountNo: payment.accountNo, principal, fees, balance });
}

/** As journalAccept: the head acknowledged, never moving back. */
function acceptHeadSql(terminalId: string, head: JournalHeadWire, nowIso: string): string {
  return `INSERT INTO journal_heads (terminal_id, seq, hash, updated_at) VALUES (${lit(terminalId)}, ${int(head.seq)}, ${lit(head.hash)}, ${lit(nowIso)})
    ON CONFLICT (terminal_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
    WHERE excluded.seq >= journal_heads.seq`;
}

function lockSql(accounts: readonly string[]): string {
  return `SELECT account_no, closure, moved_to, tariff_code, history_json FROM accounts WHERE account_no = ANY(${textArray(accounts)}) ORDER BY account_no FOR UPDATE`;
}

/**
 * Stores the events whose ids are not there yet (or being stored by a racing batch, which it waits
 * for) in one statement; answers, per event stored, another event of its terminal that had its seq.
 * RETURNING's subquery reads the statement's snapshot: events stored before, not this batch's.
 */
function claimSql(events: readonly TerminalEvent[], ctx: IntakeContext): string {
  const terminal = lit(ctx.terminalId);
  return `INSERT INTO events (event_id, terminal_id, seq, type, occurred_at, payload_json, received_at)
    SELECT id, ${terminal}, sq, ty, oc, pl, ${lit(ctx.nowIso)}
    FROM unnest(${textArray(events.map((e) => e.eventId))}, ${intArray(events.map((e) => e.seq))}, ${textArray(events.map((e) => e.type))},
      ${textArray(events.map((e) => e.occurredAt))}, ${textArray(events.map((e) => JSON.stringify(e.payload ?? null)))}) WITH ORDINALITY AS t(id, sq, ty, oc, pl, n)
    ORDER BY n
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, (SELECT o.event_id FROM events o WHERE o.terminal_id = ${terminal} AND o.seq = events.seq LIMIT 1) AS seq_used_by`;
}

function billsSql(bills: readonly string[]): string {
  return `SELECT bill_id, account_no, amount_fen, paid_fen, period, due_date FROM bills WHERE bill_id = ANY(${textArray(bills)})`;
}

function rawEventId(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && 'eventId' in raw && typeof raw.eventId === 'string') return raw.eventId;
  return '';
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`;
}
