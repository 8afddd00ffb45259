/**
 * The serialport transport over serialport's own mock binding (@serialport/binding-mock): the
 * port is opened with the configured line settings, and the real EscPosReceiptPrinter prints
 * through it to the simulated printer (SimulatedPrinterDevice: the same decoder and DLE EOT /
 * GS r answers as the TCP simulator), which answers on the mock port.
 */
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { EscPosReceiptPrinter } from '../../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { layoutReceiptText, type Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';
import {
  serialErrorCode,
  serialOpenOptions,
  serialTransport,
  type SerialPortFactory,
  type SerialTransportOptions,
} from '../../../kiosk-drivers/printer/serial-transport.js';
import { SimulatedPrinterDevice, type DecodedJob, type PrinterFault } from '../../../kiosk-drivers/printer/simulator.js';

const receipt: Receipt = {
  lines: [
    { kind: 'text', text: '电费收据', align: 'center', bold: true },
    { kind: 'pair', left: '金额', right: '¥12.50' },
    { kind: 'qr', data: 'https://e.example.cn/1' },
    { kind: 'barcode', data: 'PAY-1' },
  ],
};

// serialport's mock binding (@serialport/binding-mock), as SerialPortMock uses it: the package ships
// ESM and CJS builds, and importing it here would give the ESM copy, with a port registry of its own.
const MockBinding = SerialPortMock.binding;
type MockPortBinding = NonNullable<SerialPortMock['port']>;
const PATH = '/dev/ttyPRINTER';
const LINE = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'rtscts' } as const;

