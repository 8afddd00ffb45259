/**
 * The reader of a streamed answer: NDJSON (one JSON value per line) of unbounded total length,
 * read with bounded memory. The one-reply reader (./http-json.ts) holds a whole answer under a
 * byte limit; a stream of a million accounts cannot be held, so this reader limits each LINE
 * instead and hands complete lines on as they arrive, a chunk's worth at a time. Bytes after the
 * last newline are not a line: a body cut mid-line loses only that partial line, which the sender
 * sends again from the cursor of the last line the caller applied.
 *
 * Everything the other side can do wrong is `BackendUnavailable` with the reasons of the one-reply
 * reader: refused/reset (`unreachable`), silent longer than the timeout (`timeout`), 5xx or a
 * redirect (`server_error`), a 4xx (`refused`), not `application/x-ndjson` or not UTF-8
 * (`not_json`), a line over the limit (`too_large`), cut short (`truncated`).
 */
import { isUtf8 } from 'node:buffer';
import { BackendUnavailable, fetchTransport, type HttpTransport } from './http-json.js';

export interface LineStreamRequest {
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** The media type the body must have, e.g. 'application/x-ndjson'. */
  readonly contentType: string;
  /** Bounds the wait for the answer's head and every silence between two chunks of its body. */
  readonly idleTimeoutMs: number;
  /** Longest line accepted, in bytes. */
  readonly maxLineBytes: number;
  /** How the request travels (default: Node's fetch); the backend client passes its own. */
  readonly transport?: HttpTransport;
  /** Called with the answer's head once it counts (2xx, the content type), before any line. */
  readonly onHead?: (headers: Headers) => void;
  /**
   * Called with each chunk's complete lines as bytes (each with its newline) before they are
   * decoded: only what it returns is handed on (a stream signature keeps back what no mac sealed
   * yet, ./stream-signing.ts). Checking bytes spares decoding and re-encoding every line.
   */
  readonly sealed?: (lines: Buffer) => Buffer;
}

const NEWLINE = 0x0a;

/**
 * GETs `req.url` and yields the body's complete lines (without their newline, blank lines
 * skipped), in order, a chunk's worth per yield. Ends normally only when the body ended right
 * after a newline. Stopping early (`break`, `return()`) cancels the request.
 */
export async function* fetchLines(req: LineStreamRequest): AsyncGenerator<string[], void, undefined> {
  for await (const bytes of fetchLineBytes(req)) {
    const lines = linesOf(bytes);
    if (lines.length > 0) yield lines;
  }
}

/**
 * The lines of `bytes` (complete lines, UTF-8 checked: what fetchLineBytes yields), blank ones
 * skipped. Decoded line by line: a chunk decoded whole is one string of up to a megabyte, which V8
 * keeps in its large-object space until a full collection — hundreds of MB in a long stream.
 */
export function linesOf(bytes: Buffer): string[] {
  return [...eachLine(bytes)];
}

/** linesOf one at a time: a reader that parses as it goes holds one decoded line, not a chunk's worth. */
export function* eachLine(bytes: Buffer): Generator<string, void, undefined> {
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (end > start) yield bytes.toString('utf8', start, end);
    start = end + 1;
  }
}

/**
 * As fetchLines, but each chunk's complete lines stay bytes (each line with its newline, checked
 * to be UTF-8): a reader that holds lines a while before it parses them holds them outside V8's
 * heap, and decodes them when it parses them (`linesOf`). A yielded Buffer may be a view of
 * `sealed`'s own buffer: valid until the next iteration — copy what must be kept.
 */
export async function* fetchLineBytes(req: LineStreamRequest): AsyncGenerator<Buffer, void, undefined> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(), req.idleTimeoutMs);
  const stillAlive = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), req.idleTimeoutMs);
  };
  let res: Response;
  try {
    res = await (req.transport ?? fetchTransport).send({ url: req.url, method: 'GET', headers: { accept: req.contentType, ...req.headers }, signal: abort.signal });
  } catch (err) {
    clearTimeout(timer);
    throw abort.signal.aborted ? new BackendUnavailable('timeout', `no answer within ${req.idleTimeoutMs} ms`) : new BackendUnavailable('unreachable', causeOf(err));
  }
  const { status } = res;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  try {
    if (status < 200 || status >= 300) {
      throw new BackendUnavailable(status >= 400 && status < 500 ? 'refused' : 'server_error', `answered ${status}`, status);
    }
    const mime = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (mime !== req.contentType) throw new BackendUnavailable('not_json', `content-type ${JSON.stringify(mime.slice(0, 60))}, not ${req.contentType}`, status);
    if (!res.body) throw new BackendUnavailable('not_json', 'empty body', status);
    req.onHead?.(res.headers);
    reader = res.body.getReader();
    let carry: Buffer = Buffer.alloc(0);
    let total = 0;
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (err) {
        if (abort.signal.aborted) throw new BackendUnavailable('timeout', `silent for ${req.idleTimeoutMs} ms after ${total} bytes`, status);
        throw new BackendUnavailable('truncated', `${causeOf(err)} after ${total} bytes`, status);
      }
      if (next.done) break;
      stillAlive();
      total += next.value.byteLength;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        carry = Buffer.concat([carry, chunk]);
        if (carry.length > req.maxLineBytes) throw new BackendUnavailable('too_large', `a line longer than ${req.maxLineBytes} bytes`, status);
        continue;
      }
      const whole = carry.length === 0 ? chunk.subarray(0, lastNewline + 1) : Buffer.concat([carry, chunk.subarray(0, lastNewline + 1)]);
      // The rest is the start of the next line; copied, so the chunk's memory is not held by it.
      carry = Buffer.from(chunk.subarray(lastNewline + 1));
      if (carry.length > req.maxLineBytes) throw new BackendUnavailable('too_large', `a line longer than ${req.maxLineBytes} bytes`, status);
      for (let start = 0; start <= whole.length; ) {
        const nl = whole.indexOf(NEWLINE, start);
        const end = nl < 0 ? whole.length : nl;
        if (end - start > req.maxLineBytes) throw new BackendUnavailable('too_large', `a line longer than ${req.maxLineBytes} bytes`, status);
        start = end + 1;
      }
      const handOn = req.sealed ? req.sealed(whole) : whole;
      if (handOn.length === 0) continue;
      // isUtf8 + toString (linesOf): the strict check and the decoding at a fraction of TextDecoder's cost.
      if (!isUtf8(handOn)) throw new BackendUnavailable('not_json', 'body is not UTF-8', status);
      yield handOn;
    }
    if (carry.length > 0) throw new BackendUnavailable('truncated', `body ended inside a line after ${total} bytes`, status);
  } finally {
    clearTimeout(timer);
    // Frees the connection when the caller stopped early or the body was refused unread.
    if (reader !== null) await reader.cancel().catch(() => undefined);
    else await res.body?.cancel().catch(() => undefined);
  }
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? err.cause.message : err.message;
}
