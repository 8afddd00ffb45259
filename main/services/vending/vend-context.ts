/**
 * What every vend step shares: the dependencies, the per-vend lock and the one way a vend changes
 * state (a guarded, journaled commit). The step modules take a VendContext instead of being
 * methods of one large class, so each can be read on its own.
 */
import { AppError } from '../../contract/index.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { getVend, stepEventId, type VendRow } from './vend-store.js';
import type { VendServiceDeps } from './vend-types.js';

export class VendContext {
  /** One chain per vend: a resume, a card insert and a clerk's retry never drive a vend at once. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly deps: VendServiceDeps) {}

  row(vendId: string): VendRow {
    const row = getVend(this.deps.db, vendId);
    if (!row) throw new AppError('vending.vend_not_found', { vendId });
    return row;
  }

  /**
   * One journaled commit: state change guarded by the expected current state (a transition
   * happens at most once, whoever races), journal entry, outbox event, plus `extra` writes.
   */
  transition(
    row: VendRow,
    to: VendRow['state'],
    type: string,
    actor: string,
    journalPayload: Record<string, unknown>,
    columns: Partial<
      Pick<VendRow, 'external_ref' | 'token' | 'delivered_tenths' | 'offline' | 'delivery' | 'approved_by' | 'card_amount_fen' | 'card_energy_ckwh' | 'card_counter_after'>
    >,
    extra?: () => void,
    outboxPayload?: Record<string, unknown>,
  ): void {
    const { db } = this.deps;
    const at = this.deps.clock().toISOString();
    const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
    db.transaction(() => {
      const info = db
        .prepare(`UPDATE vends SET state = @to, updated_at = @at${sets.length ? ', ' + sets.join(', ') : ''} WHERE vend_id = @id AND state = @from`)
        .run({ ...columns, to, at, id: row.vend_id, from: row.state });
      if (info.changes !== 1) throw new Error(`vend ${row.vend_id} is no longer ${row.state}`);
      extra?.();
      const payload = { vendId: row.vend_id, from: row.state, to, ...journalPayload };
      appendJournal(db, { type, ref: row.vend_id, actor, at, payload });
      enqueueOutbox(db, { eventId: stepEventId(row.vend_id, to), type, occurredAt: at, payload: { vendId: row.vend_id, from: row.state, to, ...(outboxPayload ?? journalPayload) } });
    }).immediate();
    this.deps.afterCommit();
  }

  journalOnly(vendId: string, type: string, actor: string, payload: Record<string, unknown>): void {
    appendJournal(this.deps.db, { type, ref: vendId, actor, at: this.deps.clock().toISOString(), payload: { vendId, ...payload } });
  }

  journalCount(vendId: string, type: string): number {
    return (this.deps.db.prepare('SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = ?').get(vendId, type) as { n: number }).n;
  }

  journaled(vendId: string, type: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM journal WHERE ref = ? AND type = ? LIMIT 1').get(vendId, type) !== undefined;
  }

  async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
