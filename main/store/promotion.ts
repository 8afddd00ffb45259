/** Prepaid promotion offers (migration v19): one row per offer made, with the customer's answer. */
import { stmt, type Db } from './db.js';

export interface OfferRow {
  readonly offerId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly offerKind: string;
  readonly bonusFen: number;
  readonly grade: string;
  readonly rank: number;
  readonly status: 'offered' | 'accepted' | 'declined';
  readonly offeredBy: string;
  readonly offeredAt: string;
  readonly validUntil: string;
  readonly answeredAt: string | null;
  /** The account's payment mode now: 'prepaid' means it converted. */
  readonly paymentMode: 'postpaid' | 'prepaid' | null;
}

const SELECT = `SELECT o.offer_id AS offerId, o.request_id AS requestId, o.account_no AS accountNo, o.offer_kind AS offerKind,
  o.bonus_fen AS bonusFen, o.grade, o.rank, o.status, o.offered_by AS offeredBy, o.offered_at AS offeredAt, o.valid_until AS validUntil,
  o.answered_at AS answeredAt, a.payment_mode AS paymentMode
  FROM promotion_offers o LEFT JOIN accounts a ON a.account_no = o.account_no`;

export function insertOffer(db: Db, row: Omit<OfferRow, 'paymentMode' | 'answeredAt' | 'status'>): void {
  stmt(
    db,
    `INSERT INTO promotion_offers (offer_id, request_id, account_no, offer_kind, bonus_fen, grade, rank, status, offered_by, offered_at, valid_until)
     VALUES (@offerId, @requestId, @accountNo, @offerKind, @bonusFen, @grade, @rank, 'offered', @offeredBy, @offeredAt, @validUntil)`,
  ).run(row);
}

export function offerById(db: Db, offerId: string): OfferRow | undefined {
  return stmt(db, `${SELECT} WHERE o.offer_id = ?`).get(offerId) as OfferRow | undefined;
}

export function offerByRequest(db: Db, requestId: string): OfferRow | undefined {
  return stmt(db, `${SELECT} WHERE o.request_id = ?`).get(requestId) as OfferRow | undefined;
}

/** The latest offer per account, for the accounts given. */
export function latestOffers(db: Db, accountNos: readonly string[]): Map<string, OfferRow> {
  const rows = stmt(
    db,
    `${SELECT} WHERE o.account_no IN (SELECT value FROM json_each(?)) ORDER BY o.offered_at`,
  ).all(JSON.stringify(accountNos)) as OfferRow[];
  return new Map(rows.map((r) => [r.accountNo, r]));
}

export function answerOffer(db: Db, offerId: string, status: 'accepted' | 'declined', at: string): void {
  stmt(db, 'UPDATE promotion_offers SET status = ?, answered_at = ? WHERE offer_id = ?').run(status, at, offerId);
}

/** Offers made, answered, and converted (the account prepaid now). */
export function offerTotals(db: Db): { offered: number; accepted: number; declined: number; converted: number } {
  return stmt(
    db,
    `SELECT COUNT(*) AS offered, COALESCE(SUM(o.status = 'accepted'), 0) AS accepted, COALESCE(SUM(o.status = 'declined'), 0) AS declined,
       COALESCE(SUM(a.payment_mode = 'prepaid'), 0) AS converted
     FROM promotion_offers o LEFT JOIN accounts a ON a.account_no = o.account_no`,
  ).get() as { offered: number; accepted: number; declined: number; converted: number };
}

/** Name of a cached account. */
export function accountName(db: Db, accountNo: string): string | undefined {
  return stmt(db, 'SELECT name FROM accounts WHERE account_no = ?').pluck().get(accountNo) as string | undefined;
}
