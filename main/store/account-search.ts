/**
 * Offline search in the cache of the whole service area: by account, meter, phone, card number or
 * bill barcode (exact keys, B-tree indexes), or by any part of a name — also of one or two
 * Chinese characters — through one FTS5 trigram index (`account_names`, migration v11).
 *
 * The index holds per account one document, in the column of its status (`active` / `closed`):
 *
 *   ␁␁name␂␂  then  #c#  for each character c  then  #cd  for each adjacent pair cd
 *
 * so every question is one trigram phrase (three characters or more), answered from the index:
 * exact name `␁␁q␂␂`, prefix `␁␁q`, a part of 3+ characters `q`, of two `#q`, of one `#q#`
 * ('#' is kept out of the grams, and out of the parts asked for).
 *
 * Ranking: exact name, then prefix, then any other part; within each, active accounts before
 * closed ones; then by account number. Each (class, status) step is one index query in rowid
 * order with a LIMIT — never more rows than the page needs, however common the character
 * (王 is in one name in fifteen).
 *
 * Writers keep the index (`recordNameAndStatus`): the snapshot writers of ./accounts.ts and
 * ./snapshot-batch.ts call it for every account they write.
 */
import { stmt, type Db } from './db.js';

/** Longest name part indexed as grams (the migration's backfill cuts at the same place). */
const MAX_GRAM_CHARS = 64;
const OPEN = '\u0001\u0001';
const CLOSE = '\u0002\u0002';
/** Account numbers the index can hold: digits only, 1–17 (the rowid is '1' + the number). */
const INDEXABLE = /^\d{1,17}$/;

export interface AccountHit {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly status: 'active' | 'closed';
}

/** The indexed document of a name (see the header; the same as migration v11's backfill). */
export function nameDocument(name: string): string {
  const chars = [...name.replaceAll('#', '')].slice(0, MAX_GRAM_CHARS);
  let unigrams = '';
  let bigrams = '';
  for (let i = 0; i < chars.length; i++) {
    unigrams += `#${chars[i]}#`;
    if (i + 1 < chars.length) bigrams += `#${chars[i]}${chars[i + 1]}`;
  }
  return OPEN + name + CLOSE + unigrams + bigrams;
}

/** What the cache holds of an account's name and status before a write (undefined: not cached). */
export function nameAndStatus(db: Db, accountNo: string): { readonly name: string; readonly closed: boolean } | undefined {
  const row = stmt(db, 'SELECT name, EXISTS (SELECT 1 FROM closed_accounts WHERE account_no = @no) AS closed FROM accounts WHERE account_no = @no').get({ no: accountNo }) as
    | { name: string; closed: number }
    | undefined;
  return row === undefined ? undefined : { name: row.name, closed: row.closed === 1 };
}

/**
 * After an account row is written: its status (closed_accounts) and its name in the index, when
 * new or changed. `before` is `nameAndStatus` read before the write.
 */
export function recordNameAndStatus(
  db: Db,
  accountNo: string,
  before: { readonly name: string; readonly closed: boolean } | undefined,
  name: string,
  closed: boolean,
): void {
  if (closed && before?.closed !== true) stmt(db, 'INSERT OR IGNORE INTO closed_accounts (account_no) VALUES (?)').run(accountNo);
  if (!closed && before?.closed === true) stmt(db, 'DELETE FROM closed_accounts WHERE account_no = ?').run(accountNo);
  if (before !== undefined && before.name === name && before.closed === closed) return;
  if (!INDEXABLE.test(accountNo)) return;
  const key = `1${accountNo}`;
  if (before !== undefined) stmt(db, 'DELETE FROM account_names WHERE rowid = CAST(? AS INTEGER)').run(key);
  const doc = nameDocument(name);
  stmt(db, 'INSERT INTO account_names (rowid, active, closed) VALUES (CAST(? AS INTEGER), ?, ?)').run(key, closed ? null : doc, closed ? doc : null);
}

/** The hot queries, exported for their EXPLAIN QUERY PLAN tests. */
export const SEARCH_SQL = {
  /** Exact keys: account, meter, phone, card, bill barcode (each an indexed equality). */
  exactKeys: `
  SELECT account_no FROM accounts WHERE account_no = @q
  UNION SELECT account_no FROM meters WHERE meter_no = @q
  UNION SELECT account_no FROM accounts WHERE phone = @q
  UNION SELECT account_no FROM accounts WHERE card_no = @q
  UNION SELECT account_no FROM bills WHERE bill_id = @q`,
  /** One step of the name search: one index query, rowid order, bounded. */
  nameStep: 'SELECT rowid FROM account_names WHERE account_names MATCH ? ORDER BY rowid LIMIT ?',
  /** A hit ready to list. */
  hit: `SELECT account_no AS accountNo, name, address, payment_mode AS paymentMode,
       CASE WHEN EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no) THEN 'closed' ELSE 'active' END AS status
     FROM accounts a WHERE account_no = ?`,
} as const;

/** The account numbers an exact key finds (at most a handful: keys are unique but for shared phones). */
export function findByExactKey(db: Db, q: string): string[] {
  return stmt(db, SEARCH_SQL.exactKeys).pluck().all({ q }) as string[];
}

/**
 * Account numbers whose name matches `q`, ranked (see the header), at most `limit`. Control
 * characters are dropped from `q` (they would fake the index's sentinels).
 */
export function findByName(db: Db, q: string, limit: number): string[] {
  const text = [...q.replace(/[\u0000-\u001f]/g, '').trim()];
  if (text.length === 0 || limit <= 0) return [];
  const query = text.join('');
  const part = query.replaceAll('#', '');
  const phrases = [OPEN + query + CLOSE, OPEN + query];
  // The gram part holds no '#': a short part with one cannot be found there, only by exact or prefix.
  if (part === query) phrases.push(text.length >= 3 ? query : text.length === 2 ? `#${query}` : `#${query}#`);
  const step = stmt(db, SEARCH_SQL.nameStep).safeIntegers(true);
  const found: string[] = [];
  const seen = new Set<string>();
  for (const phrase of phrases) {
    for (const column of ['active', 'closed'] as const) {
      const need = limit - found.length;
      if (need <= 0) return found;
      const rows = step.pluck().all(`${column} : "${phrase.replaceAll('"', '""')}"`, need + seen.size) as bigint[];
      for (const rowid of rows) {
        const accountNo = rowid.toString().slice(1);
        if (seen.has(accountNo)) continue;
        seen.add(accountNo);
        found.push(accountNo);
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}

/**
 * The search of the counter's search box, offline: an exact key first (active before closed,
 * then by number); otherwise the name search. At most `limit` hits, ready to list.
 */
export function searchAccounts(db: Db, q: string, limit = 20): AccountHit[] {
  const key = q.trim();
  if (key === '') return [];
  const exact = findByExactKey(db, key);
  const numbers = exact.length > 0 ? exact : findByName(db, key, limit);
  const hits = numbers.map((no) => hitOf(db, no)).filter((h): h is AccountHit => h !== undefined);
  if (exact.length > 0) hits.sort((a, b) => Number(a.status === 'closed') - Number(b.status === 'closed') || (a.accountNo < b.accountNo ? -1 : 1));
  return hits.slice(0, limit);
}

function hitOf(db: Db, accountNo: string): AccountHit | undefined {
  return stmt(db, SEARCH_SQL.hit).get(accountNo) as AccountHit | undefined;
}
