/**
 * HTTP/1.1 message framing for the fault proxy: where one request or response ends in a byte
 * stream, so a keep-alive connection can be cut into single exchanges and each faulted on its own.
 * Bodies are framed by Content-Length, chunked transfer coding, or (responses only) the end of
 * the connection. Only framing: headers are read, bodies are never decoded or changed.
 */

export interface MessageHead {
  /** `POST /api/events HTTP/1.1` or `HTTP/1.1 200 OK`. */
  readonly startLine: string;
  /** Header names in lower case, in the order sent. */
  readonly headers: readonly (readonly [string, string])[];
}

export interface FramedMessage {
  readonly head: MessageHead;
  /** Bytes of the start line and headers, blank line included. */
  readonly headLength: number;
  /** Bytes of the whole message (head and framed body). */
  readonly length: number;
}

export interface FramedRequest extends FramedMessage {
  readonly method: string;
  readonly target: string;
}

export interface FramedResponse extends FramedMessage {
  readonly status: number;
  /** The body ran to the end of the connection: the connection cannot carry another exchange. */
  readonly closeDelimited: boolean;
}

export class HttpFramingError extends Error {
  override readonly name = 'HttpFramingError';
}

/** A head larger than this is refused (no client of the backend sends one). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CRLF = Buffer.from('\r\n');
const BLANK_LINE = Buffer.from('\r\n\r\n');

export function headerOf(head: MessageHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([n]) => n === lower)?.[1];
}

/** Whether the sender asked to close the connection after this message. */
export function wantsClose(head: MessageHead): boolean {
  return /(^|,)\s*close\s*(,|$)/i.test(headerOf(head, 'connection') ?? '') || head.startLine.endsWith('HTTP/1.0');
}

/** The request at the front of `buf`, or null while it is incomplete. */
export function frameRequest(buf: Buffer): FramedRequest | null {
  const parsed = parseHead(buf);
  if (parsed === null) return null;
  const { head, headLength } = parsed;
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(head.startLine);
  if (m === null) throw new HttpFramingError(`bad request line ${JSON.stringify(head.startLine.slice(0, 80))}`);
  const bodyEnd = frameBody(buf, head, headLength, false);
  if (bodyEnd === null) return null;
  return { head, headLength, length: bodyEnd, method: m[1] as string, target: m[2] as string };
}

/**
 * The response at the front of `buf` to a request made with `requestMethod`, or null while it is
 * incomplete. `ended`: the other side closed, so a close-delimited body is complete.
 */
export function frameResponse(buf: Buffer, requestMethod: string, ended: boolean): FramedResponse | null {
  const parsed = parseHead(buf);
  if (parsed === null) return null;
  const { head, headLength } = parsed;
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(head.startLine);
  if (m === null) throw new HttpFramingError(`bad status line ${JSON.stringify(head.startLine.slice(0, 80))}`);
  const status = Number(m[1]);
  if (status < 200 && status !== 101) throw new HttpFramingError(`interim response ${status} is not supported`);
  if (requestMethod === 'HEAD' || status === 204 || status === 304) {
    return { head, headLength, length: headLength, status, closeDelimited: false };
  }
  const hasLength = headerOf(head, 'content-length') !== undefined || isChunked(head);
  if (!hasLength) {
    if (!ended) return null;
    return { head, headLength, length: buf.length, status, closeDelimited: true };
  }
  const bodyEnd = frameBody(buf, head, headLength, true);
  if (bodyEnd === null) return null;
  return { head, headLength, length: bodyEnd, status, closeDelimited: false };
}

function parseHead(buf: Buffer): { head: MessageHead; headLength: number } | null {
  const end = buf.indexOf(BLANK_LINE);
  if (end < 0) {
    if (buf.length > MAX_HEAD_BYTES) throw new HttpFramingError(`head over ${MAX_HEAD_BYTES} bytes`);
    return null;
  }
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const startLine = lines.shift() ?? '';
  const headers = lines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpFramingError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  return { head: { startLine, headers }, headLength: end + BLANK_LINE.length };
}

function isChunked(head: MessageHead): boolean {
  return /(^|,)\s*chunked\s*$/i.test(headerOf(head, 'transfer-encoding') ?? '');
}

/** End offset of the body starting at `start`, or null while incomplete. */
function frameBody(buf: Buffer, head: MessageHead, start: number, isResponse: boolean): number | null {
  if (isChunked(head)) return frameChunked(buf, start);
  const lengthText = headerOf(head, 'content-length');
  if (lengthText === undefined) {
    if (headerOf(head, 'transfer-encoding') !== undefined && !isResponse) {
      throw new HttpFramingError('request with a transfer coding other than chunked');
    }
    return start;
  }
  if (!/^\d{1,15}$/.test(lengthText)) throw new HttpFramingError(`bad content-length ${JSON.stringify(lengthText)}`);
  const end = start + Number(lengthText);
  return buf.length >= end ? end : null;
}

/** Chunks (size line, data, CRLF) up to the last chunk and its trailer section. */
function frameChunked(buf: Buffer, start: number): number | null {
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd < 0) return null;
    const sizeText = buf.subarray(pos, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new HttpFramingError(`bad chunk size ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // Trailer section: header lines, then a blank line. Usually just CRLF.
      const afterLine = lineEnd + CRLF.length;
      if (buf.length < afterLine + 2) return null;
      if (buf[afterLine] === 0x0d && buf[afterLine + 1] === 0x0a) return afterLine + 2;
      const trailersEnd = buf.indexOf(BLANK_LINE, afterLine);
      return trailersEnd < 0 ? null : trailersEnd + BLANK_LINE.length;
    }
    const dataEnd = lineEnd + CRLF.length + size;
    if (buf.length < dataEnd + 2) return null;
    if (buf[dataEnd] !== 0x0d || buf[dataEnd + 1] !== 0x0a) throw new HttpFramingError('chunk not followed by CRLF');
    pos = dataEnd + 2;
  }
}
