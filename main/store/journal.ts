/**
 * The append-only, hash-chained journal. Each entry's hash covers the previous entry's hash, so
 * editing, deleting or reordering any entry breaks the chain from that point on.
 */
import { createHash } from 'node:crypto';
import { stmt, type Db } from './db.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface JournalInput {
  readonly type: string;
  /** The business id this entry is about (payment id, vend id, …). */
  readonly ref: string;
  /** Operator id, or 'system' / 'kiosk'. */
  readonly actor: string;
  readonly payload: unknown;
  readonly at: string;
}

export interface JournalEntry extends JournalInput {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

interface JournalRow {
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

/**
 * The entry hash (format 2): SHA-256 over the fields as one JSON array, so no field's text can
 * move into its neighbour (format 1 joined them with newlines: type "a\nb" with ref "c" hashed
 * like type "a" with ref "b\nc").
 */
export function entryHash(prevHash: string, seq: number, at: string, type: string, ref: string, actor: string, payload: string): string {
  return createHash('sha256').update(JSON.stringify([prevHash, seq, at, type, ref, actor, payload])).digest('hex');
}

/** Format 1, for entries written before migration v10: kept so old journals still verify. */
export function legacyEntryHash(prevHash: string, seq: number, at: string, type: string, ref: string, actor: string, payload: string): string {
  return createHash('sha256')
    .update([prevHash, seq, at, type, ref, actor, payload].join('\n'))
    .digest('hex');
}

/** The format appendJournal writes; a journal's formats never go back (verifyJournal checks). */
export const JOURNAL_HASH_VERSION = 2;

export interface JournalHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * The newest entry's seq and hash (seq 0 and GENESIS_HASH while the journal is empty). The chain
 * only proves the rows agree with each other: someone who edits a row and recomputes every hash
 * after it leaves a chain that verifies. Only a head recorded where the database cannot rewrite it
 * (sent off the terminal, printed, exported) exposes that; this is the value to record.
 */
export function journalHead(db: Db): JournalHead {
  const last = stmt(db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as JournalHead | undefined;
  return last ?? { seq: 0, hash: GENESIS_HASH };
}

/** Append one entry. Must run inside the caller's transaction, next to the rows it describes. */
export function appendJournal(db: Db, input: JournalInput): JournalEntry {
  const head = journalHead(db);
  const seq = head.seq + 1;
  const prevHash = head.hash;
  const payload = JSON.stringify(input.payload);
  const hash = entryHash(prevHash, seq, input.at, input.type, input.ref, input.actor, payload);
  stmt(db,
    'INSERT INTO journal (seq, at, type, ref, actor, payload, prev_hash, hash, hash_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(seq, input.at, input.type, input.ref, input.actor, payload, prevHash, hash, JOURNAL_HASH_VERSION);
  return { ...input, seq, prevHash, hash };
}

export type ChainCheck = { readonly ok: true; readonly entries: number } | { readonly ok: false; readonly brokenAtSeq: number };

/** Walk the whole chain and report the first entry whose hash or link does not match. */
export function verifyJournal(db: Db): ChainCheck {
  let prev = GENESIS_HASH;
  let count = 0;
  let expectedSeq = 1;
  let version = 1;
  for (const row of db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as IterableIterator<JournalRow>) {
    // A row claiming the old format after a newer one is a downgrade to the weaker encoding.
    if (row.hash_version < version || row.hash_version > JOURNAL_HASH_VERSION) return { ok: false, brokenAtSeq: row.seq };
    version = row.hash_version;
    const hashOf = version === 1 ? legacyEntryHash : entryHash;
    const recomputed = hashOf(prev, row.seq, row.at, row.type, row.ref, row.actor, row.payload);
    if (row.seq !== expectedSeq || row.prev_hash !== prev || row.hash !== recomputed) return { ok: false, brokenAtSeq: row.seq };
    prev = row.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, entries: count };
}

export function journalEntries(db: Db, ref?: string): JournalEntry[] {
  const rows = (ref === undefined
    ? db.prepare('SELECT * FROM journal ORDER BY seq').all()
    : db.prepare('SELECT * FROM journal WHERE ref = ? ORDER BY seq').all(ref)) as JournalRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    type: r.type,
    ref: r.ref,
    actor: r.actor,
    payload: JSON.parse(r.payload) as unknown,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
