/**
 * The initial pull's lines between their arrival and their batch (./initial-pull.ts).
 */

/**
 * Complete lines (each ending in a newline) received and not applied yet, copied into one buffer
 * reused for the whole stream rather than each chunk held until its batch is applied: a chunk from
 * the socket is garbage as soon as it is copied, where one held across the batch's writes was
 * promoted with its wrapper and its memory (outside V8's heap) waited for a full collection.
 */
export class PendingLines {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  /** Lines held (blank ones included, which the decoding drops). */
  length = 0;

  /** `bytes`: the buffer to start with (it grows to hold what is pushed). */
  constructor(bytes = PENDING_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }

  push(bytes: Buffer): void {
    let lines = 0;
    for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) lines += 1;
    if (lines === 0) return;
    if (this.end + bytes.length > this.buf.length) {
      const held = this.end - this.start;
      if (held + bytes.length > this.buf.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, held + bytes.length));
        this.buf.copy(bigger, 0, this.start, this.end);
        this.buf = bigger;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = held;
    }
    bytes.copy(this.buf, this.end);
    this.end += bytes.length;
    this.length += lines;
  }

  /**
   * The first `n` lines' bytes (fewer when fewer are held), taken out. A view of the shared
   * buffer: valid until the next push (the batch that takes them is applied before that).
   */
  take(n: number): Buffer[] {
    let cut = this.start - 1;
    let taken = 0;
    while (taken < n) {
      const next = this.buf.indexOf(NEWLINE, cut + 1);
      if (next < 0 || next >= this.end) break;
      cut = next;
      taken += 1;
    }
    const out = this.buf.subarray(this.start, cut + 1);
    this.start = cut + 1;
    this.length -= taken;
    if (this.start === this.end) this.start = this.end = 0;
    return out.length > 0 ? [out] : [];
  }
}

/** The pending lines' buffer to start with: a batch of the load window, about 1.1 KB a line. */
const PENDING_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;
