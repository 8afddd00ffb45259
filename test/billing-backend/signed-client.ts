/**
 * A minimal signed HTTP client for the reference backend, for tests and scripts (the terminal has
 * its own sync client). Uses node:http directly so that tests see transport failures as they are.
 */
import { request } from 'node:http';
import { signedHeaders } from '../../main/sync/signing.js';

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

export interface SignedClientOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  /** Clock used for the signature timestamp. Default: real clock. */
  readonly now?: () => Date;
  /** Per-request timeout in ms; default 10 000. */
  readonly timeoutMs?: number;
}

export interface SignedClient {
  get(pathWithQuery: string): Promise<RawResponse>;
  post(pathWithQuery: string, body: unknown): Promise<RawResponse>;
  /** Sends exactly the given headers and body text; for signature and malformed-input tests. */
  raw(method: string, pathWithQuery: string, bodyText: string, headers: Record<string, string>): Promise<RawResponse>;
}

export function createSignedClient(opts: SignedClientOptions): SignedClient {
  const now = opts.now ?? (() => new Date());
  const send = (method: string, pathWithQuery: string, bodyText: string): Promise<RawResponse> =>
    rawRequest(opts.baseUrl, method, pathWithQuery, bodyText, signedHeaders(opts.terminalId, opts.secret, now().getTime(), method, pathWithQuery, bodyText), opts.timeoutMs);
  return {
    get: (p) => send('GET', p, ''),
    post: (p, body) => send('POST', p, JSON.stringify(body)),
    raw: (method, p, bodyText, headers) => rawRequest(opts.baseUrl, method, p, bodyText, headers, opts.timeoutMs),
  };
}

export function rawRequest(
  baseUrl: string,
  method: string,
  pathWithQuery: string,
  bodyText: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(bodyText, 'utf8');
    const req = request(
      new URL(pathWithQuery, baseUrl),
      {
        method,
        headers: { ...headers, ...(body.length > 0 ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
