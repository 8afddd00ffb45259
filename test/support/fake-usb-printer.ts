/**
 * A fake USB printer shaped like the `usb` package's (2.x) Device / Interface / Endpoint, for the
 * USB transport core (kiosk-drivers/printer/usb-printer-core.ts). Bulk OUT feeds a
 * SimulatedPrinterDevice (the TCP simulator's decoder and DLE EOT / GS r answers); its answers
 * wait in the IN endpoint until a transfer asks for them, as on a real device. Switches for the
 * failures libusb reports: unplugged, no access, no WinUSB driver, busy, a printer that NAKs.
 */
import { SimulatedPrinterDevice, type DecodedJob, type PrinterFault } from '../../kiosk-drivers/printer/simulator.js';
import type {
  UsbConfigDescriptorLike,
  UsbDeviceLike,
  UsbEndpointDescriptorLike,
  UsbEndpointLike,
  UsbErrorLike,
  UsbInterfaceDescriptorLike,
  UsbInterfaceLike,
} from '../../kiosk-drivers/printer/usb-printer-core.js';

export class FakeLibusbError extends Error implements UsbErrorLike {
  constructor(readonly errno: number) {
    super(`LIBUSB error ${errno}`);
  }
}

export const bulk = (address: number, packet = 64): UsbEndpointDescriptorLike => ({ bEndpointAddress: address, bmAttributes: 0x02, wMaxPacketSize: packet });
export const interrupt = (address: number, packet = 8): UsbEndpointDescriptorLike => ({ bEndpointAddress: address, bmAttributes: 0x03, wMaxPacketSize: packet });

export function alt(
  interfaceNumber: number,
  alternate: number,
  cls: readonly [number, number, number],
  endpoints: readonly UsbEndpointDescriptorLike[],
): UsbInterfaceDescriptorLike {
  return {
    bInterfaceNumber: interfaceNumber,
    bAlternateSetting: alternate,
    bInterfaceClass: cls[0],
    bInterfaceSubClass: cls[1],
    bInterfaceProtocol: cls[2],
    endpoints,
  };
}

/** An Epson-style printer: one printer-class, bidirectional interface, bulk OUT 0x01, bulk IN 0x82. */
export const TYPICAL_PRINTER: UsbConfigDescriptorLike = { interfaces: [[alt(0, 0, [7, 1, 2], [bulk(0x01), bulk(0x82)])]] };

export interface FakeUsbPrinterOptions {
  readonly vendorId?: number;
  readonly productId?: number;
  readonly serialNumber?: string;
  readonly config?: UsbConfigDescriptorLike;
  readonly printMs?: number;
  /** Linux: usblp bound to the printer interface. */
  readonly kernelDriverActive?: boolean;
  /** Windows: libusb has no kernel-driver calls (LIBUSB_ERROR_NOT_SUPPORTED). */
  readonly windows?: boolean;
  readonly busNumber?: number;
}

const TRANSFER_TIMED_OUT = 2;
const TRANSFER_NO_DEVICE = 5;
const ERROR_NO_DEVICE = -4;
const ERROR_NOT_SUPPORTED = -12;

interface PendingIn {
  readonly length: number;
  readonly callback: (error: UsbErrorLike | undefined, data?: Buffer) => void;
  readonly timer: NodeJS.Timeout;
}

export class FakeUsbPrinter implements UsbDeviceLike {
  readonly busNumber: number;
  readonly deviceAddress = 5;
  readonly deviceDescriptor: { idVendor: number; idProduct: number; iSerialNumber: number };
  interfaces: FakeInterface[] | undefined = undefined;
  readonly configDescriptor: UsbConfigDescriptorLike;
  readonly jobs: DecodedJob[] = [];
  /** Sizes of every bulk OUT transfer, in order. */
  readonly outTransfers: number[] = [];
  readonly log: string[] = [];
  fault: PrinterFault = null;
  /** The errno `open()` throws (e.g. -3 no access, -12 no WinUSB driver), or null. */
  openError: number | null = null;
  claimError: number | null = null;
  /** Bulk OUT is NAKed: transfers end only by their timeout. */
  nak = false;
  kernelDriverActive: boolean;
  readonly windows: boolean;
  plugged = true;
  private device!: SimulatedPrinterDevice;
  private answers: Buffer = Buffer.alloc(0);
  private pendingIn: PendingIn | null = null;
  readonly serialNumber: string | undefined;
  private readonly printMs: number | undefined;

