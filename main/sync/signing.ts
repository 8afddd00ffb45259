/**
 * Per-terminal request and reply signing, shared by the terminal's sync client and the backend.
 * signature = hex(HMAC-SHA256(secret, timestamp + "\n" + METHOD + "\n" + pathWithQuery + "\n" + body))
 * where pathWithQuery is the request target exactly as sent (e.g. '/api/accounts?q=%E7%8E%8B')
 * and body is the exact request body text ('' when there is none).
 *
 * Replies are signed with the same secret and bound to the request they answer (its signature and
 * nonce), so a forged answer fails and a genuine answer replayed to another request fails too:
 * reply signature = hex(HMAC-SHA256(secret, "griddesk-reply-1\n" + status + "\n" + requestSignature
 * + "\n" + nonce + "\n" + replyTimestamp + "\n" + body)). See docs/backend.md, "Reply signing".
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  terminal: 'x-gd-terminal',
  timestamp: 'x-gd-timestamp',
  signature: 'x-gd-signature',
  /** Random per request (not part of the request signature): makes every reply's binding unique. */
  nonce: 'x-gd-nonce',
} as const;

/** Headers of a signed reply: the backend's clock when it answered (epoch ms) and the signature. */
export const REPLY_HEADERS = {
  timestamp: 'x-gd-reply-timestamp',
  signature: 'x-gd-reply-signature',
} as const;

/** Domain separation: a reply signature can never be taken for a request signature or the reverse. */
const REPLY_CONTEXT = 'griddesk-reply-1';

/** A timestamp further than this from the server's clock is refused, which bounds replays. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The demo hall terminal the reference backend knows by default. Never used in production. */
export const DEMO_TERMINAL = { id: 'T-HALL-01', secret: 'demo-terminal-secret-not-for-production' } as const;

export function signRequest(
  secret: string,
  ts: number | string,
  method: string,
  pathWithQuery: string,
  body: string,
): string {
  return createHmac('sha256', secret)
    .update(`${ts}\n${method.toUpperCase()}\n${pathWithQuery}\n${body}`, 'utf8')
    .digest('hex');
}

/** The three headers to add to a request. */
export function signedHeaders(
  terminalId: string,
  secret: string,
  ts: number,
  method: string,
  pathWithQuery: string,
  body: string,
): Record<string, string> {
  return {
    [SIGNATURE_HEADERS.terminal]: terminalId,
    [SIGNATURE_HEADERS.timestamp]: String(ts),
    [SIGNATURE_HEADERS.signature]: signRequest(secret, ts, method, pathWithQuery, body),
  };
}

/** Constant-time check of a received signature. */
export function verifySignature(
  secret: string,
  ts: string,
  method: string,
  pathWithQuery: string,
  body: string,
  signatureHex: string,
): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signatureHex)) return false;
  const expected = Buffer.from(signRequest(secret, ts, method, pathWithQuery, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}

export type SignatureCheck =
  | { readonly ok: true; readonly terminalId: string }
  | { readonly ok: false; readonly reason: 'unsigned' | 'unknown_terminal' | 'stale_timestamp' | 'bad_signature' };

/** Checks headers, clock skew and signature in that order; `secretFor` returns undefined for unknown terminals. */
export function checkSignedRequest(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  method: string,
  pathWithQuery: string,
  body: string,
  nowMs: number,
  secretFor: (terminalId: string) => string | undefined,
): SignatureCheck {
  const terminalId = headers[SIGNATURE_HEADERS.terminal];
  const ts = headers[SIGNATURE_HEADERS.timestamp];
  const sig = headers[SIGNATURE_HEADERS.signature];
  if (typeof terminalId !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') {
    return { ok: false, reason: 'unsigned' };
  }
  const secret = secretFor(terminalId);
  if (secret === undefined) return { ok: false, reason: 'unknown_terminal' };
  if (!/^\d{1,15}$/.test(ts) || Math.abs(Number(ts) - nowMs) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  if (!verifySignature(secret, ts, method, pathWithQuery, body, sig)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, terminalId };
}

/** The signature of a reply (`status`, exact `body` text) to the request signed `requestSignature` with `nonce`. */
export function signReply(
  secret: string,
  status: number,
  requestSignature: string,
  nonce: string,
  replyTs: number | string,
  body: string,
): string {
  return createHmac('sha256', secret)
    .update(`${REPLY_CONTEXT}\n${status}\n${requestSignature}\n${nonce}\n${replyTs}\n${body}`, 'utf8')
    .digest('hex');
}

/**
 * `signReply` a piece at a time: the HMAC after everything but the body, for a caller that feeds
 * the body's bytes as they arrive (a stream's chunk, ./stream-signing.ts) and digests it in hex.
 */
export function replyHmac(secret: string, status: number, requestSignature: string, nonce: string, replyTs: number | string): Hmac {
  return createHmac('sha256', secret).update(`${REPLY_CONTEXT}\n${status}\n${requestSignature}\n${nonce}\n${replyTs}\n`, 'utf8');
}

/** Constant-time check of a reply's signature; `replyTs` must be decimal epoch ms. */
export function verifyReply(
  secret: string,
  status: number,
  requestSignature: string,
  nonce: string,
  replyTs: string,
  body: string,
  signatureHex: string,
): boolean {
  if (!/^\d{1,15}$/.test(replyTs) || !/^[0-9a-f]{64}$/i.test(signatureHex)) return false;
  const expected = Buffer.from(signReply(secret, status, requestSignature, nonce, replyTs, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}
