/**
 * A loopback HTTP server that answers badly on purpose, for tests of "trust what crosses the wire":
 * in `pass` mode it forwards every request to a real backend (the reference backend), in any other
 * mode it answers with that fault instead — a 500, an HTML page, a 10 MB body, truncated JSON,
 * JSON off-schema, a response that never comes, a body cut off mid-way.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type BadAnswer = 'pass' | 'status_500' | 'html' | 'huge' | 'truncated_json' | 'off_schema' | 'hang' | 'stall_body' | 'cut_body';

/** Every fault mode (not `pass`), for `it.each`. */
export const BAD_ANSWERS = ['status_500', 'html', 'huge', 'truncated_json', 'off_schema', 'hang', 'stall_body', 'cut_body'] as const satisfies readonly BadAnswer[];

/** Size of the `huge` body: ten megabytes, streamed in chunks without a content-length. */
export const HUGE_BODY_BYTES = 10 * 1024 * 1024;

export interface BadAnswerServer {
  readonly url: string;
  mode: BadAnswer;
  /** Only requests whose path starts with this prefix get the fault (others pass); null = all. */
  onlyPath: string | null;
  /** Bytes of `huge` bodies written so far (a client that stops reading keeps this far below 10 MB). */
  readonly hugeBytesWritten: number;
  close(): Promise<void>;
}

/** `target`: the base URL requests are forwarded to in `pass` mode (null: `pass` answers 502). */
export async function startBadAnswerServer(target: string | null): Promise<BadAnswerServer> {
  let mode: BadAnswer = 'pass';
  let onlyPath: string | null = null;
  let hugeBytesWritten = 0;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (target === null) {
      res.writeHead(502).end();
      return;
    }
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const fault = (which: Exclude<BadAnswer, 'pass'>, res: http.ServerResponse) => {
    const json = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    switch (which) {
      case 'status_500':
        return json(500, JSON.stringify({ error: 'internal' }));
      case 'html': {
        const page = '<!doctype html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        return void res.end(page);
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.from(`{"items":[${'"x",'.repeat(16 * 1024 - 3)}`.slice(0, 64 * 1024));
        const pump = () => {
          while (hugeBytesWritten < HUGE_BODY_BYTES && !res.destroyed) {
            hugeBytesWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end('"x"]}');
        };
        return pump();
      }
      case 'truncated_json':
        return json(200, '{"accountNo":"3100000001","name":"雷洋子","bills":[{"billId":"B20');
      case 'off_schema':
        return json(200, JSON.stringify({ items: 'nope', results: 42, accountNo: 3100000001, status: 'maybe', digits: 'x' }));
      case 'hang':
        return; // never answers; the client's timeout must end it
      case 'stall_body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        return void res.write('{"items":[');
      case 'cut_body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        res.write('{"items":[');
        return void setTimeout(() => res.destroy(), 20);
      default: {
        const never: never = which;
        throw new Error(`unknown fault ${String(never)}`);
      }
    }
  };

  const server = http.createServer((req, res) => {
    const applies = onlyPath === null || (req.url ?? '').startsWith(onlyPath);
    if (mode === 'pass' || !applies) return forward(req, res);
    req.resume(); // the request body is not needed
    res.shouldKeepAlive = false; // a faulty answer never leaves a connection behind for the next request
    fault(mode, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    set mode(next: BadAnswer) {
      mode = next;
      hugeBytesWritten = 0;
    },
    get onlyPath() {
      return onlyPath;
    },
    set onlyPath(next: string | null) {
      onlyPath = next;
    },
    get hugeBytesWritten() {
      return hugeBytesWritten;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