async function rejection(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/**
 * A serial printer on the mock binding: every port the transport opens gets a simulated printer
 * behind it, fed with what the transport writes and answering through the mock port.
 */
function mockSerialPrinter(opts: { printMs?: number } = {}) {
  let fault: PrinterFault = null;
  let stallWrites = false;
  const jobs: DecodedJob[] = [];
  const bindings: MockPortBinding[] = [];
  const streams: SerialPortMock[] = [];
  const factory: SerialPortFactory = (options) => {
    const stream = new SerialPortMock(options);
    streams.push(stream);
    stream.once('open', () => {
      const binding = stream.port;
      if (!binding) throw new Error('mock port opened without a binding');
      bindings.push(binding);
      const device = new SimulatedPrinterDevice({
        ...(opts.printMs !== undefined ? { printMs: opts.printMs } : {}),
        fault: () => fault,
        respond: (bytes) => setImmediate(() => binding.isOpen && binding.emitData(Buffer.from(bytes))),
        onJob: (job) => jobs.push(job),
      });
      const write = binding.write.bind(binding);
      // A printer holding CTS low never takes the bytes.
      binding.write = (buffer: Buffer) => (stallWrites ? new Promise<void>(() => undefined) : write(buffer).then(() => void device.receive(buffer)));
    });
    return stream;
  };
  return {
    factory,
    jobs,
    bindings,
    streams,
    setFault: (f: PrinterFault) => {
      fault = f;
    },
    stallWrites: (on: boolean) => {
      stallWrites = on;
    },
  };
}

beforeEach(() => {
  MockBinding.reset();
  MockBinding.createPort(PATH, { echo: false, record: true });
});
afterEach(() => {
  MockBinding.reset();
});

describe('serial line settings', () => {
  it('maps the config to serialport open options: baud, data bits, parity, stop bits, flow control, exclusive', () => {
    expect(serialOpenOptions('COM3', { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2, flowControl: 'none' })).toEqual({
      path: 'COM3',
      baudRate: 9600,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      lock: true,
      autoOpen: false,
    });
    expect(serialOpenOptions(PATH, { ...LINE, flowControl: 'rtscts' })).toMatchObject({ rtscts: true, xon: false, xoff: false });
    // XON/XOFF: the printer's XOFF pauses us; we never insert XON/XOFF bytes into its command stream.
    expect(serialOpenOptions(PATH, { ...LINE, flowControl: 'xonxoff' })).toMatchObject({ rtscts: false, xon: true, xoff: false });
  });

  it('the port is opened with exactly those settings', async () => {
    const printer = mockSerialPrinter();
    const t = serialTransport({ path: PATH, baudRate: 19200, dataBits: 8, parity: 'odd', stopBits: 2, flowControl: 'xonxoff' }, printer.factory);
    await t.write(Uint8Array.of(0x1b, 0x40));
    expect(printer.bindings[0]?.openOptions).toMatchObject({ path: PATH, baudRate: 19200, dataBits: 8, parity: 'odd', stopBits: 2, rtscts: false, xon: true, xoff: false, lock: true });
    expect(Array.from(printer.bindings[0]?.recording ?? [])).toEqual([0x1b, 0x40]);
    await t.close();
  });
});

describe('EscPosReceiptPrinter over the serial transport (mock binding + simulated printer)', () => {
  const options = (extra: Partial<SerialTransportOptions> = {}): SerialTransportOptions => ({ path: PATH, ...LINE, ...extra });

  it('prints a receipt: DLE EOT status answered on the port, the job decoded back, completion by the GS r 1 answer', async () => {
    const sim = mockSerialPrinter({ printMs: 120 });
    const printer = new EscPosReceiptPrinter(serialTransport(options(), sim.factory), { timeoutMs: 500, pollIntervalMs: 30 });
    try {
      expect(await printer.status()).toMatchObject({ online: true, paperOut: false, coverOpen: false });
      const t0 = performance.now();
      await printer.print(receipt);
      // Printed only once the printer has answered GS r 1, after printing (printMs).
      expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
      expect(sim.jobs).toHaveLength(1);
      expect(sim.jobs[0]?.cut).toBe(true);
      expect(sim.jobs[0]?.text).toBe(layoutReceiptText(receipt).join('\n'));
      expect(sim.jobs[0]?.commands).toEqual(expect.arrayContaining(['ESC @', 'FS &', 'GS V 0']));
      // LF bytes went through untouched (no tty onlcr): the raw job holds bare 0x0a, never 0x0d 0x0a.
      expect(Buffer.from(sim.jobs[0]?.raw ?? []).includes(Buffer.from([0x0d, 0x0a]))).toBe(false);
    } finally {
      await printer.close();
    }
  });

  it('faults reported by DLE EOT on the serial line map to printer.* codes; a mute printer is device.timeout', async () => {
    const sim = mockSerialPrinter();
    const printer = new EscPosReceiptPrinter(serialTransport(options(), sim.factory), { timeoutMs: 300, pollIntervalMs: 20 });
    try {
      sim.setFault('paper_out');
      expect((await rejection(printer.print(receipt))).code).toBe('printer.paper_out');
      sim.setFault('cover_open');
      expect((await rejection(printer.print(receipt))).code).toBe('printer.cover_open');
      expect(sim.jobs).toHaveLength(0);
      sim.setFault('paper_out_mid_job');
      const mid = await rejection(printer.print(receipt));
      expect(mid.code).toBe('printer.paper_out');
      expect(mid.details.phase).toBe('printing');
      sim.setFault('unresponsive');
      const mute = await rejection(printer.status());
      expect(mute.code).toBe('device.timeout');
      expect(mute.details).toMatchObject({ transport: 'serial', path: PATH });
      sim.setFault(null);
      await printer.print(receipt);
      expect(sim.jobs.at(-1)?.cut).toBe(true);
    } finally {
      await printer.close();
    }
  });

  it('an unplugged adapter fails the waiting read with device.disconnected; the next job opens the port again', async () => {
    const sim = mockSerialPrinter();
    const t = serialTransport(options(), sim.factory);
    sim.setFault('unresponsive');
    await t.write(Uint8Array.of(0x10, 0x04, 0x01));
    const pending = rejection(t.read(1, 2000));
    sim.streams[0]?._disconnected(new Error('device reports readiness to read but returned no data'));
    const err = await pending;
    expect(err.code).toBe('device.disconnected');
    expect(err.details).toMatchObject({ transport: 'serial', op: 'read' });
    sim.setFault(null);
    const printer = new EscPosReceiptPrinter(t, { timeoutMs: 500, pollIntervalMs: 20 });
    await printer.print(receipt);
    expect(sim.streams).toHaveLength(2);
    expect(sim.jobs).toHaveLength(1);
    await printer.close();
  });

  it('a printer that never takes the bytes (flow control held) fails the write with device.timeout, bounded', async () => {
    const sim = mockSerialPrinter();
    const t = serialTransport(options({ writeTimeoutMs: 150 }), sim.factory);
    await t.write(Uint8Array.of(0x1b, 0x40));
    sim.stallWrites(true);
    const t0 = performance.now();
    const err = await rejection(t.write(new Uint8Array(64)));
    expect(err.code).toBe('device.timeout');
    expect(err.details).toMatchObject({ transport: 'serial', op: 'write', timeoutMs: 150 });
    expect(performance.now() - t0).toBeLessThan(1000);
    // The port whose state is unknown was given up; the next write opens a fresh one.
    sim.stallWrites(false);
    await t.write(Uint8Array.of(0x1b, 0x40));
    expect(sim.streams).toHaveLength(2);
    await t.close();
  });

  it('a missing port is device.not_found, one held by another program printer.access_denied, a closed transport device.disconnected', async () => {
    const sim = mockSerialPrinter();
    const missing = serialTransport(options({ path: '/dev/ttyNOPE' }), sim.factory);
    const e1 = await rejection(missing.write(Uint8Array.of(0)));
    expect(e1.code).toBe('device.not_found');
    expect(e1.details).toMatchObject({ transport: 'serial', path: '/dev/ttyNOPE', op: 'open' });

    const first = serialTransport(options(), sim.factory);
    await first.write(Uint8Array.of(0));
    const second = serialTransport(options(), sim.factory);
    expect((await rejection(second.write(Uint8Array.of(0)))).code).toBe('printer.access_denied');
    await first.close();
    expect((await rejection(first.write(Uint8Array.of(0)))).code).toBe('device.disconnected');
    await second.close();
    await missing.close();
  });
});

describe('serialport error texts → DeviceError codes', () => {
  it.each([
    ['Error: No such file or directory, cannot open /dev/ttyUSB9', 'device.not_found'],
    ['Opening COM7: File not found', 'device.not_found'],
    ['Opening COM3: Access denied', 'printer.access_denied'],
    ['Error: Permission denied, cannot open /dev/ttyS0', 'printer.access_denied'],
    ['Error Resource temporarily unavailable Cannot lock port', 'printer.access_denied'],
    ['Error: Input/output error', 'device.disconnected'],
  ] as const)('%s → %s', (message, code) => {
    expect(serialErrorCode(new Error(message))).toBe(code);
  });

  it('the real OS binding loads and a missing port is device.not_found', async () => {
    const t = serialTransport({ path: '/dev/ttyGRIDDESK-NO-SUCH-PORT', ...LINE });
    const err = await rejection(t.write(Uint8Array.of(0)));
    expect(err.code).toBe('device.not_found');
    expect(String(err.details.cause)).not.toMatch(/serialport unavailable/);
    await t.close();
  });
});
