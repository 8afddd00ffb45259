/**
 * The staff list (operators with their PIN hashes) kept current from the backend: fetched at start,
 * retried with exponential backoff while the backend is unreachable, then refreshed on an interval.
 * Each list that arrives is the whole truth (auth.cacheOperators): staff it no longer lists are
 * removed, and their open sessions end on their next call (services/sessions.ts).
 */
import type { OperatorSnapshot } from '../wire/backend-wire.js';
import type { Db } from '../store/db.js';
import { cacheOperators } from './auth.js';
import type { Clock } from './clock.js';

export interface StaffListOptions {
  readonly db: Db;
  readonly clock: Clock;
  /** One fetch of the backend's list (bounded by its own timeout). */
  readonly fetch: () => Promise<readonly OperatorSnapshot[]>;
  /** After a list arrived: when to fetch again. */
  readonly refreshIntervalMs: number;
  /** After a failed fetch: the first wait, doubled per further failure up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export class StaffList {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<boolean> | null = null;
  private failures = 0;
  private closed = false;

  constructor(private readonly opts: StaffListOptions) {}

  /** First fetch now; afterwards the schedule runs on its own until `close`. */
  start(): void {
    void this.refresh();
  }

  /**
   * Fetch now (joining a fetch already running) and store the list; true when it arrived. The
   * next fetch is scheduled from this outcome: the interval after a success, backoff after a failure.
   */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.fetchOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fetchOnce(): Promise<boolean> {
    let ok = false;
    try {
      const operators = await this.opts.fetch();
      if (!this.closed) cacheOperators(this.opts.db, operators, this.opts.clock());
      ok = true;
    } catch {
      // Unreachable, refused or a malformed reply: the cached list stays; the backoff retries.
    }
    this.failures = ok ? 0 : this.failures + 1;
    this.schedule(ok ? this.opts.refreshIntervalMs : this.backoffMs());
    return ok;
  }

  private backoffMs(): number {
    const { retryInitialMs, retryMaxMs } = this.opts;
    return Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.failures - 1, 30));
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
    this.timer.unref();
  }
}
