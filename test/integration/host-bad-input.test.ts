/**
 * The host shell survives bad input (issue #7). Any local process can reach the port, so bad
 * requests get a 4xx and bad sockets are closed, each with exactly one log line, and the host
 * keeps serving: a normal GET / and a valid RPC still answer. Real HTTP and WebSocket over
 * loopback; raw TCP where a well-behaved client would refuse to send the bytes. Ends with a seeded
 * fuzz of both entries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../main/host/host-server.js';
import { mulberry32 } from '../support/prng.js';
import { startStack, type Stack } from '../support/stack.js';

const SECRET = 'bad-input-test-secret';
const INDEX = '<!doctype html><div id="root"></div>';

let stack: Stack;
let host: RunningHost;
let staticDir: string;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  staticDir = mkdtempSync(path.join(tmpdir(), 'gd-host-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), INDEX);
  host = await startHost({ core: stack.core, staticDir, secret: SECRET, log: (line) => lines.push(line) });
});
afterAll(async () => {
  await host.close();
  await stack.dispose();
  rmSync(staticDir, { recursive: true, force: true });
});

interface RawReply {
  /** Status of the first response, or null when the server hung up without one. */
  readonly status: number | null;
  readonly socket: Socket;
}

/** Writes bytes to a fresh TCP connection and waits for the first response head (or a hang-up). */
function raw(data: string | Buffer, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = (status: number | null) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve({ status, socket });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(String(data).slice(0, 80))}`));
    }, timeoutMs);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const head = got.toString('latin1');
      if (head.includes('\r\n\r\n')) done(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? NaN));
    });
    socket.on('close', () => done(null));
    socket.write(data);
  });
}

/** One raw request; the connection is dropped once the status is known. */
async function rawStatus(data: string | Buffer): Promise<number | null> {
  const reply = await raw(data);
  reply.socket.destroy();
  return reply.status;
}

function upgradeRequest(target: string, origin: string | null, extra = ''): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    (origin === null ? '' : `Origin: ${origin}\r\n`) +
    extra +
    '\r\n'
  );
}

function openRpc(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?k=${SECRET}`, { origin: host.origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Resolves with the close code once the server closes the socket. */
function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('error', () => undefined);
    if (ws.readyState === ws.CLOSED) resolve(1006);
    else ws.once('close', (code) => resolve(code));
  });
}

