import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, stmt } from '../../../main/store/db.js';

describe('the statement cache', () => {
  it("one caller's .pluck() or .raw() does not leak into the next caller of the same SQL", () => {
    const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'gd-stmt-')), 't.db'));
    db.prepare("INSERT INTO kv (key, value) VALUES ('k', 'v')").run();
    const sql = 'SELECT value FROM kv WHERE key = ?';
    expect(stmt(db, sql).pluck().get('k')).toBe('v');
    expect(stmt(db, sql).get('k')).toEqual({ value: 'v' });
    expect(stmt(db, sql).raw().get('k')).toEqual(['v']);
    expect(stmt(db, sql).get('k')).toEqual({ value: 'v' });
    expect(stmt(db, sql)).toBe(stmt(db, sql)); // still compiled once
    db.close();
  });
});
