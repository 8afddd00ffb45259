/**
 * Tells a wedge scanner's keystrokes from a person's typing, for the renderer on Windows where the
 * OS owns HID keyboards (docs/devices/scanner.md). A scan is a burst: printable characters each
 * at most `maxGapMs` after the previous one, at least `minLength` of them, ended by Enter or Tab
 * within `maxGapMs`. Anything else is typing and is handed back as such. Pure: no DOM, time is
 * injected with every key.
 */
import type { Scan } from './scan.js';

export interface BurstDetectorOptions {
  /** Largest gap between two scanner keystrokes (ms). Scanners: 1–20 ms; fast typists: 60+ ms. */
  readonly maxGapMs?: number;
  readonly minLength?: number;
  readonly terminators?: readonly string[];
  readonly maxLength?: number;
}

export interface BurstDecision {
  /** A complete scan, when this key ended one. */
  readonly scan?: Scan;
  /**
   * Keys that turned out to be typing (in order). A renderer that holds keys back while a
   * burst might be forming replays these; one that does not can ignore them.
   */
  readonly typed: readonly string[];
  /** True while keys are held as a possible scan. */
  readonly pending: boolean;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'AltGraph']);

export class KeystrokeBurstDetector {
  private readonly maxGapMs: number;
  private readonly minLength: number;
  private readonly terminators: ReadonlySet<string>;
  private readonly maxLength: number;
  private buf: string[] = [];
  private startedAt = 0;
  private lastAt = 0;

  constructor(opts: BurstDetectorOptions = {}) {
    this.maxGapMs = opts.maxGapMs ?? 30;
    this.minLength = opts.minLength ?? 4;
    this.terminators = new Set(opts.terminators ?? ['Enter', 'Tab']);
    this.maxLength = opts.maxLength ?? 4096;
  }

  /** Feed one keydown: `key` as in KeyboardEvent.key, `at` in ms from any monotonic clock. */
  key(key: string, at: number): BurstDecision {
    if (MODIFIER_KEYS.has(key)) return { typed: [], pending: this.buf.length > 0 };
    const typed: string[] = [];
    if (this.buf.length > 0 && at - this.lastAt > this.maxGapMs) typed.push(...this.flush());

    if (this.terminators.has(key)) {
      if (this.buf.length >= this.minLength) {
        const scan: Scan = { data: this.buf.join(''), source: 'keystroke' };
        this.buf = [];
        return { scan, typed, pending: false };
      }
      typed.push(...this.flush(), key);
      return { typed, pending: false };
    }
    if (key.length !== 1 || this.buf.length >= this.maxLength) {
      // Named keys (Backspace, arrows…) are a person at work.
      typed.push(...this.flush(), key);
      return { typed, pending: false };
    }
    if (this.buf.length === 0) this.startedAt = at;
    this.buf.push(key);
    this.lastAt = at;
    return { typed, pending: true };
  }

  /** Call from a timer: a burst that went quiet longer than maxGapMs was typing. */
  tick(now: number): BurstDecision {
    if (this.buf.length > 0 && now - this.lastAt > this.maxGapMs) return { typed: this.flush(), pending: false };
    return { typed: [], pending: this.buf.length > 0 };
  }

  /** When the current burst began (ms), for diagnostics. */
  get burstStartedAt(): number {
    return this.startedAt;
  }

  private flush(): string[] {
    const out = this.buf;
    this.buf = [];
    return out;
  }
}
