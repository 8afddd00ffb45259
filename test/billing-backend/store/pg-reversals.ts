/**
 * payment.voided / payment.refunded on the PG intake, as PaymentEffects.reverse (payment-effects.ts)
 * does on SQLite: the payment is reversed exactly as this backend applied it — the principal it
 * recorded per bill (bill_payments, dropped), the late fees it recorded for the payment's own bills,
 * and the rest from the balance — kept once per payment in payment_reversals, its e-invoice
 * cancelled. A reversal of a payment never taken, or reversed already, leaves an exception and no effect.
 *
 * Only batches holding reversals pay for this: the accounts of the payments they reverse are read
 * before the batch's transaction (a stored event never changes) so they are locked with the rest,
 * and what the reversal needs is read in the batch's first round trip, under those locks.
 */
import type pg from 'pg';
import { PaymentCreatedPayloadSchema, type PaymentCreatedPayload, type TerminalEvent } from '../../../main/wire/backend-wire.js';
import { PaymentReversedPayloadSchema, type PaymentReversedPayload } from '../../../main/wire/payments-wire.js';
import { SUSPENSE_KINDS } from '../payment-effects.js';

export const REVERSAL_EVENTS: ReadonlySet<string> = new Set(['payment.voided', 'payment.refunded']);

export const PG_REVERSALS_SCHEMA = `
CREATE TABLE IF NOT EXISTS payment_reversals (
  payment_event_id text PRIMARY KEY, reversal_event_id text NOT NULL, kind text NOT NULL, account_no text NOT NULL,
  principal_fen bigint NOT NULL, late_fee_fen bigint NOT NULL, balance_fen bigint NOT NULL, created_at text NOT NULL);
`;

/** A reversal event's refusal before the claim (SQLite's words), its payload kept in `reversals`; null for other events. */
export function reversalRefusal(event: TerminalEvent, reversals: Map<string, PaymentReversedPayload>, issueText: (i: { path: PropertyKey[]; message: string }) => string): string | null {
  if (!REVERSAL_EVENTS.has(event.type)) return null;
  const parsed = PaymentReversedPayloadSchema.safeParse(event.payload);
  if (!parsed.success) return `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}`;
  if (!reversals.has(event.eventId)) reversals.set(event.eventId, parsed.data);
  return null;
}

/** The payment ids the batch's well-formed reversals name. */
export function reversedPaymentIds(rawEvents: readonly unknown[]): string[] {
  const ids = new Set<string>();
  for (const raw of rawEvents) {
    if (typeof raw !== 'object' || raw === null || !REVERSAL_EVENTS.has(String((raw as { type?: unknown }).type))) continue;
    const r = PaymentReversedPayloadSchema.safeParse((raw as { payload?: unknown }).payload);
    if (r.success) ids.add(r.data.paymentId);
  }
  return [...ids];
}

/** The accounts of stored payments (id → account), read before the batch so they are locked with its own. */
export async function paymentAccounts(pool: pg.Pool, paymentIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
  if (paymentIds.length === 0) return new Map();
  const r = await pool.query<{ event_id: string; account_no: string | null }>(
    "SELECT event_id, payload_json::jsonb ->> 'accountNo' AS account_no FROM events WHERE event_id = ANY($1::text[]) AND type = 'payment.created'",
    [paymentIds],
  );
  return new Map(r.rows.filter((x) => x.account_no !== null).map((x) => [x.event_id, x.account_no as string]));
}

/**
 * Round trip 1's reads for the reversals (after the claim, so this batch's payments are among the
 * originals): the payments with whether their account exists, those reversed already, the principal
 * recorded per bill, and the account of every bill the payments paid a late fee on.
 */
export function reversalReadsSql(paymentIds: readonly string[], textArray: (v: readonly string[]) => string): string[] {
  const ids = textArray(paymentIds);
  return [
    // has_account: the payment reached its account — it exists, and the payment was not held in suspense.
    `SELECT e.event_id, e.payload_json,
       a.account_no IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM exceptions x WHERE x.event_id = e.event_id AND x.kind IN (${SUSPENSE_KINDS.map((k) => `'${k}'`).join(', ')})) AS has_account
     FROM events e LEFT JOIN accounts a ON a.account_no = (e.payload_json::jsonb ->> 'accountNo')
     WHERE e.event_id = ANY(${ids}) AND e.type = 'payment.created'`,
    `SELECT payment_event_id FROM payment_reversals WHERE payment_event_id = ANY(${ids})`,
    `SELECT event_id, bill_id, principal_fen FROM bill_payments WHERE event_id = ANY(${ids})`,
    `SELECT DISTINCT b.bill_id, b.account_no FROM events e
       CROSS JOIN LATERAL jsonb_array_elements(COALESCE(e.payload_json::jsonb -> 'lateFees', '[]'::jsonb)) f
       JOIN bills b ON b.bill_id = f ->> 'billId'
     WHERE e.event_id = ANY(${ids}) AND e.type = 'payment.created'`,
  ];
}

