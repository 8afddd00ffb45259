/**
 * USB printer-class transport over libusb, without libusb: the testable core of
 * `libusbTransport` (usb-transport.ts, the thin adapter that hands it the `usb` package's devices).
 *
 * It works on objects shaped like the `usb` package's (2.x) Device / Interface / Endpoint, so tests
 * drive it with fakes: choosing the interface and endpoints from the descriptors, claiming the
 * interface (detaching a kernel driver such as Linux's usblp first), bulk OUT for jobs in chunks,
 * bulk IN for status answers with a deadline, and every libusb failure mapped to the printer's
 * DeviceError codes. Works wherever libusb can open the device: Linux (usbfs; the kernel's usblp
 * is detached while we hold the interface and re-attached on close) and Windows with the WinUSB
 * driver bound to the printer (Zadig or the vendor's INF; see docs/deploy/drivers.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError, type DeviceErrorCode } from '../errors.js';
import type { PrinterTransport } from './receipt-printer.js';

// ---- the shapes of the `usb` package this core uses (usb-transport.ts checks them against its types)

/** libusb's errors: `errno` is a LIBUSB_ERROR_* (< 0) for calls, a LIBUSB_TRANSFER_* status (> 0) for transfers. */
export interface UsbErrorLike extends Error {
  readonly errno: number;
}

export interface UsbEndpointDescriptorLike {
  readonly bEndpointAddress: number;
  readonly bmAttributes: number;
  readonly wMaxPacketSize: number;
}

export interface UsbInterfaceDescriptorLike {
  readonly bInterfaceNumber: number;
  readonly bAlternateSetting: number;
  readonly bInterfaceClass: number;
  readonly bInterfaceSubClass: number;
  readonly bInterfaceProtocol: number;
  readonly endpoints: readonly UsbEndpointDescriptorLike[];
}

export interface UsbConfigDescriptorLike {
  /** Per interface, its alternate settings. */
  readonly interfaces: readonly (readonly UsbInterfaceDescriptorLike[])[];
}

export interface UsbEndpointLike {
  readonly direction: 'in' | 'out';
  readonly address: number;
  /** Transfer timeout in ms (0 = none); set before each transfer. */
  timeout: number;
  readonly descriptor: UsbEndpointDescriptorLike;
}

export interface UsbInEndpointLike extends UsbEndpointLike {
  transfer(length: number, callback: (error: UsbErrorLike | undefined, data?: Buffer) => void): unknown;
}

export interface UsbOutEndpointLike extends UsbEndpointLike {
  transfer(buffer: Buffer, callback: (error: UsbErrorLike | undefined, actual: number) => void): unknown;
}

export interface UsbInterfaceLike {
  readonly interfaceNumber: number;
  readonly altSetting: number;
  readonly endpoints: readonly UsbEndpointLike[];
  claim(): void;
  release(closeEndpoints: boolean, callback: (error?: UsbErrorLike) => void): void;
  isKernelDriverActive(): boolean;
  detachKernelDriver(): void;
  attachKernelDriver(): void;
  setAltSetting(altSetting: number, callback: (error: UsbErrorLike | undefined) => void): void;
  endpoint(address: number): UsbEndpointLike | undefined;
}

export interface UsbDeviceLike {
  readonly busNumber: number;
  readonly deviceAddress: number;
  readonly deviceDescriptor: { readonly idVendor: number; readonly idProduct: number; readonly iSerialNumber: number };
  /** Undefined until opened. */
  readonly interfaces: readonly UsbInterfaceLike[] | undefined;
  readonly configDescriptor: UsbConfigDescriptorLike | undefined;
  open(defaultConfig?: boolean): void;
  close(): void;
  interface(interfaceNumber: number): UsbInterfaceLike;
  getStringDescriptor(index: number, callback: (error?: UsbErrorLike, value?: string) => void): void;
}

