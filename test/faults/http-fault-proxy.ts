/**
 * A seeded loopback HTTP/1.1 proxy that faults single requests and responses, not connections.
 * The terminal's fetch keeps connections alive and sends many requests over one, so a proxy that
 * only cuts connections faults almost nothing; this one frames every request on a connection
 * (Content-Length or chunked, test/faults/http-framing.ts) and decides for each, from a seeded
 * PRNG, whether and how to fault it:
 *
 *   drop            not forwarded; the connection stays silent, then closes
 *   delay           a pause before the request is forwarded, or before its answer goes back
 *   reset_request   part of the request reaches the backend, then both sides are reset
 *   reset_response  the backend acts; part of its answer reaches the client, then a reset
 *   truncate        the backend acts; the answer is cut short and the connection closed cleanly
 *   duplicate       the request reaches the backend twice (the client gets the second answer)
 *   reorder         held until a request that arrived later has been answered (or a hold limit)
 *   http_5xx        a 500/502/503/504 answer, sometimes after the backend acted on the request
 *   trickle         the request, its answer or both dribble through in small pieces
 *
 * Each upstream exchange uses its own connection to the backend, so a held or duplicated request
 * never blocks another. The seed fixes the sequence of decisions (and their parameters), one per
 * request in arrival order; which request meets which decision still depends on timing when
 * requests arrive concurrently. Every decision is counted by kind.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { mulberry32 } from '../support/prng.js';
import { frameRequest, frameResponse, wantsClose, type FramedRequest, type FramedResponse } from './http-framing.js';

export const FAULT_KINDS = ['drop', 'delay', 'reset_request', 'reset_response', 'truncate', 'duplicate', 'reorder', 'http_5xx', 'trickle'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface RequestInfo {
  readonly connectionId: number;
  /** 0 for the first request on its connection, 1 for the second, … */
  readonly indexOnConnection: number;
  readonly method: string;
  readonly target: string;
  readonly bodyBytes: number;
}

export interface FaultTiming {
  readonly delayMs: readonly [number, number];
  /** Where a delay falls: drawn per request (default), or always before the request or its answer. */
  readonly delayAt: 'either' | 'request' | 'answer';
  /** How long a dropped request's connection stays silent before it closes. */
  readonly dropHoldMs: readonly [number, number];
  /** The longest a reordered request waits for a later one. */
  readonly reorderHoldMs: number;
  readonly trickleChunkBytes: readonly [number, number];
  readonly trickleGapMs: readonly [number, number];
  /** An upstream exchange that takes longer fails like a power cut. */
  readonly upstreamTimeoutMs: number;
}

export const DEFAULT_FAULT_TIMING: FaultTiming = {
  delayMs: [20, 400],
  delayAt: 'either',
  dropHoldMs: [50, 600],
  reorderHoldMs: 400,
  trickleChunkBytes: [16, 96],
  trickleGapMs: [1, 8],
  upstreamTimeoutMs: 30_000,
};

export interface HttpFaultProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly seed: number;
  /** Share of eligible requests that get a fault, 0..1. */
  readonly rate: number;
  /** Relative weight of each kind (default 1 each); a kind with weight 0 never happens. */
  readonly weights?: Partial<Record<FaultKind, number>>;
  /** Which requests may be faulted (default: every one). Others always pass. */
  readonly eligible?: (req: RequestInfo) => boolean;
  readonly timing?: Partial<FaultTiming>;
}

export interface Decision extends RequestInfo {
  /** Arrival order over the whole proxy, from 1. */
  readonly seq: number;
  readonly kind: FaultKind | 'pass';
  /** The fault's parameters in words ('' for pass), e.g. 'answer, 64 B every 3 ms'. */
  readonly detail: string;
}

export interface ProxyStats {
  readonly connections: number;
  readonly requests: number;
  /** Requests that reached the backend (a duplicate counts twice). */
  readonly forwarded: number;
  readonly passed: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly totalFaults: number;
  /** Reordered requests that a later request really overtook (the rest waited out the hold). */
  readonly reorderOvertaken: number;
  /** Exchanges that failed because the backend was not there (power cut): the client is reset. */
  readonly upstreamFailures: number;
}

