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
import { timingSafeEqual } from 'node:crypto';
import { BackendUnavailable } from './http-json.js';
import { signReply } from './signing.js';

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
