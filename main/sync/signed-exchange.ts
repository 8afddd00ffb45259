/**
 * One signed request to the billing backend and the check of its reply: the request headers
 * (terminal, timestamp, signature, a fresh nonce) and a `ReplyVerifier` that accepts only a reply
 * signed with this terminal's secret for exactly this request (./signing.ts). The verified reply's
 * timestamp is the backend's clock, which the clock guard compares with the terminal's.
 */
import { randomBytes } from 'node:crypto';
import type { ReplyVerifier } from './http-json.js';
import { REPLY_HEADERS, SIGNATURE_HEADERS, signRequest, verifyReply } from './signing.js';

export interface SignedExchangeInput {
  readonly terminalId: string;
  readonly secret: string;
  /** The terminal's clock when the request leaves (epoch ms). */
  readonly tsMs: number;
  readonly method: 'GET' | 'POST';
  /** The request target exactly as sent. */
  readonly pathWithQuery: string;
  /** Exact body text, '' when none. */
  readonly body: string;
}

export interface SignedExchange {
  readonly headers: Readonly<Record<string, string>>;
  readonly reply: ReplyVerifier;
  /** The backend's clock (epoch ms) stated by the reply, once a reply verified; else null. */
  backendTime(): number | null;
}

export function signedExchange(input: SignedExchangeInput): SignedExchange {
  const ts = String(input.tsMs);
  const signature = signRequest(input.secret, ts, input.method, input.pathWithQuery, input.body);
  const nonce = randomBytes(16).toString('hex');
  let verifiedAt: number | null = null;
  return {
    headers: {
      [SIGNATURE_HEADERS.terminal]: input.terminalId,
      [SIGNATURE_HEADERS.timestamp]: ts,
      [SIGNATURE_HEADERS.signature]: signature,
      [SIGNATURE_HEADERS.nonce]: nonce,
    },
    reply: {
      claimsSignature: (headers) => headers.has(REPLY_HEADERS.signature),
      verify: (status, headers, body) => {
        const replyTs = headers.get(REPLY_HEADERS.timestamp) ?? '';
        const replySig = headers.get(REPLY_HEADERS.signature) ?? '';
        if (!verifyReply(input.secret, status, signature, nonce, replyTs, body, replySig)) return false;
        verifiedAt = Number(replyTs);
        return true;
      },
    },
    backendTime: () => verifiedAt,
  };
}
