/**
 * The one reader of every HTTP answer the terminal takes from the billing backend, its secure
 * module and the payment gateway. Nothing that crosses the wire is trusted: an answer counts only
 * when its status is one the caller expects, it is JSON (by content type and by parse), it stays
 * under a byte limit (enforced while streaming, so a huge or endless body is cut off early) and it
 * matches the caller's zod schema. Anything else — refused, reset, timed out, 5xx, HTML, too big,
 * truncated, off-schema — is one typed outcome, `BackendUnavailable` with a reason: lookups answer
 * from the cache, pushes keep their rows and retry. An expected refusal (404 for an unknown
 * account, 409 for an issuing conflict) is the other outcome, `BackendRejected` with the
 * backend's error code.
 *
 * Two more checks ride on the same path. The transport (`HttpTransport`) is chosen at the
 * composition root — Node's fetch with the default CAs, or node:https trusting only a configured
 * CA (./node-http-transport.ts) — and a certificate that does not verify is `tls`. A caller that
 * knows how its answers are signed passes a `ReplyVerifier`: an answer that is not authentic is
 * `bad_signature`, whatever it says (docs/backend.md, "Reply signing").
 */
import { z } from 'zod';

/** Why an answer did not count. */
export type UnavailableReason =
  /** Refused, reset, DNS failure: no answer at all. */
  | 'unreachable'
  /** No complete answer within the caller's timeout (also a body that stalls). */
  | 'timeout'
  /** 5xx, or a redirect (never followed: the signature names the path it was made for). */
  | 'server_error'
  /** A 4xx the caller does not branch on (bad signature, stale clock, a proxy's 404 page …). */
  | 'refused'
  /** Not `application/json`, empty, not UTF-8, or not parseable (e.g. cut short). */
  | 'not_json'
  /** Over the caller's byte limit (declared or streamed). */
  | 'too_large'
  /** The connection broke while the body was being read. */
  | 'truncated'
  /** JSON, but not the shape the wire schema describes. */
  | 'off_schema'
  /** The TLS handshake failed: a certificate from another CA, expired, or for another host name. */
  | 'tls'
  /** The reply signature is missing or wrong (forged, altered, or replayed from another request). */
  | 'bad_signature'
  /** A change-feed page whose cursor is older than the one stored (./snapshot-puller.ts). */
  | 'cursor_backwards';

export class BackendUnavailable extends Error {
  constructor(
    readonly reason: UnavailableReason,
    readonly detail: string,
    /** The HTTP status, when there was one. */
    readonly status: number | null = null,
  ) {
    super(`billing backend unavailable (${reason}${status === null ? '' : ` ${status}`}): ${detail.slice(0, 200)}`);
    this.name = 'BackendUnavailable';
  }
}

/** A status the caller expects as an answer (e.g. 404 not found), with the backend's error code. */
export class BackendRejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`billing backend answered ${status}: ${code}`);
    this.name = 'BackendRejected';
  }
}

/** Default limit of one answer's body: far above any lookup, operator list or batch result. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** The backend's error body (`{ error, detail? }`, docs/backend.md). */
const ErrorBodySchema = z.object({ error: z.string().min(1).max(200), detail: z.string().optional() });

/** One request as a transport sends it. */
export interface TransportRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Aborts the exchange (the caller's timeout); the answer's body stream errors with it. */
  readonly signal: AbortSignal;
}

/**
 * How requests reach the other side: resolves with the answer's status, headers and a body stream
 * (redirects are never followed), rejects when no answer comes (refused, reset, TLS, aborted).
 */
export interface HttpTransport {
  send(req: TransportRequest): Promise<Response>;
}

/** Node's fetch (undici): the default CAs. */
export const fetchTransport: HttpTransport = {
  send: (req) =>
    fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      redirect: 'manual',
      signal: req.signal,
    }),
};

/** Checks that an answer comes from who the caller trusts and answers this very request. */
export interface ReplyVerifier {
  /** Whether the answer claims a signature at all (only then is a refusal's body read, for the verifier's sake). */
  claimsSignature(headers: Headers): boolean;
  /** Whether the answer (status, headers, exact body text) is authentic. */
  verify(status: number, headers: Headers, body: string): boolean;
}

export interface JsonRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** Exact body text (JSON); sent with `content-type: application/json`. */
  readonly body?: string;
  /** Bounds the whole exchange: connect, headers and the last byte of the body. */
  readonly timeoutMs: number;
  readonly maxBytes?: number;
  /** Non-2xx statuses the caller branches on: they throw `BackendRejected` instead of unavailable. */
  readonly answers?: (status: number) => boolean;
  /** Default: Node's fetch. */
  readonly transport?: HttpTransport;
  /** When given, every answer the caller would use (2xx, or a status in `answers`) must verify. */
  readonly reply?: ReplyVerifier;
}

