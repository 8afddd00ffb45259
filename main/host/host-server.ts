/**
 * The loopback host shell: serves the built renderer on 127.0.0.1 and carries the contract's RPC
 * and events over one WebSocket. Loopback only; the socket must present this launch's secret and
 * come from this server's own origin, so neither another local program nor a web page open in
 * some browser can drive the terminal.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core.js';
import { EVENT_NAMES } from '../contract/index.js';

export interface HostOptions {
  readonly core: Core;
  readonly staticDir: string;
  readonly port?: number;
  /** Fixed secret for tests; a random one per launch otherwise. */
  readonly secret?: string;
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

const MAX_MESSAGE_BYTES = 64 * 1024;

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const root = path.resolve(opts.staticDir);
  let origin = '';

  const server = createServer((req, res) => void serveStatic(root, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const key = url.searchParams.get('k') ?? '';
    if (url.pathname !== '/rpc' || req.headers.origin !== origin || !sameSecret(key, secret)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(opts.core, ws));
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

let sessionCounter = 0;

function serveSocket(core: Core, ws: WebSocket): void {
  const session = core.newSession(`ws-${++sessionCounter}`);
  const unsubscribe = EVENT_NAMES.map((event) =>
    core.on(event, (payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    }),
  );
  ws.on('close', () => unsubscribe.forEach((u) => u()));
  ws.on('message', (data) => {
    let msg: { id?: unknown; method?: unknown; params?: unknown };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      ws.close(1003, 'malformed');
      return;
    }
    if (typeof msg.id !== 'number' || typeof msg.method !== 'string') {
      ws.close(1003, 'malformed');
      return;
    }
    const id = msg.id;
    void core.dispatch(msg.method, msg.params, session).then((response) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...response }));
    });
  });
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const security = {
    'x-content-type-options': 'nosniff',
    'content-security-policy':
      "default-src 'self'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:",
    'referrer-policy': 'no-referrer',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, security).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = path.resolve(root, '.' + (pathname === '/' ? '/index.html' : pathname));
  if (!file.startsWith(root + path.sep)) {
    res.writeHead(403, security).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { ...security, 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { ...security, 'content-type': 'text/plain' }).end('not found');
  }
}
