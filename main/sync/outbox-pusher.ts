/**
 * Pushes the outbox to the backend in terminal sequence order. A row leaves the outbox only when
 * the backend acknowledges it (accepted or duplicate); a rejected event moves to the staff queue
 * (sync_rejections) so one bad event cannot block every later one. When the backend is
 * unreachable nothing is lost: the rows wait, and the next push resumes from the oldest.
 */
import { stmt, type Db } from '../store/db.js';
import { peekOutbox } from '../store/outbox.js';
import type { TerminalEvent } from '../wire/backend-wire.js';
import { BackendUnavailable, type BackendClient } from './backend-client.js';
import type { JournalAnchoring } from './journal-anchoring.js';

export interface PushOutcome {
  readonly sent: number;
  readonly acknowledged: number;
  readonly rejected: number;
  readonly pending: number;
  readonly online: boolean;
  readonly error: string | null;
}

export interface OutboxPusherOptions {
  readonly db: Db;
  readonly client: BackendClient;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly now: () => Date;
  /** Sends the journal's head with every batch and anchors it when idle (docs/audit.md). */
  readonly journal?: JournalAnchoring;
}

export class OutboxPusher {
  private running: Promise<PushOutcome> | null = null;
  private queued: Promise<PushOutcome> | null = null;

  constructor(private readonly opts: OutboxPusherOptions) {}

  /**
   * Push everything pending as of this call. Rows are never sent twice at once: a call made while a
   * run is in flight gets one follow-up run after it (shared by every such caller), so a push asked
   * for after the backend came back is never answered by a run that started while it was down.
   */
  pushAll(): Promise<PushOutcome> {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.pushAll();
      });
    return this.queued;
  }

  /** One batch, with the journal's head when anchoring is on; a 'stale' anchor is asked again once. */
  private async pushBatch(events: TerminalEvent[]) {
    const { client, timeoutMs, journal } = this.opts;
    if (!journal) return client.pushEvents(events, timeoutMs);
    for (let attempt = 0; ; attempt++) {
      const proof = await journal.proof();
      try {
        const answer = await client.pushEvents(events, timeoutMs, proof);
        journal.accepted(proof);
        return answer;
      } catch (err) {
        if (journal.refusal(err) !== 'stale' || attempt > 0) throw err;
      }
    }
  }

  /** Nothing to push: the head alone goes, so entries without events are anchored too. */
  private async anchorIdle(): Promise<PushJournal> {
    if (!this.opts.journal) return null;
    try {
      await this.opts.journal.anchorIdle();
      return null;
    } catch (err) {
      return { offline: err instanceof BackendUnavailable, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async drain(): Promise<PushOutcome> {
    const { db, client, batchSize, timeoutMs } = this.opts;
    let sent = 0;
    let acknowledged = 0;
    let rejected = 0;
    for (;;) {
      const rows = peekOutbox(db, batchSize);
      if (rows.length === 0) {
        const idle = await this.anchorIdle();
        return { sent, acknowledged, rejected, pending: 0, online: idle === null || !idle.offline, error: idle?.error ?? null };
      }
      const events: TerminalEvent[] = rows.map((r) => ({
        eventId: r.eventId,
        seq: r.seq,
        type: r.type,
        occurredAt: r.occurredAt,
        payload: r.payload,
      }));
      sent += events.length;
      let results;
      try {
        results = (await this.pushBatch(events)).results;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        stmt(db, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq <= ?`).run(message, rows.at(-1)?.seq ?? 0);
        return {
          sent,
          acknowledged,
          rejected,
          pending: rows.length + countAfter(db, rows.at(-1)?.seq ?? 0),
          online: !(err instanceof BackendUnavailable),
          error: message,
        };
      }
      const byId = new Map(results.map((r) => [r.eventId, r]));
      const at = this.opts.now().toISOString();
      let progressed = 0;
      db.transaction(() => {
        for (const row of rows) {
          const result = byId.get(row.eventId);
          if (!result) continue; // not answered: stays for the next push
          if (result.status === 'rejected') {
            stmt(
              db,
              `INSERT OR REPLACE INTO sync_rejections (event_id, seq, type, payload, reason, rejected_at) VALUES (?, ?, ?, ?, ?, ?)`,
            ).run(row.eventId, row.seq, row.type, JSON.stringify(row.payload), result.reason ?? 'unspecified', at);
            rejected++;
          } else {
            acknowledged++;
          }
          stmt(db, 'DELETE FROM outbox WHERE seq = ?').run(row.seq);
          progressed++;
        }
      })();
      if (progressed === 0) {
        return { sent, acknowledged, rejected, pending: countAfter(db, 0), online: true, error: 'backend acknowledged nothing' };
      }
    }
  }
}

export type PushJournal = { readonly offline: boolean; readonly error: string } | null;

function countAfter(db: Db, seq: number): number {
  return (stmt(db, 'SELECT COUNT(*) AS n FROM outbox WHERE seq > ?').get(seq) as { n: number }).n;
}