/** Where devices come from: `usb.getDeviceList()` in production, fakes in tests. */
export interface UsbBackend {
  list(): Promise<readonly UsbDeviceLike[]>;
}

// ---- libusb constants (libusb.h; stable ABI values, checked against the `usb` package in tests)

export const LIBUSB = {
  ERROR_IO: -1,
  ERROR_INVALID_PARAM: -2,
  ERROR_ACCESS: -3,
  ERROR_NO_DEVICE: -4,
  ERROR_NOT_FOUND: -5,
  ERROR_BUSY: -6,
  ERROR_TIMEOUT: -7,
  ERROR_OVERFLOW: -8,
  ERROR_PIPE: -9,
  ERROR_INTERRUPTED: -10,
  ERROR_NO_MEM: -11,
  ERROR_NOT_SUPPORTED: -12,
  ERROR_OTHER: -99,
  TRANSFER_ERROR: 1,
  TRANSFER_TIMED_OUT: 2,
  TRANSFER_CANCELLED: 3,
  TRANSFER_STALL: 4,
  TRANSFER_NO_DEVICE: 5,
  TRANSFER_OVERFLOW: 6,
  TRANSFER_TYPE_BULK: 2,
  CLASS_PRINTER: 7,
  CLASS_VENDOR_SPEC: 0xff,
  ENDPOINT_IN: 0x80,
} as const;

const ERROR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(LIBUSB)
    .filter(([k]) => k.startsWith('ERROR_'))
    .map(([k, v]) => [v, `LIBUSB_${k}`]),
);
const TRANSFER_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(LIBUSB)
    .filter(([k]) => k.startsWith('TRANSFER_') && k !== 'TRANSFER_TYPE_BULK')
    .map(([k, v]) => [v, `LIBUSB_${k}`]),
);

// ---- endpoint selection (pure)

export interface PrinterEndpoints {
  readonly interfaceNumber: number;
  readonly alternateSetting: number;
  readonly outAddress: number;
  readonly outPacketSize: number;
  readonly inAddress: number;
  readonly inPacketSize: number;
  /** Printer class (7) or vendor-specific (0xff), for diagnostics. */
  readonly interfaceClass: number;
}

export type EndpointChoice = { readonly ok: true; readonly endpoints: PrinterEndpoints } | { readonly ok: false; readonly reason: string };

const isBulk = (e: UsbEndpointDescriptorLike) => (e.bmAttributes & 0x03) === LIBUSB.TRANSFER_TYPE_BULK;
const isIn = (e: UsbEndpointDescriptorLike) => (e.bEndpointAddress & LIBUSB.ENDPOINT_IN) !== 0;

/**
 * Which interface, alternate setting and bulk endpoints to print through. Usable: a printer-class
 * interface (7/1; not protocol 3, IEEE 1284.4, which wraps data in its own packets) or a
 * vendor-specific one (0xff, common on ESC/POS printers), with a bulk OUT (jobs) and a bulk IN
 * (status answers) endpoint. Preferred in that order: printer class, bidirectional protocol 2, the
 * lowest interface number, the lowest alternate setting. A printer-class interface without bulk IN
 * (unidirectional) cannot answer DLE EOT, so it is refused with a reason, as is everything else.
 */
