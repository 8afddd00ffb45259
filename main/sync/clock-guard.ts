/**
 * The clock guard: how far the terminal's clock is from the billing backend's, read from every
 * verified reply (the backend signs its clock into each one, ./signed-exchange.ts). Further off
 * than `maxDriftMs`, what depends on the time is blocked — late fees accrue by the date, STS token
 * ids are minutes since the meter's base date (a wrong clock mints wrong or repeated ones), events
 * are ordered by their time — with `clock.drift_too_large`.
 *
 * Offline, the last reading goes on: its backend time is carried forward on the monotonic clock,
 * so a step of the wall clock after the last reply (someone sets the date, a dead RTC battery
 * after a power cut without restart) shows as drift at once, without the backend. After a restart
 * there is no monotonic link to the last reading: the offset stored with it is assumed unchanged
 * until the backend answers again (`basis: 'stored'`). A terminal that never reached its backend
 * has nothing to compare with (`unknown`) and is not blocked.
 */
import { AppError } from '../contract/errors/index.js';
import type { ClockStatusView } from '../contract/clock.js';
import type { Db } from '../store/db.js';
import type { ClockSample } from './backend-client.js';

const STORE_KEY = 'clock.guard';
/** The stored reading is rewritten when its offset moved this much, or at least this often. */
const STORE_OFFSET_STEP_MS = 1000;
const STORE_EVERY_MS = 60_000;
/** While drifting, a change of the drift by this much is news for the UI. */
const NEWS_STEP_MS = 1000;

interface StoredReading {
  /** Terminal minus backend (ms) when read. */
  readonly offsetMs: number;
  /** Terminal time of the reading (ISO). */
  readonly measuredAt: string;
}

interface LiveReading {
  readonly backendMs: number;
  readonly monotonicMs: number;
  readonly measuredAt: string;
}

export interface ClockGuardOptions {
  readonly db: Db;
  /** The terminal's wall clock. */
  readonly clock: () => Date;
  /** Monotonic milliseconds (default performance.now). */
  readonly monotonic?: () => number;
  readonly maxDriftMs: number;
  /** The verdict changed: `state` (journal it) or, while drifting, the drift by a second or more. */
  readonly onChange?: (next: ClockStatusView, previous: ClockStatusView) => void;
}

export class ClockGuard {
  private live: LiveReading | null = null;
  private stored: StoredReading | null;
  private storedAtMono = Number.NEGATIVE_INFINITY;
  private announced: ClockStatusView;

  constructor(private readonly opts: ClockGuardOptions) {
    this.stored = readStored(opts.db);
    // The verdict of the stored reading was announced (journaled) by the run that took it.
    this.announced = this.evaluate();
  }

  /** One reading of the backend's clock (from a verified reply). */
  observe(sample: ClockSample): ClockStatusView {
    const measuredAt = new Date(sample.localMs).toISOString();
    this.live = { backendMs: sample.backendMs, monotonicMs: sample.monotonicMs, measuredAt };
    return this.status();
  }

  /** The verdict now; announces (onChange) and stores a change. */
  status(): ClockStatusView {
    const now = this.evaluate();
    const before = this.announced;
    const news =
      now.state !== before.state ||
      (now.state === 'drift' && (before.driftMs === null || now.driftMs === null || Math.abs(now.driftMs - before.driftMs) >= NEWS_STEP_MS));
    if (news) this.announced = now;
    this.store(now);
    if (news) this.opts.onChange?.(now, before);
    return now;
  }

  /** Throws `clock.drift_too_large` while the clock is too far off; the caller's work must wait. */
  assertTrusted(): void {
    const s = this.status();
    if (s.state !== 'drift' || s.driftMs === null) return;
    throw new AppError('clock.drift_too_large', {
      // How far off, ahead or behind: the message reads "N s off" (a behind clock said "-240 s").
      driftSeconds: Math.round(Math.abs(s.driftMs) / 1000),
      maxSeconds: Math.round(s.maxDriftMs / 1000),
      measuredAt: s.measuredAt,
      ageSeconds: s.ageMs === null ? null : Math.round(s.ageMs / 1000),
    });
  }

  private evaluate(): ClockStatusView {
    const { maxDriftMs } = this.opts;
    const wall = this.opts.clock().getTime();
    let driftMs: number;
    let measuredAt: string;
    let ageMs: number;
    let basis: 'live' | 'stored';
    if (this.live) {
      const elapsed = this.monotonic() - this.live.monotonicMs;
      driftMs = wall - (this.live.backendMs + elapsed);
      measuredAt = this.live.measuredAt;
      ageMs = Math.max(0, elapsed);
      basis = 'live';
    } else if (this.stored) {
      driftMs = this.stored.offsetMs;
      measuredAt = this.stored.measuredAt;
      ageMs = Math.max(0, wall - Date.parse(this.stored.measuredAt));
      basis = 'stored';
    } else {
      return { state: 'unknown', driftMs: null, maxDriftMs, measuredAt: null, ageMs: null, basis: null };
    }
    driftMs = Math.round(driftMs);
    return { state: Math.abs(driftMs) > maxDriftMs ? 'drift' : 'ok', driftMs, maxDriftMs, measuredAt, ageMs: Math.round(ageMs), basis };
  }

  /** Keeps the last live reading (and the announced state) for the next start. */
  private store(now: ClockStatusView): void {
    if (!this.live || now.driftMs === null || now.measuredAt === null) return;
    const next: StoredReading = { offsetMs: now.driftMs, measuredAt: now.measuredAt };
    const prev = this.stored;
    const due =
      !prev ||
      Math.abs(prev.offsetMs) > this.opts.maxDriftMs !== Math.abs(next.offsetMs) > this.opts.maxDriftMs ||
      Math.abs(prev.offsetMs - next.offsetMs) >= STORE_OFFSET_STEP_MS ||
      (prev.measuredAt !== next.measuredAt && this.monotonic() - this.storedAtMono >= STORE_EVERY_MS);
    if (!due) return;
    this.opts.db
      .prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(STORE_KEY, JSON.stringify(next));
    this.stored = next;
    this.storedAtMono = this.monotonic();
  }

  private monotonic(): number {
    return (this.opts.monotonic ?? (() => performance.now()))();
  }
}

function readStored(db: Db): StoredReading | null {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(STORE_KEY) as { value: string } | undefined;
  if (!row) return null;
  try {
    const v = JSON.parse(row.value) as Partial<StoredReading>;
    if (typeof v.offsetMs !== 'number' || typeof v.measuredAt !== 'string') return null;
    return { offsetMs: v.offsetMs, measuredAt: v.measuredAt };
  } catch {
    return null;
  }
}
