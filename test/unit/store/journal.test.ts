import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db.js';
import Database from 'better-sqlite3';
import { appendJournal, entryHash, GENESIS_HASH, JOURNAL_HASH_VERSION, journalEntries, journalHead, legacyEntryHash, verifyJournal } from '../../../main/store/journal.js';
import { migrate, MIGRATIONS } from '../../../main/store/migrations.js';

function journalWith(n: number) {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'gd-j-')), 't.db'));
  for (let i = 0; i < n; i++) {
    db.transaction(() => appendJournal(db, { type: 'payment.created', ref: `p${i}`, actor: 'C001', at: `2026-11-27T02:00:0${i}Z`, payload: { amountFen: 100 * (i + 1) } }))();
  }
  return db;
}

describe('hash-chained journal', () => {
  it('chains every entry to the one before it', () => {
    const db = journalWith(5);
    const entries = journalEntries(db);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    expect(verifyJournal(db)).toEqual({ ok: true, entries: 5 });
  });

  it('detects a deleted entry', () => {
    const db = journalWith(5);
    db.prepare('DELETE FROM journal WHERE seq = 2').run();
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 3 });
  });

  it.each([
    ['seq', 'UPDATE journal SET seq = 15 WHERE seq = 5', 15],
    ['at', `UPDATE journal SET at = '2026-11-27T03:00:02Z' WHERE seq = 3`, 3],
    ['type', `UPDATE journal SET type = 'payment.voided' WHERE seq = 3`, 3],
    ['ref', `UPDATE journal SET ref = 'p9' WHERE seq = 3`, 3],
    ['actor', `UPDATE journal SET actor = 'S001' WHERE seq = 3`, 3],
    ['payload', `UPDATE journal SET payload = '{"amountFen":1}' WHERE seq = 3`, 3],
    ['prev_hash', `UPDATE journal SET prev_hash = '${'a'.repeat(64)}' WHERE seq = 3`, 3],
    ['hash', `UPDATE journal SET hash = '${'b'.repeat(64)}' WHERE seq = 3`, 3],
  ] as const)('detects an edit of %s alone', (_field, sql, brokenAtSeq) => {
    const db = journalWith(5);
    db.prepare(sql).run();
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq });
  });

  it('the hash covers every field: changing any one input changes it', () => {
    // The chain and the contiguous-seq check would also catch a seq or prev_hash edit on their
    // own; this pins that each field, those two included, is hashed at all.
    const base = ['0'.repeat(64), 3, '2026-11-27T02:00:02Z', 'payment.created', 'p2', 'C001', '{"amountFen":300}'] as const;
    const changed = ['1'.repeat(64), 4, '2026-11-27T02:00:03Z', 'payment.voided', 'p3', 'S001', '{"amountFen":301}'] as const;
    const h = (args: readonly [string, number, string, string, string, string, string]) => entryHash(...args);
    const hashes = new Set([h(base)]);
    for (let i = 0; i < base.length; i++) {
      const args = [...base] as [string, number, string, string, string, string, string];
      (args as unknown[])[i] = changed[i];
      hashes.add(h(args));
    }
    expect(hashes.size).toBe(base.length + 1);
  });

  it('detects a forgery that re-hashes the edited row correctly but does not re-chain its successors', () => {
    const db = journalWith(4);
    const e2 = journalEntries(db)[1]!;
    const forged = entryHash(e2.prevHash, 2, e2.at, e2.type, e2.ref, 'S001', JSON.stringify(e2.payload));
    db.prepare(`UPDATE journal SET actor = 'S001', hash = ? WHERE seq = 2`).run(forged);
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 3 });
  });

  it('detects a forgery that also re-links the next row but leaves that row\'s hash', () => {
    const db = journalWith(4);
    const e2 = journalEntries(db)[1]!;
    const forged = entryHash(e2.prevHash, 2, e2.at, e2.type, e2.ref, 'S001', JSON.stringify(e2.payload));
    db.prepare(`UPDATE journal SET actor = 'S001', hash = ? WHERE seq = 2`).run(forged);
    db.prepare('UPDATE journal SET prev_hash = ? WHERE seq = 3').run(forged);
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 3 });
  });

  it('a forgery that recomputes every hash from the edited row to the end verifies; only the head recorded before it shows the change', () => {
    const db = journalWith(5);
    const anchored = journalHead(db);
    expect(anchored.seq).toBe(5);

    // Rewrite entry 2's actor and recompute the chain from there to the end, as a forger with
    // write access to the database file (and this source code) can.
    db.transaction(() => {
      db.prepare(`UPDATE journal SET actor = 'S001' WHERE seq = 2`).run();
      let prev = journalEntries(db)[0]!.hash;
      for (const e of journalEntries(db).slice(1)) {
        const hash = entryHash(prev, e.seq, e.at, e.type, e.ref, e.actor, JSON.stringify(e.payload));
        db.prepare('UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, e.seq);
        prev = hash;
      }
    })();

    // What holds: the chain alone cannot see this forgery…
    expect(journalEntries(db)[1]!.actor).toBe('S001');
    expect(verifyJournal(db)).toEqual({ ok: true, entries: 5 });
    // …but the head is no longer the one recorded before it: an anchored head exposes it.
    const now = journalHead(db);
    expect(now.seq).toBe(anchored.seq);
    expect(now.hash).not.toBe(anchored.hash);
  });

  it('journalHead is the newest entry, or seq 0 and the genesis hash when empty', () => {
    const empty = journalWith(0);
    expect(journalHead(empty)).toEqual({ seq: 0, hash: GENESIS_HASH });
    const db = journalWith(3);
    const last = journalEntries(db)[2]!;
    expect(journalHead(db)).toEqual({ seq: 3, hash: last.hash });
  });
});

