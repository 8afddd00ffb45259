/**
 * The one response reader (main/sync/http-json.ts) against a real HTTP server on loopback: every
 * answer that does not count is `BackendUnavailable` with its reason; an expected refusal is
 * `BackendRejected` with the backend's code; nothing else escapes. Both transports — Node's fetch
 * and node:http(s) (the one a configured CA uses) — give the same outcomes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BackendRejected, BackendUnavailable, fetchTransport, requestJson, type HttpTransport, type UnavailableReason } from '../../../main/sync/http-json.js';
import { nodeHttpTransport } from '../../../main/sync/node-http-transport.js';
import { HUGE_BODY_BYTES, startBadAnswerServer, type BadAnswer, type BadAnswerServer } from '../../support/bad-answers.js';

const Schema = z.object({ items: z.array(z.string()) });

let bad: BadAnswerServer;
let plain: http.Server;
let plainUrl: string;
/** path → [status, content-type, body] for the plain server. */
const answers: Record<string, [number, string, string, Record<string, string>?]> = {
  '/ok': [200, 'application/json; charset=utf-8', '{"items":["a","b"]}'],
  '/ok-problem-json': [200, 'application/problem+json', '{"items":[]}'],
  '/not-found': [404, 'application/json', '{"error":"not_found"}'],
  '/not-found-html': [404, 'text/html', '<h1>Not Found</h1>'],
  '/unauthorized': [401, 'application/json', '{"error":"bad_signature"}'],
  '/redirect': [302, 'text/plain', '', { location: 'https://elsewhere.example/' }],
  '/declared-huge': [200, 'application/json', '{"items":[]}', { 'content-length': String(50 * 1024 * 1024) }],
  '/empty': [200, 'application/json', ''],
  '/latin1': [200, 'application/json', '\u00ff'],
  '/json-as-text': [200, 'text/plain', '{"items":["a"]}'],
};

beforeAll(async () => {
  bad = await startBadAnswerServer(null);
  plain = http.createServer((req, res) => {
    const a = answers[req.url ?? ''];
    if (!a) return void res.writeHead(500).end();
    const [status, type, body, headers] = a;
    const bytes = req.url === '/latin1' ? Buffer.from([0x7b, 0xff, 0x7d]) : Buffer.from(body);
    if (headers?.['content-length']) {
      // Declares a body far over the limit, then sends only a little of it.
      res.writeHead(status, { 'content-type': type, ...headers });
      res.write(bytes);
      return;
    }
    res.writeHead(status, { 'content-type': type, 'content-length': bytes.length, ...headers });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await bad.close();
  plain.closeAllConnections();
  await new Promise<void>((resolve) => plain.close(() => resolve()));
});

const TRANSPORTS: [string, HttpTransport][] = [
  ['fetch', fetchTransport],
  ['node:http', nodeHttpTransport()],
];
let transport: HttpTransport = fetchTransport;

const get = (base: string, path: string, extra: { answers?: (s: number) => boolean; timeoutMs?: number; maxBytes?: number } = {}) =>
  requestJson(
    { url: new URL(path, base), method: 'GET', timeoutMs: extra.timeoutMs ?? 2000, transport, ...(extra.maxBytes ? { maxBytes: extra.maxBytes } : {}), ...(extra.answers ? { answers: extra.answers } : {}) },
    Schema,
  );

async function reasonOf(p: Promise<unknown>): Promise<UnavailableReason | 'resolved' | string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    if (err instanceof BackendUnavailable) return err.reason;
    return `other: ${String(err)}`;
  }
}

describe.each(TRANSPORTS)('requestJson over %s', (_name, which) => {
  beforeAll(() => {
    transport = which;
  });

  it('reads a JSON answer that matches the schema (also +json types)', async () => {
    expect(await get(plainUrl, '/ok')).toEqual({ items: ['a', 'b'] });
    expect(await get(plainUrl, '/ok-problem-json')).toEqual({ items: [] });
  });

  it.each<[Exclude<BadAnswer, 'pass'>, UnavailableReason]>([
    ['status_500', 'server_error'],
    ['html', 'not_json'],
    ['huge', 'too_large'],
    ['truncated_json', 'not_json'],
    ['off_schema', 'off_schema'],
    ['hang', 'timeout'],
    ['stall_body', 'timeout'],
    ['cut_body', 'truncated'],
  ])('%s → BackendUnavailable(%s)', async (mode, reason) => {
    bad.mode = mode;
    // Only the answers that never complete wait for the timeout; the others get ample time, so a
    // loaded machine cannot turn their reason into `timeout`.
    const timeoutMs = reason === 'timeout' ? 400 : 5000;
    expect(await reasonOf(get(bad.url, '/api/accounts/3100000001', { timeoutMs }))).toBe(reason);
  });

  it('stops reading a 10 MB body soon after the limit instead of buffering all of it', async () => {
    bad.mode = 'huge';
    expect(await reasonOf(get(bad.url, '/x', { maxBytes: 256 * 1024 }))).toBe('too_large');
    await new Promise((r) => setTimeout(r, 100));
    expect(bad.hugeBytesWritten).toBeLessThan(HUGE_BODY_BYTES); // the server never got to send all of it
  });

  it('refuses a declared content-length over the limit without reading it', async () => {
    expect(await reasonOf(get(plainUrl, '/declared-huge'))).toBe('too_large');
  });

  it('a JSON body under another content type is not JSON', async () => {
    expect(await reasonOf(get(plainUrl, '/json-as-text'))).toBe('not_json');
  });

  it('an empty or non-UTF-8 body is not JSON', async () => {
    expect(await reasonOf(get(plainUrl, '/empty'))).toBe('not_json');
    expect(await reasonOf(get(plainUrl, '/latin1'))).toBe('not_json');
  });

  it('nobody listening is unreachable', async () => {
    expect(await reasonOf(get('http://127.0.0.1:9', '/x'))).toBe('unreachable');
  });

  it('a redirect is not followed', async () => {
    expect(await reasonOf(get(plainUrl, '/redirect'))).toBe('server_error');
  });

  it('an expected status is an answer with the backend code; the same status as an HTML page is not', async () => {
    const is404 = (s: number) => s === 404;
    await expect(get(plainUrl, '/not-found', { answers: is404 })).rejects.toMatchObject({ constructor: BackendRejected, status: 404, code: 'not_found' });
    expect(await reasonOf(get(plainUrl, '/not-found-html', { answers: is404 }))).toBe('not_json');
    // Without `answers`, a 4xx is a refusal: the backend gave no answer the caller can use.
    expect(await reasonOf(get(plainUrl, '/not-found'))).toBe('refused');
    expect(await reasonOf(get(plainUrl, '/unauthorized', { answers: is404 }))).toBe('refused');
  });
});
