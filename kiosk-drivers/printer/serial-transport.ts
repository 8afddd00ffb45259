/**
 * Serial receipt printers through the `serialport` package: `COM3` on Windows, `/dev/ttyUSB0` or
 * `/dev/serial/by-id/…` on Linux. Unlike a tty opened as a file, serialport sets the line itself
 * (baud rate, data bits, parity, stop bits, flow control, raw mode) on every OS, so nothing depends
 * on stty or udev having run, and LF bytes inside ESC/POS data are never rewritten.
 *
 * Thin like the TCP transport: a port, an input queue and timeouts. Opens lazily; when the port
 * goes away (USB-serial adapter unplugged) the waiting read fails with `device.disconnected` and
 * the next write opens it again. The port itself comes from a factory, so tests run the same code
 * over serialport's mock binding; the real binding is loaded only when a port is first opened.
 *
 * Flow control: `rtscts` (hardware) or `xonxoff` (the printer's XOFF pauses our output; we never
 * send XON/XOFF ourselves, since those bytes would land inside the printer's command stream).
 * Printer answers cannot be mistaken for XON/XOFF: DLE EOT answers always have bit 0 clear and
 * bit 4 set, `GS r` answers bit 4 clear, while XON (0x11) and XOFF (0x13) have both set. Printers
 * documented as "DTR/DSR" handshake need a cable that brings the printer's busy line to CTS and
 * `rtscts`, or XON/XOFF; serialport has no DTR/DSR flow control.
 */
import { DeviceError } from '../errors.js';
import type { PrinterTransport } from './receipt-printer.js';

export type SerialParity = 'none' | 'even' | 'odd';
export type SerialFlowControl = 'none' | 'rtscts' | 'xonxoff';

/** The printer's line settings, as set on its DIP switches or in its utility (see its self-test page). */
export interface SerialLineSettings {
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: SerialParity;
  readonly stopBits: 1 | 2;
  readonly flowControl: SerialFlowControl;
}

export interface SerialTransportOptions extends SerialLineSettings {
  /** `COM3` (Windows), `/dev/ttyUSB0`, `/dev/ttyS0`, `/dev/serial/by-id/…` (Linux). */
  readonly path: string;
  readonly openTimeoutMs?: number;
  /** A printer holding CTS low or having sent XOFF (paper out, buffer full) stalls the write; bound it. */
  readonly writeTimeoutMs?: number;
}

/** What serialport is asked to open: exactly the options its `SerialPort` / `SerialPortMock` take. */
export interface SerialOpenOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: SerialParity;
  readonly stopBits: 1 | 2;
  readonly rtscts: boolean;
  readonly xon: boolean;
  readonly xoff: boolean;
  readonly xany: boolean;
  /** Exclusive on Linux/macOS (Windows ports are exclusive anyway): a second program cannot interleave bytes. */
  readonly lock: boolean;
  readonly autoOpen: false;
}

/** The part of serialport's `SerialPortStream` (and so `SerialPort`, `SerialPortMock`) this transport uses. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  write(chunk: Buffer, callback: (err: Error | null | undefined) => void): boolean;
  flush(callback: (err: Error | null) => void): void;
  close(callback: (err: Error | null) => void): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
}

export type SerialPortFactory = (options: SerialOpenOptions) => SerialPortLike | Promise<SerialPortLike>;

/** Maps the config's line settings to serialport's open options (pure). */
export function serialOpenOptions(path: string, line: SerialLineSettings): SerialOpenOptions {
  return {
    path,
    baudRate: line.baudRate,
    dataBits: line.dataBits,
    parity: line.parity,
    stopBits: line.stopBits,
    rtscts: line.flowControl === 'rtscts',
    xon: line.flowControl === 'xonxoff',
    xoff: false,
    xany: false,
    lock: true,
    autoOpen: false,
  };
}

/** The real port: serialport's `SerialPort` with the binding for this OS, loaded on first use. */
export const systemSerialPort: SerialPortFactory = async (options) => {
  const { SerialPort } = await import('serialport');
  return new SerialPort(options);
};

/**
 * serialport's errors carry no stable code: the native bindings put the OS text in the message
 * (`Error: No such file or directory, cannot open /dev/ttyUSB9`, `Opening COM7: File not found`,
 * `Opening COM3: Access denied`, `Error Resource temporarily unavailable Cannot lock port`).
 */
export function serialErrorCode(err: unknown): 'device.not_found' | 'printer.access_denied' | 'device.disconnected' {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
  const text = `${code} ${err instanceof Error ? err.message : String(err)}`;
  if (/ENOENT|ENODEV|ENXIO|no such file|file not found|cannot find|does not exist|not found/i.test(text)) return 'device.not_found';
  if (/EACCES|EPERM|EBUSY|EAGAIN|access denied|permission denied|lock|busy|temporarily unavailable/i.test(text)) return 'printer.access_denied';
  return 'device.disconnected';
}

function causeOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

interface Waiter {
  readonly n: number;
  readonly resolve: (b: Uint8Array) => void;
  readonly reject: (e: DeviceError) => void;
  readonly timer: NodeJS.Timeout;
}

class SerialPrinterTransport implements PrinterTransport {
  private port: SerialPortLike | null = null;
  private opening: Promise<SerialPortLike> | null = null;
  private inbox: Buffer = Buffer.alloc(0);
  private waiter: Waiter | null = null;
  private closed = false;
  private readonly openOptions: SerialOpenOptions;

  constructor(
    private readonly opts: SerialTransportOptions,
    private readonly factory: SerialPortFactory,
  ) {
    this.openOptions = serialOpenOptions(opts.path, opts);
  }

  private details(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { transport: 'serial', path: this.opts.path, ...extra };
  }

  private connect(): Promise<SerialPortLike> {
    if (this.closed) return Promise.reject(new DeviceError('device.disconnected', this.details({ reason: 'closed' })));
    if (this.port) return Promise.resolve(this.port);
    this.opening ??= this.openPort().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async openPort(): Promise<SerialPortLike> {
    let port: SerialPortLike;
    try {
      port = await this.factory(this.openOptions);
    } catch (e) {
      throw new DeviceError('device.not_found', this.details({ op: 'open', cause: `serialport unavailable: ${causeOf(e)}` }));
    }
    const timeoutMs = this.opts.openTimeoutMs ?? 5000;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        // Whenever it does open, close it again: its state is nobody's now.
        port.removeAllListeners();
        port.on('error', () => undefined);
        port.on('open', () => port.close(() => undefined));
        reject(new DeviceError('device.timeout', this.details({ op: 'open', timeoutMs })));
      }, timeoutMs);
      port.open((err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(new DeviceError(serialErrorCode(err), this.details({ op: 'open', cause: causeOf(err) })));
        else resolve();
      });
    });
    if (this.closed) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      throw new DeviceError('device.disconnected', this.details({ reason: 'closed' }));
    }
    this.attach(port);
    return port;
  }

  private attach(port: SerialPortLike): void {
    this.port = port;
    this.inbox = Buffer.alloc(0);
    port.on('data', (chunk) => {
      if (!Buffer.isBuffer(chunk)) return;
      this.inbox = this.inbox.length === 0 ? chunk : Buffer.concat([this.inbox, chunk]);
      this.serve();
    });
    let cause = 'closed';
    port.on('error', (err) => {
      cause = causeOf(err);
    });
    // serialport closes the stream with a DisconnectedError when the device goes away.
    port.on('close', (err) => {
      if (err instanceof Error) cause = causeOf(err);
      this.dropped(port, cause);
    });
  }

  private dropped(port: SerialPortLike, cause: string): void {
    if (this.port !== port) return;
    this.port = null;
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.reject(new DeviceError('device.disconnected', this.details({ op: 'read', cause })));
    }
  }

  /** Forget a port whose state is unknown (a write that timed out): discard its output, close it. */
  private abandon(port: SerialPortLike, cause: string): void {
    this.dropped(port, cause);
    port.flush(() => port.close(() => undefined));
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
    const port = await this.connect();
    const timeoutMs = this.opts.writeTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        this.abandon(port, 'write timeout');
        reject(new DeviceError('device.timeout', this.details({ op: 'write', timeoutMs })));
      }, timeoutMs);
      // The callback runs once the binding has handed every byte to the OS driver.
      port.write(Buffer.from(bytes), (err) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          this.abandon(port, causeOf(err));
          reject(new DeviceError('device.disconnected', this.details({ op: 'write', cause: causeOf(err) })));
        } else resolve();
      });
    });
  }

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('SerialPrinterTransport.read: concurrent reads are not supported'));
    if (this.inbox.length >= n) {
      const out = Uint8Array.from(this.inbox.subarray(0, n));
      this.inbox = this.inbox.subarray(n);
      return Promise.resolve(out);
    }
    if (!this.port) return Promise.reject(new DeviceError('device.disconnected', this.details({ op: 'read' })));
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
    const port = this.port ?? (await this.opening?.catch(() => null)) ?? null;
    if (!port) return;
    this.dropped(port, 'closed');
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => {
      // A port whose driver hangs on close must not hold shutdown.
      const timer = setTimeout(resolve, 2000);
      timer.unref();
      port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * A serial printer with its line settings set by the transport. `factory` is the seam for tests
 * (serialport's `SerialPortMock`); production uses the OS binding.
 */
export function serialTransport(opts: SerialTransportOptions, factory: SerialPortFactory = systemSerialPort): PrinterTransport {
  return new SerialPrinterTransport(opts, factory);
}