  constructor(opts: FakeUsbPrinterOptions = {}) {
    this.deviceDescriptor = { idVendor: opts.vendorId ?? 0x04b8, idProduct: opts.productId ?? 0x0e15, iSerialNumber: opts.serialNumber ? 3 : 0 };
    this.serialNumber = opts.serialNumber;
    this.configDescriptor = opts.config ?? TYPICAL_PRINTER;
    this.kernelDriverActive = opts.kernelDriverActive ?? false;
    this.windows = opts.windows ?? false;
    this.busNumber = opts.busNumber ?? 1;
    this.printMs = opts.printMs;
    this.powerOn();
  }

  /** A fresh printer state (after a replug, its input buffer is empty). */
  private powerOn(): void {
    this.answers = Buffer.alloc(0);
    this.device = new SimulatedPrinterDevice({
      ...(this.printMs !== undefined ? { printMs: this.printMs } : {}),
      fault: () => this.fault,
      respond: (bytes) => this.answer(Buffer.from(bytes)),
      onJob: (job) => this.jobs.push(job),
    });
  }

  /** Something for the host to read: served to a waiting IN transfer, or kept until one asks. */
  answer(bytes: Buffer): void {
    this.answers = Buffer.concat([this.answers, bytes]);
    const p = this.pendingIn;
    if (p) {
      this.pendingIn = null;
      clearTimeout(p.timer);
      setImmediate(() => p.callback(undefined, this.take(p.length)));
    }
  }

  private take(length: number): Buffer {
    const out = this.answers.subarray(0, length);
    this.answers = this.answers.subarray(length);
    return Buffer.from(out);
  }

  unplug(): void {
    this.plugged = false;
    this.interfaces = undefined;
    const p = this.pendingIn;
    if (p) {
      this.pendingIn = null;
      clearTimeout(p.timer);
      setImmediate(() => p.callback(new FakeLibusbError(TRANSFER_NO_DEVICE), Buffer.alloc(0)));
    }
  }

  replug(): void {
    this.plugged = true;
    this.powerOn();
  }

  get opened(): boolean {
    return this.interfaces !== undefined;
  }

  open(defaultConfig = true): void {
    if (!this.plugged) throw new FakeLibusbError(ERROR_NO_DEVICE);
    if (this.openError !== null) throw new FakeLibusbError(this.openError);
    this.log.push(defaultConfig ? 'open' : 'open(no config)');
    this.interfaces = defaultConfig ? this.configDescriptor.interfaces.map((_, i) => new FakeInterface(this, i)) : [];
  }

  close(): void {
    this.log.push('close');
    this.interfaces = undefined;
  }

  interface(interfaceNumber: number): FakeInterface {
    if (!this.interfaces) throw new Error('Device must be open before searching for interfaces');
    const found = this.interfaces.find((i) => i.interfaceNumber === interfaceNumber);
    if (!found) throw new Error(`no interface ${interfaceNumber}`);
    return found;
  }

  getStringDescriptor(index: number, callback: (error?: UsbErrorLike, value?: string) => void): void {
    setImmediate(() => (index === 3 && this.serialNumber !== undefined ? callback(undefined, this.serialNumber) : callback(new FakeLibusbError(-5))));
  }

  /** Bulk OUT: the printer takes the bytes (unless it NAKs) and decodes them. */
  outTransfer(endpoint: UsbEndpointLike, buffer: Buffer, callback: (error: UsbErrorLike | undefined, actual: number) => void): void {
    if (!this.plugged) {
      setImmediate(() => callback(new FakeLibusbError(TRANSFER_NO_DEVICE), 0));
      return;
    }
    this.outTransfers.push(buffer.length);
    if (this.nak) {
      setTimeout(() => callback(new FakeLibusbError(TRANSFER_TIMED_OUT), 0), endpoint.timeout);
      return;
    }
    const copy = Buffer.from(buffer);
    setImmediate(() => {
      this.device.receive(copy);
      callback(undefined, copy.length);
    });
  }

