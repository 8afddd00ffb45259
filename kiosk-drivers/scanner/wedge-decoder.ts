/**
 * Decodes 8-byte HID boot keyboard reports (modifiers, reserved, six key slots) from a
 * keyboard-wedge scanner read through hidraw into scans. Keys count on the report in which they
 * first appear (a held key repeats in later reports and is not typed again), in slot order, so
 * n-key rollover — a new key pressed before the last one is released — keeps the order. A scan
 * whose terminator was lost would glue onto the next one; a gap longer than `maxGapMs` between
 * reports therefore drops the unfinished partial (`scanner.bad_report`, reason `stale`). Pure (the
 * caller passes each report's arrival time); never throws.
 */
import { DeviceError } from '../errors.js';
import { USAGE, usageToChar } from './keyboard-usage.js';
import { DEFAULT_SCAN_GAP_MS, MAX_SCAN_LENGTH, type ScanDecodeEvent } from './scan.js';

export interface KeyboardDecoderOptions {
  /** Which keys end a scan. Default Enter (and keypad Enter) and Tab. */
  readonly terminators?: readonly ('enter' | 'tab')[];
  readonly maxLength?: number;
  /** A partial scan older than this (ms between two reports) is dropped. Default 100 ms. */
  readonly maxGapMs?: number;
}

export class KeyboardReportDecoder {
  private held = new Set<number>();
  private buf = '';
  private overflowed = false;
  private readonly endOnEnter: boolean;
  private readonly endOnTab: boolean;
  private readonly maxLength: number;
  private readonly maxGapMs: number;
  private lastAt: number | null = null;

  constructor(opts: KeyboardDecoderOptions = {}) {
    const t = opts.terminators ?? ['enter', 'tab'];
    this.endOnEnter = t.includes('enter');
    this.endOnTab = t.includes('tab');
    this.maxLength = opts.maxLength ?? MAX_SCAN_LENGTH;
    this.maxGapMs = opts.maxGapMs ?? DEFAULT_SCAN_GAP_MS;
  }

  /** Characters received since the last terminator. */
  get partial(): string {
    return this.buf;
  }

  reset(): void {
    this.held.clear();
    this.buf = '';
    this.overflowed = false;
    this.lastAt = null;
  }

  /** `at`: the report's arrival time in ms on a monotonic clock. */
  push(input: Uint8Array, at: number, out: ScanDecodeEvent[] = []): ScanDecodeEvent[] {
    const gap = this.lastAt === null ? 0 : at - this.lastAt;
    this.lastAt = at;
    if (gap > this.maxGapMs && (this.buf.length > 0 || this.overflowed || this.held.size > 0)) {
      if (this.buf.length > 0) {
        out.push({
          kind: 'error',
          error: new DeviceError('scanner.bad_report', { reason: 'stale', dropped: this.buf.length, gapMs: gap }),
        });
      }
      // Nothing of the interrupted scan survives a gap: not its text, not its held keys.
      this.buf = '';
      this.overflowed = false;
      this.held.clear();
    }
    // Some stacks deliver a leading report ID; a boot report itself is 8 bytes.
    const report = input.length === 9 ? input.subarray(1) : input;
    if (report.length !== 8) {
      out.push({ kind: 'error', error: new DeviceError('scanner.bad_report', { reason: 'length', length: input.length }) });
      return out;
    }
    const modifiers = report[0] as number;
    const keys: number[] = [];
    for (let i = 2; i < 8; i++) {
      const k = report[i] as number;
      if (k === USAGE.errorRollOver) return out; // phantom state: too many keys, nothing is reliable
      if (k !== 0 && !keys.includes(k)) keys.push(k);
    }
    const now = new Set(keys);
    for (const k of keys) {
      if (this.held.has(k)) continue;
      this.press(k, modifiers, out);
    }
    this.held = now;
    return out;
  }

  private press(usage: number, modifiers: number, out: ScanDecodeEvent[]): void {
    const isEnter = usage === USAGE.enter || usage === USAGE.keypadEnter;
    if ((isEnter && this.endOnEnter) || (usage === USAGE.tab && this.endOnTab)) {
      if (this.overflowed) {
        this.overflowed = false;
      } else if (this.buf.length > 0) {
        out.push({ kind: 'scan', scan: { data: this.buf, source: 'wedge' } });
      }
      this.buf = '';
      return;
    }
    const ch = usageToChar(usage, modifiers);
    if (ch === null || this.overflowed) return;
    if (this.buf.length >= this.maxLength) {
      out.push({ kind: 'error', error: new DeviceError('scanner.overflow', { maxLength: this.maxLength }) });
      this.buf = '';
      this.overflowed = true;
      return;
    }
    this.buf += ch;
  }
}
