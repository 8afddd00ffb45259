/**
 * The exceptions queue (docs/exceptions.md): what supervisors see of the events the backend
 * rejected or accepted with an exception, and their resolution. A resolution is one transaction:
 * the item marked, its journal entry, and the `exception.resolved` outbox event (the backend keeps
 * it beside its exception); `resend` also puts the rejected event back in the outbox as it was sent,
 * behind everything queued since — a rejected event never held the others up, and a resent one
 * does not either.
 */
import { AppError, type ExceptionResolutionCode, type OperatorView, type SyncExceptionView } from '../contract/index.js';
import type { Db } from '../store/db.js';
import { uuidv7 } from '../store/ids.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import {
  dropRejection,
  listSyncExceptions,
  markSyncExceptionResolved,
  openSyncExceptionCount,
  rejectedEvent,
  syncExceptionById,
  type SyncExceptionRow,
} from '../store/sync-exceptions.js';
import { EXCEPTION_RESOLUTIONS, EXCEPTION_RESOLVED_EVENT, type ExceptionResolvedPayload } from '../wire/exceptions-wire.js';
import type { Clock } from './clock.js';

/** Resolved items shown at most (newest first). */
const RESOLVED_PAGE = 200;
/** Open items shown at most (oldest first); the count says how many there are. */
const OPEN_PAGE = 500;

export interface SyncExceptionsDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** The queue changed (the UI's count and list follow). */
  readonly onChanged: (openCount: number) => void;
  readonly afterCommit: () => void;
}

export class SyncExceptions {
  constructor(private readonly deps: SyncExceptionsDeps) {}

  list(status: 'open' | 'resolved'): { items: SyncExceptionView[]; openCount: number } {
    const { db } = this.deps;
    return {
      items: listSyncExceptions(db, status, status === 'open' ? OPEN_PAGE : RESOLVED_PAGE).map((r) => this.view(r)),
      openCount: openSyncExceptionCount(db),
    };
  }

  resolve(input: { id: number; resolution: ExceptionResolutionCode; note: string }, operator: OperatorView): SyncExceptionView {
    const { db, clock } = this.deps;
    const row = db
      .transaction((): SyncExceptionRow => {
        const item = syncExceptionById(db, input.id);
        if (!item) throw new AppError('exceptions.not_found', { id: input.id });
        if (item.resolved_at !== null) throw new AppError('exceptions.already_resolved', { id: input.id, by: item.resolved_by ?? '' });
        if (!this.resolutionsFor(item).includes(input.resolution)) {
          throw new AppError('exceptions.resolution_not_allowed', { id: input.id, resolution: input.resolution });
        }
        const at = clock().toISOString();
        const resolutionId = uuidv7(clock);
        markSyncExceptionResolved(db, item.id, { resolvedAt: at, resolvedBy: operator.operatorId, resolution: input.resolution, note: input.note });
        const payload: ExceptionResolvedPayload = {
          resolutionId,
          backendId: item.backend_id,
          eventId: item.event_id,
          kind: item.kind,
          resolution: input.resolution,
          note: input.note,
          resolvedBy: operator.operatorId,
        };
        appendJournal(db, { type: 'sync.exception_resolved', ref: item.event_id, actor: operator.operatorId, at, payload: { ...payload, itemId: item.id } });
        enqueueOutbox(db, { eventId: resolutionId, type: EXCEPTION_RESOLVED_EVENT, occurredAt: at, payload });
        if (input.resolution === 'resend') {
          const event = rejectedEvent(db, item.event_id);
          if (!event) throw new AppError('exceptions.resolution_not_allowed', { id: input.id, resolution: input.resolution });
          // The same event id: the backend kept nothing of the rejected one, so it is new to it.
          dropRejection(db, item.event_id);
          enqueueOutbox(db, { eventId: event.eventId, type: event.type, occurredAt: at, payload: event.payload });
        }
        const resolved = syncExceptionById(db, item.id);
        if (!resolved) throw new Error(`exception ${item.id} vanished in its own transaction`);
        return resolved;
      })
      .immediate();
    this.deps.afterCommit();
    this.deps.onChanged(openSyncExceptionCount(db));
    return this.view(row);
  }

  private resolutionsFor(r: SyncExceptionRow): ExceptionResolutionCode[] {
    if (r.resolved_at !== null) return [];
    return EXCEPTION_RESOLUTIONS.filter((c) => c !== 'resend' || (r.source === 'rejected' && rejectedEvent(this.deps.db, r.event_id) !== undefined));
  }

  private view(r: SyncExceptionRow): SyncExceptionView {
    return {
      id: r.id,
      source: r.source,
      kind: r.kind,
      eventId: r.event_id,
      eventType: r.event_type,
      accountNo: r.account_no,
      billId: r.bill_id,
      fen: r.fen,
      detail: r.detail,
      facts: r.facts_json === null ? {} : (JSON.parse(r.facts_json) as Record<string, string | number>),
      recordedAt: r.recorded_at,
      resolutions: this.resolutionsFor(r),
      resolved:
        r.resolved_at === null
          ? null
          : { at: r.resolved_at, by: r.resolved_by ?? '', resolution: (r.resolution ?? 'accepted') as ExceptionResolutionCode, note: r.note ?? '' },
    };
  }
}