  /** Bulk IN: what the printer has to say, or a timeout with nothing after `endpoint.timeout`. */
  inTransfer(endpoint: UsbEndpointLike, length: number, callback: (error: UsbErrorLike | undefined, data?: Buffer) => void): void {
    if (!this.plugged) {
      setImmediate(() => callback(new FakeLibusbError(TRANSFER_NO_DEVICE), Buffer.alloc(0)));
      return;
    }
    if (this.pendingIn) throw new Error('fake: two IN transfers at once');
    if (this.answers.length > 0) {
      const data = this.take(length);
      setImmediate(() => callback(undefined, data));
      return;
    }
    const timer = setTimeout(() => {
      this.pendingIn = null;
      callback(new FakeLibusbError(TRANSFER_TIMED_OUT), Buffer.alloc(0));
    }, endpoint.timeout || 60_000);
    this.pendingIn = { length, callback, timer };
  }

  kernelDriverCall(kind: 'active' | 'detach' | 'attach', interfaceNumber: number): boolean {
    if (this.windows) throw new FakeLibusbError(ERROR_NOT_SUPPORTED);
    if (kind === 'active') return this.kernelDriverActive;
    this.log.push(`${kind}KernelDriver(${interfaceNumber})`);
    this.kernelDriverActive = kind === 'attach';
    return this.kernelDriverActive;
  }
}

class FakeEndpoint implements UsbEndpointLike {
  timeout = 0;
  readonly direction: 'in' | 'out';
  readonly address: number;
  constructor(
    private readonly device: FakeUsbPrinter,
    readonly descriptor: UsbEndpointDescriptorLike,
  ) {
    this.address = descriptor.bEndpointAddress;
    this.direction = (descriptor.bEndpointAddress & 0x80) !== 0 ? 'in' : 'out';
  }

  /** Like usb's InEndpoint.transfer(length, cb) and OutEndpoint.transfer(buffer, cb) in one. */
  transfer(arg: number | Buffer, callback: (error: UsbErrorLike | undefined, result?: Buffer | number) => void): this {
    if (typeof arg === 'number') this.device.inTransfer(this, arg, callback);
    else this.device.outTransfer(this, arg, callback);
    return this;
  }
}

export class FakeInterface implements UsbInterfaceLike {
  altSetting = 0;
  endpoints: FakeEndpoint[] = [];
  interfaceNumber = 0;
  claimed = false;

  constructor(
    private readonly device: FakeUsbPrinter,
    private readonly index: number,
  ) {
    this.refresh();
  }

  private refresh(): void {
    const d = this.device.configDescriptor.interfaces[this.index]?.[this.altSetting];
    if (!d) throw new Error(`fake: no alternate setting ${this.altSetting}`);
    this.interfaceNumber = d.bInterfaceNumber;
    this.endpoints = d.endpoints.map((e) => new FakeEndpoint(this.device, e));
  }

  claim(): void {
    if (this.device.claimError !== null) throw new FakeLibusbError(this.device.claimError);
    // libusb cannot claim an interface a kernel driver holds (Linux).
    if (this.device.kernelDriverActive && !this.device.windows) throw new FakeLibusbError(-6);
    this.device.log.push(`claim(${this.interfaceNumber})`);
    this.claimed = true;
  }

  release(closeEndpoints: boolean, callback: (error?: UsbErrorLike) => void): void {
    this.device.log.push(`release(${this.interfaceNumber})`);
    this.claimed = false;
    this.altSetting = 0;
    this.refresh();
    setImmediate(() => callback(undefined));
  }

  isKernelDriverActive(): boolean {
    return this.device.kernelDriverCall('active', this.interfaceNumber);
  }

  detachKernelDriver(): void {
    this.device.kernelDriverCall('detach', this.interfaceNumber);
  }

  attachKernelDriver(): void {
    this.device.kernelDriverCall('attach', this.interfaceNumber);
  }

  setAltSetting(altSetting: number, callback: (error: UsbErrorLike | undefined) => void): void {
    this.device.log.push(`setAltSetting(${this.interfaceNumber}, ${altSetting})`);
    this.altSetting = altSetting;
    this.refresh();
    setImmediate(() => callback(undefined));
  }

  endpoint(address: number): FakeEndpoint | undefined {
    return this.endpoints.find((e) => e.address === address);
  }
}