export function choosePrinterEndpoints(config: UsbConfigDescriptorLike | undefined, onlyInterface?: number): EndpointChoice {
  if (!config) return { ok: false, reason: 'the device has no active configuration' };
  const candidates: (PrinterEndpoints & { readonly rank: number })[] = [];
  let unidirectional = false;
  let seen = false;
  for (const alts of config.interfaces) {
    for (const alt of alts) {
      if (onlyInterface !== undefined && alt.bInterfaceNumber !== onlyInterface) continue;
      seen = true;
      const printerClass = alt.bInterfaceClass === LIBUSB.CLASS_PRINTER && alt.bInterfaceSubClass === 1 && alt.bInterfaceProtocol !== 3;
      const vendor = alt.bInterfaceClass === LIBUSB.CLASS_VENDOR_SPEC;
      if (!printerClass && !vendor) continue;
      const out = alt.endpoints.find((e) => isBulk(e) && !isIn(e));
      const inp = alt.endpoints.find((e) => isBulk(e) && isIn(e));
      if (!out) continue;
      if (!inp) {
        if (printerClass) unidirectional = true;
        continue;
      }
      const rank = (printerClass ? 0 : 4) + (printerClass && alt.bInterfaceProtocol === 2 ? 0 : 2);
      candidates.push({
        rank,
        interfaceNumber: alt.bInterfaceNumber,
        alternateSetting: alt.bAlternateSetting,
        outAddress: out.bEndpointAddress,
        outPacketSize: out.wMaxPacketSize,
        inAddress: inp.bEndpointAddress,
        inPacketSize: inp.wMaxPacketSize,
        interfaceClass: alt.bInterfaceClass,
      });
    }
  }
  candidates.sort((a, b) => a.rank - b.rank || a.interfaceNumber - b.interfaceNumber || a.alternateSetting - b.alternateSetting);
  const best = candidates[0];
  if (best) {
    const { rank: _rank, ...endpoints } = best;
    return { ok: true, endpoints };
  }
  if (onlyInterface !== undefined && !seen) return { ok: false, reason: `the device has no interface ${onlyInterface}` };
  if (unidirectional) return { ok: false, reason: 'the printer interface is unidirectional (no bulk IN endpoint), so status cannot be read' };
  return { ok: false, reason: 'no printer-class or vendor-specific interface with bulk OUT and bulk IN endpoints' };
}

/** OUT chunks: whole packets (a short packet only at the very end), at most about `maxChunk` bytes. */
export function chunkSizeFor(packetSize: number, maxChunk: number): number {
  const packet = Math.max(1, packetSize);
  return Math.max(packet, maxChunk - (maxChunk % packet));
}

// ---- error mapping (pure)

function errnoOf(err: unknown): number | null {
  return err instanceof Error && 'errno' in err && typeof err.errno === 'number' ? err.errno : null;
}

export function libusbErrorName(err: unknown, transfer: boolean): string {
  const errno = errnoOf(err);
  if (errno === null) return err instanceof Error ? err.message.slice(0, 160) : String(err);
  return (transfer && errno > 0 ? TRANSFER_NAMES[errno] : ERROR_NAMES[errno]) ?? `libusb ${errno}`;
}

/**
 * The DeviceError code for a libusb failure. `transfer`: a bulk transfer's completion status (> 0)
 * or a submit error (< 0); otherwise an open / claim / detach call.
 *
 * - ACCESS: on Linux no udev rule grants the kiosk user the device (docs/deploy/linux.md);
 *   NOT_SUPPORTED: on Windows no WinUSB driver is bound to it (Zadig / vendor INF) — both are
 *   `printer.access_denied`, as is BUSY (another program or driver holds the interface).
 * - NO_DEVICE / NOT_FOUND before a transfer: `device.not_found`; the device gone during a
 *   transfer (NO_DEVICE, IO, ERROR): `device.disconnected`.
 * - a transfer that timed out: `device.timeout`; a STALL or OVERFLOW: `printer.job_failed`.
 */
export function libusbErrorCode(err: unknown, transfer: boolean): DeviceErrorCode {
  const errno = errnoOf(err);
  if (errno === null) return 'device.disconnected';
  switch (errno) {
    case LIBUSB.ERROR_ACCESS:
    case LIBUSB.ERROR_NOT_SUPPORTED:
    case LIBUSB.ERROR_BUSY:
      return 'printer.access_denied';
    case LIBUSB.ERROR_NO_DEVICE:
      return transfer ? 'device.disconnected' : 'device.not_found';
    case LIBUSB.ERROR_NOT_FOUND:
      return 'device.not_found';
    case LIBUSB.ERROR_TIMEOUT:
      return 'device.timeout';
    case LIBUSB.ERROR_PIPE:
    case LIBUSB.ERROR_OVERFLOW:
      return 'printer.job_failed';
    default:
      break;
  }
  if (!transfer) return 'device.disconnected';
  switch (errno) {
    case LIBUSB.TRANSFER_TIMED_OUT:
      return 'device.timeout';
    case LIBUSB.TRANSFER_STALL:
    case LIBUSB.TRANSFER_OVERFLOW:
      return 'printer.job_failed';
    default:
      return 'device.disconnected';
  }
}

