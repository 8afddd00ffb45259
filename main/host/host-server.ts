/**
 * The loopback host shell: serves the built renderer on 127.0.0.1 and carries the contract's RPC
 * and events over one WebSocket. Loopback only; the socket must present this launch's secret and
 * come from this server's own origin, so neither another local program nor a web page open in
 * some browser can drive the terminal.
 *
 * Any local process can reach the port, so nothing a client sends may end the process: a bad
 * request gets a 4xx and a bad socket is closed, each with one log line, and the host serves on.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Core } from '../core.js';
import { AppError, EVENT_NAMES } from '../contract/index.js';

export interface HostOptions {
  readonly core: Core;
  readonly staticDir: string;
  readonly port?: number;
  /** Fixed secret for tests; a random one per launch otherwise. */
  readonly secret?: string;
  /**
   * Receives one line per refused request, dropped socket or failed reply (never the secret);
   * stderr by default. Tests inject one to count lines.
   */
  readonly log?: (line: string) => void;
}

export interface RunningHost {
  readonly port: number;
  readonly origin: string;
  /** The URL to open: the secret travels in the fragment, which browsers never send to servers. */
  readonly launchUrl: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:",
  'referrer-policy': 'no-referrer',
} as const;

const MAX_MESSAGE_BYTES = 64 * 1024;
/** Longer request targets get 414; the renderer's own paths are short. (Node answers 431 past its 16 KiB header limit.) */
const MAX_TARGET_LENGTH = 2048;
/** Contract method names are short `domain.verb`s. */
const MAX_METHOD_LENGTH = 128;
/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE_UNSUPPORTED_DATA = 1003;

