/**
 * The libusb printer transport's core against fake devices shaped like the `usb` package's
 * Device / Interface / Endpoint (test/support/fake-usb-printer.ts): endpoint selection from
 * descriptors, claiming (kernel driver detached on Linux, none on Windows), chunked bulk OUT,
 * bulk IN status with a deadline, libusb errors → DeviceError codes, unplug and replug — and
 * the real EscPosReceiptPrinter printing through it, DLE EOT and GS r 1 included.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { EscPosReceiptPrinter } from '../../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { layoutReceiptText, type Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';
import {
  choosePrinterEndpoints,
  chunkSizeFor,
  LIBUSB,
  libusbErrorCode,
  UsbPrinterTransport,
  type UsbBackend,
} from '../../../kiosk-drivers/printer/usb-printer-core.js';
import { alt, bulk, FakeLibusbError, FakeUsbPrinter, interrupt, TYPICAL_PRINTER } from '../../support/fake-usb-printer.js';

const receipt: Receipt = {
  lines: [
    { kind: 'text', text: '电费收据', align: 'center', bold: true },
    { kind: 'pair', left: '金额', right: '¥12.50' },
    { kind: 'qr', data: 'https://e.example.cn/1' },
    { kind: 'barcode', data: 'PAY-1' },
  ],
};

const IDS = { vendorId: 0x04b8, productId: 0x0e15 };

const backendOf = (...devices: FakeUsbPrinter[]): UsbBackend => ({ list: () => Promise.resolve(devices) });

async function rejection(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('endpoint selection from descriptors', () => {
  it('a printer-class bidirectional interface: its bulk OUT and bulk IN', () => {
    expect(choosePrinterEndpoints(TYPICAL_PRINTER)).toEqual({
      ok: true,
      endpoints: { interfaceNumber: 0, alternateSetting: 0, outAddress: 0x01, outPacketSize: 64, inAddress: 0x82, inPacketSize: 64, interfaceClass: 7 },
    });
  });

  it('a composite device (HID keypad + printer): the printer interface, not the HID one', () => {
    const composite = {
      interfaces: [[alt(0, 0, [3, 0, 0], [interrupt(0x81)])], [alt(1, 0, [7, 1, 2], [bulk(0x02, 512), bulk(0x83, 512)])]],
    };
    expect(choosePrinterEndpoints(composite)).toMatchObject({ ok: true, endpoints: { interfaceNumber: 1, outAddress: 0x02, inAddress: 0x83, outPacketSize: 512 } });
  });

  it('alternate settings: the bidirectional one (protocol 2), never IEEE 1284.4 (protocol 3)', () => {
    const alts = {
      interfaces: [
        [
          alt(0, 0, [7, 1, 1], [bulk(0x01)]),
          alt(0, 1, [7, 1, 2], [bulk(0x01), bulk(0x82)]),
          alt(0, 2, [7, 1, 3], [bulk(0x01), bulk(0x82)]),
        ],
      ],
    };
    expect(choosePrinterEndpoints(alts)).toMatchObject({ ok: true, endpoints: { interfaceNumber: 0, alternateSetting: 1 } });
  });

  it('a vendor-specific interface with bulk OUT + IN (many ESC/POS printers), when there is no printer class', () => {
    const vendor = { interfaces: [[alt(0, 0, [0xff, 0, 0], [bulk(0x81), bulk(0x03)])]] };
    expect(choosePrinterEndpoints(vendor)).toMatchObject({ ok: true, endpoints: { outAddress: 0x03, inAddress: 0x81, interfaceClass: 0xff } });
    const both = { interfaces: [[alt(0, 0, [0xff, 0, 0], [bulk(0x01), bulk(0x81)])], [alt(1, 0, [7, 1, 2], [bulk(0x02), bulk(0x82)])]] };
    expect(choosePrinterEndpoints(both)).toMatchObject({ ok: true, endpoints: { interfaceNumber: 1, interfaceClass: 7 } });
  });

  it('refuses, with a reason: unidirectional only, no printer interface, interrupt-only, a forced interface that is missing', () => {
    expect(choosePrinterEndpoints({ interfaces: [[alt(0, 0, [7, 1, 1], [bulk(0x01)])]] })).toEqual({
      ok: false,
      reason: 'the printer interface is unidirectional (no bulk IN endpoint), so status cannot be read',
    });
    expect(choosePrinterEndpoints({ interfaces: [[alt(0, 0, [8, 6, 0x50], [bulk(0x01), bulk(0x82)])]] })).toMatchObject({ ok: false, reason: expect.stringMatching(/no printer-class/) });
    expect(choosePrinterEndpoints({ interfaces: [[alt(0, 0, [7, 1, 2], [interrupt(0x01), interrupt(0x82)])]] })).toMatchObject({ ok: false });
    expect(choosePrinterEndpoints(TYPICAL_PRINTER, 2)).toEqual({ ok: false, reason: 'the device has no interface 2' });
    expect(choosePrinterEndpoints(undefined)).toMatchObject({ ok: false });
  });

  it('OUT chunks are whole packets', () => {
    expect(chunkSizeFor(64, 4096)).toBe(4096);
    expect(chunkSizeFor(512, 1000)).toBe(512);
    expect(chunkSizeFor(64, 100)).toBe(64);
    expect(chunkSizeFor(64, 10)).toBe(64);
  });
});

describe('libusb errors → DeviceError codes', () => {
  it.each([
    [LIBUSB.ERROR_ACCESS, false, 'printer.access_denied'], // Linux: no udev rule for the kiosk user
    [LIBUSB.ERROR_NOT_SUPPORTED, false, 'printer.access_denied'], // Windows: no WinUSB driver bound
    [LIBUSB.ERROR_BUSY, false, 'printer.access_denied'],
    [LIBUSB.ERROR_NO_DEVICE, false, 'device.not_found'],
    [LIBUSB.ERROR_NO_DEVICE, true, 'device.disconnected'],
    [LIBUSB.ERROR_IO, false, 'device.disconnected'],
    [LIBUSB.TRANSFER_TIMED_OUT, true, 'device.timeout'],
    [LIBUSB.TRANSFER_NO_DEVICE, true, 'device.disconnected'],
    [LIBUSB.TRANSFER_ERROR, true, 'device.disconnected'],
    [LIBUSB.TRANSFER_STALL, true, 'printer.job_failed'],
    [LIBUSB.TRANSFER_OVERFLOW, true, 'printer.job_failed'],
  ] as const)('errno %i (transfer %s) → %s', (errno, transfer, code) => {
    expect(libusbErrorCode(new FakeLibusbError(errno), transfer)).toBe(code);
  });

  it("the constants are libusb's, as the usb package exports them", async () => {
    const { usb } = await import('usb');
    for (const [name, value] of Object.entries(LIBUSB)) {
      const real = (usb as unknown as Record<string, unknown>)[`LIBUSB_${name}`];
      expect([name, real]).toEqual([name, value]);
    }
  });
});

describe('EscPosReceiptPrinter over the USB transport core (fake device + simulated printer)', () => {
  it('prints a receipt in whole-packet chunks; DLE EOT answers come from bulk IN; completion by the GS r 1 answer', async () => {
    const dev = new FakeUsbPrinter({ printMs: 120 });
    const t = new UsbPrinterTransport(IDS, backendOf(dev), { maxChunkBytes: 100 });
    const printer = new EscPosReceiptPrinter(t, { timeoutMs: 500, pollIntervalMs: 30 });
    try {
      expect(await printer.status()).toMatchObject({ online: true, paperOut: false });
      const t0 = performance.now();
      await printer.print(receipt);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
      expect(dev.jobs).toHaveLength(1);
      expect(dev.jobs[0]?.cut).toBe(true);
      expect(dev.jobs[0]?.text).toBe(layoutReceiptText(receipt).join('\n'));
      // The job (the one write longer than a status query) went out as transfers of whole 64-byte
      // packets (maxChunkBytes 100 rounded down), only the last one shorter.
      const job = dev.outTransfers.findIndex((n) => n > 3);
      const rest = dev.outTransfers.slice(job);
      const jobTransfers = rest.slice(0, rest.findIndex((n, i) => i > 0 && n <= 3));
      expect(jobTransfers.length).toBeGreaterThan(2);
      expect(jobTransfers.slice(0, -1).every((n) => n === 64)).toBe(true);
      expect(jobTransfers.at(-1)).toBeLessThanOrEqual(64);
      expect(dev.log).toEqual(['open', 'claim(0)']);
    } finally {
      await printer.close();
    }
    expect(dev.log.slice(-2)).toEqual(['release(0)', 'close']);
  });

  it('printer faults read over bulk IN map to printer.* codes; a mute printer is device.timeout after the deadline', async () => {
    const dev = new FakeUsbPrinter();
    const printer = new EscPosReceiptPrinter(new UsbPrinterTransport(IDS, backendOf(dev)), { timeoutMs: 150, pollIntervalMs: 20 });
    try {
      dev.fault = 'paper_out';
      expect((await rejection(printer.print(receipt))).code).toBe('printer.paper_out');
      dev.fault = 'cutter_error';
      expect((await rejection(printer.print(receipt))).code).toBe('printer.cutter_error');
      expect(dev.jobs).toHaveLength(0);
      dev.fault = 'unresponsive';
      const t0 = performance.now();
      const mute = await rejection(printer.status());
      expect(mute.code).toBe('device.timeout');
      expect(mute.details).toMatchObject({ transport: 'usb', path: '04b8:0e15' });
      expect(performance.now() - t0).toBeLessThan(1000);
      dev.fault = null;
      await printer.print(receipt);
      expect(dev.jobs).toHaveLength(1);
    } finally {
      await printer.close();
    }
  });

  it('a late answer waiting in the device is drained before the next query, not taken for its answer', async () => {
    const dev = new FakeUsbPrinter();
    const t = new UsbPrinterTransport(IDS, backendOf(dev), { drainTimeoutMs: 5 });
    await t.write(Uint8Array.of(0x1b, 0x40));
    dev.answer(Buffer.from([0x1a])); // the answer to an earlier query that timed out
    await t.discardInput();
    await t.write(Uint8Array.of(0x10, 0x04, 0x01));
    expect(Array.from(await t.read(1, 300))).toEqual([0x12]);
    await t.close();
  });
});

describe('opening the device', () => {
  it('Linux: detaches usblp from the printer interface before claiming it, re-attaches it on close', async () => {
    const dev = new FakeUsbPrinter({ kernelDriverActive: true });
    const t = new UsbPrinterTransport(IDS, backendOf(dev));
    await t.write(Uint8Array.of(0x1b, 0x40));
    expect(dev.log).toEqual(['open', 'detachKernelDriver(0)', 'claim(0)']);
    await t.close();
    expect(dev.log.slice(-3)).toEqual(['release(0)', 'attachKernelDriver(0)', 'close']);
  });

  it('Windows: no kernel-driver calls (NOT_SUPPORTED) — claims directly', async () => {
    const dev = new FakeUsbPrinter({ windows: true });
    const t = new UsbPrinterTransport(IDS, backendOf(dev));
    await t.write(Uint8Array.of(0x1b, 0x40));
    expect(dev.log).toEqual(['open', 'claim(0)']);
    await t.close();
  });

  it('selects the bidirectional alternate setting before using its endpoints', async () => {
    const config = { interfaces: [[alt(0, 0, [7, 1, 1], [bulk(0x01)]), alt(0, 1, [7, 1, 2], [bulk(0x01), bulk(0x82)])]] };
    const dev = new FakeUsbPrinter({ config });
    const printer = new EscPosReceiptPrinter(new UsbPrinterTransport(IDS, backendOf(dev)), { timeoutMs: 300 });
    expect((await printer.status()).online).toBe(true);
    expect(dev.log).toEqual(['open', 'claim(0)', 'setAltSetting(0, 1)']);
    await printer.close();
  });

  it('picks one of several identical printers by serial number', async () => {
    const a = new FakeUsbPrinter({ serialNumber: 'A1', busNumber: 1 });
    const b = new FakeUsbPrinter({ serialNumber: 'B2', busNumber: 2 });
    const t = new UsbPrinterTransport({ ...IDS, serialNumber: 'B2' }, backendOf(a, b));
    await t.write(Uint8Array.of(0x1b, 0x40, 0x0a));
    expect(b.outTransfers).toEqual([3]);
    expect(a.outTransfers).toEqual([]);
    expect(a.opened).toBe(false);
    await t.close();
    const none = new UsbPrinterTransport({ ...IDS, serialNumber: 'C3' }, backendOf(a, b));
    expect(await rejection(none.write(Uint8Array.of(0)))).toMatchObject({ code: 'device.not_found', details: { reason: 'no USB device with this serial number', path: '04b8:0e15 #C3' } });
  });

  it.each([
    ['no device with these ids', 'device.not_found', () => [] as FakeUsbPrinter[], { op: 'find' }],
    ['Linux without a udev rule (ACCESS)', 'printer.access_denied', () => [Object.assign(new FakeUsbPrinter(), { openError: LIBUSB.ERROR_ACCESS })], { op: 'open', cause: 'LIBUSB_ERROR_ACCESS' }],
    ['Windows without WinUSB (NOT_SUPPORTED)', 'printer.access_denied', () => [Object.assign(new FakeUsbPrinter({ windows: true }), { openError: LIBUSB.ERROR_NOT_SUPPORTED })], { op: 'open', cause: 'LIBUSB_ERROR_NOT_SUPPORTED' }],
    ['interface held by another program (BUSY)', 'printer.access_denied', () => [Object.assign(new FakeUsbPrinter(), { claimError: LIBUSB.ERROR_BUSY })], { op: 'claim', cause: 'LIBUSB_ERROR_BUSY' }],
    ['a unidirectional printer', 'device.not_found', () => [new FakeUsbPrinter({ config: { interfaces: [[alt(0, 0, [7, 1, 1], [bulk(0x01)])]] } })], { op: 'select' }],
  ] as const)('%s → %s', async (_name, code, devices, details) => {
    const list = devices();
    const t = new UsbPrinterTransport(IDS, backendOf(...list));
    const err = await rejection(t.write(Uint8Array.of(0x1b, 0x40)));
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject({ transport: 'usb', path: '04b8:0e15', ...details });
    // Nothing is left open after a failed open.
    for (const d of list) expect(d.opened).toBe(false);
    await t.close();
  });

  it('the usb module failing to list devices (libusb unavailable) is device.not_found, not a crash', async () => {
    const t = new UsbPrinterTransport(IDS, { list: () => Promise.reject(new Error('libusb_init failed')) });
    expect(await rejection(t.write(Uint8Array.of(0)))).toMatchObject({ code: 'device.not_found', details: { op: 'list', cause: 'libusb_init failed' } });
  });
});

describe('unplug, replug and stalls', () => {
  it('unplugged while waiting for status: device.disconnected; after replugging, the next job reopens and prints', async () => {
    const dev = new FakeUsbPrinter();
    const t = new UsbPrinterTransport(IDS, backendOf(dev));
    dev.fault = 'unresponsive';
    await t.write(Uint8Array.of(0x10, 0x04, 0x01));
    const pending = rejection(t.read(1, 2000));
    setTimeout(() => dev.unplug(), 20);
    const err = await pending;
    expect(err.code).toBe('device.disconnected');
    expect(err.details).toMatchObject({ op: 'read', cause: 'LIBUSB_TRANSFER_NO_DEVICE' });
    expect(await rejection(t.write(Uint8Array.of(0)))).toMatchObject({ code: 'device.not_found', details: { cause: 'LIBUSB_ERROR_NO_DEVICE' } });
    dev.replug();
    dev.fault = null;
    const printer = new EscPosReceiptPrinter(t, { timeoutMs: 300 });
    await printer.print(receipt);
    expect(dev.jobs).toHaveLength(1);
    await printer.close();
  });

  it('a printer that NAKs bulk OUT (buffer full, paper out) fails the write with device.timeout within writeTimeoutMs', async () => {
    const dev = new FakeUsbPrinter();
    const t = new UsbPrinterTransport(IDS, backendOf(dev), { writeTimeoutMs: 150 });
    await t.write(Uint8Array.of(0x1b, 0x40));
    dev.nak = true;
    const t0 = performance.now();
    const err = await rejection(t.write(new Uint8Array(10_000)));
    expect(err.code).toBe('device.timeout');
    expect(err.details).toMatchObject({ op: 'write', timeoutMs: 150, written: 0 });
    expect(performance.now() - t0).toBeLessThan(1000);
    // The claim was given up (state unknown) and is taken again by the next write.
    dev.nak = false;
    await t.write(Uint8Array.of(0x1b, 0x40));
    expect(dev.log.filter((l) => l.startsWith('claim'))).toHaveLength(2);
    await t.close();
  });
});