/** What the batch's reversals work from: round trip 1's reads, then what the batch itself did. */
export class ReversalState {
  private readonly originals = new Map<string, { payment: PaymentCreatedPayload; hasAccount: boolean }>();
  private readonly reversed = new Set<string>();
  private readonly principal = new Map<string, { billId: string; fen: number }[]>();
  private readonly feeBills = new Map<string, string>();

  constructor(rows: readonly Record<string, unknown>[][]) {
    const [originals = [], reversed = [], principal = [], feeBills = []] = rows;
    for (const r of originals) {
      this.originals.set(String(r.event_id), { payment: PaymentCreatedPayloadSchema.parse(JSON.parse(String(r.payload_json))), hasAccount: r.has_account === true });
    }
    for (const r of reversed) this.reversed.add(String(r.payment_event_id));
    for (const r of principal) {
      const list = this.principal.get(String(r.event_id)) ?? [];
      list.push({ billId: String(r.bill_id), fen: Number(r.principal_fen) });
      this.principal.set(String(r.event_id), list);
    }
    for (const r of feeBills) this.feeBills.set(String(r.bill_id), String(r.account_no));
  }

  /** A stored payment (or one of this batch's, once the batch has reached it) and whether its account exists. */
  original(paymentId: string): { payment: PaymentCreatedPayload; hasAccount: boolean } | undefined {
    return this.originals.get(paymentId);
  }

  isReversed(paymentId: string): boolean {
    return this.reversed.has(paymentId);
  }

  markReversed(paymentId: string): void {
    this.reversed.add(paymentId);
  }

  /** The principal stored for the payment before this batch (this batch's own come from its writes). */
  storedPrincipal(paymentId: string): readonly { billId: string; fen: number }[] {
    return this.principal.get(paymentId) ?? [];
  }

  feeBillAccount(billId: string): string | undefined {
    return this.feeBills.get(billId);
  }
}

export interface ReversalRecord {
  readonly paymentId: string;
  readonly reversalId: string;
  readonly kind: string;
  readonly accountNo: string;
  readonly principal: number;
  readonly fees: number;
  readonly balance: number;
}

/** The statements that apply a batch's reversals, after its payments' own writes. */
export function reversalWritesSql(
  billDeltas: ReadonlyMap<string, { paid: number; fee: number }>,
  records: readonly ReversalRecord[],
  nowIso: string,
  h: { lit: (v: string) => string; textArray: (v: readonly string[]) => string; intArray: (v: readonly number[]) => string },
): string[] {
  const out: string[] = [];
  if (billDeltas.size > 0) {
    const d = [...billDeltas.entries()];
    // SQLite reopens every bill a reversal touches, principal or late fee.
    out.push(
      `UPDATE bills b SET paid_fen = b.paid_fen - d.paid, late_fee_paid_fen = b.late_fee_paid_fen - d.fee, status = 'open'
       FROM unnest(${h.textArray(d.map(([id]) => id))}, ${h.intArray(d.map(([, v]) => v.paid))}, ${h.intArray(d.map(([, v]) => v.fee))}) AS d(id, paid, fee)
       WHERE b.bill_id = d.id`,
    );
  }
  if (records.length > 0) {
    const ids = h.textArray(records.map((r) => r.paymentId));
    out.push(`DELETE FROM bill_payments WHERE event_id = ANY(${ids})`);
    out.push(
      `INSERT INTO payment_reversals (payment_event_id, reversal_event_id, kind, account_no, principal_fen, late_fee_fen, balance_fen, created_at)
       SELECT p, r, k, a, pr, f, b, ${h.lit(nowIso)}
       FROM unnest(${ids}, ${h.textArray(records.map((r) => r.reversalId))}, ${h.textArray(records.map((r) => r.kind))}, ${h.textArray(records.map((r) => r.accountNo))},
         ${h.intArray(records.map((r) => r.principal))}, ${h.intArray(records.map((r) => r.fees))}, ${h.intArray(records.map((r) => r.balance))}) AS t(p, r, k, a, pr, f, b)
       ON CONFLICT DO NOTHING`,
    );
    // As InvoiceDesk.cancel: a reversed payment's invoice is cancelled (红冲).
    out.push(`UPDATE invoices SET status = 'cancelled' WHERE payment_id = ANY(${ids})`);
  }
  return out;
}
