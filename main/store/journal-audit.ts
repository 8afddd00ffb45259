/**
 * Reading the journal for inspection: the whole chain checked with the reason it broke, a segment
 * checked before its head leaves the terminal, the head the backend last acknowledged, and entries
 * filtered for the auditor. Read-only except for the anchor (kv), which only sync writes.
 */
import { GENESIS_HASH, JOURNAL_HASH_VERSION, entryHash, legacyEntryHash, type JournalHead } from './journal.js';
import { stmt, type Db } from './db.js';

/**
 * Why a chain does not hold, by the first place it fails:
 * - hash: an entry's stored hash is not the hash of its own fields (edited in place);
 * - link: an entry does not point at its predecessor's hash (an entry deleted, moved or rewritten);
 * - sequence: numbers skip or repeat (an entry deleted or re-ordered);
 * - downgrade: an entry claims an older, weaker hash format after a newer one;
 * - truncated: entries at the end are gone (SQLite's AUTOINCREMENT counter, or the acknowledged anchor, is beyond the head;
 *   seq names the highest missing one);
 * - anchor: the entry the backend acknowledged no longer has the hash it had.
 */
export const CHAIN_PROBLEMS = ['hash', 'link', 'sequence', 'downgrade', 'truncated', 'anchor'] as const;
export type ChainProblem = (typeof CHAIN_PROBLEMS)[number];

export interface ChainBreak {
  readonly problem: ChainProblem;
  /** The entry that fails (for truncated: the highest missing one). */
  readonly seq: number;
  /** The stored hash of that entry ('' when missing), recorded so an acknowledgement names exactly this break. */
  readonly storedHash: string;
}

export interface ChainReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: JournalHead;
  /** Breaks found, first first; an acknowledged break is listed with `acknowledged: true` and the walk goes on past it. */
  readonly breaks: readonly (ChainBreak & { readonly acknowledged: boolean })[];
}

interface ChainRow {
  seq: number;
  at: string;
  type: string;
  ref: string;
  actor: string;
  payload: string;
  prev_hash: string;
  hash: string;
  hash_version: number;
}

/** Breaks an auditor acknowledged (journal type below): the walk accepts exactly these and no other. */
export const BREAK_ACKNOWLEDGED = 'audit.break_acknowledged';

export interface AcknowledgedBreak {
  readonly problem: ChainProblem;
  readonly seq: number;
  readonly storedHash: string;
}

function acknowledgedBreaks(db: Db): AcknowledgedBreak[] {
  const rows = db.prepare('SELECT payload FROM journal WHERE type = ?').all(BREAK_ACKNOWLEDGED) as { payload: string }[];
  const out: AcknowledgedBreak[] = [];
  for (const r of rows) {
    try {
      const p = JSON.parse(r.payload) as { break?: AcknowledgedBreak };
      if (p.break && typeof p.break.seq === 'number' && typeof p.break.storedHash === 'string') out.push(p.break);
    } catch {
      // A payload that does not parse acknowledges nothing; the walk reports its own entry.
    }
  }
  return out;
}

const isAcknowledged = (acks: readonly AcknowledgedBreak[], b: ChainBreak): boolean =>
  acks.some((a) => a.problem === b.problem && a.seq === b.seq && a.storedHash === b.storedHash);

/** The highest seq the journal ever handed out (SQLite keeps it for AUTOINCREMENT; deleting rows does not lower it). */
export function journalHighWater(db: Db): number {
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'journal'").get() as { seq: number } | undefined;
  return row?.seq ?? 0;
}

/**
 * Walk the whole chain: every hash recomputed from its fields, every link and number checked,
 * then the end checked against SQLite's counter and the backend's acknowledged anchor. One pass,
 * rows streamed (a million entries stay out of memory). Returns every break, not only the first,
 * so an acknowledged one does not hide a later one.
 */
export function verifyChain(db: Db, anchor: JournalHead | null = readAnchor(db)): ChainReport {
  const acks = acknowledgedBreaks(db);
  const breaks: (ChainBreak & { acknowledged: boolean })[] = [];
  const add = (b: ChainBreak): boolean => {
    const acknowledged = isAcknowledged(acks, b);
    breaks.push({ ...b, acknowledged });
    return acknowledged;
  };
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let version = 1;
  let entries = 0;
  let head: JournalHead = { seq: 0, hash: GENESIS_HASH };
  let anchorSeen = false;
  for (const row of db.prepare('SELECT seq, at, type, ref, actor, payload, prev_hash, hash, hash_version FROM journal ORDER BY seq').iterate() as IterableIterator<ChainRow>) {
    entries++;
    // Each check names the first thing wrong with this row; the walk then carries on from the row's
    // stored hash, so one edited entry is one break, not a cascade down to the head.
    if (row.seq !== expectedSeq) add({ problem: 'sequence', seq: row.seq, storedHash: row.hash });
    else if (row.hash_version < version || row.hash_version > JOURNAL_HASH_VERSION) add({ problem: 'downgrade', seq: row.seq, storedHash: row.hash });
    else if (row.prev_hash !== prev) add({ problem: 'link', seq: row.seq, storedHash: row.hash });
    else {
      const hashOf = row.hash_version === 1 ? legacyEntryHash : entryHash;
      if (hashOf(prev, row.seq, row.at, row.type, row.ref, row.actor, row.payload) !== row.hash) add({ problem: 'hash', seq: row.seq, storedHash: row.hash });
    }
    if (row.hash_version >= version && row.hash_version <= JOURNAL_HASH_VERSION) version = row.hash_version;
    if (anchor && row.seq === anchor.seq) {
      anchorSeen = true;
      if (row.hash !== anchor.hash) add({ problem: 'anchor', seq: row.seq, storedHash: row.hash });
    }
    prev = row.hash;
    expectedSeq = row.seq + 1;
    head = { seq: row.seq, hash: row.hash };
  }
  const highWater = journalHighWater(db);
  // Named by the highest seq that went missing, not by the head, so the break keeps its name (and
  // its acknowledgement) while new entries are appended after it.
  if (highWater > head.seq) add({ problem: 'truncated', seq: highWater, storedHash: '' });
  else if (anchor && anchor.seq > 0 && !anchorSeen) add({ problem: 'truncated', seq: anchor.seq, storedHash: '' });
  return { ok: breaks.every((b) => b.acknowledged), entries, head, breaks };
}

