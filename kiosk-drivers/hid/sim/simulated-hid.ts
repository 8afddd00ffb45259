/**
 * A simulated HID bus behind node-hid's own API surface: `devices()`, `devicesAsync()`,
 * `HIDAsync.open(path)` (write / read(timeout) / 'data' / 'error' / close) and the synchronous
 * `HID` class (write / read(cb) / readTimeout / readSync / 'data' / close). Simulated devices
 * (card reader, scanners) plug into the bus; real driver code runs unchanged against it.
 */
import { EventEmitter } from 'node:events';
import type { Device } from 'node-hid';
import type { HidModule } from '../hid-module.js';

/**
 * The output reports a device declares in its report descriptor. hidapi's write() takes the report
 * ID as the first byte (0x00 for a device without numbered reports) followed by the report.
 */
export interface OutputReportShape {
  /** Report IDs the device has; `[0]` for a device with unnumbered reports. */
  readonly ids: readonly number[];
  /** Bytes in one output report, without the report-ID byte. */
  readonly size: number;
}

/** Unnumbered 64-byte output reports (a full-speed interrupt endpoint's largest). */
export const UNNUMBERED_64: OutputReportShape = { ids: [0], size: 64 };

/**
 * What hidapi and a real device do with one write(): the first byte must be a report ID the device
 * has, and the rest must fit its report (hidapi pads a shorter one with zeros up to the report
 * length, as on Windows). Anything else fails the way node-hid fails when hid_write() returns -1.
 * Returns the report-ID byte followed by exactly `size` report bytes.
 */
export function acceptOutputWrite(shape: OutputReportShape, values: ArrayLike<number>): Uint8Array {
  const fail = (why: string): never => {
    throw new Error(`Cannot write to hid device: ${why}`);
  };
  if (values.length === 0) fail('no report ID');
  const id = values[0] as number;
  if (!shape.ids.includes(id)) {
    fail(
      shape.ids.length === 1 && shape.ids[0] === 0
        ? `first byte 0x${id.toString(16).padStart(2, '0')} is not report ID 0x00 (the device has unnumbered reports)`
        : `report ID 0x${id.toString(16).padStart(2, '0')} is not one of the device's`,
    );
  }
  if (values.length > shape.size + 1) fail(`${values.length} bytes for a ${shape.size}-byte report plus its report ID`);
  const out = new Uint8Array(shape.size + 1);
  out.set(Uint8Array.from(values));
  return out;
}

/** What a simulated device implements; the bus handles handles, buffering and unplug. */
export abstract class SimulatedHidDevice {
  private readonly handles = new Set<DeviceHandleSink>();
  private plugged = true;

  constructor(
    readonly info: Device,
    readonly outputReport: OutputReportShape = UNNUMBERED_64,
  ) {}

  get isPlugged(): boolean {
    return this.plugged;
  }

  /**
   * A host wrote `data`: the report-ID byte, then exactly `outputReport.size` bytes. Writes that
   * hidapi or the device would refuse never get here; the host's write() fails instead.
   */
  abstract handleOutput(data: Uint8Array): void;

  /** Sends one input report to every open handle. */
  protected sendInput(report: Uint8Array): void {
    if (!this.plugged) return;
    for (const h of this.handles) h.input(Buffer.from(report));
  }

  /** Pulls the USB cable: open handles get 'error', the device vanishes from the listing. */
  unplug(): void {
    if (!this.plugged) return;
    this.plugged = false;
    for (const h of this.handles) h.fail(new Error('could not read from HID device'));
    this.handles.clear();
  }

  replug(): void {
    this.plugged = true;
  }

  /** @internal used by the bus */
  attach(h: DeviceHandleSink): void {
    this.handles.add(h);
  }
  /** @internal used by the bus */
  detach(h: DeviceHandleSink): void {
    this.handles.delete(h);
  }
}

interface DeviceHandleSink {
  input(report: Buffer): void;
  fail(err: Error): void;
}

export class SimulatedHidBus {
  private readonly devs: SimulatedHidDevice[] = [];

  add<T extends SimulatedHidDevice>(dev: T): T {
    this.devs.push(dev);
    return dev;
  }

  remove(dev: SimulatedHidDevice): void {
    const i = this.devs.indexOf(dev);
    if (i >= 0) this.devs.splice(i, 1);
  }

  list(vid?: number, pid?: number): Device[] {
    return this.devs
      .filter((d) => d.isPlugged)
      .filter((d) => vid === undefined || (d.info.vendorId === vid && (pid === undefined || d.info.productId === pid)))
      .map((d) => ({ ...d.info }));
  }

  find(pathOrVid: string | number, pid?: number): SimulatedHidDevice | undefined {
    return this.devs.find(
      (d) =>
        d.isPlugged &&
        (typeof pathOrVid === 'string'
          ? d.info.path === pathOrVid
          : d.info.vendorId === pathOrVid && d.info.productId === pid),
    );
  }

  /** A module object shaped like `import HID from 'node-hid'`. */
  module(): SimulatedHidModule {
    return createSimulatedHidModule(this);
  }
}

function notFound(): Error {
  return new Error('No HID devices with requested VID/PID found');
}

/** Same surface as node-hid's HIDAsync. */
export class SimulatedHIDAsync extends EventEmitter implements DeviceHandleSink {
  private readonly queue: Buffer[] = [];
  private waiter: ((b: Buffer | undefined) => void) | null = null;
  private closed = false;
  private failed: Error | null = null;

  constructor(private readonly dev: SimulatedHidDevice) {
    super();
    dev.attach(this);
    this.on('newListener', (event: string) => {
      if (event === 'data') process.nextTick(() => this.drain());
    });
  }