// ---- the transport

/** Which device: USB ids, and the serial number when several identical printers are attached. */
export interface UsbPrinterMatch {
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber?: string;
  /** Force an interface number (default: chosen from the descriptors). */
  readonly interface?: number;
}

export interface UsbPrinterTransportOptions {
  /** Bound for a whole write (all chunks); a printer that stops reading (paper out) NAKs forever. */
  readonly writeTimeoutMs?: number;
  /** Largest bulk OUT transfer, rounded down to whole packets (default 4096). */
  readonly maxChunkBytes?: number;
  /** Pause between IN transfers that returned nothing (zero-length packets), ms (default 5). */
  readonly pollIntervalMs?: number;
  /** Timeout of each IN transfer `discardInput` uses to drain stale answers, ms (default 10). */
  readonly drainTimeoutMs?: number;
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

interface Claimed {
  readonly device: UsbDeviceLike;
  readonly iface: UsbInterfaceLike;
  readonly out: UsbOutEndpointLike;
  readonly in: UsbInEndpointLike;
  readonly endpoints: PrinterEndpoints;
  readonly detachedKernelDriver: boolean;
}

function isInEndpoint(ep: UsbEndpointLike | undefined): ep is UsbInEndpointLike {
  return ep !== undefined && ep.direction === 'in' && 'transfer' in ep && typeof ep.transfer === 'function';
}

function isOutEndpoint(ep: UsbEndpointLike | undefined): ep is UsbOutEndpointLike {
  return ep !== undefined && ep.direction === 'out' && 'transfer' in ep && typeof ep.transfer === 'function';
}

export class UsbPrinterTransport implements PrinterTransport {
  private claimed: Claimed | null = null;
  private opening: Promise<Claimed> | null = null;
  private inbox: Buffer = Buffer.alloc(0);
  private closed = false;

  constructor(
    private readonly match: UsbPrinterMatch,
    private readonly backend: UsbBackend,
    private readonly opts: UsbPrinterTransportOptions = {},
  ) {}

  private details(extra: Record<string, string | number> = {}): Record<string, string | number> {
    // `path` names the device in the UI's error texts (e.g. printer.access_denied): its USB ids.
    const serial = this.match.serialNumber !== undefined ? ` #${this.match.serialNumber}` : '';
    return { transport: 'usb', path: `${hex4(this.match.vendorId)}:${hex4(this.match.productId)}${serial}`, ...extra };
  }

  private fail(err: unknown, op: string, transfer: boolean, extra: Record<string, string | number> = {}): DeviceError {
    return new DeviceError(libusbErrorCode(err, transfer), this.details({ op, cause: libusbErrorName(err, transfer), ...extra }));
  }

