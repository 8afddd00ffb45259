/**
 * The request-level fault proxy in front of a plain node:http server: every fault kind hits the
 * SECOND request of one kept-alive client connection (the first passes), which a per-connection
 * proxy could not do; chunked requests and responses are framed; the seed fixes the decisions.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frameResponse, headerOf } from './http-framing.js';
import { FAULT_KINDS, startHttpFaultProxy, type FaultKind, type HttpFaultProxy, type HttpFaultProxyOptions } from './http-fault-proxy.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  /** 'data' events the request body came in. */
  readonly chunks: number;
}

interface Origin {
  readonly port: number;
  readonly completed: Seen[];
  close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
  const completed: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    let chunks = 0;
    req.on('data', (c: Buffer) => {
      body += c.toString();
      chunks++;
    });
    req.on('end', () => {
      completed.push({ method: req.method ?? '', url: req.url ?? '', body, chunks });
      if (req.url === '/chunked') {
        // No content-length and two writes: Node answers with chunked transfer coding.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"part":1,');
        res.end(`"n":${completed.length}}`);
        return;
      }
      const text = JSON.stringify({ url: req.url, n: completed.length, echo: body });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    completed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client connection driven byte by byte, so resets, short answers and reuse are visible. */
class RawClient {
  private buf = Buffer.alloc(0);
  dataEvents = 0;
  error: NodeJS.ErrnoException | null = null;
  ended = false;
  closed = false;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.dataEvents++;
      this.wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static async open(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  send(bytes: string): void {
    this.socket.write(bytes);
  }

  /** Bytes received and not yet taken as a response. */
  pending(): Buffer {
    return this.buf;
  }

  async until(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error('client: condition not met in time');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  }

  /** The next complete response on this connection; fails if the connection ends first. */
  async response(method = 'GET'): Promise<{ status: number; body: string; chunked: boolean }> {
    await this.until(() => frameResponse(this.buf, method, this.ended) !== null || this.closed);
    const framed = frameResponse(this.buf, method, this.ended);
    if (framed === null) throw new Error(`connection closed before a complete response (${this.buf.length} bytes, ${this.error?.code ?? 'no error'})`);
    const raw = this.buf.subarray(framed.headLength, framed.length);
    this.buf = this.buf.subarray(framed.length);
    const chunked = headerOf(framed.head, 'transfer-encoding') === 'chunked';
    return { status: framed.status, body: chunked ? dechunk(raw) : raw.toString(), chunked };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function dechunk(raw: Buffer): string {
  let out = '';
  let text = raw.toString('latin1');
  for (;;) {
    const nl = text.indexOf('\r\n');
    const size = parseInt(text.slice(0, nl), 16);
    if (size === 0) return Buffer.from(out, 'latin1').toString();
    out += text.slice(nl + 2, nl + 2 + size);
    text = text.slice(nl + 2 + size + 2);
  }
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: origin\r\n\r\n`;
const post = (path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const BODY = JSON.stringify({ events: Array.from({ length: 8 }, (_, i) => ({ eventId: `e-${i}`, fen: 1000 + i })) });

let origin: Origin;
let proxy: HttpFaultProxy;
const clients: RawClient[] = [];

async function setUp(kind: FaultKind | null, extra: Partial<HttpFaultProxyOptions> = {}): Promise<void> {
  origin = await startOrigin();
  proxy = await startHttpFaultProxy({
    target: { host: '127.0.0.1', port: origin.port },
    seed: 8,
    rate: kind === null ? 0 : 1,
    ...(kind === null ? {} : { weights: Object.fromEntries(FAULT_KINDS.map((k) => [k, k === kind ? 1 : 0])) }),
    eligible: (r) => r.target.startsWith('/fault'),
    timing: { delayMs: [150, 150], dropHoldMs: [100, 100], reorderHoldMs: 3000, trickleChunkBytes: [4, 4], trickleGapMs: [2, 2] },
    ...extra,
  });
}

async function client(): Promise<RawClient> {
  const c = await RawClient.open(proxy.port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy.close();
  await origin.close();
});

/** The first request on a fresh connection passes; returns the connection for the faulted second. */
async function firstPasses(): Promise<RawClient> {
  const c = await client();
  c.send(get('/ok'));
  expect(await c.response()).toMatchObject({ status: 200 });
  return c;
}

const urls = () => origin.completed.map((s) => s.url);

/** Both requests on one proxy connection: the first passed, the second got `kind`. */
function expectSecondOnSameConnection(kind: FaultKind): void {
  const [first, second] = proxy.decisions();
  expect(first).toMatchObject({ indexOnConnection: 0, kind: 'pass', target: '/ok' });
  expect(second).toMatchObject({ indexOnConnection: 1, kind, target: '/fault' });
  expect(second?.connectionId).toBe(first?.connectionId);
  expect(proxy.stats().faults[kind]).toBe(1);
  expect(proxy.stats().totalFaults).toBe(1);
}

describe('HTTP fault proxy: one fault per request on a kept-alive connection', () => {
  it('pass: requests, a chunked request body and a chunked answer share one connection (pipelined)', async () => {
    await setUp(null);
    const c = await client();
    c.send(
      'POST /fault HTTP/1.1\r\nHost: origin\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n' + get('/chunked') + post('/after', BODY),
    );
    expect(JSON.parse((await c.response('POST')).body)).toMatchObject({ url: '/fault', echo: 'hello world' });
    const chunked = await c.response();
    expect(chunked.chunked).toBe(true);
    expect(JSON.parse(chunked.body)).toEqual({ part: 1, n: 2 });
    expect(JSON.parse((await c.response('POST')).body)).toMatchObject({ url: '/after', echo: BODY });
    expect(proxy.decisions().map((d) => [d.connectionId, d.indexOnConnection, d.kind])).toEqual([
      [1, 0, 'pass'],
      [1, 1, 'pass'],
      [1, 2, 'pass'],
    ]);
    expect(proxy.stats()).toMatchObject({ connections: 1, requests: 3, forwarded: 3, passed: 3, totalFaults: 0 });
  });

  it('drop: the second request never reaches the server; the connection goes silent, then closes', async () => {
    await setUp('drop');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    await c.until(() => c.closed);
    expect(c.pending().length).toBe(0);
    expect(urls()).toEqual(['/ok']);
    expectSecondOnSameConnection('drop');
  });

  it('delay: the second answer comes late but whole, and the connection carries on', async () => {
    await setUp('delay');
    const c = await firstPasses();
    const t0 = Date.now();
    c.send(post('/fault', BODY));
    expect(JSON.parse((await c.response('POST')).body)).toMatchObject({ url: '/fault', echo: BODY });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(proxy.decisions()[1]?.detail).toMatch(/^150 ms before the (request|answer)$/);
    c.send(get('/after'));
    expect(await c.response()).toMatchObject({ status: 200 });
    expect(urls()).toEqual(['/ok', '/fault', '/after']);
    expectSecondOnSameConnection('delay');
  });

  it('reset_request: part of the second request reaches the server, which never completes it; the client is reset', async () => {
    await setUp('reset_request');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    await c.until(() => c.closed);
    expect(c.error?.code).toBe('ECONNRESET');
    expect(c.pending().length).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(urls()).toEqual(['/ok']);
    expectSecondOnSameConnection('reset_request');
  });

  it('reset_response: the server handles the second request; the client gets part of the answer and a reset', async () => {
    await setUp('reset_response');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    await c.until(() => c.closed);
    expect(c.error?.code).toBe('ECONNRESET');
    expect(frameResponse(c.pending(), 'POST', false)).toBeNull();
    expect(urls()).toEqual(['/ok', '/fault']);
    expectSecondOnSameConnection('reset_response');
  });

  it('truncate: the server handles the second request; the answer is cut short and the connection closed cleanly', async () => {
    await setUp('truncate');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    await c.until(() => c.closed);
    expect(c.ended).toBe(true);
    expect(c.error).toBeNull();
    expect(c.pending().length).toBeGreaterThan(0);
    expect(frameResponse(c.pending(), 'POST', false)).toBeNull();
    expect(urls()).toEqual(['/ok', '/fault']);
    expectSecondOnSameConnection('truncate');
  });

  it('duplicate: the second request reaches the server twice, byte for byte; the client gets one answer and goes on', async () => {
    await setUp('duplicate');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    expect(JSON.parse((await c.response('POST')).body)).toMatchObject({ url: '/fault', n: 3 });
    c.send(get('/after'));
    expect(await c.response()).toMatchObject({ status: 200 });
    expect(origin.completed.filter((s) => s.url === '/fault').map((s) => s.body)).toEqual([BODY, BODY]);
    expect(urls()).toEqual(['/ok', '/fault', '/fault', '/after']);
    expect(proxy.stats().forwarded).toBe(4);
    expectSecondOnSameConnection('duplicate');
  });

  it('duplicate of a chunked request: forwarded twice with its chunks intact', async () => {
    await setUp('duplicate');
    const c = await firstPasses();
    c.send('POST /fault HTTP/1.1\r\nHost: origin\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(await c.response('POST')).toMatchObject({ status: 200 });
    expect(origin.completed.filter((s) => s.url === '/fault').map((s) => s.body)).toEqual(['abc', 'abc']);
    expectSecondOnSameConnection('duplicate');
  });

  it('reorder: the second request is held until a later one (on another connection) has been answered', async () => {
    await setUp('reorder');
    const a = await firstPasses();
    a.send(post('/fault', BODY));
    await new Promise((r) => setTimeout(r, 100));
    expect(urls()).toEqual(['/ok']);
    const b = await client();
    b.send(get('/after'));
    expect(await b.response()).toMatchObject({ status: 200 });
    expect(JSON.parse((await a.response('POST')).body)).toMatchObject({ url: '/fault' });
    expect(urls()).toEqual(['/ok', '/after', '/fault']);
    expect(proxy.stats().reorderOvertaken).toBe(1);
    expectSecondOnSameConnection('reorder');
  });

  it('http_5xx: the second request gets a 5xx on the same connection, which then serves the next request', async () => {
    await setUp('http_5xx');
    const c = await firstPasses();
    c.send(post('/fault', BODY));
    const answer = await c.response('POST');
    expect([500, 502, 503, 504]).toContain(answer.status);
    expect(proxy.decisions()[1]?.detail).toMatch(new RegExp(`^${answer.status} (before|after) the backend acted$`));
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'proxy_fault' });
    c.send(get('/after'));
    expect(await c.response()).toMatchObject({ status: 200 });
    // Before or after the server acted on it (both happen, per the decision's parameter).
    expect(origin.completed.filter((s) => s.url === '/fault').length).toBeLessThanOrEqual(1);
    expect(urls().at(-1)).toBe('/after');
    expectSecondOnSameConnection('http_5xx');
  });

  it('http_5xx comes both before and after the server acted, as the seed decides', async () => {
    await setUp('http_5xx', { eligible: () => true });
    const c = await client();
    for (let i = 0; i < 12; i++) {
      c.send(post(`/fault-${i}`, BODY));
      expect((await c.response('POST')).status).toBeGreaterThanOrEqual(500);
    }
    const acted = origin.completed.length;
    expect(acted).toBeGreaterThan(0);
    expect(acted).toBeLessThan(12);
    expect(proxy.stats()).toMatchObject({ connections: 1, requests: 12, totalFaults: 12 });
  });

  it('trickle: the second request, its answer or both dribble through in small pieces, whole', async () => {
    await setUp('trickle');
    const c = await firstPasses();
    const before = c.dataEvents;
    c.send(post('/fault', BODY));
    expect(JSON.parse((await c.response('POST')).body)).toMatchObject({ url: '/fault', echo: BODY });
    const where = /^(request|answer|both), /.exec(proxy.decisions()[1]?.detail ?? '')?.[1];
    expect(where).toBeDefined();
    const upload = origin.completed.find((s) => s.url === '/fault')?.chunks ?? 0;
    const download = c.dataEvents - before;
    if (where !== 'answer') expect(upload).toBeGreaterThan(10);
    if (where !== 'request') expect(download).toBeGreaterThan(10);
    c.send(get('/after'));
    expect(await c.response()).toMatchObject({ status: 200 });
    expectSecondOnSameConnection('trickle');
  });

  it('delay and trickle fall on the request, the answer (the backend answered at once: a stale answer arrives late) or both', async () => {
    for (const kind of ['delay', 'trickle'] as const) {
      await setUp(kind, { eligible: () => true, timing: { delayMs: [1, 1], trickleChunkBytes: [512, 512], trickleGapMs: [0, 0] } });
      const c = await client();
      for (let i = 0; i < 24; i++) {
        c.send(post(`/r${i}`, BODY));
        expect((await c.response('POST')).status).toBe(200);
      }
      const details = new Set(proxy.decisions().map((d) => /^\S+ ms before the (\w+)|^(\w+),/.exec(d.detail)?.slice(1).find(Boolean)));
      expect([...details].sort()).toEqual(kind === 'delay' ? ['answer', 'request'] : ['answer', 'both', 'request']);
      for (const x of clients.splice(0)) x.destroy();
      await proxy.close();
      await origin.close();
    }
    await setUp(null);
  });

  it('a power cut behind the proxy resets the client and is counted apart from the injected faults', async () => {
    await setUp(null);
    const c = await firstPasses();
    await origin.close();
    c.send(get('/after'));
    await c.until(() => c.closed);
    expect(c.error?.code).toBe('ECONNRESET');
    expect(proxy.stats()).toMatchObject({ upstreamFailures: 1, totalFaults: 0 });
    origin = await startOrigin();
  });

  it('the seed fixes the decision sequence; every kind is drawn and counted', async () => {
    const kindsFor = async (seed: number): Promise<string[]> => {
      await setUp(null, { seed, rate: 0.5, eligible: () => true, timing: { delayMs: [1, 1], dropHoldMs: [1, 1], reorderHoldMs: 1, trickleChunkBytes: [256, 256], trickleGapMs: [0, 0] } });
      for (let i = 0; i < 60; i++) {
        const c = await client();
        c.send(post(`/r${i}`, BODY));
        await c.until(() => c.closed || frameResponse(c.pending(), 'POST', false) !== null);
        c.destroy();
      }
      const kinds = proxy.decisions().map((d) => d.kind);
      const stats = proxy.stats();
      expect(stats.totalFaults + stats.passed).toBe(60);
      expect(FAULT_KINDS.reduce((n, k) => n + stats.faults[k], 0)).toBe(stats.totalFaults);
      for (const c of clients.splice(0)) c.destroy();
      await proxy.close();
      await origin.close();
      return kinds;
    };
    const a = await kindsFor(42);
    const b = await kindsFor(42);
    const other = await kindsFor(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(other);
    expect(new Set(a).size).toBeGreaterThanOrEqual(8);
    // afterEach closes these again (closing twice is harmless).
    await setUp(null);
  });
});