function rpc(ws: WebSocket, id: number, method: string, params: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

/** The host still serves the renderer and a valid RPC on a fresh socket. */
async function stillServing(): Promise<void> {
  const index = await fetch(`${host.origin}/`);
  expect(index.status).toBe(200);
  expect(await index.text()).toBe(INDEX);
  const ws = await openRpc();
  expect(await rpc(ws, 1, 'system.info', {})).toMatchObject({ id: 1, ok: true, result: { terminalId: 'T-HALL-01' } });
  ws.close();
  await closed(ws);
}

/** Lines logged since the last mark, after the host has shown it still serves. */
let mark = 0;
beforeEach(() => {
  mark = lines.length;
});
async function newLines(): Promise<string[]> {
  await stillServing();
  return lines.slice(mark);
}

describe('host shell: bad HTTP input without the secret', () => {
  it('answers bad percent-encoding with 400', async () => {
    expect(await rawStatus('GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(400);
    const res = await fetch(`${host.origin}/%E0%A4%A`);
    expect(res.status).toBe(400);
    const logged = await newLines();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/400 bad percent-encoding/);
  });

  it('answers an upgrade to an unparsable target with 400', async () => {
    expect(await rawStatus(upgradeRequest('http://[::1', host.origin))).toBe(400);
    expect(await newLines()).toEqual([expect.stringMatching(/refused upgrade .*400 unparsable target/)]);
  });

  it('answers a bad percent-encoding in the upgrade target with 400', async () => {
    expect(await rawStatus(upgradeRequest(`/rpc%E0?k=${SECRET}`, host.origin))).toBe(400);
    expect(await newLines()).toHaveLength(1);
  });

  it('serves absolute-form targets for its own origin only', async () => {
    expect(await rawStatus(`GET ${host.origin}/ HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe(200);
    expect(await rawStatus('GET http://evil.example/index.html HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(400);
    expect(await rawStatus(upgradeRequest(`http://evil.example/rpc?k=${SECRET}`, host.origin))).toBe(400);
    const logged = await newLines();
    expect(logged).toHaveLength(2);
    expect(logged.join('\n')).not.toContain(SECRET);
  });

  it('answers very long targets with 414, and past the header limit with 431', async () => {
    expect((await fetch(`${host.origin}/${'a'.repeat(5000)}`)).status).toBe(414);
    expect(await rawStatus(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe(431);
    expect(await rawStatus(upgradeRequest(`/rpc?k=${SECRET}&pad=${'a'.repeat(5000)}`, host.origin))).toBe(414);
    expect(await newLines()).toHaveLength(3);
  });

  it('answers other methods with 405 and unparsable requests with 400', async () => {
    expect((await fetch(`${host.origin}/`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect(await rawStatus('BREW / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(400);
    expect(await rawStatus('GET / HTTP/1.1\r\nBad Header\r\n\r\n')).toBe(400);
    expect(await newLines()).toHaveLength(3);
  });

  it('refuses an upgrade with no Origin, a foreign Origin, a wrong secret or a wrong path, without logging the secret', async () => {
    expect(await rawStatus(upgradeRequest(`/rpc?k=${SECRET}`, null))).toBe(403);
    expect(await rawStatus(upgradeRequest(`/rpc?k=${SECRET}`, 'https://evil.example'))).toBe(403);
    expect(await rawStatus(upgradeRequest('/rpc?k=wrong', host.origin))).toBe(403);
    expect(await rawStatus(upgradeRequest(`/other?k=${SECRET}`, host.origin))).toBe(404);
    const logged = await newLines();
    expect(logged).toHaveLength(4);
    expect(logged[0]).toMatch(/no Origin/);
    expect(logged.join('\n')).not.toContain(SECRET);
  });

  it('answers a handshake ws refuses (bad key, not websocket) with 400', async () => {
    const badKey = upgradeRequest(`/rpc?k=${SECRET}`, host.origin).replace(/Sec-WebSocket-Key: [^\r]*/, 'Sec-WebSocket-Key: nope');
    expect(await rawStatus(badKey)).toBe(400);
    const notWs = upgradeRequest(`/rpc?k=${SECRET}`, host.origin).replace('Upgrade: websocket', 'Upgrade: h2c');
    expect(await rawStatus(notWs)).toBe(400);
    expect(await newLines()).toHaveLength(2);
  });

  it('logs one line for a refused upgrade whose client then resets the connection', async () => {
    // The server has answered and ended its side; the client never sends FIN but resets.
    const reply = await raw(upgradeRequest('/rpc?k=wrong', host.origin));
    expect(reply.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 20));
    reply.socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await newLines()).toHaveLength(1);
  });
});

describe('host shell: bad WebSocket input with the secret', () => {
  it('closes a socket that sends a frame over the size limit (1009)', async () => {
    const ws = await openRpc();
    const code = closed(ws);
    ws.send('x'.repeat(64 * 1024 + 1));
    expect(await code).toBe(1009);
    expect(await newLines()).toEqual([expect.stringMatching(/closed RPC socket ws-\d+: .*/)]);
  });

  it('closes a socket that sends invalid UTF-8 in a text frame (1007)', async () => {
    const ws = await openRpc();
    const code = closed(ws);
    ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect(await code).toBe(1007);
    expect(await newLines()).toHaveLength(1);
  });

  const malformed: readonly [string, string | Buffer][] = [
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '1'],
    ['a string', '"x"'],
    ['an id that is a string', JSON.stringify({ id: 'x', method: 'system.info' })],
    ['no id', JSON.stringify({ method: 'system.info' })],
    ['an id that is not an integer', JSON.stringify({ id: 1.5, method: 'system.info' })],
    ['an id past 2^53', '{"id": 9007199254740993, "method": "system.info"}'],
    ['a method that is not a string', JSON.stringify({ id: 1, method: 5 })],
    ['a method that is null', JSON.stringify({ id: 1, method: null })],
    ['a very long method', JSON.stringify({ id: 1, method: 'm'.repeat(10_000) })],
    ['broken JSON', '{"id": 1,'],
    ['a binary frame', Buffer.from(JSON.stringify({ id: 1, method: 'system.info' }))],
  ];
  for (const [what, message] of malformed) {
    it(`closes a socket that sends ${what} (1003)`, async () => {
      const ws = await openRpc();
      const code = closed(ws);
      ws.send(message);
      expect(await code).toBe(1003);
      expect(await newLines()).toEqual([expect.stringMatching(/closed RPC socket/)]);
    });
  }

  it('logs one line for a socket that keeps sending bad messages', async () => {
    const ws = await openRpc();
    const code = closed(ws);
    for (let i = 0; i < 20; i++) ws.send('null');
    ws.send('x'.repeat(64 * 1024 + 1));
    expect(await code).toBe(1003);
    expect(await newLines()).toHaveLength(1);
  });

  it('closes a socket that sends an unmasked or unknown frame', async () => {
    for (const bad of [Buffer.from([0x81, 0x02, 0x68, 0x69]), Buffer.from([0x83, 0x80, 1, 2, 3, 4])]) {
      const reply = await raw(upgradeRequest(`/rpc?k=${SECRET}`, host.origin));
      expect(reply.status).toBe(101);
      const gone = new Promise((resolve) => reply.socket.once('close', resolve));
      reply.socket.write(bad);
      await gone;
    }
    expect(await newLines()).toHaveLength(2);
  });

  it('answers valid RPCs before and after a bad one on another socket', async () => {
    const good = await openRpc();
    expect(await rpc(good, 7, 'system.info', {})).toMatchObject({ id: 7, ok: true });
    const bad = await openRpc();
    const code = closed(bad);
    bad.send('null');
    expect(await code).toBe(1003);
    expect(await rpc(good, 8, 'system.info', {})).toMatchObject({ id: 8, ok: true });
    good.close();
    expect(await newLines()).toHaveLength(1);
  });
});

describe('host shell: seeded fuzz of the HTTP and WebSocket entry', () => {
  const rand = mulberry32(0x7e57_0007);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  /** Characters Node's parser lets through in a target, and ones it refuses. */
  const URL_CHARS = 'abcz019/.-_~%?&=:@!$\'()*+,;AEFaef';
  const NASTY_CHARS = '#[]"<>\\^`{|} \t';

  const randomTarget = (): string => {
    switch (int(10)) {
      case 0:
        return '/' + chars(URL_CHARS, int(40));
      case 1:
        return '/' + Array.from({ length: 1 + int(4) }, () => `%${chars('0123456789ABCDEFxZ', int(3))}`).join('');
      case 2:
        return pick(['http://[::1', 'http://[::1]/', 'http://evil.example/rpc', `${host.origin}/`, 'https://127.0.0.1/', '*', '//evil/', 'rpc', '']);
      case 3:
        return `/rpc?k=${pick([SECRET, 'wrong', '', '%E0%A4%A'])}${rand() < 0.5 ? '' : chars(URL_CHARS, int(10))}`;
      case 4:
        return '/' + 'a'.repeat(pick([100, 2047, 2100, 9000, 17_000]));
      case 5:
        return '/..%2f..%2f' + chars('abc./%', int(20));
      case 6:
        return '/' + String.fromCharCode(...Array.from({ length: 1 + int(6) }, () => 0x80 + int(0x780)));
      case 7:
        return `/${chars(URL_CHARS, 5)}\u0000`;
      case 8:
        return '/' + chars(URL_CHARS + NASTY_CHARS, int(40));
      default:
        return '/';
    }
  };
  const randomMethod = () => pick(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'BREW', 'get', 'G E T', '', 'PROPFIND']);
  const randomHeaders = (): string => {
    const out: string[] = [];
    if (rand() < 0.9) out.push(`Host: ${pick(['127.0.0.1', 'evil.example', '', '[::1'])}`);
    for (let i = int(4); i > 0; i--) {
      out.push(
        pick([
          `X-${chars('abc', 3)}: ${chars(URL_CHARS, int(30))}`,
          `Origin: ${pick([host.origin, 'null', 'https://evil.example', ''])}`,
          'Content-Length: abc',
          'Content-Length: 5',
          'Transfer-Encoding: chunked',
          'Connection: close',
          `Cookie: ${'c'.repeat(int(20_000))}`,
          'no colon',
          `X-Bin: ${bytes(8).toString('latin1')}`,
        ]),
      );
    }
    return out.map((h) => `${h}\r\n`).join('');
  };

  it('keeps answering after random HTTP requests and upgrade attempts', async () => {
    const allowed = new Set([null, 101, 200, 400, 403, 404, 405, 408, 413, 414, 431, 501, 505]);
    const start = lines.length;
    const requests = 250;
    for (let i = 0; i < requests; i++) {
      const target = randomTarget();
      const request =
        rand() < 0.6
          ? `${randomMethod()} ${target} HTTP/1.1\r\n${randomHeaders()}\r\n`
          : upgradeRequest(target, pick([host.origin, null, 'https://evil.example', 'null']), rand() < 0.3 ? randomHeaders() : '');
      const status = await rawStatus(rand() < 0.05 ? Buffer.concat([Buffer.from(request), bytes(int(64))]) : request);
      expect(allowed, `status ${status} for ${JSON.stringify(request.slice(0, 120))}`).toContain(status);
    }
    // At most one line per request: refusals are logged, not spammed.
    expect(lines.length - start).toBeLessThanOrEqual(requests);
    await stillServing();
  });

  it('keeps answering after random frames from a client with the secret', async () => {
    const start = lines.length;
    /** Close codes of a socket the server dropped: unsupported data, invalid UTF-8, too big, protocol error. */
    const DROPPED = new Set([1002, 1003, 1007, 1009]);
    let dropped = 0;
    let ws = await openRpc();
    let gone = closed(ws);
    for (let i = 0; i < 300; i++) {
      if (ws.readyState !== ws.OPEN) {
        if (DROPPED.has(await gone)) dropped++;
        ws = await openRpc();
        gone = closed(ws);
      }
      const kind = int(10);
      const frame = (() => {
        switch (kind) {
          case 0:
            return pick(['null', '[]', '1', '"x"', 'true', '{}', JSON.stringify({ id: 'x' }), '{"id":1e400,"method":"system.info"}']);
          case 1:
            return JSON.stringify({ id: pick([1, -1, 0, 1.5, 2 ** 60, 'x', null, [], {}]), method: pick(['system.info', 5, null, '', '__proto__', 'constructor', 'nope.nope']), params: pick([undefined, null, 1, 'x', [], { a: 1 }]) });
          case 2:
            return bytes(int(200));
          case 3:
            return Buffer.concat([Buffer.from('{"id":1,"method":"'), bytes(int(20)), Buffer.from('"}')]);
          case 4:
            return 'x'.repeat(64 * 1024 + 1 + int(1000));
          case 5:
            return chars(URL_CHARS, int(100));
          default:
            return JSON.stringify({ id: i, method: pick(['system.info', 'session.current', 'sync.status', 'nope', 'toString']), params: pick([{}, undefined, null, 7]) });
        }
      })();
      const textFrame = kind !== 2 || rand() < 0.5;
      ws.send(frame, { binary: !textFrame });
      // Give the server a moment to answer or close before the next frame.
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2))]);
    }
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 50))]);
    ws.close();
    if (DROPPED.has(await gone)) dropped++;
    // Exactly one line per socket the server dropped, none for the answered RPCs.
    expect(dropped).toBeGreaterThan(10);
    expect(lines.length - start).toBe(dropped);
    await stillServing();
  });

  it('keeps answering after random bytes on an upgraded socket', async () => {
    const start = lines.length;
    for (let i = 0; i < 40; i++) {
      const reply = await raw(upgradeRequest(`/rpc?k=${SECRET}`, host.origin));
      expect(reply.status).toBe(101);
      const gone = new Promise((resolve) => reply.socket.once('close', resolve));
      reply.socket.write(bytes(1 + int(300)));
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 20))]);
      reply.socket.destroy();
    }
    const logged = lines.length - start;
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThanOrEqual(40);
    await stillServing();
  });
});
