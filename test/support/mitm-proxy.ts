/**
 * A man in the middle for tests of authenticated replies: an HTTP proxy in front of the reference
 * backend that sees every exchange whole and may answer instead of the backend — forge an
 * acknowledgement, add an operator to the staff list, replay an answer it kept from an earlier
 * request. With no rule it passes everything through unchanged (headers, signatures and all).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPLY_HEADERS, SIGNATURE_HEADERS, signReply } from '../../main/sync/signing.js';

export interface MitmRequest {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly target: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface MitmReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Decides the answer: `forward()` asks the backend (at most once is what a real proxy would do). */
export type MitmRule = (req: MitmRequest, forward: () => Promise<MitmReply>) => Promise<MitmReply>;

export interface MitmProxy {
  readonly url: string;
  /** null: pass through. */
  rule: MitmRule | null;
  /** Every exchange so far: what the terminal asked, what it got. */
  readonly seen: readonly { readonly req: MitmRequest; readonly reply: MitmReply }[];
  close(): Promise<void>;
}

export async function startMitmProxy(target: string): Promise<MitmProxy> {
  const seen: { req: MitmRequest; reply: MitmReply }[] = [];
  let rule: MitmRule | null = null;

  const forwardTo = (req: MitmRequest): Promise<MitmReply> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(new URL(req.target, target), { method: req.method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding') out[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      upstream.on('error', reject);
      upstream.end(req.body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const exchange: MitmRequest = { method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const answer = rule ? rule(exchange, () => forwardTo(exchange)) : forwardTo(exchange);
      answer.then(
        (reply) => {
          seen.push({ req: exchange, reply });
          const headers: Record<string, string> = { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) };
          res.writeHead(reply.status, headers).end(reply.body);
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get rule() {
      return rule;
    },
    set rule(next: MitmRule | null) {
      rule = next;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `body` as JSON with `status`, no reply signature (what a forger without the secret may send). */
export function unsignedReply(status: number, body: unknown): MitmReply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/**
 * `body` signed for `req` with `secret` — with the terminal's secret this is what the backend itself
 * would answer (a backend misbehaving); with any other it is a forgery.
 */
export function signedReply(secret: string, req: MitmRequest, status: number, body: unknown, replyMs = Date.now()): MitmReply {
  const text = JSON.stringify(body);
  const nonce = req.headers[SIGNATURE_HEADERS.nonce];
  const sig = signReply(secret, status, String(req.headers[SIGNATURE_HEADERS.signature]), typeof nonce === 'string' ? nonce : '', replyMs, text);
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', [REPLY_HEADERS.timestamp]: String(replyMs), [REPLY_HEADERS.signature]: sig },
    body: text,
  };
}
