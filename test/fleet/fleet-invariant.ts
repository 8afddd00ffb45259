/**
 * The fleet's invariant, for every terminal: every event it committed is in the backend's ledger
 * exactly once and under its own terminal id, the ledger holds nothing else for it, and the sums
 * agree — the payments the ledger holds add up to what the terminal committed and to what its own
 * payments table says it took. After the drain its outbox is empty and the backend rejected none
 * of its events. Ledger rows of a terminal the fleet does not know are a problem too.
 *
 * `checkFleet` is a pure function of what the terminals say and what the ledger holds, so a test
 * can hand it a ledger with an event removed or doubled and see it reported.
 */
import type pg from 'pg';
import type { CommittedEvent } from './sim-terminal.js';

/** What one terminal says after the drain. */
export interface TerminalAccount {
  readonly terminalId: string;
  readonly committed: ReadonlyMap<string, CommittedEvent>;
  /** SUM(amount_fen) of the terminal's payments table. */
  readonly paymentsFen: number;
  /** Rows still in its outbox. */
  readonly pending: number;
  /** Events the backend rejected (its sync_rejections). */
  readonly rejections: readonly { readonly eventId: string; readonly reason: string }[];
}

/** One event as the backend's ledger holds it. */
export interface LedgerRow {
  readonly terminalId: string;
  readonly eventId: string;
  readonly type: string;
  /** amountFen of a payment.created; 0 otherwise. */
  readonly amountFen: number;
}

export interface FleetReport {
  readonly ok: boolean;
  readonly terminals: number;
  /** Events the terminals committed … */
  readonly committed: number;
  /** … and rows the ledger holds for the fleet. */
  readonly held: number;
  readonly paymentFen: number;
  /** Terminals with at least one problem. */
  readonly failedTerminals: number;
  readonly problemCount: number;
  /** The first problems, one line each (the count is in problemCount). */
  readonly problems: readonly string[];
}

const MAX_LISTED = 50;

export function checkFleet(terminals: readonly TerminalAccount[], ledger: readonly LedgerRow[]): FleetReport {
  const problems: string[] = [];
  let problemCount = 0;
  const failed = new Set<string>();
  const report = (terminalId: string, text: string): void => {
    problemCount++;
    failed.add(terminalId);
    if (problems.length < MAX_LISTED) problems.push(`${terminalId}: ${text}`);
  };

  const byTerminal = new Map<string, LedgerRow[]>();
  const copies = new Map<string, LedgerRow[]>();
  for (const row of ledger) {
    const list = byTerminal.get(row.terminalId) ?? [];
    list.push(row);
    byTerminal.set(row.terminalId, list);
    const same = copies.get(row.eventId) ?? [];
    same.push(row);
    copies.set(row.eventId, same);
  }
  const known = new Set(terminals.map((t) => t.terminalId));
  for (const [terminalId, rows] of byTerminal) {
    if (!known.has(terminalId)) report(terminalId, `${rows.length} ledger events from a terminal not in the fleet`);
  }

  let committedTotal = 0;
  let paymentTotal = 0;
  let held = 0;
  for (const t of terminals) {
    const rows = byTerminal.get(t.terminalId) ?? [];
    held += rows.length;
    committedTotal += t.committed.size;
    for (const [eventId, e] of t.committed) {
      const found = copies.get(eventId) ?? [];
      if (found.length === 0) report(t.terminalId, `committed ${e.type} ${eventId} is not in the ledger`);
      else if (found.length > 1) report(t.terminalId, `${e.type} ${eventId} is in the ledger ${found.length} times`);
      const elsewhere = found.filter((r) => r.terminalId !== t.terminalId);
      if (elsewhere.length > 0) report(t.terminalId, `${e.type} ${eventId} is held under ${elsewhere.map((r) => r.terminalId).join(', ')}`);
      else if (found.length === 1 && found[0]?.type !== e.type) report(t.terminalId, `${eventId} is held as ${found[0]?.type}, committed as ${e.type}`);
    }
    for (const row of rows) {
      if (!t.committed.has(row.eventId)) report(t.terminalId, `the ledger holds ${row.type} ${row.eventId}, which the terminal never committed`);
    }
    const committedFen = sum([...t.committed.values()].filter((e) => e.type === 'payment.created').map((e) => e.amountFen));
    const heldFen = sum(rows.filter((r) => r.type === 'payment.created').map((r) => r.amountFen));
    paymentTotal += committedFen;
    if (heldFen !== committedFen) report(t.terminalId, `the ledger's payments add up to ${heldFen} fen, the terminal committed ${committedFen} fen`);
    if (t.paymentsFen !== committedFen) report(t.terminalId, `its payments table holds ${t.paymentsFen} fen, its commits ${committedFen} fen`);
    if (t.pending > 0) report(t.terminalId, `${t.pending} events still in its outbox after the drain`);
    for (const r of t.rejections) report(t.terminalId, `the backend rejected ${r.eventId}: ${r.reason}`);
  }
  return {
    ok: problemCount === 0,
    terminals: terminals.length,
    committed: committedTotal,
    held,
    paymentFen: paymentTotal,
    failedTerminals: failed.size,
    problemCount,
    problems,
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Every event the PostgreSQL store's ledger holds (its `events` table), straight from the database. */
export async function readPgLedger(client: pg.Pool | pg.Client): Promise<LedgerRow[]> {
  const r = await client.query<{ terminal_id: string; event_id: string; type: string; amount_fen: string | null }>(
    `SELECT terminal_id, event_id, type,
       CASE WHEN type = 'payment.created' THEN (payload_json::jsonb ->> 'amountFen') END AS amount_fen
     FROM events`,
  );
  return r.rows.map((row) => ({ terminalId: row.terminal_id, eventId: row.event_id, type: row.type, amountFen: Number(row.amount_fen ?? 0) }));
}