  private ensureOpen(): Promise<Claimed> {
    if (this.closed) return Promise.reject(new DeviceError('device.disconnected', this.details({ reason: 'closed' })));
    if (this.claimed) return Promise.resolve(this.claimed);
    this.opening ??= this.open()
      .then((c) => {
        this.claimed = c;
        this.inbox = Buffer.alloc(0);
        return c;
      })
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  private async find(): Promise<UsbDeviceLike> {
    let all: readonly UsbDeviceLike[];
    try {
      all = await this.backend.list();
    } catch (e) {
      throw new DeviceError('device.not_found', this.details({ op: 'list', cause: libusbErrorName(e, false) }));
    }
    const sameIds = all.filter((d) => d.deviceDescriptor.idVendor === this.match.vendorId && d.deviceDescriptor.idProduct === this.match.productId);
    if (sameIds.length === 0) throw new DeviceError('device.not_found', this.details({ op: 'find', reason: 'no USB device with these ids' }));
    const wanted = this.match.serialNumber;
    if (wanted === undefined) return sameIds[0] as UsbDeviceLike;
    let lastError: unknown = null;
    for (const d of sameIds) {
      try {
        d.open(false);
      } catch (e) {
        lastError = e;
        continue;
      }
      const serial = await new Promise<string | null>((resolve) => {
        if (d.deviceDescriptor.iSerialNumber === 0) resolve(null);
        else d.getStringDescriptor(d.deviceDescriptor.iSerialNumber, (err, value) => resolve(err ? null : (value ?? null)));
      });
      try {
        d.close();
      } catch {
        // Closing a device we only asked for its serial number: nothing to do about a failure.
      }
      if (serial === wanted) return d;
    }
    if (lastError !== null) throw this.fail(lastError, 'open', false, { reason: 'could not read serial numbers' });
    throw new DeviceError('device.not_found', this.details({ op: 'find', reason: 'no USB device with this serial number' }));
  }

  private async open(): Promise<Claimed> {
    const device = await this.find();
    try {
      device.open();
    } catch (e) {
      throw this.fail(e, 'open', false);
    }
    const closeDevice = () => {
      try {
        device.close();
      } catch {
        // Best effort while giving up on this device.
      }
    };
    const choice = choosePrinterEndpoints(device.configDescriptor, this.match.interface);
    if (!choice.ok) {
      closeDevice();
      throw new DeviceError('device.not_found', this.details({ op: 'select', reason: choice.reason }));
    }
    const ep = choice.endpoints;
    let iface: UsbInterfaceLike;
    let detached = false;
    try {
      iface = device.interface(ep.interfaceNumber);
      detached = this.detachKernelDriver(iface);
      iface.claim();
    } catch (e) {
      closeDevice();
      throw this.fail(e, 'claim', false, { interface: ep.interfaceNumber });
    }
    if (iface.altSetting !== ep.alternateSetting) {
      const err = await new Promise<UsbErrorLike | undefined>((resolve) => iface.setAltSetting(ep.alternateSetting, resolve));
      if (err) {
        await this.releaseInterface(iface, detached);
        closeDevice();
        throw this.fail(err, 'set_alt_setting', false, { interface: ep.interfaceNumber, alternateSetting: ep.alternateSetting });
      }
    }
    const out = iface.endpoint(ep.outAddress);
    const inp = iface.endpoint(ep.inAddress);
    if (!isOutEndpoint(out) || !isInEndpoint(inp)) {
      await this.releaseInterface(iface, detached);
      closeDevice();
      throw new DeviceError('device.not_found', this.details({ op: 'select', reason: 'endpoints in the descriptors are missing from the interface' }));
    }
    return { device, iface, out, in: inp, endpoints: ep, detachedKernelDriver: detached };
  }

  /**
   * Linux: usblp (or another driver) owns a printer interface; libusb cannot claim it until it is
   * detached. Windows has no such thing (NOT_SUPPORTED): the device must already use WinUSB.
   */
  private detachKernelDriver(iface: UsbInterfaceLike): boolean {
    let active: boolean;
    try {
      active = iface.isKernelDriverActive();
    } catch (e) {
      if (errnoOf(e) === LIBUSB.ERROR_NOT_SUPPORTED) return false;
      throw e;
    }
    if (!active) return false;
    iface.detachKernelDriver();
    return true;
  }

  private releaseInterface(iface: UsbInterfaceLike, reattach: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      iface.release(true, () => {
        if (reattach) {
          try {
            iface.attachKernelDriver();
          } catch {
            // The kernel driver comes back at the next plug-in anyway.
          }
        }
        resolve();
      });
    });
  }

