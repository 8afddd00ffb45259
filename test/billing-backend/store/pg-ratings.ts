/**
 * Customers' ratings (`rating.created`, kiosk-backend.ts) on PostgreSQL: kept once per rated
 * transaction, read back by GET /api/ratings. The intake (pg-store.ts) decides before its claim,
 * as it must (a claimed event is never taken back): a rating of a transaction already rated under
 * another rating id is rejected `already_rated` — the ratings already kept for the batch's
 * transactions are read before its transaction (only for batches holding ratings), those earlier
 * in the same batch counted too. A transaction is rated once, at the terminal that made it, so no
 * other batch rates it in between; if two did all the same, the first to commit is kept and the
 * other accepted without a row (`ON CONFLICT DO NOTHING`) rather than failing its batch.
 */
import type pg from 'pg';
import { RatingCreatedPayloadSchema, type RatingCreatedPayload } from '../../../main/wire/kiosk-wire.js';
import type { StoredRating } from './backend-store.js';

export const PG_RATINGS_SCHEMA = `
CREATE TABLE IF NOT EXISTS ratings (
  rating_id text PRIMARY KEY, transaction_id text NOT NULL UNIQUE, transaction_kind text NOT NULL,
  account_no text NOT NULL, score integer NOT NULL, reasons_json text NOT NULL, operator_id text NOT NULL,
  channel text NOT NULL, terminal_id text NOT NULL, rated_at text NOT NULL, received_at text NOT NULL);
`;

export const RATING_CREATED_EVENT = 'rating.created';

/** transactionId → the rating id kept for it, for the transactions a batch's ratings name; nothing read for a batch without ratings. */
export async function ratedTransactions(pool: pg.Pool, rawEvents: readonly unknown[]): Promise<ReadonlyMap<string, string>> {
  const ids = new Set<string>();
  for (const raw of rawEvents) {
    if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== RATING_CREATED_EVENT) continue;
    const r = RatingCreatedPayloadSchema.safeParse((raw as { payload?: unknown }).payload);
    if (r.success) ids.add(r.data.transactionId);
  }
  if (ids.size === 0) return new Map();
  const r = await pool.query<{ transaction_id: string; rating_id: string }>('SELECT transaction_id, rating_id FROM ratings WHERE transaction_id = ANY($1::text[])', [[...ids]]);
  return new Map(r.rows.map((row) => [row.transaction_id, row.rating_id]));
}

/**
 * Why a rating event is refused before the claim (SQLite's words), or its payload; `rated` is
 * what was read before the batch plus the batch's own ratings so far (updated here).
 */
export function checkRating(payload: unknown, rated: Map<string, string>): { refusal: string } | { rating: RatingCreatedPayload } {
  const parsed = RatingCreatedPayloadSchema.safeParse(payload);
  if (!parsed.success) return { refusal: `malformed_payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const r = parsed.data;
  const taken = rated.get(r.transactionId);
  if (taken !== undefined && taken !== r.ratingId) return { refusal: 'already_rated' };
  rated.set(r.transactionId, r.ratingId);
  return { rating: r };
}

/** GET /api/ratings, as KioskBackend.ratings: by arrival time, then rating id. */
export async function readRatings(pool: pg.Pool): Promise<StoredRating[]> {
  const r = await pool.query<{ rating_id: string; transaction_id: string; score: number; reasons_json: string; terminal_id: string; channel: string }>(
    'SELECT rating_id, transaction_id, score, reasons_json, terminal_id, channel FROM ratings ORDER BY received_at COLLATE "C", rating_id COLLATE "C"',
  );
  return r.rows.map((x) => ({ ratingId: x.rating_id, transactionId: x.transaction_id, score: Number(x.score), reasons: JSON.parse(x.reasons_json) as string[], terminalId: x.terminal_id, channel: x.channel }));
}
