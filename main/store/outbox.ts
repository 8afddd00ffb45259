/** The outbox: events waiting to reach the billing backend, in terminal sequence order. */
import { stmt, type Db } from './db.js';

export interface OutboxInput {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly payload: unknown;
}

export interface OutboxRow extends OutboxInput {
  readonly seq: number;
  readonly attempts: number;
}

/** Enqueue one event. Must run inside the caller's transaction. */
export function enqueueOutbox(db: Db, input: OutboxInput): number {
  const info = stmt(db, 'INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES (?, ?, ?, ?)')
    .run(input.eventId, input.type, input.occurredAt, JSON.stringify(input.payload));
  return Number(info.lastInsertRowid);
}

export function peekOutbox(db: Db, limit: number): OutboxRow[] {
  const rows = stmt(db, 'SELECT seq, event_id, type, occurred_at, payload, attempts FROM outbox ORDER BY seq LIMIT ?')
    .all(limit) as { seq: number; event_id: string; type: string; occurred_at: string; payload: string; attempts: number }[];
  return rows.map((r) => ({
    seq: r.seq,
    eventId: r.event_id,
    type: r.type,
    occurredAt: r.occurred_at,
    payload: JSON.parse(r.payload) as unknown,
    attempts: r.attempts,
  }));
}

export function outboxDepth(db: Db): number {
  return (stmt(db, 'SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
}