/**
 * Sends the request and reads its answer against `schema`. Throws `BackendUnavailable` (any reason
 * above) or `BackendRejected` (a status listed in `answers`, with a JSON error body); never
 * anything else for what the other side sent.
 */
export async function requestJson<S extends z.ZodType>(req: JsonRequest, schema: S): Promise<z.output<S>> {
  const signal = AbortSignal.timeout(req.timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await (req.transport ?? fetchTransport).send({
      url: req.url,
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw new BackendUnavailable('timeout', `no answer within ${req.timeoutMs} ms`);
    throw new BackendUnavailable(isTlsFailure(err) ? 'tls' : 'unreachable', causeOf(err));
  }
  return readJsonResponse(res, schema, {
    maxBytes: req.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    signal,
    ...(req.answers ? { answers: req.answers } : {}),
    ...(req.reply ? { reply: req.reply } : {}),
  });
}

export interface ReadOptions {
  readonly maxBytes: number;
  /** The signal the request was made with: its abort means "timed out", not "truncated". */
  readonly signal?: AbortSignal;
  readonly answers?: (status: number) => boolean;
  readonly reply?: ReplyVerifier;
}

/**
 * Status check, byte limit while streaming, content type, JSON parse, schema, signature — in that
 * order: nothing of the answer is returned (or thrown as the backend's code) before it verifies.
 */
export async function readJsonResponse<S extends z.ZodType>(res: Response, schema: S, opts: ReadOptions): Promise<z.output<S>> {
  const { status } = res;
  const ok = status >= 200 && status < 300;
  const answer = !ok && status >= 400 && status < 500 && (opts.answers?.(status) ?? false);
  if (!ok && !answer) {
    if (opts.reply?.claimsSignature(res.headers)) {
      // A signed refusal (say 401 stale_timestamp) is still the backend speaking: the verifier
      // reads it (the backend's clock rides on it). The status alone decides the outcome.
      const text = await readText(res, opts).catch(() => null);
      if (text !== null) opts.reply.verify(status, res.headers, text);
    } else {
      await discard(res);
    }
    throw new BackendUnavailable(status >= 400 && status < 500 ? 'refused' : 'server_error', `answered ${status}`, status);
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (!isJsonType(contentType)) {
    await discard(res);
    throw new BackendUnavailable('not_json', `content-type ${JSON.stringify(contentType.slice(0, 60))}`, status);
  }
  const text = await readText(res, opts);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new BackendUnavailable('not_json', err instanceof Error ? err.message : 'unparseable', status);
  }
  if (answer) {
    const body = ErrorBodySchema.safeParse(value);
    if (!body.success) throw new BackendUnavailable('off_schema', `error body of ${status}: ${issueOf(body.error)}`, status);
    authenticate(res, text, opts);
    throw new BackendRejected(status, body.data.error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BackendUnavailable('off_schema', issueOf(parsed.error), status);
  authenticate(res, text, opts);
  return parsed.data;
}

function authenticate(res: Response, text: string, opts: ReadOptions): void {
  if (!opts.reply || opts.reply.verify(res.status, res.headers, text)) return;
  throw new BackendUnavailable('bad_signature', opts.reply.claimsSignature(res.headers) ? 'reply signature does not verify' : 'reply not signed', res.status);
}

/** Certificate and handshake failures (Node's error codes, on the error or, from fetch, its cause). */
function isTlsFailure(err: unknown): boolean {
  const codes = [err, err instanceof Error ? err.cause : undefined].map((e) =>
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '',
  );
  return codes.some((c) => /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/.test(c));
}

function isJsonType(contentType: string): boolean {
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** The body as UTF-8, read chunk by chunk and abandoned as soon as it passes the limit. */
async function readText(res: Response, opts: ReadOptions): Promise<string> {
  const { status } = res;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await discard(res);
    throw new BackendUnavailable('too_large', `declared ${declared} bytes, limit ${opts.maxBytes}`, status);
  }
  if (!res.body) throw new BackendUnavailable('not_json', 'empty body', status);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (err) {
      if (opts.signal?.aborted) throw new BackendUnavailable('timeout', `body not complete in time (${total} bytes read)`, status);
      throw new BackendUnavailable('truncated', `${causeOf(err)} after ${total} bytes`, status);
    }
    if (next.done) break;
    total += next.value.byteLength;
    if (total > opts.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BackendUnavailable('too_large', `more than ${opts.maxBytes} bytes`, status);
    }
    chunks.push(next.value);
  }
  if (total === 0) throw new BackendUnavailable('not_json', 'empty body', status);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new BackendUnavailable('not_json', 'body is not UTF-8', status);
  }
}

/** Frees the connection of an answer that is not read (an unread body would hold it open). */
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? err.cause.message : err.message;
}

function issueOf(err: z.ZodError): string {
  const first = err.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}
