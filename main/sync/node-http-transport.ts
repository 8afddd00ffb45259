/**
 * The transport for a backend behind its own CA: node:https with an agent that trusts only the
 * configured CA certificates (`backend.caFile`), not the default ones, and checks the host name as
 * always. Node's fetch cannot take a CA without the undici package (its Agent is not exposed in
 * Node 20, and undici 8 needs Node 22), so this speaks node:http(s) and hands the answer over as
 * a web `Response`, read by the same reader as every other answer (./http-json.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { HttpTransport, TransportRequest } from './http-json.js';

export interface NodeHttpTransportOptions {
  /** PEM certificate(s) of the only CA(s) trusted for https; absent: Node's default CAs. */
  readonly ca?: string;
  /** Connections kept per host (default 8). */
  readonly maxSockets?: number;
}

/** Statuses a `Response` carries without a body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export function nodeHttpTransport(opts: NodeHttpTransportOptions = {}): HttpTransport {
  const maxSockets = opts.maxSockets ?? 8;
  // Kept-alive sockets are unref'd while idle: they never hold the process open.
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });

  return {
    send: (req: TransportRequest) =>
      new Promise<Response>((resolve, reject) => {
        const secure = req.url.protocol === 'https:';
        const headers: Record<string, string> = { ...req.headers };
        if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
        const request = (secure ? https : http).request(
          req.url,
          { method: req.method, headers, agent: secure ? httpsAgent : httpAgent, signal: req.signal },
          (res) => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) {
              res.destroy();
              reject(new Error(`answered with status ${status}`));
              return;
            }
            const answerHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const one of Array.isArray(value) ? value : [value]) answerHeaders.append(name, one);
            }
            if (NULL_BODY_STATUSES.has(status)) {
              res.resume();
              resolve(new Response(null, { status, headers: answerHeaders }));
              return;
            }
            // A connection that breaks mid-body errors the stream (read as `truncated`), an abort
            // errors it too (read as `timeout`); cancelling it destroys the socket.
            const body = Readable.toWeb(res) as ReadableStream<Uint8Array>;
            resolve(new Response(body as unknown as globalThis.ReadableStream<Uint8Array>, { status, headers: answerHeaders }));
          },
        );
        request.on('error', reject);
        request.end(req.body);
      }),
  };
}
