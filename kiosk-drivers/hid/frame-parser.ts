/**
 * Streaming frame parser (docs/devices/card-reader.md §2): bytes in any chunking, frames and typed
 * errors out, resynchronising after garbage. Whenever a candidate frame fails (bad length, ETX or
 * CRC) or is abandoned as unable to complete, scanning resumes at the byte after its STX, so a real
 * frame that a stray `02` seemed to swallow is still found. It never throws and never waits for
 * more than MAX_BODY_LENGTH + overhead bytes for one frame.
 */
import { DeviceError } from '../errors.js';
import { crc16CcittFalse } from './crc16.js';
import { ETX, FRAME_OVERHEAD, MAX_BODY_LENGTH, STX, type Frame } from './frame.js';

export type ParseEvent =
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'error'; readonly error: DeviceError };

export class FrameParser {
  private buf = new Uint8Array(256);
  private start = 0;
  private end = 0;
  /** Garbage bytes skipped while looking for STX, for diagnostics. */
  skippedBytes = 0;

  /** True when part of a frame is buffered. */
  get pending(): boolean {
    return this.end > this.start;
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
  }

  /**
   * The byte stream ended without completing the buffered candidate (the report layer saw the
   * last report of a transfer, or a new frame begin): drops the candidate's STX and rescans what
   * followed it, so a real frame hidden inside is not lost. Repeats until nothing is pending;
   * each abandoned candidate is one `hid.bad_frame` with `reason`.
   */
  abandonPartial(reason: string, out: ParseEvent[] = []): ParseEvent[] {
    while (this.end > this.start) {
      out.push({ kind: 'error', error: new DeviceError('hid.bad_frame', { reason }) });
      this.start++;
      this.scan(out);
    }
    this.reset();
    return out;
  }

  push(chunk: Uint8Array, out: ParseEvent[] = []): ParseEvent[] {
    this.append(chunk);
    this.scan(out);
    return out;
  }

  private append(chunk: Uint8Array): void {
    const used = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (used + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, used + chunk.length));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = used;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private scan(out: ParseEvent[]): void {
    const b = this.buf;
    for (;;) {
      while (this.start < this.end && b[this.start] !== STX) {
        this.start++;
        this.skippedBytes++;
      }
      const avail = this.end - this.start;
      if (avail < 3) break;
      const len = ((b[this.start + 1] as number) << 8) | (b[this.start + 2] as number);
      if (len < 1 || len > MAX_BODY_LENGTH) {
        out.push({ kind: 'error', error: new DeviceError('hid.bad_length', { length: len }) });
        this.start++;
        continue;
      }
      const total = len + FRAME_OVERHEAD;
      if (avail < total) break;
      const s = this.start;
      if (b[s + total - 1] !== ETX) {
        out.push({ kind: 'error', error: new DeviceError('hid.bad_frame', { reason: 'bad_etx' }) });
        this.start++;
        continue;
      }
      const crc = crc16CcittFalse(b, s + 1, s + 3 + len);
      const got = ((b[s + 3 + len] as number) << 8) | (b[s + 4 + len] as number);
      if (crc !== got) {
        // Either a real frame with flipped bits or a stray STX whose span happens to end on 03:
        // rescanning its inside costs little and finds the real frame in the second case.
        out.push({ kind: 'error', error: new DeviceError('hid.checksum', { expected: crc, got }) });
        this.start++;
        continue;
      }
      out.push({
        kind: 'frame',
        frame: { command: b[s + 3] as number, data: b.slice(s + 4, s + 3 + len) },
      });
      this.start += total;
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }
}