describe('journal hash format', () => {
  it('text moved across a field boundary is detected (format 1 could not see it)', () => {
    const db = journalWith(0);
    db.transaction(() => appendJournal(db, { type: 'note', ref: 'a\nb', actor: 'C001', at: '2026-11-27T02:00:00Z', payload: {} }))();
    const e = journalEntries(db)[0]!;
    // Format 1 joined the fields with newlines, so this edit kept the hash.
    expect(legacyEntryHash(e.prevHash, 1, e.at, 'note\na', 'b', e.actor, '{}')).toBe(legacyEntryHash(e.prevHash, 1, e.at, 'note', 'a\nb', e.actor, '{}'));
    db.prepare(`UPDATE journal SET type = 'note' || char(10) || 'a', ref = 'b' WHERE seq = 1`).run();
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 1 });
  });

  it('a journal written before v10 still verifies, and entries after the upgrade use format 2', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < 10));
    // Two format-1 entries as the old code wrote them.
    let prev = GENESIS_HASH;
    for (const seq of [1, 2]) {
      const hash = legacyEntryHash(prev, seq, '2026-11-27T02:00:00Z', 'payment.created', `p${seq}`, 'C001', '{}');
      db.prepare('INSERT INTO journal (seq, at, type, ref, actor, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(seq, '2026-11-27T02:00:00Z', 'payment.created', `p${seq}`, 'C001', '{}', prev, hash);
      prev = hash;
    }
    migrate(db, MIGRATIONS);
    db.transaction(() => appendJournal(db as never, { type: 'payment.created', ref: 'p3', actor: 'C001', at: '2026-11-27T02:00:00Z', payload: {} }))();
    expect(db.prepare('SELECT seq, hash_version FROM journal ORDER BY seq').all()).toEqual([
      { seq: 1, hash_version: 1 },
      { seq: 2, hash_version: 1 },
      { seq: 3, hash_version: JOURNAL_HASH_VERSION },
    ]);
    expect(verifyJournal(db as never)).toEqual({ ok: true, entries: 3 });
  });

  it('a format-2 entry downgraded to format 1 (hash recomputed the old way) is detected', () => {
    const db = journalWith(3);
    const e = journalEntries(db)[1]!;
    const hash = legacyEntryHash(e.prevHash, e.seq, e.at, e.type, e.ref, e.actor, JSON.stringify(e.payload));
    db.prepare('UPDATE journal SET hash_version = 1, hash = ? WHERE seq = 2').run(hash);
    db.prepare('UPDATE journal SET prev_hash = ? WHERE seq = 3').run(hash);
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 2 });
  });
});
