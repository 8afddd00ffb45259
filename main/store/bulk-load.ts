/**
 * The load window of the initial pull (main/sync/initial-pull.ts): a fresh terminal's cache takes
 * a million accounts at once, and keeping every index current row by row is most of that cost —
 * random keys (phones, card numbers) touch a different page per row, and the FTS5 name index
 * tokenizes and merges as it goes. So a pull into an EMPTY cache opens a window:
 *
 * - `openLoadWindow` drops the indexes whose keys are random (`DEFERRED_INDEXES`: phones, card
 *   numbers, and meter numbers' unique index — its writers then append, `WRITE_METER_SQL`),
 *   keeping their SQL in the kv row `LOAD_WINDOW_KEY` in the same transaction, and the writers stop
 *   keeping the name index (account-search.ts, `nameIndexCovers`);
 * - the pull's batches are written with a larger page cache (4 MB) and `synchronous = NORMAL` for the
 *   batch's commit only (./snapshot-batch.ts's caller): the cache can be pulled again, and in WAL
 *   mode a power cut then loses at most the last batches together with their cursor — never half
 *   a batch, never a payment (every other commit stays FULL);
 * - `buildDeferredIndexes`, after the stream's end line, builds the name index in chunks of
 *   accounts (each chunk and the account it reached, `NAMES_THROUGH_KEY`, one transaction), then
 *   each dropped index, then closes the window. A cut anywhere — a crash, a power cut — resumes
 *   after the last committed step; nothing is fetched again.
 *
 * Inside the window the cache answers as ever, only slower: exact keys without their index scan
 * the table, names are found by a ranked scan until the name index covers the cache
 * (account-search.ts). Migrations never meet a half-built index: the window only ever drops and
 * rebuilds the indexes named here, from the SQL it saved.
 */
import { LOAD_WINDOW_KEY, NAMES_THROUGH_KEY, nameDocument, nameIndexComplete } from './account-search.js';
import { stmt, type Db } from './db.js';

/** Indexes dropped for the window: random keys, written a page per row otherwise. */
export const DEFERRED_INDEXES = ['accounts_phone', 'accounts_card', 'meters_no'] as const;
/**
 * A unique index's duplicates, removed when building it fails on them: without the index the
 * window's writers append (accounts.ts, WRITE_METER_SQL), so a meter written twice in the window —
 * moved between two accounts while a cut stream resumed, or an account also refreshed by a lookup —
 * has two rows. The last written is the one an upsert would have left.
 */
const DEDUPLICATE: Readonly<Record<string, string>> = {
  meters_no: 'DELETE FROM meters WHERE rowid NOT IN (SELECT max(rowid) FROM meters GROUP BY meter_no)',
};
/** Accounts per transaction of the name index build (about a quarter of a second each). */
export const NAME_INDEX_CHUNK = 50_000;
/**
 * The page cache while the window is open (KiB); the connection's own is restored after. With
 * every random-keyed index deferred the window's writes are appends and the cache matters little
 * (a million: 2 MB 59 s, 8 MB 57 s, runs varying by more than that), while its pages, freed
 * among the stream's buffers, stay in glibc's heap after the window (8 MB: 203 MB RSS after a
 * million in one run): the core's RSS is a target.
 */
export const LOAD_WINDOW_CACHE_KIB = 4 * 1024;

interface SavedIndex {
  readonly name: string;
  readonly sql: string;
}

export function loadWindowOpen(db: Db): boolean {
  return !nameIndexComplete(db);
}

/**
 * Opens the load window when the cache holds no account yet (a fresh terminal; never for a
 * re-pull over a full cache, whose lookups must stay fast). Returns whether the window is open.
 */
