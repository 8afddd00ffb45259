/**
 * Offline search in the cache of the whole service area: by account, meter, phone, card number or
 * bill barcode (exact keys, B-tree indexes), or by any part of a name — also of one or two
 * Chinese characters — through one FTS5 trigram index (`account_names`, migration v11).
 *
 * The index holds per account one document, in the column of its status (`active` / `closed`):
 *
 *   ␁␁name␂␂  then  ␃c₁␃c₂␃…␃cₙ␃  (every character of the name between ␃s)
 *
 * so every question is one trigram phrase (three characters or more), answered from the index:
 * exact name `␁␁q␂␂`, prefix `␁␁q`, a part of 3+ characters `q`, of two `c␃d`, of one `␃c␃`.
 * Every trigram of the gram part is one that a question asks (v26; before, `#c#` and `#cd` runs
 * gave twice the trigrams, half of them never asked): control characters are never in a question
 * (they would fake the sentinels), so `␃` appears in no part asked of the name itself.
 *
 * Ranking: exact name, then prefix, then any other part; within each, active accounts before
 * closed ones; then by account number. Each (class, status) step is one index query in rowid
 * order with a LIMIT — never more rows than the page needs, however common the character
 * (王 is in one name in fifteen).
 *
 * Writers keep the index (`recordNameAndStatus`): the snapshot writers of ./accounts.ts and
 * ./snapshot-batch.ts call it for every account they write — except while the initial pull's load
 * window is open (./bulk-load.ts): the index is then built once at the end, and until it covers an
 * account, names are found by a scan of the cache ranked the same way.
 */
import { stmt, type Db } from './db.js';

/** Longest name part indexed as grams (the migration's backfill cuts at the same place). */
const MAX_GRAM_CHARS = 64;
const OPEN = '\u0001\u0001';
const CLOSE = '\u0002\u0002';
/** Between the characters of the gram part (migration v26 writes the same). */
const GRAM = '\u0003';
/** Account numbers the index can hold: digits only, 1–17 (the rowid is '1' + the number). */
const INDEXABLE = /^\d{1,17}$/;

export interface AccountHit {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly status: 'active' | 'closed';
}

/**
 * Set while the initial pull's load window is open (./bulk-load.ts: the name index and the
 * secondary indexes of accounts are built at its end); holds the dropped indexes' SQL.
 */
export const LOAD_WINDOW_KEY = 'sync.initial.bulk';
/** During the load window's index build: the last account number (in index order) the name index covers. */
export const NAMES_THROUGH_KEY = 'sync.initial.names_through';

function kvValue(db: Db, key: string): string | undefined {
  return stmt(db, 'SELECT value FROM kv WHERE key = ?').pluck().get(key) as string | undefined;
}

/** Whether the name index is complete (no load window open): otherwise names are found by a scan. */
export function nameIndexComplete(db: Db): boolean {
  return kvValue(db, LOAD_WINDOW_KEY) === undefined;
}

/**
 * Whether a writer keeps `accountNo`'s name in the index now: always, but inside a load window only
 * for the accounts its index build has passed (the build adds the others).
 */
export function nameIndexCovers(db: Db, accountNo: string): boolean {
  if (nameIndexComplete(db)) return true;
  const through = kvValue(db, NAMES_THROUGH_KEY);
  return through !== undefined && accountNo <= through;
}

/** The indexed document of a name (see the header; the same as migration v26's backfill). */
export function nameDocument(name: string): string {
  return OPEN + name + CLOSE + GRAM + [...name].slice(0, MAX_GRAM_CHARS).join(GRAM) + GRAM;
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
 * new or changed. `before` is `nameAndStatus` read before the write. `indexed`: whether the index
 * holds this account (`nameIndexCovers`; false inside a load window, whose build adds it later).
 */
export function recordNameAndStatus(
  db: Db,
  accountNo: string,
  before: { readonly name: string; readonly closed: boolean } | undefined,
  name: string,
  closed: boolean,
  indexed: boolean = nameIndexCovers(db, accountNo),
): void {
  if (closed && before?.closed !== true) stmt(db, 'INSERT OR IGNORE INTO closed_accounts (account_no) VALUES (?)').run(accountNo);
  if (!closed && before?.closed === true) stmt(db, 'DELETE FROM closed_accounts WHERE account_no = ?').run(accountNo);
  if (!indexed) return;
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
  /**
   * Names while the index is being built (a load window): a scan of the cache, ranked as the index
   * ranks — exact, prefix, other part; active before closed; account number.
   */
  nameScan: `SELECT account_no FROM accounts a WHERE instr(name, @q) > 0
     ORDER BY CASE WHEN name = @q THEN 0 WHEN substr(name, 1, length(@q)) = @q THEN 1 ELSE 2 END,
       EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no), account_no
     LIMIT @limit`,
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
  if (!nameIndexComplete(db)) return stmt(db, SEARCH_SQL.nameScan).pluck().all({ q: query, limit }) as string[];
  const phrases = [OPEN + query + CLOSE, OPEN + query, text.length >= 3 ? query : text.length === 2 ? text.join(GRAM) : GRAM + query + GRAM];
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
