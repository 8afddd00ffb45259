/**
 * The backend's side of the terminals' journal heads (docs/audit.md): per terminal the last head
 * it acknowledged; a later push must carry a head that extends it — the terminal's hash at the
 * acknowledged seq must still be the acknowledged hash, and the head may not be behind it. A
 * shorter or rewritten chain is refused with its reason and raised as an alarm (one per terminal,
 * reason and head). An auditor's acknowledged break arriving as an event is an alarm too. Only the
 * backend's operator clears a terminal's anchor (`reset`), e.g. after it was re-installed.
 */
import type { TerminalEvent } from '../../main/wire/backend-wire.js';
import type { JournalHeadWire, JournalProof, JournalRefusal } from '../../main/wire/journal-anchor-wire.js';
import type { BackendDb } from './db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS journal_heads (
  terminal_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal_alarms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  terminal_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  anchor_seq INTEGER,
  anchor_hash TEXT,
  head_seq INTEGER,
  head_hash TEXT,
  detail TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (terminal_id, reason, head_seq, head_hash)
);
`;

export interface JournalAlarm {
  readonly id: number;
  readonly terminalId: string;
  /** 'shorter' | 'rewritten' | 'acknowledged_break' */
  readonly reason: string;
  readonly anchorSeq: number | null;
  readonly headSeq: number | null;
  readonly detail: string;
  readonly createdAt: string;
}

export type HeadCheck = { readonly ok: true } | { readonly ok: false; readonly reason: JournalRefusal; readonly detail: string };

export class JournalAnchors {
  constructor(private readonly db: BackendDb) {
    db.exec(SCHEMA);
  }

  anchor(terminalId: string): JournalHeadWire | null {
    const row = this.db.prepare('SELECT seq, hash FROM journal_heads WHERE terminal_id = ?').get(terminalId) as JournalHeadWire | undefined;
    return row ?? null;
  }

  /** Whether `proof` extends the terminal's acknowledged head; an alarm is recorded for a shorter or rewritten chain. */
  check(terminalId: string, proof: JournalProof, nowIso: string): HeadCheck {
    const anchor = this.anchor(terminalId);
    const verdict = judgeProof(anchor, proof);
    if (!verdict.ok && verdict.reason !== 'stale' && anchor !== null) this.raise(terminalId, verdict.reason, anchor, proof.head, verdict.detail, nowIso);
    return verdict;
  }

  /** Record `head` as acknowledged (after the push it came with was taken). Never moves back. */
  accept(terminalId: string, head: JournalHeadWire, nowIso: string): void {
    this.db
      .prepare(
        `INSERT INTO journal_heads (terminal_id, seq, hash, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (terminal_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
         WHERE excluded.seq >= journal_heads.seq`,
      )
      .run(terminalId, head.seq, head.hash, nowIso);
  }

  /** The backend operator's resolution: forget the terminal's head so its next push anchors afresh. */
  reset(terminalId: string): void {
    this.db.prepare('DELETE FROM journal_heads WHERE terminal_id = ?').run(terminalId);
  }

  alarms(terminalId?: string): JournalAlarm[] {
    const rows = this.db
      .prepare('SELECT * FROM journal_alarms WHERE ? IS NULL OR terminal_id = ? ORDER BY id')
      .all(terminalId ?? null, terminalId ?? null) as { id: number; terminal_id: string; reason: string; anchor_seq: number | null; head_seq: number | null; detail: string; created_at: string }[];
    return rows.map((r) => ({ id: r.id, terminalId: r.terminal_id, reason: r.reason, anchorSeq: r.anchor_seq, headSeq: r.head_seq, detail: r.detail, createdAt: r.created_at }));
  }

  /** The intake effect of 'audit.break_acknowledged': stored like any event, and an alarm. */
  acknowledgedBreak(event: TerminalEvent, ctx: { readonly terminalId: string; readonly nowIso: string }): { ok: true } {
    this.raise(ctx.terminalId, 'acknowledged_break', this.anchor(ctx.terminalId), null, JSON.stringify(event.payload).slice(0, 500), ctx.nowIso, event.eventId);
    return { ok: true };
  }

  private raise(terminalId: string, reason: string, anchor: JournalHeadWire | null, head: JournalHeadWire | null, detail: string, nowIso: string, uniq?: string): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO journal_alarms (terminal_id, reason, anchor_seq, anchor_hash, head_seq, head_hash, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(terminalId, reason, anchor?.seq ?? null, anchor?.hash ?? null, head?.seq ?? null, head?.hash ?? uniq ?? null, detail, nowIso);
  }
}

/** Whether `proof` extends `anchor` (the rules above; the SQLite and PostgreSQL stores both judge by it). */
export function judgeProof(anchor: JournalHeadWire | null, proof: JournalProof): HeadCheck {
  if (anchor === null) return { ok: true };
  const refuse = (reason: JournalRefusal, detail: string): HeadCheck => ({ ok: false, reason, detail });
  if (proof.at === null || proof.at.seq !== anchor.seq) {
    // The head being behind the anchor is decided here already: no seq the terminal could name helps.
    if (proof.head.seq < anchor.seq) return refuse('shorter', `head ${proof.head.seq} is behind the acknowledged ${anchor.seq}`);
    return refuse('stale', `ask for the anchor: it is at ${anchor.seq}`);
  }
  if (proof.at.hash === null) return refuse('shorter', `the terminal has no entry ${anchor.seq} any more`);
  if (proof.head.seq < anchor.seq) return refuse('shorter', `head ${proof.head.seq} is behind the acknowledged ${anchor.seq}`);
  if (proof.at.hash !== anchor.hash) return refuse('rewritten', `entry ${anchor.seq} was ${anchor.hash.slice(0, 12)}…, now ${proof.at.hash.slice(0, 12)}…`);
  if (proof.head.seq === anchor.seq && proof.head.hash !== anchor.hash) return refuse('rewritten', `head ${anchor.seq} changed`);
  return { ok: true };
}