export interface HttpFaultProxy {
  readonly url: string;
  readonly port: number;
  stats(): ProxyStats;
  /** The decisions taken so far, in arrival order (the last 10,000). */
  decisions(): readonly Decision[];
  /** 0 lets everything pass (a clean phase); the decision sequence goes on either way. */
  setRate(rate: number): void;
  setTarget(target: { readonly host: string; readonly port: number }): void;
  close(): Promise<void>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const MAX_DECISIONS_KEPT = 10_000;

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  index: number;
  buf: Buffer;
  busy: boolean;
  closed: boolean;
}

interface Exchange {
  readonly response: Buffer;
  readonly framed: FramedResponse;
}

interface Trickle {
  readonly chunk: number;
  readonly gapMs: number;
}

export async function startHttpFaultProxy(opts: HttpFaultProxyOptions): Promise<HttpFaultProxy> {
  const timing: FaultTiming = { ...DEFAULT_FAULT_TIMING, ...opts.timing };
  const weights = FAULT_KINDS.map((k) => Math.max(0, opts.weights?.[k] ?? 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight <= 0) throw new Error('every fault kind has weight 0');
  const rng = mulberry32(opts.seed);
  let rate = opts.rate;
  let target = opts.target;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const forwardedEvents = new EventEmitter();
  forwardedEvents.setMaxListeners(0);
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const counts = { connections: 0, requests: 0, forwarded: 0, passed: 0, reorderOvertaken: 0, upstreamFailures: 0 };
  const decisions: Decision[] = [];
  let connectionSeq = 0;
  let arrivalSeq = 0;
  let closing = false;

  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  const within = (range: readonly [number, number], u: number): number => Math.round(range[0] + u * (range[1] - range[0]));

  /** One decision per request, drawn synchronously at arrival: whether, which kind, and its three parameters. */
  function decide(info: RequestInfo): { kind: FaultKind | 'pass'; p: readonly [number, number, number] } {
    const uFault = rng();
    const uKind = rng();
    const p = [rng(), rng(), rng()] as const;
    if (!(uFault < rate) || !(opts.eligible?.(info) ?? true)) return { kind: 'pass', p };
    let x = uKind * totalWeight;
    for (let i = 0; i < FAULT_KINDS.length; i++) {
      x -= weights[i] as number;
      if (x < 0 && (weights[i] as number) > 0) return { kind: FAULT_KINDS[i] as FaultKind, p };
    }
    return { kind: FAULT_KINDS[weights.findLastIndex((w) => w > 0)] as FaultKind, p };
  }

  /** The parameters a decision's three draws give a fault, in one place so logs and behaviour agree. */
  function shape(p: readonly [number, number, number]) {
    return {
      delayMs: within(timing.delayMs, p[0]),
      delayAnswer: timing.delayAt === 'either' ? p[1] >= 0.5 : timing.delayAt === 'answer',
      holdMs: within(timing.dropHoldMs, p[0]),
      status: [500, 502, 503, 504][Math.floor(p[0] * 4)] as number,
      // Half the time the backend has already acted when the 5xx comes (a gateway timing out upstream).
      statusAfterForward: p[1] < 0.5,
      trickle: { chunk: within(timing.trickleChunkBytes, p[0]), gapMs: within(timing.trickleGapMs, p[1]) },
      // A slow answer to a request the backend took at once (a stale answer arriving late), a slow upload, or both.
      trickleWhere: p[2] < 1 / 3 ? ('request' as const) : p[2] < 2 / 3 ? ('answer' as const) : ('both' as const),
      cut: p[0],
    };
  }

  function describe(kind: FaultKind, p: readonly [number, number, number]): string {
    const x = shape(p);
    switch (kind) {
      case 'drop':
        return `silent ${x.holdMs} ms, then closed`;
      case 'delay':
        return `${x.delayMs} ms before the ${x.delayAnswer ? 'answer' : 'request'}`;
      case 'reset_request':
      case 'reset_response':
      case 'truncate':
        return `cut at ${Math.round(x.cut * 100)}%`;
      case 'duplicate':
        return 'forwarded twice';
      case 'reorder':
        return `held up to ${timing.reorderHoldMs} ms`;
      case 'http_5xx':
        return `${x.status} ${x.statusAfterForward ? 'after' : 'before'} the backend acted`;
      case 'trickle':
        return `${x.trickleWhere}, ${x.trickle.chunk} B every ${x.trickle.gapMs} ms`;
      default: {
        const never: never = kind;
        throw new Error(`unknown fault kind ${String(never)}`);
      }
    }
  }

  async function writeTrickled(socket: net.Socket, bytes: Buffer, trickle: Trickle): Promise<void> {
    for (let at = 0; at < bytes.length; at += trickle.chunk) {
      if (socket.destroyed || !socket.writable) return;
      socket.write(bytes.subarray(at, at + trickle.chunk));
      if (at + trickle.chunk < bytes.length) await sleep(trickle.gapMs);
    }
  }

  /** One request to the backend over a fresh connection, up to the end of its answer. */
  function exchange(raw: Buffer, method: string, trickle: Trickle | null): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const up = net.connect(target.port, target.host);
      track(up);
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = (err: Error | null, value?: Exchange): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        up.destroy();
        if (err) reject(err);
        else resolve(value as Exchange);
      };
      const timer = setTimeout(() => finish(new Error('upstream timeout')), timing.upstreamTimeoutMs);
      const tryFrame = (ended: boolean): void => {
        try {
          const framed = frameResponse(buf, method, ended);
          if (framed) finish(null, { response: Buffer.from(buf.subarray(0, framed.length)), framed });
          else if (ended) finish(new Error('upstream closed mid-response'));
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      };
      up.on('connect', () => {
        if (trickle) void writeTrickled(up, raw, trickle);
        else up.write(raw);
      });
      up.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        tryFrame(false);
      });
      up.on('end', () => tryFrame(true));
      up.on('error', (e) => finish(e));
      up.on('close', () => finish(new Error('upstream closed')));
    });
  }

  /** Forward and wait for the answer; null (client reset) when the backend is not there. */
  async function forward(conn: Connection, raw: Buffer, method: string, seq: number, trickle: Trickle | null = null): Promise<Exchange | null> {
    try {
      const ex = await exchange(raw, method, trickle);
      counts.forwarded++;
      forwardedEvents.emit('forwarded', seq);
      return ex;
    } catch {
      counts.upstreamFailures++;
      reset(conn);
      return null;
    }
  }

  function reset(conn: Connection): void {
    conn.closed = true;
    if (!conn.socket.destroyed) conn.socket.resetAndDestroy();
  }

  function write(conn: Connection, bytes: Buffer): void {
    if (!conn.socket.destroyed && conn.socket.writable) conn.socket.write(bytes);
  }

  /** After a whole answer: may the connection carry the next request? */
  function keepAlive(conn: Connection, req: FramedRequest, ex: Exchange): boolean {
    if (!ex.framed.closeDelimited && !wantsClose(ex.framed.head) && !wantsClose(req.head)) return true;
    conn.closed = true;
    if (!conn.socket.destroyed) conn.socket.end();
    return false;
  }

  /** Resolves true when a later request was answered first, false when the hold ran out. */
  function holdForLater(seq: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onForwarded = (other: number): void => {
        if (other > seq) done(true);
      };
      const done = (overtaken: boolean): void => {
        clearTimeout(t);
        timers.delete(t);
        forwardedEvents.off('forwarded', onForwarded);
        resolve(overtaken);
      };
      const t = setTimeout(() => done(false), timing.reorderHoldMs);
      timers.add(t);
      forwardedEvents.on('forwarded', onForwarded);
    });
  }

  /** Handles one framed request; false when the connection is finished. */
  async function handle(conn: Connection, req: FramedRequest, raw: Buffer): Promise<boolean> {
    const info: RequestInfo = {
      connectionId: conn.id,
      indexOnConnection: conn.index++,
      method: req.method,
      target: req.target,
      bodyBytes: req.length - req.headLength,
    };
    const seq = ++arrivalSeq;
    counts.requests++;
    const { kind, p } = decide(info);
    decisions.push({ ...info, seq, kind, detail: kind === 'pass' ? '' : describe(kind, p) });
    if (decisions.length > MAX_DECISIONS_KEPT) decisions.shift();
    if (kind === 'pass') counts.passed++;
    else faults[kind]++;

    switch (kind) {
      case 'pass': {
        const ex = await forward(conn, raw, req.method, seq);
        if (!ex) return false;
        write(conn, ex.response);
        return keepAlive(conn, req, ex);
      }
      case 'delay': {
        const { delayMs, delayAnswer } = shape(p);
        if (!delayAnswer) await sleep(delayMs);
        const ex = await forward(conn, raw, req.method, seq);
        if (!ex) return false;
        if (delayAnswer) await sleep(delayMs);
        write(conn, ex.response);
        return keepAlive(conn, req, ex);
      }
      case 'drop': {
        conn.closed = true;
        await sleep(shape(p).holdMs);
        conn.socket.destroy();
        return false;
      }
      case 'reset_request': {
        conn.closed = true;
        const cut = Math.max(1, Math.min(raw.length - 1, Math.floor(p[0] * raw.length)));
        await new Promise<void>((resolve) => {
          const up = net.connect(target.port, target.host);
          track(up);
          up.on('error', () => resolve());
          up.on('connect', () => {
            up.write(raw.subarray(0, cut), () => {
              // Give the backend a moment to read the part it got before the reset.
              void sleep(5).then(() => {
                up.resetAndDestroy();
                resolve();
              });
            });
          });
        });
        reset(conn);
        return false;
      }
      case 'reset_response': {
        const ex = await forward(conn, raw, req.method, seq);
        if (!ex) return false;
        conn.closed = true;
        const cut = Math.floor(p[0] * ex.response.length);
        if (cut > 0) {
          write(conn, ex.response.subarray(0, cut));
          await sleep(5);
        }
        reset(conn);
        return false;
      }
      case 'truncate': {
        const ex = await forward(conn, raw, req.method, seq);
        if (!ex) return false;
        conn.closed = true;
        const body = ex.response.length - ex.framed.headLength;
        // Inside the body when there is one (the client sees a short body), else inside the head.
        const cut = body > 0 ? ex.framed.headLength + Math.floor(p[0] * body) : Math.floor(p[0] * ex.framed.headLength);
        write(conn, ex.response.subarray(0, cut));
        if (!conn.socket.destroyed) conn.socket.end();
        return false;
      }
      case 'duplicate': {
        const first = await forward(conn, raw, req.method, seq);
        if (!first) return false;
        const second = await forward(conn, raw, req.method, seq);
        if (!second) return false;
        write(conn, second.response);
        return keepAlive(conn, req, second);
      }
      case 'reorder': {
        if (await holdForLater(seq)) counts.reorderOvertaken++;
        const ex = await forward(conn, raw, req.method, seq);
        if (!ex) return false;
        write(conn, ex.response);
        return keepAlive(conn, req, ex);
      }
      case 'http_5xx': {
        const { status, statusAfterForward } = shape(p);
        if (statusAfterForward && !(await forward(conn, raw, req.method, seq))) return false;
        const body = JSON.stringify({ error: 'proxy_fault', detail: `injected ${status}` });
        write(
          conn,
          Buffer.from(
            `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\n` +
              `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`,
          ),
        );
        if (!wantsClose(req.head)) return true;
        conn.closed = true;
        if (!conn.socket.destroyed) conn.socket.end();
        return false;
      }
      case 'trickle': {
        const { trickle, trickleWhere } = shape(p);
        const ex = await forward(conn, raw, req.method, seq, trickleWhere === 'answer' ? null : trickle);
        if (!ex) return false;
        if (trickleWhere === 'request') write(conn, ex.response);
        else await writeTrickled(conn.socket, ex.response, trickle);
        return keepAlive(conn, req, ex);
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown fault kind ${String(never)}`);
      }
    }
  }

  async function pump(conn: Connection): Promise<void> {
    if (conn.busy) return;
    conn.busy = true;
    try {
      while (!conn.closed && !closing) {
        let req: FramedRequest | null;
        try {
          req = frameRequest(conn.buf);
        } catch {
          reset(conn);
          return;
        }
        if (req === null) return;
        const raw = Buffer.from(conn.buf.subarray(0, req.length));
        conn.buf = conn.buf.subarray(req.length);
        if (!(await handle(conn, req, raw))) conn.closed = true;
      }
    } finally {
      conn.busy = false;
    }
  }

  const server = net.createServer((socket) => {
    track(socket);
    counts.connections++;
    const conn: Connection = { id: ++connectionSeq, socket, index: 0, buf: Buffer.alloc(0), busy: false, closed: false };
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      conn.buf = Buffer.concat([conn.buf, chunk]);
      void pump(conn);
    });
    socket.on('error', () => {
      conn.closed = true;
    });
    socket.on('close', () => {
      conn.closed = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  function snapshot(): ProxyStats {
    const f = { ...faults };
    return { ...counts, faults: f, totalFaults: FAULT_KINDS.reduce((n, k) => n + f[k], 0) };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: snapshot,
    decisions: () => [...decisions],
    setRate(next) {
      rate = next;
    },
    setTarget(next) {
      target = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