/**
 * Check entries after `fromSeq` link and hash correctly from the entry at `fromSeq` (itself
 * recomputed): what the next head commits the backend to. Cheap — only the unsent part.
 */
export function verifySegment(db: Db, fromSeq: number): ChainBreak | null {
  const rows = db.prepare('SELECT seq, at, type, ref, actor, payload, prev_hash, hash, hash_version FROM journal WHERE seq >= ? ORDER BY seq').iterate(Math.max(1, fromSeq)) as IterableIterator<ChainRow>;
  let prev: string | null = null;
  let expected = Math.max(1, fromSeq);
  for (const row of rows) {
    if (row.seq !== expected) return { problem: 'sequence', seq: row.seq, storedHash: row.hash };
    const link = prev ?? row.prev_hash;
    if (row.prev_hash !== link) return { problem: 'link', seq: row.seq, storedHash: row.hash };
    const hashOf = row.hash_version === 1 ? legacyEntryHash : entryHash;
    if (hashOf(link, row.seq, row.at, row.type, row.ref, row.actor, row.payload) !== row.hash) return { problem: 'hash', seq: row.seq, storedHash: row.hash };
    prev = row.hash;
    expected++;
  }
  return null;
}

/** The stored hash of the entry at `seq` (null when there is none). */
export function hashAt(db: Db, seq: number): string | null {
  if (seq === 0) return GENESIS_HASH;
  const row = stmt(db, 'SELECT hash FROM journal WHERE seq = ?').get(seq) as { hash: string } | undefined;
  return row?.hash ?? null;
}

const ANCHOR_KEY = 'audit.anchor';

/** The head the backend last acknowledged (a local copy; the backend's own is the one that counts). */
export function readAnchor(db: Db): JournalHead | null {
  const row = stmt(db, 'SELECT value AS audit_value FROM kv WHERE key = ?').get(ANCHOR_KEY) as { audit_value: string } | undefined;
  if (!row) return null;
  try {
    const v = JSON.parse(row.audit_value) as JournalHead;
    return typeof v.seq === 'number' && typeof v.hash === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function writeAnchor(db: Db, head: JournalHead): void {
  stmt(db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(ANCHOR_KEY, JSON.stringify(head));
}

export interface JournalFilter {
  readonly type?: string | undefined;
  /** Types starting with this ('payment.' → every payment entry). */
  readonly typePrefix?: string | undefined;
  readonly actor?: string | undefined;
  /** ISO instants, [from, to). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly accountNo?: string | undefined;
  /** Entries after this seq (paging). */
  readonly afterSeq?: number | undefined;
  readonly limit?: number | undefined;
}

export interface JournalRowView {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly ref: string;
  readonly actor: string;
  readonly payload: string;
  readonly hash: string;
}

/**
 * Entries matching every given filter, oldest first. The account is searched in the payload
 * (`accountNo`), where every entry that concerns one names it.
 */
export function findEntries(db: Db, f: JournalFilter): JournalRowView[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.type) (where.push('type = ?'), args.push(f.type));
  if (f.typePrefix) (where.push('substr(type, 1, ?) = ?'), args.push(f.typePrefix.length, f.typePrefix));
  if (f.actor) (where.push('actor = ?'), args.push(f.actor));
  if (f.from) (where.push('at >= ?'), args.push(f.from));
  if (f.to) (where.push('at < ?'), args.push(f.to));
  if (f.accountNo) (where.push("json_extract(payload, '$.accountNo') = ?"), args.push(f.accountNo));
  if (f.afterSeq) (where.push('seq > ?'), args.push(f.afterSeq));
  const sql = `SELECT seq, at, type, ref, actor, payload, hash FROM journal${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${f.limit ? ' LIMIT ?' : ''}`;
  if (f.limit) args.push(f.limit);
  return db.prepare(sql).all(...args) as JournalRowView[];
}

/**
 * Every entry in [from, to) in time order, streamed (the anomaly report reads a month of a busy
 * hall). Ordered by (at, seq), the order of the journal_at index: ordered by seq alone, SQLite
 * prefers walking the whole table in key order to sorting the period's entries.
 */
export function iterateEntries(db: Db, from: string, to: string): IterableIterator<JournalRowView> {
  return db.prepare('SELECT seq, at, type, ref, actor, payload, hash FROM journal WHERE at >= ? AND at < ? ORDER BY at, seq').iterate(from, to) as IterableIterator<JournalRowView>;
}
