/**
 * vend.token_issued of tokens a terminal's local module issued offline, on the PG intake, as
 * recordOfflineIssue (sts-issue.ts) on SQLite: the token's (meter, TID) recorded in sts_issues
 * (origin 'offline') so the online issuer refuses that TID to every other vend; a TID another vend
 * used already is a `tid_reused` exception for staff (the token exists: the event is accepted).
 *
 * The rows go in with the batch's first round trip (after the claim; `ON CONFLICT DO NOTHING`, in
 * batch order), then the rows of those vends and TIDs are read back in the same exchange: whatever
 * holds a (meter, TID) — this batch's earlier token, an online issue that committed first, another
 * terminal's — is what the decision names, and an online issue racing it waits on the row and then
 * answers tid_reused, as it does against SQLite. Re-inserting a duplicate batch's token does nothing
 * (its vend or its TID is held already). Only batches holding offline tokens run these statements.
 */
import type { TerminalEvent } from '../../../main/wire/backend-wire.js';
import { OfflineTokenIssuedSchema } from '../intake.js';

export interface OfflineToken {
  readonly eventId: string;
  readonly vendId: string;
  readonly accountNo: string | null;
  readonly meterNo: string;
  readonly tid: number;
  readonly amountTenths: number;
  readonly deliveredTenths: number;
  readonly issuedAt: string;
}

/** A vend.token_issued event's refusal (SQLite's words); an offline STS token it carries kept in `tokens`; null otherwise. */
export function tokenIssuedRefusal(event: TerminalEvent, tokens: Map<string, OfflineToken>, issueText: (i: { path: PropertyKey[]; message: string }) => string): string | null {
  if (event.type !== 'vend.token_issued') return null;
  const parsed = OfflineTokenIssuedSchema.safeParse(event.payload);
  if (!parsed.success) return `malformed_payload: ${parsed.error.issues.map(issueText).join('; ')}`;
  const p = parsed.data;
  if (!p.offline || p.meterKind === 'card' || p.tid === undefined) return null;
  if (!tokens.has(event.eventId)) {
    tokens.set(event.eventId, {
      eventId: event.eventId, vendId: p.vendId, accountNo: p.accountNo ?? null, meterNo: p.meterNo, tid: p.tid,
      amountTenths: p.amountTenths ?? 0, deliveredTenths: p.deliveredTenths ?? p.amountTenths ?? 0, issuedAt: event.occurredAt,
    });
  }
  return null;
}

/** Round trip 1, after the claim: the claimed tokens recorded where free, then every row of their vends and (meter, TID)s. */
export function offlineTokensSql(
  tokens: readonly OfflineToken[],
  terminalId: string,
  h: { lit: (v: string) => string; textArray: (v: readonly string[]) => string; intArray: (v: readonly number[]) => string },
): string[] {
  return [
    `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at, origin)
     SELECT v, ${h.lit(terminalId)}, m, t, -1, a, '', -1, d, at, 'offline'
     FROM unnest(${h.textArray(tokens.map((x) => x.vendId))}, ${h.textArray(tokens.map((x) => x.meterNo))}, ${h.intArray(tokens.map((x) => x.tid))},
       ${h.intArray(tokens.map((x) => x.amountTenths))}, ${h.intArray(tokens.map((x) => x.deliveredTenths))}, ${h.textArray(tokens.map((x) => x.issuedAt))}) WITH ORDINALITY AS u(v, m, t, a, d, at, n)
     ORDER BY n
     ON CONFLICT DO NOTHING`,
    `SELECT s.vend_id, s.terminal_id, s.meter_no, s.tid FROM sts_issues s
     WHERE s.vend_id = ANY(${h.textArray(tokens.map((x) => x.vendId))})
        OR (s.meter_no, s.tid) IN (SELECT * FROM unnest(${h.textArray(tokens.map((x) => x.meterNo))}, ${h.intArray(tokens.map((x) => x.tid))}::integer[]))`,
  ];
}

export type OfflineOutcome = { readonly kind: 'recorded' } | { readonly kind: 'tid_reused'; readonly byVendId: string; readonly byTerminalId: string };

/** As recordOfflineIssue's decision, over the rows as they stand after this batch's inserts. */
export function offlineOutcome(x: OfflineToken, terminalId: string, rows: readonly Record<string, unknown>[]): OfflineOutcome {
  const mine = rows.find((r) => String(r.vend_id) === x.vendId);
  if (mine !== undefined && String(mine.meter_no) === x.meterNo && Number(mine.tid) === x.tid) return { kind: 'recorded' };
  const other = rows.find((r) => String(r.meter_no) === x.meterNo && Number(r.tid) === x.tid);
  if (other !== undefined) return { kind: 'tid_reused', byVendId: String(other.vend_id), byTerminalId: String(other.terminal_id) };
  return { kind: 'tid_reused', byVendId: x.vendId, byTerminalId: terminalId };
}
