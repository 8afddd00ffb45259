/**
 * The requesting terminal's own ledger for a period (GET /api/ledger/terminal?from=&to=), which
 * the terminal's four-way reconciliation compares with its journal. Reads accepted events only
 * (rejected ones are never stored), by occurredAt, through an index made on first use.
 */
import type { LedgerEntry } from '../../main/wire/backend-wire.js';
import type { BackendDb } from './db.js';

type Row = { event_id: string; terminal_id: string; seq: number; type: string; occurred_at: string; payload_json: string; received_at: string };

const statements = new WeakMap<BackendDb, (terminalId: string, from: string, to: string) => Row[]>();

/** The period `from`, `to` of the query (compared as text, as stored), or null when either is no date or from > to. */
export function ledgerRange(search: URLSearchParams): { from: string; to: string } | null {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || from > to) return null;
  return { from, to };
}

/** The events of `terminalId` with occurredAt in [from, to), in the order they arrived; null for a bad range. */
export function terminalLedger(db: BackendDb, terminalId: string, search: URLSearchParams): { items: LedgerEntry[] } | null {
  const range = ledgerRange(search);
  if (range === null) return null;
  const { from, to } = range;
  let read = statements.get(db);
  if (!read) {
    db.exec('CREATE INDEX IF NOT EXISTS events_terminal_time ON events(terminal_id, occurred_at)');
    const stmt = db.prepare<[string, string, string], Row>('SELECT * FROM events WHERE terminal_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY rowid');
    read = (t, f, u) => stmt.all(t, f, u);
    statements.set(db, read);
  }
  return {
    items: read(terminalId, from, to).map((r) => ({
      eventId: r.event_id,
      terminalId: r.terminal_id,
      seq: r.seq,
      type: r.type,
      occurredAt: r.occurred_at,
      payload: JSON.parse(r.payload_json) as unknown,
      receivedAt: r.received_at,
    })),
  };
}
