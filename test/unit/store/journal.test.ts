import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db.js';
import { appendJournal, journalEntries, verifyJournal } from '../../../main/store/journal.js';

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

  it('detects an edited payload', () => {
    const db = journalWith(5);
    db.prepare(`UPDATE journal SET payload = '{"amountFen":1}' WHERE seq = 3`).run();
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 3 });
  });

  it('detects a deleted entry', () => {
    const db = journalWith(5);
    db.prepare('DELETE FROM journal WHERE seq = 2').run();
    expect(verifyJournal(db)).toEqual({ ok: false, brokenAtSeq: 3 });
  });

  it('detects a re-hashed forgery that does not re-chain its successors', () => {
    const db = journalWith(4);
    const e2 = journalEntries(db)[1]!;
    db.prepare(`UPDATE journal SET actor = 'S001', hash = ? WHERE seq = 2`).run('f'.repeat(64));
    expect(verifyJournal(db).ok).toBe(false);
    expect(e2.actor).toBe('C001');
  });
});
