import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Db = Database.Database;

/**
 * Open the terminal's journal database: WAL so readers never block the writer, and
 * synchronous=FULL so a committed payment survives a power cut, not just a process crash.
 */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, compiled once per connection. Hot write paths (payment commit, journal,
 * outbox) call this instead of `db.prepare`, whose SQL compile would otherwise dominate a commit.
 */
export function stmt(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  } else if (s.reader) {
    // One caller's .pluck()/.raw() would otherwise stay on the shared statement and hand the next
    // caller of the same SQL a bare value instead of a row: every caller starts from rows.
    s.pluck(false).raw(false).expand(false);
  }
  return s;
}