  input(report: Buffer): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(report);
      return;
    }
    this.queue.push(report);
    // Like hidapi's reader thread, delivery is asynchronous.
    setImmediate(() => this.drain());
  }

  fail(err: Error): void {
    this.failed = err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(undefined);
    }
    setImmediate(() => {
      if (!this.closed) this.emit('error', err);
    });
  }

  private drain(): void {
    while (!this.closed && this.listenerCount('data') > 0 && this.queue.length > 0) {
      this.emit('data', this.queue.shift());
    }
  }

  async write(values: number[] | Buffer): Promise<number> {
    if (this.closed) throw new Error('Cannot write to closed device');
    if (this.failed || !this.dev.isPlugged) throw new Error('Cannot write to hid device');
    const report = acceptOutputWrite(this.dev.outputReport, values);
    this.dev.handleOutput(report);
    return report.length;
  }

  async read(timeOut?: number): Promise<Buffer | undefined> {
    if (this.closed) throw new Error('Unable to read from a closed HID device');
    if (this.failed) throw this.failed;
    const next = this.queue.shift();
    if (next) return next;
    if (timeOut === 0) return undefined;
    return new Promise<Buffer | undefined>((resolve) => {
      const t =
        timeOut !== undefined && timeOut > 0
          ? setTimeout(() => {
              this.waiter = null;
              resolve(undefined);
            }, timeOut)
          : undefined;
      this.waiter = (b) => {
        if (t) clearTimeout(t);
        if (b === undefined && this.failed) resolve(undefined);
        else resolve(b);
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dev.detach(this);
    this.removeAllListeners();
  }

  async getDeviceInfo(): Promise<Device> {
    return { ...this.dev.info };
  }

  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    return data.length;
  }

  async getFeatureReport(_reportId: number, reportLength: number): Promise<Buffer> {
    return Buffer.alloc(reportLength);
  }

  async setNonBlocking(_noBlock: boolean): Promise<void> {}

  pause(): void {}
  resume(): void {
    this.drain();
  }
}

/** Same surface as node-hid's synchronous HID class. */
export class SimulatedHID extends EventEmitter implements DeviceHandleSink {
  private readonly queue: Buffer[] = [];
  private closed = false;

  constructor(private readonly dev: SimulatedHidDevice) {
    super();
    dev.attach(this);
    this.on('newListener', (event: string) => {
      if (event === 'data') process.nextTick(() => this.drain());
    });
  }

  input(report: Buffer): void {
    if (this.closed) return;
    this.queue.push(report);
    setImmediate(() => this.drain());
  }

  fail(err: Error): void {
    setImmediate(() => {
      if (!this.closed) this.emit('error', err);
    });
  }

  private drain(): void {
    while (!this.closed && this.listenerCount('data') > 0 && this.queue.length > 0) {
      this.emit('data', this.queue.shift());
    }
  }

  write(values: number[] | Buffer): number {
    if (this.closed || !this.dev.isPlugged) throw new Error('Cannot write to hid device');
    const report = acceptOutputWrite(this.dev.outputReport, values);
    this.dev.handleOutput(report);
    return report.length;
  }

  /** The simulator cannot block a thread: returns what is buffered, or [] (as on timeout). */
  readTimeout(_timeOut: number): number[] {
    if (this.closed) throw new Error('Unable to read from a closed HID device');
    const b = this.queue.shift();
    return b ? [...b] : [];
  }

  readSync(): number[] {
    return this.readTimeout(0);
  }

  read(callback: (err: Error | null, data: number[]) => void): void {
    if (this.closed) throw new Error('Unable to read from a closed HID device');
    const poll = (): void => {
      if (!this.dev.isPlugged) return callback(new Error('could not read from HID device'), []);
      const b = this.queue.shift();
      if (b) return callback(null, [...b]);
      setTimeout(poll, 1);
    };
    setImmediate(poll);
  }

  close(): void {
    this.closed = true;
    this.dev.detach(this);
    this.removeAllListeners();
  }

  getDeviceInfo(): Device {
    return { ...this.dev.info };
  }

  pause(): void {}
  resume(): void {
    this.drain();
  }
  setNonBlocking(_noBlock: boolean): void {}
}

export interface SimulatedHidModule extends HidModule {
  readonly HIDAsync: {
    open(path: string, options?: { nonExclusive?: boolean }): Promise<SimulatedHIDAsync>;
    open(vid: number, pid: number, options?: { nonExclusive?: boolean }): Promise<SimulatedHIDAsync>;
  };
  readonly HID: new (pathOrVid: string | number, pid?: number) => SimulatedHID;
  devices(vid?: number, pid?: number): Device[];
  devicesAsync(vid?: number, pid?: number): Promise<Device[]>;
  setDriverType(type: 'hidraw' | 'libusb'): void;
  getHidapiVersion(): string;
}

export function createSimulatedHidModule(bus: SimulatedHidBus): SimulatedHidModule {
  class BoundHID extends SimulatedHID {
    constructor(pathOrVid: string | number, pid?: number) {
      const dev = bus.find(pathOrVid, pid);
      if (!dev) throw notFound();
      super(dev);
    }
  }
  async function open(pathOrVid: string | number, pidOrOptions?: number | object): Promise<SimulatedHIDAsync> {
    const dev = bus.find(pathOrVid, typeof pidOrOptions === 'number' ? pidOrOptions : undefined);
    if (!dev) throw notFound();
    return new SimulatedHIDAsync(dev);
  }
  return {
    HIDAsync: { open } as SimulatedHidModule['HIDAsync'],
    HID: BoundHID,
    devices: (vid?: number, pid?: number) => bus.list(vid, pid),
    devicesAsync: async (vid?: number, pid?: number) => bus.list(vid, pid),
    setDriverType: () => {},
    getHidapiVersion: () => 'simulated',
  };
}
