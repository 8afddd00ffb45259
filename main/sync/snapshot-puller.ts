/**
 * Pulls account snapshots changed since the last cursor, page by page, so the terminal can serve
 * its service area while the backend is unreachable. The cursor is stored after each page in the
 * same transaction as the page's rows: an interrupted pull resumes where it stopped.
 */
import type { Db } from '../store/db.js';
import { cacheSnapshot } from '../store/accounts.js';
import type { BackendClient } from './backend-client.js';

const CURSOR_KEY = 'sync.changes.cursor';

export interface PullOutcome {
  readonly accounts: number;
  readonly pages: number;
  readonly done: boolean;
}

export interface SnapshotPullerOptions {
  readonly db: Db;
  readonly client: BackendClient;
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly now: () => Date;
  /** Upper bound of pages per run, so one run never monopolises the core. */
  readonly maxPages: number;
}

export class SnapshotPuller {
  private running: Promise<PullOutcome> | null = null;

  constructor(private readonly opts: SnapshotPullerOptions) {}

  cursor(): string {
    const row = this.opts.db.prepare('SELECT value FROM kv WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    return row?.value ?? '';
  }

  pull(): Promise<PullOutcome> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<PullOutcome> {
    const { db, client, pageSize, timeoutMs, now, maxPages } = this.opts;
    let accounts = 0;
    for (let pages = 0; pages < maxPages; ) {
      const page = await client.changes(this.cursor(), pageSize, timeoutMs);
      const at = now().getTime();
      db.transaction(() => {
        for (const snap of page.items) cacheSnapshot(db, snap, at);
        db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURSOR_KEY, page.nextCursor);
      })();
      accounts += page.items.length;
      pages++;
      if (page.done) return { accounts, pages, done: true };
    }
    return { accounts, pages: maxPages, done: false };
  }
}