  /** Drop the device (unplugged, or its state unknown after a failed transfer); the next call reopens it. */
  private async release(): Promise<void> {
    const c = this.claimed;
    this.claimed = null;
    this.inbox = Buffer.alloc(0);
    if (!c) return;
    await this.releaseInterface(c.iface, c.detachedKernelDriver);
    try {
      c.device.close();
    } catch {
      // Already gone.
    }
  }

  private outTransfer(c: Claimed, chunk: Buffer, timeoutMs: number): Promise<{ error: UsbErrorLike | undefined; actual: number }> {
    c.out.timeout = Math.max(1, Math.ceil(timeoutMs));
    return new Promise((resolve) => c.out.transfer(chunk, (error, actual) => resolve({ error, actual: actual ?? 0 })));
  }

  private inTransfer(c: Claimed, timeoutMs: number): Promise<{ error: UsbErrorLike | undefined; data: Buffer }> {
    c.in.timeout = Math.max(1, Math.ceil(timeoutMs));
    // Whole packets: asking for less than the device may send is a libusb OVERFLOW.
    const length = Math.max(1, c.endpoints.inPacketSize);
    return new Promise((resolve) => c.in.transfer(length, (error, data) => resolve({ error, data: data ?? Buffer.alloc(0) })));
  }

  async write(bytes: Uint8Array): Promise<void> {
    const c = await this.ensureOpen();
    const timeoutMs = this.opts.writeTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const chunkSize = chunkSizeFor(c.endpoints.outPacketSize, this.opts.maxChunkBytes ?? 4096);
    let off = 0;
    while (off < bytes.length) {
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.release();
        throw new DeviceError('device.timeout', this.details({ op: 'write', timeoutMs, written: off }));
      }
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + off, Math.min(chunkSize, bytes.length - off));
      const { error, actual } = await this.outTransfer(c, chunk, left);
      off += actual;
      if (error) {
        // The printer has part of the job at most; start over with a fresh claim next time.
        await this.release();
        throw this.fail(error, 'write', true, libusbErrorCode(error, true) === 'device.timeout' ? { timeoutMs, written: off } : { written: off });
      }
      if (actual < chunk.length) {
        await this.release();
        throw new DeviceError('printer.job_failed', this.details({ op: 'write', cause: 'short write', written: off }));
      }
    }
  }

  async read(n: number, timeoutMs: number): Promise<Uint8Array> {
    const c = await this.ensureOpen();
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new DeviceError('device.timeout', this.details({ op: 'read', timeoutMs }));
      const { error, data } = await this.inTransfer(c, left);
      if (data.length > 0) this.inbox = Buffer.concat([this.inbox, data]);
      if (error) {
        const code = libusbErrorCode(error, true);
        if (code === 'device.timeout') continue; // the deadline check above ends it
        await this.release();
        throw this.fail(error, 'read', true);
      }
      if (data.length === 0) await sleep(this.opts.pollIntervalMs ?? 5);
    }
    const out = Uint8Array.from(this.inbox.subarray(0, n));
    this.inbox = this.inbox.subarray(n);
    return out;
  }

  /**
   * Answers wait in the printer until the host asks for them, so a late answer to a timed-out query
   * is drained from the device, not only from our buffer. Bounded: a device that streams endlessly
   * cannot trap us here.
   */
  async discardInput(): Promise<void> {
    this.inbox = Buffer.alloc(0);
    const c = this.claimed;
    if (!c) return;
    for (let i = 0; i < 8; i++) {
      const { error, data } = await this.inTransfer(c, this.opts.drainTimeoutMs ?? 10);
      if (error) {
        if (libusbErrorCode(error, true) === 'device.timeout') return;
        await this.release();
        throw this.fail(error, 'read', true);
      }
      if (data.length === 0) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.release();
  }
}
