/**
 * The journal's integrity at run time (docs/audit.md). The whole chain is walked at start and on
 * demand; pushes check the unsent part and carry the head to the backend. While a break is not
 * acknowledged, or while the backend refuses the chain, the terminal is in its safe state: it
 * still serves lookups, receipts, shifts and the auditor, but every money method is refused with
 * the reason, so nothing new is built on a trail that cannot be trusted.
 *
 * Resolution: an auditor or manager acknowledges the breaks found (reason required). Each is
 * journaled and sent to the backend, where it is an alarm; the walk then passes exactly those
 * breaks (the same problem, seq and stored hash) and no other. A refusal by the backend is cleared
 * only by the backend's operator; the next push it takes ends it here.
 */
import { AppError, type IntegrityView, type OperatorView } from '../../contract/index.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import { BREAK_ACKNOWLEDGED, readAnchor, verifyChain, type ChainBreak, type ChainReport } from '../../store/journal-audit.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import { stmt } from '../../store/db.js';
import type { Clock } from '../clock.js';

const REFUSAL_KEY = 'audit.refusal';
const ANCHOR_KEY = 'audit.anchor';

export interface IntegrityDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** After a commit that has an outbox row (the acknowledgement): push soon. */
  readonly afterCommit: () => void;
}

export class IntegrityGuard {
  private report: ChainReport;
  private checkedAt: string;
  /** Breaks a push found in the unsent part since the last walk. */
  private pushBreaks: ChainBreak[] = [];

  constructor(private readonly deps: IntegrityDeps) {
    this.checkedAt = deps.clock().toISOString();
    this.report = verifyChain(deps.db);
    if (!this.report.ok) this.journalFound('system');
  }

  /** Walk the whole chain now. `actor`: who asked (journaled), or null at start. */
  verify(actor: string | null): IntegrityView {
    this.report = verifyChain(this.deps.db);
    this.pushBreaks = [];
    this.checkedAt = this.deps.clock().toISOString();
    if (actor !== null) {
      appendJournal(this.deps.db, {
        type: 'audit.verified',
        ref: 'journal',
        actor,
        at: this.checkedAt,
        payload: { ok: this.report.ok, entries: this.report.entries, headSeq: this.report.head.seq, breaks: this.report.breaks.length },
      });
    }
    return this.view();
  }

  view(): IntegrityView {
    const refusal = this.refusal();
    const breaks = [...this.report.breaks, ...this.pushBreaks.map((b) => ({ ...b, acknowledged: false }))];
    const broken = breaks.some((b) => !b.acknowledged);
    return {
      state: refusal ? 'refused' : broken ? 'broken' : 'ok',
      checkedAt: this.checkedAt,
      entries: this.report.entries,
      head: this.report.head,
      breaks: breaks.map((b) => ({ problem: b.problem, seq: b.seq, acknowledged: b.acknowledged })),
      anchor: this.anchor(),
      refusal,
      locked: refusal !== null || broken,
    };
  }

  /** Throws the reason money is refused, if it is. */
  assertMoneyAllowed(): void {
    const v = this.view();
    if (v.refusal) throw new AppError('audit.refused_by_backend', { reason: v.refusal.reason });
    const first = v.breaks.find((b) => !b.acknowledged);
    if (first) throw new AppError('audit.integrity_locked', { problem: first.problem, seq: first.seq });
  }

  /**
   * Acknowledge every unacknowledged break: one journal entry and one event each (the backend
   * raises it as an alarm), in one transaction; then walk again.
   */
  acknowledge(operator: OperatorView, reason: string): IntegrityView {
    const current = this.verify(null);
    const open = [...this.report.breaks.filter((b) => !b.acknowledged), ...this.pushBreaks];
    if (open.length === 0) {
      if (current.refusal) throw new AppError('audit.refused_by_backend', { reason: current.refusal.reason });
      throw new AppError('audit.nothing_to_acknowledge');
    }
    const { db, clock } = this.deps;
    const at = clock().toISOString();
    db.transaction(() => {
      for (const b of open) {
        const eventId = uuidv7(clock);
        const payload = { eventId, break: { problem: b.problem, seq: b.seq, storedHash: b.storedHash }, reason, acknowledgedBy: operator.operatorId, role: operator.role };
        appendJournal(db, { type: BREAK_ACKNOWLEDGED, ref: 'journal', actor: operator.operatorId, at, payload });
        enqueueOutbox(db, { eventId, type: BREAK_ACKNOWLEDGED, occurredAt: at, payload });
      }
      // The local copy of the backend's anchor described the chain before the break; the backend
      // keeps its own and decides for itself.
      if (open.some((b) => b.problem === 'truncated' || b.problem === 'anchor')) stmt(db, 'DELETE FROM kv WHERE key = ?').run(ANCHOR_KEY);
    }).immediate();
    this.deps.afterCommit();
    return this.verify(null);
  }

  /** A push found a break in the part since the anchor. */
  localBreak(b: ChainBreak): void {
    if (this.pushBreaks.some((x) => x.problem === b.problem && x.seq === b.seq)) return;
    this.pushBreaks.push(b);
    appendJournal(this.deps.db, { type: 'audit.break_detected', ref: 'journal', actor: 'system', at: this.deps.clock().toISOString(), payload: { break: b, by: 'push' } });
  }

  refused(reason: string, detail: string): void {
    const was = this.refusal();
    if (was?.reason === reason) return;
    const at = this.deps.clock().toISOString();
    this.deps.db.transaction(() => {
      stmt(this.deps.db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(REFUSAL_KEY, JSON.stringify({ reason, at }));
      appendJournal(this.deps.db, { type: 'audit.head_refused', ref: 'journal', actor: 'system', at, payload: { reason, detail: detail.slice(0, 200) } });
    })();
  }

  accepted(): void {
    if (!this.refusal()) return;
    this.deps.db.transaction(() => {
      stmt(this.deps.db, 'DELETE FROM kv WHERE key = ?').run(REFUSAL_KEY);
      appendJournal(this.deps.db, { type: 'audit.head_accepted', ref: 'journal', actor: 'system', at: this.deps.clock().toISOString(), payload: {} });
    })();
  }

  private journalFound(actor: string): void {
    const open = this.report.breaks.filter((b) => !b.acknowledged);
    appendJournal(this.deps.db, {
      type: 'audit.break_detected',
      ref: 'journal',
      actor,
      at: this.checkedAt,
      payload: { breaks: open.map((b) => ({ problem: b.problem, seq: b.seq, storedHash: b.storedHash })), by: 'start' },
    });
  }

  private refusal(): { reason: string; at: string } | null {
    // Its own statement text: the statement cache is shared, and another reader puts the plain
    // 'SELECT value FROM kv …' into pluck mode.
    const row = stmt(this.deps.db, 'SELECT value AS audit_value FROM kv WHERE key = ?').get(REFUSAL_KEY) as { audit_value: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.audit_value) as { reason: string; at: string };
    } catch {
      return { reason: 'unreadable', at: '' };
    }
  }

  private anchor(): { seq: number; hash: string } | null {
    return readAnchor(this.deps.db);
  }

}
