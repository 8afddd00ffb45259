/**
 * Each account's last touch by staff — a contact logged or a notice served, whichever is later —
 * with what this terminal took on the account since: the worklist's follow-up rule reads it.
 */
import type { Db } from './db.js';
import { stmt } from './db.js';

export interface LastTouchRow {
  readonly accountNo: string;
  readonly at: string;
  readonly via: 'call' | 'visit' | 'sms' | 'letter' | 'notice';
  readonly promised: 0 | 1;
  readonly paidSinceFen: number;
}

const TOUCHES = `
  SELECT account_no, created_at AS at, channel AS via, promise_on IS NOT NULL AS promised, contact_id AS id FROM collection_contacts
  UNION ALL
  SELECT account_no, created_at, 'notice', 0, notice_id FROM collection_notices`;

/** Both tables are this terminal's own staff work (small), so the whole set is read at once. */
export function lastTouches(db: Db, accountNo?: string): LastTouchRow[] {
  const where = accountNo === undefined ? '' : 'WHERE account_no = ?';
  const rows = stmt(
    db,
    `WITH t AS (SELECT * FROM (${TOUCHES}) ${where}),
          latest AS (SELECT account_no, at, via, promised, ROW_NUMBER() OVER (PARTITION BY account_no ORDER BY at DESC, id DESC) AS n FROM t)
     SELECT l.account_no AS accountNo, l.at, l.via, l.promised,
       COALESCE((SELECT SUM(p.amount_fen) FROM payments p WHERE p.account_no = l.account_no AND p.created_at >= l.at AND p.status = 'completed'), 0) AS paidSinceFen
     FROM latest l WHERE l.n = 1`,
  );
  return (accountNo === undefined ? rows.all() : rows.all(accountNo)) as LastTouchRow[];
}
