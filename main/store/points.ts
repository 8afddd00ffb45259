/**
 * The prepaid points ledger (migration v20). An accrual is written inside the vend's delivered
 * commit, a reversal inside the commit that takes the vend back; each with its journal entry and
 * outbox event. UNIQUE (vend_id, kind) makes both at most once whatever re-runs them.
 */
import type { Db } from './db.js';
import { appendJournal } from './journal.js';
import { enqueueOutbox } from './outbox.js';

export const POINTS_EVENTS = { accrued: 'points.accrued', reversed: 'points.reversed' } as const;

export interface PointsEntry {
  readonly vendId: string;
  readonly kind: 'accrual' | 'reversal';
  readonly points: number;
  readonly energyFen: number;
  readonly at: string;
  readonly expiresAt: string | null;
}

interface Row {
  vend_id: string;
  kind: 'accrual' | 'reversal';
  points: number;
  energy_fen: number;
  at: string;
  expires_at: string | null;
}

const toEntry = (r: Row): PointsEntry => ({ vendId: r.vend_id, kind: r.kind, points: r.points, energyFen: r.energy_fen, at: r.at, expiresAt: r.expires_at });

/** Inside the caller's transaction. Nothing is written for 0 points; false when the vend had its accrual already. */
export function accruePoints(
  db: Db,
  e: { readonly vendId: string; readonly accountNo: string; readonly points: number; readonly energyFen: number; readonly at: string; readonly expiresAt: string | null; readonly actor: string; readonly eventId: string },
): boolean {
  if (e.points <= 0) return false;
  const info = db
    .prepare("INSERT OR IGNORE INTO points_ledger (entry_id, vend_id, account_no, kind, points, energy_fen, at, expires_at) VALUES (?, ?, ?, 'accrual', ?, ?, ?, ?)")
    .run(e.eventId, e.vendId, e.accountNo, e.points, e.energyFen, e.at, e.expiresAt);
  if (info.changes !== 1) return false;
  const balance = pointsBalance(db, e.accountNo, e.at);
  const payload = { vendId: e.vendId, accountNo: e.accountNo, points: e.points, energyFen: e.energyFen, expiresAt: e.expiresAt, balance };
  appendJournal(db, { type: POINTS_EVENTS.accrued, ref: e.vendId, actor: e.actor, at: e.at, payload });
  enqueueOutbox(db, { eventId: e.eventId, type: POINTS_EVENTS.accrued, occurredAt: e.at, payload });
  return true;
}

/** Inside the caller's transaction: takes back the vend's accrual, if it had one and it was not taken back already. */
export function reversePoints(db: Db, e: { readonly vendId: string; readonly at: string; readonly actor: string; readonly eventId: string }): boolean {
  const accrual = db.prepare("SELECT * FROM points_ledger WHERE vend_id = ? AND kind = 'accrual'").get(e.vendId) as (Row & { account_no: string }) | undefined;
  if (accrual === undefined) return false;
  const info = db
    .prepare("INSERT OR IGNORE INTO points_ledger (entry_id, vend_id, account_no, kind, points, energy_fen, at, expires_at) VALUES (?, ?, ?, 'reversal', ?, ?, ?, ?)")
    // The reversal expires with its accrual, so an expired accrual is not taken back twice from the balance.
    .run(e.eventId, e.vendId, accrual.account_no, -accrual.points, accrual.energy_fen, e.at, accrual.expires_at);
  if (info.changes !== 1) return false;
  const balance = pointsBalance(db, accrual.account_no, e.at);
  const payload = { vendId: e.vendId, accountNo: accrual.account_no, points: -accrual.points, balance };
  appendJournal(db, { type: POINTS_EVENTS.reversed, ref: e.vendId, actor: e.actor, at: e.at, payload });
  enqueueOutbox(db, { eventId: e.eventId, type: POINTS_EVENTS.reversed, occurredAt: e.at, payload });
  return true;
}

/** Points in force at `nowIso`: every entry not yet expired. */
export function pointsBalance(db: Db, accountNo: string, nowIso: string): number {
  return (db.prepare('SELECT COALESCE(SUM(points), 0) AS n FROM points_ledger WHERE account_no = ? AND (expires_at IS NULL OR expires_at > ?)').get(accountNo, nowIso) as { n: number }).n;
}

export function vendPoints(db: Db, vendId: string): number | null {
  const r = db.prepare('SELECT SUM(points) AS n, COUNT(*) AS c FROM points_ledger WHERE vend_id = ?').get(vendId) as { n: number | null; c: number };
  return r.c === 0 ? null : (r.n ?? 0);
}

export function recentPoints(db: Db, accountNo: string, limit: number): PointsEntry[] {
  return (db.prepare('SELECT vend_id, kind, points, energy_fen, at, expires_at FROM points_ledger WHERE account_no = ? ORDER BY at DESC, kind DESC LIMIT ?').all(accountNo, limit) as Row[]).map(toEntry);
}
