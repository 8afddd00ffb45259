/** The update deferral lives in the journal (type `update.deferred`): the newest entry is in force. */
import type { Db } from './db.js';

export const UPDATE_DEFERRED = 'update.deferred';

export interface UpdateDeferral {
  readonly requestId: string;
  readonly until: string | null;
  readonly by: string;
  readonly reason: string;
}

export function latestDeferral(db: Db): UpdateDeferral | null {
  const row = db.prepare("SELECT payload FROM journal WHERE type = ? ORDER BY seq DESC LIMIT 1").get(UPDATE_DEFERRED) as { payload: string } | undefined;
  return row === undefined ? null : (JSON.parse(row.payload) as UpdateDeferral);
}

export function deferralByRequest(db: Db, requestId: string): boolean {
  return db.prepare('SELECT 1 FROM journal WHERE type = ? AND ref = ?').get(UPDATE_DEFERRED, requestId) !== undefined;
}
