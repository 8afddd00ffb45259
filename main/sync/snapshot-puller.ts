/**
 * Pulls account snapshots changed since the last cursor, page by page, so the terminal can serve
 * its service area while the backend is unreachable. The cursor is stored after each page in the
 * same transaction as the page's rows: an interrupted pull resumes where it stopped.
 *
 * A page whose cursor is older than the stored one (a backend restored from a backup, a bug, a
 * replay) is refused before any of it is applied — `BackendUnavailable('cursor_backwards')`,
 * logged once until a page is accepted again: the cache keeps its data and the cursor stays.
 */
import type { Db } from '../store/db.js';
import { cacheSnapshot } from '../store/accounts.js';
import { initialPullComplete, pullSnapshotStream, type InitialPullProgress } from './initial-pull.js';
import { ChangeCursorSchema } from '../wire/backend-wire.js';
import { BackendUnavailable, type BackendClient } from './backend-client.js';

const CURSOR_KEY = 'sync.changes.cursor';

export interface PullOutcome {
  readonly accounts: number;
  /** Change pages, plus the batches of the initial pull's stream. */
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
  /** How the initial pull (the snapshot stream) advances: accounts so far, rate, time left. */
  readonly onProgress?: (progress: InitialPullProgress) => void;
  /** Where a refused page is reported (once until a page is accepted again). Default console.warn. */
  readonly log?: (line: string) => void;
}

/** Whether `next` is older than `stored` (both decimal change sequences, '' the start). */
export function cursorWentBackwards(stored: string, next: string): boolean {
  if (stored === '' || !ChangeCursorSchema.safeParse(stored).success) return false;
  return next === '' || Number(next) < Number(stored);
}

export class SnapshotPuller {
  private running: Promise<PullOutcome> | null = null;
  private refusalReported = false;
  private stopping = false;

  constructor(private readonly opts: SnapshotPullerOptions) {}

  cursor(): string {
    const row = this.opts.db.prepare('SELECT value FROM kv WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    return row?.value ?? '';
  }

  /**
   * Stops a pull in flight at its next chunk, page or index-build step (what it applied stays, the
   * next start resumes) and resolves once it has; no pull starts after. The core's shutdown awaits
   * it before closing the database.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  pull(): Promise<PullOutcome> {
    if (this.stopping) return Promise.resolve({ accounts: 0, pages: 0, done: false });
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<PullOutcome> {
    const { db, client, pageSize, timeoutMs, now, maxPages, onProgress } = this.opts;
    let accounts = 0;
    // The whole area first, from the snapshot stream (./initial-pull.ts); then pages from its cursor.
    let batches = 0;
    if (!initialPullComplete(db)) {
      ({ accounts, batches } = await pullSnapshotStream({ db, client, idleTimeoutMs: timeoutMs, now, stopped: () => this.stopping, ...(onProgress ? { onProgress } : {}) }));
    }
    for (let pages = 0; pages < maxPages; ) {
      if (this.stopping) return { accounts, pages: batches + pages, done: false };
      const stored = this.cursor();
      const page = await client.changes(stored, pageSize, timeoutMs);
      if (!ChangeCursorSchema.safeParse(page.nextCursor).success) {
        throw new BackendUnavailable('off_schema', `nextCursor ${JSON.stringify(page.nextCursor.slice(0, 40))} is not a change sequence`);
      }
      if (cursorWentBackwards(stored, page.nextCursor)) {
        const detail = `the stored cursor is ${JSON.stringify(stored)}, the page's ${JSON.stringify(page.nextCursor.slice(0, 40))}`;
        if (!this.refusalReported) {
          this.refusalReported = true;
          (this.opts.log ?? ((line: string) => console.warn(line)))(
            `[sync] change feed went backwards (${detail}); the page is refused, the cache and cursor kept — until a page is accepted, further ones are not logged`,
          );
        }
        throw new BackendUnavailable('cursor_backwards', detail);
      }
      this.refusalReported = false;
      const at = now().getTime();
      db.transaction(() => {
        for (const snap of page.items) cacheSnapshot(db, snap, at);
        db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURSOR_KEY, page.nextCursor);
      })();
      accounts += page.items.length;
      pages++;
      if (page.done) return { accounts, pages: batches + pages, done: true };
    }
    return { accounts, pages: batches + maxPages, done: false };
  }
}