export function openLoadWindow(db: Db): boolean {
  return db.transaction(() => {
    if (loadWindowOpen(db)) return true;
    if (db.prepare('SELECT 1 FROM accounts LIMIT 1').get() !== undefined) return false;
    const saved = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${DEFERRED_INDEXES.map(() => '?').join(', ')}) AND sql IS NOT NULL ORDER BY name`)
      .all(...DEFERRED_INDEXES) as SavedIndex[];
    for (const index of saved) db.exec(`DROP INDEX ${quoteId(index.name)}`);
    // The name index is rebuilt whole at the end; nothing should be in it, and nothing is kept.
    db.prepare("INSERT INTO account_names (account_names) VALUES ('delete-all')").run();
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run(LOAD_WINDOW_KEY, JSON.stringify(saved));
    db.prepare('DELETE FROM kv WHERE key = ?').run(NAMES_THROUGH_KEY);
    return true;
  }).immediate();
}

/** What the build is doing, for a test that cuts it (called inside each step's transaction, after its writes). */
export type BuildStep = { readonly kind: 'names'; readonly through: string } | { readonly kind: 'index'; readonly name: string } | { readonly kind: 'close' };

export interface BuildOptions {
  readonly chunk?: number;
  readonly onStep?: (step: BuildStep) => void;
  /** Between two steps (each its own transaction): lets the caller's event loop breathe. */
  readonly between?: () => Promise<void>;
}

/**
 * Builds what the window deferred and closes it: the name index over every cached account, then
 * the dropped indexes. Resumes where a cut left it. Does nothing when no window is open.
 */
export async function buildDeferredIndexes(db: Db, opts: BuildOptions = {}): Promise<void> {
  const chunk = opts.chunk ?? NAME_INDEX_CHUNK;
  if (!loadWindowOpen(db)) return;
  db.function('gd_name_document', { deterministic: true }, (name: unknown) => nameDocument(String(name)));
  // The documents are made in account order, the order the index's rowids ('1' + number) follow.
  const names = db.prepare(
    `INSERT INTO account_names (rowid, active, closed)
       SELECT CAST('1' || account_no AS INTEGER), iif(closed, NULL, doc), iif(closed, doc, NULL)
       FROM (SELECT account_no, gd_name_document(name) AS doc,
               EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no) AS closed
             FROM accounts a WHERE account_no > @after AND account_no <= @through
               AND account_no NOT GLOB '*[^0-9]*' AND length(account_no) BETWEEN 1 AND 17)`,
  );
  const through = db.prepare('SELECT max(account_no) FROM (SELECT account_no FROM accounts WHERE account_no > ? ORDER BY account_no LIMIT ?)').pluck();
  const setThrough = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (;;) {
    const after = (stmt(db, 'SELECT value FROM kv WHERE key = ?').pluck().get(NAMES_THROUGH_KEY) as string | undefined) ?? '';
    const upTo = through.get(after, chunk) as string | null;
    if (upTo === null) break;
    db.transaction(() => {
      names.run({ after, through: upTo });
      setThrough.run(NAMES_THROUGH_KEY, upTo);
      opts.onStep?.({ kind: 'names', through: upTo });
    }).immediate();
    await opts.between?.();
  }
  const saved = JSON.parse(stmt(db, 'SELECT value FROM kv WHERE key = ?').pluck().get(LOAD_WINDOW_KEY) as string) as SavedIndex[];
  for (const index of saved) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(index.name) !== undefined;
    if (exists) continue;
    db.transaction(() => {
      try {
        db.exec(index.sql);
      } catch (err) {
        const dedupe = DEDUPLICATE[index.name];
        if (dedupe === undefined || (err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
        db.exec(dedupe);
        db.exec(index.sql);
      }
      opts.onStep?.({ kind: 'index', name: index.name });
    }).immediate();
    await opts.between?.();
  }
  db.transaction(() => {
    db.prepare('DELETE FROM kv WHERE key IN (?, ?)').run(LOAD_WINDOW_KEY, NAMES_THROUGH_KEY);
    opts.onStep?.({ kind: 'close' });
  }).immediate();
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
