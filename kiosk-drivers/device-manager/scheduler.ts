/**
 * Time for the device manager: the current instant and one-shot timers, injected so reconnect
 * backoff and health polling can be driven step by step in tests.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; timers never keep the process alive. */
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (0-based): initial × factor^attempt, capped. No
 * jitter: one terminal re-enumerating its own USB bus has nobody to collide with.
 */
export function backoffDelay(attempt: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  // Bounded exponent: factor^attempt overflows to Infinity long before attempt is large.
  const raw = p.initialMs * Math.pow(p.factor, Math.min(attempt, 64));
  return Math.min(p.maxMs, Math.round(raw));
}
