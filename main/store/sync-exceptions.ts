/**
 * The supervisors' exceptions queue (table sync_exceptions, migration v17; docs/exceptions.md):
 * events the backend rejected (queued from sync_rejections by trigger) and exceptions it recorded
 * while accepting ours (read from its feed, once per backend id), each open until a supervisor
 * resolves it; migration v18 adds the backend's facts. Writes run inside the caller's transaction.
 */
import type { TerminalException } from '../wire/exceptions-wire.js';
import { stmt, type Db } from './db.js';

export interface SyncExceptionRow {
  readonly id: number;
  readonly source: 'rejected' | 'backend';
  readonly backend_id: number | null;
  readonly event_id: string;
  readonly event_type: string | null;
  readonly kind: string;
  readonly account_no: string | null;
  readonly bill_id: string | null;
  readonly fen: number;
  readonly detail: string;
  readonly facts_json: string | null;
  readonly recorded_at: string;
  readonly resolved_at: string | null;
  readonly resolved_by: string | null;
  readonly resolution: string | null;
  readonly note: string | null;
}

const FEED_CURSOR_KEY = 'sync.exceptions.after';

/** Open items first-come first; resolved ones newest first (a page of `limit`). */
export function listSyncExceptions(db: Db, status: 'open' | 'resolved', limit: number): SyncExceptionRow[] {
  const sql =
    status === 'open'
      ? 'SELECT * FROM sync_exceptions WHERE resolved_at IS NULL ORDER BY id LIMIT ?'
      : 'SELECT * FROM sync_exceptions WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ?';
  return stmt(db, sql).all(limit) as SyncExceptionRow[];
}

export function openSyncExceptionCount(db: Db): number {
  return (stmt(db, 'SELECT COUNT(*) AS n FROM sync_exceptions WHERE resolved_at IS NULL').get() as { n: number }).n;
}

export function syncExceptionById(db: Db, id: number): SyncExceptionRow | undefined {
  return stmt(db, 'SELECT * FROM sync_exceptions WHERE id = ?').get(id) as SyncExceptionRow | undefined;
}

/** Keep one of the backend's exceptions; false when it was kept before (the feed read it again). */
export function insertBackendException(db: Db, x: TerminalException, recordedAt: string): boolean {
  const info = stmt(
    db,
    `INSERT OR IGNORE INTO sync_exceptions (source, backend_id, event_id, event_type, kind, account_no, bill_id, fen, detail, facts_json, recorded_at)
     VALUES ('backend', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(x.id, x.eventId, x.eventType ?? null, x.kind, x.accountNo ?? null, x.billId ?? null, x.fen, x.detail, JSON.stringify(x.facts), recordedAt);
  return info.changes === 1;
}

export function markSyncExceptionResolved(db: Db, id: number, r: { resolvedAt: string; resolvedBy: string; resolution: string; note: string }): boolean {
  return (
    stmt(db, 'UPDATE sync_exceptions SET resolved_at = ?, resolved_by = ?, resolution = ?, note = ? WHERE id = ? AND resolved_at IS NULL').run(
      r.resolvedAt,
      r.resolvedBy,
      r.resolution,
      r.note,
      id,
    ).changes === 1
  );
}

/** The rejected event as it was sent (sync_rejections), for a resend. */
export function rejectedEvent(db: Db, eventId: string): { eventId: string; type: string; payload: unknown } | undefined {
  const row = stmt(db, 'SELECT event_id, type, payload FROM sync_rejections WHERE event_id = ?').get(eventId) as { event_id: string; type: string; payload: string } | undefined;
  return row && { eventId: row.event_id, type: row.type, payload: JSON.parse(row.payload) as unknown };
}

export function dropRejection(db: Db, eventId: string): void {
  stmt(db, 'DELETE FROM sync_rejections WHERE event_id = ?').run(eventId);
}

export function exceptionFeedCursor(db: Db): number {
  const row = stmt(db, 'SELECT value FROM kv WHERE key = ?').get(FEED_CURSOR_KEY) as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

export function setExceptionFeedCursor(db: Db, after: number): void {
  stmt(db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(FEED_CURSOR_KEY, String(after));
}
