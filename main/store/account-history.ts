/**
 * The cache of each account's 24-month history (AccountSnapshot.history, the facts the recovery
 * area rests on: docs/recovery.md). Written by the snapshot writers alongside the account, read by
 * credit grading, the worklist and the dashboard.
 */
import { AccountHistorySchema, type AccountHistory, type AccountSnapshot } from '../wire/backend-wire.js';
import { nameIndexComplete } from './account-search.js';
import { stmt, type Db } from './db.js';
import { writeWorklistFacts } from './worklist-facts.js';

const UPSERT_SQL = `INSERT INTO account_history (account_no, history_json) VALUES (?, ?)
  ON CONFLICT (account_no) DO UPDATE SET history_json = excluded.history_json`;

/** Keeps the snapshot's history; a snapshot without one leaves what the cache had (a backend that does not send it). */
export function recordHistory(db: Db, snap: Pick<AccountSnapshot, 'accountNo' | 'history'>, inLoadWindow = !nameIndexComplete(db)): void {
  if (snap.history === undefined) return;
  stmt(db, UPSERT_SQL).run(snap.accountNo, JSON.stringify(snap.history));
  // The worklist facts' triggers stand aside in the initial pull's load window (migration v23).
  if (inLoadWindow) writeWorklistFacts(db, snap.accountNo, snap.history);
}

export function getHistory(db: Db, accountNo: string): AccountHistory | undefined {
  const json = stmt(db, 'SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(accountNo) as string | undefined;
  return json === undefined ? undefined : parseHistory(json);
}

/** The stored JSON back into the wire's shape. */
export function parseHistory(json: string): AccountHistory {
  return AccountHistorySchema.parse(JSON.parse(json));
}

/**
 * The stored JSON as the writers stored it: they only store snapshots the wire schema validated, so
 * a million-account pass (credit grading) skips validating them again.
 */
export function cachedHistory(json: string): AccountHistory {
  return JSON.parse(json) as AccountHistory;
}
