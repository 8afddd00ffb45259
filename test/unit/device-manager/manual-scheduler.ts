/** A Scheduler driven by the test: time moves only in `advance`, and I/O settles between timers. */
import type { Scheduler, TimerHandle } from '../../../kiosk-drivers/device-manager/scheduler.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets simulator replies (setImmediate) and promise chains run to completion. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export class ManualScheduler implements Scheduler {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every delay asked for, in order (to check backoff and poll intervals). */
  readonly requested: number[] = [];

  constructor(startMs = Date.parse('2026-11-27T02:00:00.000Z')) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): TimerHandle {
    this.requested.push(ms);
    const timer: Timer = { at: this.t + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Delays of the timers still pending, relative to now. */
  pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.at - this.t);
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}
