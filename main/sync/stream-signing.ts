/**
 * Signed streams: a reply too long to sign as a whole (the snapshot stream of a service area) is
 * signed a chunk at a time, each signature chained to the one before and bound to the request it
 * answers like every reply (./signing.ts, `signReply`, same secret, request signature, nonce and
 * reply timestamp). After each chunk of lines the backend sends a mac line,
 *
 *   {"kind":"mac","mac":"<hex>"}    mac_k = signReply(…, "griddesk-stream-1\n" + mac_(k-1) + "\n" + chunk_k)
 *
 * where chunk_k is the exact text of the lines since the previous mac line, each with its newline,
 * and mac_0 = ''. The terminal hands on a chunk's lines only once its mac verified: a forged,
 * reordered, spliced or replayed chunk is `bad_signature` before any of it is applied, and a cut
 * between a chunk and its mac loses only that chunk (the next pull asks for it again).
 */
import { timingSafeEqual, type Hmac } from 'node:crypto';
import { BackendUnavailable } from './http-json.js';
import { replyHmac, signReply } from './signing.js';

const STREAM_CONTEXT = 'griddesk-stream-1';
const MAC_LINE = /^\{"kind":"mac","mac":"([0-9a-f]{64})"\}$/;

export interface StreamBinding {
  readonly secret: string;
  /** The signature of the request the stream answers, its nonce and the reply's timestamp header. */
  readonly requestSignature: string;
  readonly nonce: string;
  readonly replyTs: string;
}

function chunkMac(b: StreamBinding, previous: string, text: string): string {
  return signReply(b.secret, 200, b.requestSignature, b.nonce, b.replyTs, `${STREAM_CONTEXT}\n${previous}\n${text}`);
}

/** The backend's side: the mac line that seals the lines written since the last one. */
export class StreamSigner {
  private previous = '';
  constructor(private readonly binding: StreamBinding) {}

  /** `text`: the exact lines just written, each ending in a newline. */
  seal(text: string): string {
    this.previous = chunkMac(this.binding, this.previous, text);
    return `{"kind":"mac","mac":"${this.previous}"}\n`;
  }
}

/** The terminal's side: takes lines as they arrive, gives back those a verified mac sealed. */
export class StreamVerifier {
  private previous = '';
  private pending: string[] = [];
  constructor(private readonly binding: StreamBinding) {}

  take(lines: readonly string[]): string[] {
    const sealed: string[] = [];
    for (const line of lines) {
      const mac = MAC_LINE.exec(line)?.[1];
      if (mac === undefined) {
        this.pending.push(line);
        continue;
      }
      const expected = Buffer.from(chunkMac(this.binding, this.previous, this.pending.map((l) => `${l}\n`).join('')), 'hex');
      const got = Buffer.from(mac, 'hex');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        throw new BackendUnavailable('bad_signature', `stream chunk of ${this.pending.length} lines: signature does not verify`);
      }
      this.previous = mac;
      sealed.push(...this.pending);
      this.pending = [];
    }
    return sealed;
  }

  /** Lines that arrived without their mac yet (none once a stream ended as it should). */
  unsealed(): number {
    return this.pending.length;
  }
}

const NEWLINE = 0x0a;
const MAC_HEAD = Buffer.from('{"kind":"mac","mac":"');
const MAC_TAIL = Buffer.from('"}');
const MAC_LINE_BYTES = MAC_HEAD.length + 64 + MAC_TAIL.length;

/**
 * `StreamVerifier` on the received bytes: the same chain and the same verdicts, but each chunk is
 * hashed as its bytes arrive — no line is decoded, joined or encoded again to be checked (a
 * million accounts are most of a gigabyte). Gives back the sealed lines' bytes, each line with its
 * newline, mac lines left out.
 */
export class StreamByteVerifier {
  private previous = '';
  private hmac: Hmac;
  /**
   * The lines this verifier holds, copied: [0, sealedEnd) was handed out by the last `take` (a view
   * the caller used before calling again), [sealedEnd, end) waits for its mac. Copied, not held as
   * slices of the socket's chunks: a chunk held until its mac (hundreds of KB later) outlived the
   * caller's work on a batch, was promoted with its wrapper and its memory, outside V8's heap,
   * waited for a full collection — tens of MB of the core's RSS in an initial pull.
   */
  private buf: Buffer;
  private sealedEnd = 0;
  private end = 0;
  private pendingLines = 0;
  /** `heldBytes`: the held lines' buffer to start with (it grows as needed). */
  constructor(
    private readonly binding: StreamBinding,
    heldBytes = HELD_BYTES,
  ) {
    this.buf = Buffer.allocUnsafeSlow(heldBytes);
    this.hmac = this.chunkHmac();
  }

  private chunkHmac(): Hmac {
    const b = this.binding;
    return replyHmac(b.secret, 200, b.requestSignature, b.nonce, b.replyTs).update(`${STREAM_CONTEXT}
${this.previous}
`, 'utf8');
  }

  private hold(slice: Buffer): void {
    if (this.end + slice.length > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.end + slice.length));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    slice.copy(this.buf, this.end);
    this.end += slice.length;
  }

  /**
   * `bytes`: complete lines, each with its newline. Returns the lines sealed by this call as a view
   * of the verifier's buffer, valid until the next call (copy what must be kept).
   */
  take(bytes: Buffer): Buffer {
    // What the last call handed out is done with: the unsealed lines move to the front.
    if (this.sealedEnd > 0) {
      this.buf.copyWithin(0, this.sealedEnd, this.end);
      this.end -= this.sealedEnd;
      this.sealedEnd = 0;
    }
    // A run of plain lines is hashed and held as one slice.
    let run = 0;
    const endRun = (end: number): void => {
      if (end <= run) return;
      const slice = bytes.subarray(run, end);
      this.hmac.update(slice);
      this.hold(slice);
    };
    for (let start = 0; start < bytes.length; ) {
      let nl = bytes.indexOf(NEWLINE, start);
      if (nl < 0) nl = bytes.length;
      if (nl - start === MAC_LINE_BYTES && isMacLine(bytes, start)) {
        endRun(start);
        const expected = this.hmac.digest();
        const got = Buffer.from(bytes.toString('latin1', start + MAC_HEAD.length, start + MAC_HEAD.length + 64), 'hex');
        if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
          throw new BackendUnavailable('bad_signature', `stream chunk of ${this.pendingLines} lines: signature does not verify`);
        }
        this.previous = got.toString('hex');
        this.sealedEnd = this.end;
        this.pendingLines = 0;
        this.hmac = this.chunkHmac();
        run = nl + 1;
      } else if (nl > start) {
        this.pendingLines += 1;
      }
      start = nl + 1;
    }
    endRun(bytes.length);
    return this.buf.subarray(0, this.sealedEnd);
  }

  /** Lines that arrived without their mac yet (none once a stream ended as it should). */
  unsealed(): number {
    return this.pendingLines;
  }
}

/** The held lines' buffer to start with: a little more than the backend's chunk between two macs. */
const HELD_BYTES = 1024 * 1024;

function isMacLine(bytes: Buffer, start: number): boolean {
  if (bytes.compare(MAC_HEAD, 0, MAC_HEAD.length, start, start + MAC_HEAD.length) !== 0) return false;
  const hexEnd = start + MAC_HEAD.length + 64;
  if (bytes.compare(MAC_TAIL, 0, MAC_TAIL.length, hexEnd, hexEnd + MAC_TAIL.length) !== 0) return false;
  for (let i = start + MAC_HEAD.length; i < hexEnd; i++) {
    const c = bytes[i] as number;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