type Log = (line: string) => void;

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const root = path.resolve(opts.staticDir);
  const log: Log = opts.log ?? ((line) => console.error(`[host] ${line}`));
  let origin = '';

  const server = createServer((req, res) => {
    serveStatic(root, origin, req, res, log).catch((err: unknown) => {
      log(`static ${req.method ?? '?'} ${shown(req.url)} failed: ${describe(err)}`);
      if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end();
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  // Requests Node's parser cannot read (bad method or header syntax, headers over 16 KiB).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    log(`refused unparsable request: ${status} (${err.code ?? 'error'})`);
    refuseRaw(socket, status);
  });

  // Handshakes ws itself refuses (Upgrade not websocket, bad key or version).
  wss.on('wsClientError', (err: Error, socket: Duplex) => {
    log(`refused upgrade: 400 ${err.message}`);
    refuseRaw(socket, 400);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // After 'upgrade' Node leaves the socket without an error listener; a client that resets it
    // must not end the process. ws adds its own once the handshake runs.
    socket.on('error', () => socket.destroy());
    const target = parseTarget(req.url, origin);
    const refusal = !target.ok
      ? { status: target.status, reason: target.reason }
      : target.pathname !== '/rpc'
        ? { status: 404, reason: 'not the RPC path' }
        : req.headers.origin === undefined
          ? { status: 403, reason: 'no Origin header' }
          : req.headers.origin !== origin
            ? { status: 403, reason: `foreign origin ${shown(req.headers.origin)}` }
            : !sameSecret(target.query.get('k') ?? '', secret)
              ? { status: 403, reason: 'wrong launch secret' }
              : null;
    if (refusal) {
      log(`refused upgrade ${shown(req.url)}: ${refusal.status} ${refusal.reason}`);
      refuseRaw(socket, refusal.status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(opts.core, ws, log));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;

  return {
    port,
    origin,
    launchUrl: `${origin}/#k=${secret}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Answers a raw socket (upgrade or unparsable request) with a bodiless status and hangs up. */
function refuseRaw(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

type Target =
  | { readonly ok: true; readonly pathname: string; readonly query: URLSearchParams }
  | { readonly ok: false; readonly status: 400 | 414; readonly reason: string };

/**
 * The request target as a decoded path and its query. Origin-form (`/path?query`) is what browsers
 * send; absolute-form is accepted only for this host's own origin (RFC 9112 §3.2.2), since a
 * request for any other authority is one for a proxy, which this is not.
 */
function parseTarget(raw: string | undefined, origin: string): Target {
  const target = raw ?? '';
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, status: 414, reason: 'target too long' };
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    return { ok: false, status: 400, reason: 'unparsable target' };
  }
  const originForm = target.startsWith('/') && !target.startsWith('//');
  if (!originForm && url.origin !== origin) return { ok: false, status: 400, reason: 'target not on this host' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  return { ok: true, pathname, query: url.searchParams };
}

/** A client-supplied string fit for one log line: no query (it may hold the secret), escaped, short. */
function shown(value: string | undefined): string {
  const text = (value ?? '').split('?')[0] ?? '';
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return JSON.stringify(text.slice(0, 200));
}

interface RpcRequest {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** A well-formed request, or why the message is refused. */
function parseRequest(data: RawData, isBinary: boolean): RpcRequest | string {
  if (isBinary) return 'binary frame';
  let msg: unknown;
  try {
    msg = JSON.parse(textOf(data));
  } catch {
    return 'not JSON';
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return 'not a JSON object';
  const { id, method, params } = msg as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return 'id is not a safe integer';
  if (typeof method !== 'string' || method.length > MAX_METHOD_LENGTH) return 'method is not a short string';
  return { id, method, params };
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

let sessionCounter = 0;

function serveSocket(core: Core, ws: WebSocket, log: Log): void {
  const session = core.newSession(`ws-${++sessionCounter}`);
  // Once a socket is dropped for bad input, whatever else it sends is ignored: one line per socket.
  let dropped = false;
  const drop = (reason: string) => {
    if (dropped) return;
    dropped = true;
    log(`closed RPC socket ${session.id}: ${reason}`);
    ws.close(CLOSE_UNSUPPORTED_DATA, 'malformed');
  };
  const send = (value: object, what: string) => {
    if (ws.readyState !== ws.OPEN) return;
    try {
      ws.send(JSON.stringify(value));
    } catch (err) {
      log(`could not send ${what} on ${session.id}: ${describe(err)}`);
    }
  };
  // Events only to a signed-in session (a kiosk's session is signed in as the kiosk): nothing leaks to a sign-in screen.
  const unsubscribe = EVENT_NAMES.map((event) =>
    core.on(event, (payload) => {
      if (session.operator) send({ event, payload }, `event ${event}`);
    }),
  );
  ws.on('close', () => unsubscribe.forEach((u) => u()));
  // Frames ws refuses (over maxPayload: 1009, invalid UTF-8: 1007, protocol errors: 1002): ws has
  // already sent the close; without this listener the 'error' would end the process.
  ws.on('error', (err) => {
    if (dropped) return;
    dropped = true;
    log(`closed RPC socket ${session.id}: ${err.message}`);
  });
  ws.on('message', (data, isBinary) => {
    if (dropped) return;
    const req = parseRequest(data, isBinary);
    if (typeof req === 'string') {
      drop(req);
      return;
    }
    const { id, method } = req;
    Promise.resolve()
      .then(() => core.dispatch(method, req.params, session))
      .then((response) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(JSON.stringify({ id, ...response }));
      })
      .catch((err: unknown) => {
        log(`RPC ${shown(method)} on ${session.id} failed: ${describe(err)}`);
        send({ id, ok: false, error: new AppError('internal').toWire() }, 'error reply');
      });
  });
}

async function serveStatic(root: string, origin: string, req: IncomingMessage, res: ServerResponse, log: Log): Promise<void> {
  const refuse = (status: number, reason: string) => {
    log(`refused ${req.method ?? '?'} ${shown(req.url)}: ${status} ${reason}`);
    res.writeHead(status, { ...SECURITY_HEADERS, connection: 'close' }).end();
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    refuse(405, 'method not allowed');
    return;
  }
  const target = parseTarget(req.url, origin);
  if (!target.ok) {
    refuse(target.status, target.reason);
    return;
  }
  const pathname = target.pathname;
  const file = path.resolve(root, '.' + (pathname === '/' ? '/index.html' : pathname));
  if (!file.startsWith(root + path.sep)) {
    refuse(403, 'outside the renderer');
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
