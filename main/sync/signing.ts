/**
 * Per-terminal request signing, shared by the terminal's sync client and the backend.
 * signature = hex(HMAC-SHA256(secret, timestamp + "\n" + METHOD + "\n" + pathWithQuery + "\n" + body))
 * where pathWithQuery is the request target exactly as sent (e.g. '/api/accounts?q=%E7%8E%8B')
 * and body is the exact request body text ('' when there is none).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  terminal: 'x-gd-terminal',
  timestamp: 'x-gd-timestamp',
  signature: 'x-gd-signature',
} as const;

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
