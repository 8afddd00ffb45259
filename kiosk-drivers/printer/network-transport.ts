/**
 * Raw TCP ("port 9100", JetDirect) transport. Thin: a socket, an input queue and timeouts.
 * Connects lazily and reconnects on the next write after the printer dropped the connection
 * (power cycle, cable), but never silently: the read that was waiting fails with
 * `device.disconnected`.
 */
import net from 'node:net';
import { DeviceError } from '../errors.js';
import type { PrinterTransport } from './receipt-printer.js';

export interface NetworkTransportOptions {
  readonly connectTimeoutMs?: number;
  /** A printer that stops reading (paper out, buffer full) stalls the socket; bound the write. */
  readonly writeTimeoutMs?: number;
}

interface Waiter {
  readonly n: number;
  readonly resolve: (b: Uint8Array) => void;
  readonly reject: (e: DeviceError) => void;
  readonly timer: NodeJS.Timeout;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

function errCode(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown';
}

class NetworkTransport implements PrinterTransport {
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private inbox: Buffer = Buffer.alloc(0);
  private waiter: Waiter | null = null;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs: number,
    private readonly writeTimeoutMs: number,
  ) {}

  private details(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { transport: 'tcp', host: this.host, port: this.port, ...extra };
  }

  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new DeviceError('device.disconnected', this.details({ reason: 'closed' })));
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const s = new net.Socket();
      let settled = false;
      const fail = (e: DeviceError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new DeviceError('device.timeout', this.details({ op: 'connect', timeoutMs: this.connectTimeoutMs }))),
        this.connectTimeoutMs,
      );
      s.once('error', (e) => {
        const code = errCode(e);
        fail(new DeviceError(UNREACHABLE.has(code) ? 'device.not_found' : 'device.disconnected', this.details({ op: 'connect', cause: code })));
      });
      s.connect({ host: this.host, port: this.port }, () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.removeAllListeners('error');
        s.setNoDelay(true);
        this.attach(s);
        resolve(s);
      });
    }).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private attach(s: net.Socket): void {
    this.socket = s;
    this.inbox = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      this.inbox = this.inbox.length === 0 ? d : Buffer.concat([this.inbox, d]);
      this.serve();
    });
    let cause = 'closed_by_peer';
    s.on('error', (e) => {
      cause = errCode(e);
    });
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
      const w = this.waiter;
      if (w) {
        this.waiter = null;
        clearTimeout(w.timer);
        w.reject(new DeviceError('device.disconnected', this.details({ op: 'read', cause })));
      }
    });
  }

  private serve(): void {
    const w = this.waiter;
    if (!w || this.inbox.length < w.n) return;
    this.waiter = null;
    clearTimeout(w.timer);
    const out = Uint8Array.from(this.inbox.subarray(0, w.n));
    this.inbox = this.inbox.subarray(w.n);
    w.resolve(out);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const s = await this.connect();
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (e: DeviceError | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.off('close', onClose);
        if (e) reject(e);
        else resolve();
      };
      const onClose = () => finish(new DeviceError('device.disconnected', this.details({ op: 'write' })));
      const timer = setTimeout(() => {
        // The stream state is unknown now (part of the job may be in flight): start over next time.
        s.destroy();
        finish(new DeviceError('device.timeout', this.details({ op: 'write', timeoutMs: this.writeTimeoutMs })));
      }, this.writeTimeoutMs);
      s.once('close', onClose);
      s.write(bytes, (err) => finish(err ? new DeviceError('device.disconnected', this.details({ op: 'write', cause: errCode(err) })) : null));
    });
  }

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('NetworkTransport.read: concurrent reads are not supported'));
    if (this.inbox.length >= n) {
      const out = Uint8Array.from(this.inbox.subarray(0, n));
      this.inbox = this.inbox.subarray(n);
      return Promise.resolve(out);
    }
    if (!this.socket) return Promise.reject(new DeviceError('device.disconnected', this.details({ op: 'read' })));
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new DeviceError('device.timeout', this.details({ op: 'read', timeoutMs })));
      }, timeoutMs);
      this.waiter = { n, resolve, reject, timer };
    });
  }

  discardInput(): Promise<void> {
    this.inbox = Buffer.alloc(0);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket ?? (await this.connecting?.catch(() => null)) ?? null;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
      // A printer that never FINs back must not hold shutdown.
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }
}

/** Raw TCP to a network printer (default port 9100). */
export function networkTransport(host: string, port = 9100, opts: NetworkTransportOptions = {}): PrinterTransport {
  return new NetworkTransport(host, port, opts.connectTimeoutMs ?? 3000, opts.writeTimeoutMs ?? 10_000);
}
