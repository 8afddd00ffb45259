/**
 * USB printers through the Linux usblp driver (`/dev/usb/lpN`), opened as a device file. node-hid
 * is not for printers (printer class, not HID), and escpos's own USB adapter is broken. Serial
 * printers go through serialport (serial-transport.ts), which sets the line itself; USB printers
 * on Windows, or on Linux without usblp, through libusb (usb-transport.ts).
 *
 * Why non-blocking + polling: a blocking read on usblp waits forever when the printer has nothing
 * to say, and a blocked fs call pins one of libuv's four threadpool threads and cannot be
 * cancelled — a few status timeouts would stall every fs/crypto/dns call in the process. With
 * O_NONBLOCK, EAGAIN (or 0 bytes from a FIFO/file) means "nothing yet" and the poll ends at the
 * deadline with `device.timeout`.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../errors.js';
import type { PrinterTransport } from './receipt-printer.js';

export interface FileDeviceTransportOptions {
  /**
   * Read status answers from another path (tests: a second FIFO, or a file holding the answers).
   * Real devices read and write one node; usblp refuses a second open (EBUSY).
   */
  readonly readPath?: string;
  readonly writeTimeoutMs?: number;
  readonly pollIntervalMs?: number;
}

const GONE = new Set(['ENODEV', 'ENXIO', 'EIO', 'EPIPE', 'EBADF', 'ESHUTDOWN']);

function errCode(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown';
}

class FileDeviceTransport implements PrinterTransport {
  private writeHandle: FileHandle | null = null;
  private readHandle: FileHandle | null = null;
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly opts: FileDeviceTransportOptions,
  ) {}

  private details(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { transport: 'usb', path: this.path, ...extra };
  }

  private flags(): number {
    return constants.O_RDWR | constants.O_NONBLOCK;
  }

  private openError(e: unknown, path: string): DeviceError {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO') return new DeviceError('device.not_found', this.details({ path, cause: code }));
    if (code === 'EACCES' || code === 'EPERM' || code === 'EBUSY') return new DeviceError('printer.access_denied', this.details({ path, cause: code }));
    return new DeviceError('device.disconnected', this.details({ path, op: 'open', cause: code }));
  }

  private async ensureOpen(): Promise<void> {
    if (this.closed) throw new DeviceError('device.disconnected', this.details({ reason: 'closed' }));
    if (this.writeHandle) return;
    this.opening ??= (async () => {
      let w: FileHandle;
      try {
        w = await open(this.path, this.flags());
      } catch (e) {
        throw this.openError(e, this.path);
      }
      let r = w;
      if (this.opts.readPath !== undefined && this.opts.readPath !== this.path) {
        try {
          r = await open(this.opts.readPath, this.flags());
        } catch (e) {
          await w.close().catch(() => undefined);
          throw this.openError(e, this.opts.readPath);
        }
      }
      this.writeHandle = w;
      this.readHandle = r;
    })().finally(() => {
      this.opening = null;
    });
    await this.opening;
  }

  /** The device vanished (unplugged): drop the handles so the next call reopens. */
  private async lost(op: string, e: unknown): Promise<DeviceError> {
    await this.release();
    const code = errCode(e);
    return new DeviceError(GONE.has(code) ? 'device.disconnected' : 'printer.job_failed', this.details({ op, cause: code }));
  }

  private async release(): Promise<void> {
    const w = this.writeHandle;
    const r = this.readHandle;
    this.writeHandle = null;
    this.readHandle = null;
    await w?.close().catch(() => undefined);
    if (r && r !== w) await r.close().catch(() => undefined);
  }

  private get poll(): number {
    return this.opts.pollIntervalMs ?? 5;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.ensureOpen();
    const timeoutMs = this.opts.writeTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let off = 0;
    while (off < bytes.length) {
      const h = this.writeHandle;
      if (!h) throw new DeviceError('device.disconnected', this.details({ op: 'write' }));
      try {
        const { bytesWritten } = await h.write(bytes, off, bytes.length - off, null);
        off += bytesWritten;
        if (bytesWritten > 0) continue;
      } catch (e) {
        if (errCode(e) !== 'EAGAIN') throw await this.lost('write', e);
      }
      if (Date.now() >= deadline) throw new DeviceError('device.timeout', this.details({ op: 'write', timeoutMs, written: off }));
      await sleep(this.poll);
    }
  }

  async read(n: number, timeoutMs: number): Promise<Uint8Array> {
    await this.ensureOpen();
    const out = new Uint8Array(n);
    const deadline = Date.now() + timeoutMs;
    let got = 0;
    while (got < n) {
      const h = this.readHandle;
      if (!h) throw new DeviceError('device.disconnected', this.details({ op: 'read' }));
      try {
        const { bytesRead } = await h.read(out, got, n - got, null);
        got += bytesRead;
        if (bytesRead > 0) continue;
      } catch (e) {
        if (errCode(e) !== 'EAGAIN') throw await this.lost('read', e);
      }
      if (Date.now() >= deadline) throw new DeviceError('device.timeout', this.details({ op: 'read', timeoutMs }));
      await sleep(this.poll);
    }
    return out;
  }

  async discardInput(): Promise<void> {
    await this.ensureOpen();
    const h = this.readHandle;
    if (!h) return;
    const scratch = new Uint8Array(256);
    // Bounded: a device that streams endlessly must not trap us here.
    for (let i = 0; i < 64; i++) {
      try {
        const { bytesRead } = await h.read(scratch, 0, scratch.length, null);
        if (bytesRead === 0) return;
      } catch (e) {
        if (errCode(e) === 'EAGAIN') return;
        throw await this.lost('read', e);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.release();
  }
}

/** A USB printer through the Linux usblp driver, e.g. `/dev/usb/lp0` (needs a udev rule granting access). */
export function usbTransport(devicePath: string, opts: FileDeviceTransportOptions = {}): PrinterTransport {
  return new FileDeviceTransport(devicePath, opts);
}
