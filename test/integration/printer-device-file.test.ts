/**
 * The usblp device-file transport against FIFOs and temp files: a simulated printer
 * reads the job from one FIFO and answers DLE EOT on another, as usblp's bulk out/in would.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../kiosk-drivers/errors.js';
import { EscPosReceiptPrinter, usbTransport } from '../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { layoutReceiptText, type Receipt } from '../../kiosk-drivers/printer/receipt-model.js';
import { SimulatedPrinterDevice, type DecodedJob, type PrinterFault } from '../../kiosk-drivers/printer/simulator.js';

const receipt: Receipt = {
  lines: [
    { kind: 'text', text: '电费收据', align: 'center', bold: true },
    { kind: 'pair', left: '金额', right: '¥12.50' },
    { kind: 'qr', data: 'https://e.example.cn/1' },
    { kind: 'barcode', data: 'PAY-1' },
  ],
};

async function rejection(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** The printer end of two FIFOs: reads `toPrinter`, answers on `fromPrinter`. */
async function fifoPrinter(toPrinter: string, fromPrinter: string) {
  const flags = constants.O_RDWR | constants.O_NONBLOCK;
  const input: FileHandle = await open(toPrinter, flags);
  const output: FileHandle = await open(fromPrinter, flags);
  const jobs: DecodedJob[] = [];
  let fault: PrinterFault = null;
  const device = new SimulatedPrinterDevice({
    fault: () => fault,
    respond: (bytes) => void output.write(bytes),
    onJob: (job) => jobs.push(job),
  });
  let running = true;
  const loop = (async () => {
    const buf = new Uint8Array(4096);
    while (running) {
      try {
        const { bytesRead } = await input.read(buf, 0, buf.length, null);
        if (bytesRead > 0) {
          device.receive(buf.subarray(0, bytesRead));
          continue;
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      await sleep(2);
    }
  })();
  return {
    jobs,
    setFault: (f: PrinterFault) => {
      fault = f;
    },
    async stop() {
      running = false;
      await loop;
      await input.close();
      await output.close();
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'griddesk-printer-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('usbTransport over FIFOs', () => {
  it('prints a receipt and reads real-time status; faults map to DeviceErrors', async () => {
    const out = path.join(dir, 'lp0.out');
    const back = path.join(dir, 'lp0.in');
    execFileSync('mkfifo', [out, back]);
    const dev = await fifoPrinter(out, back);
    const printer = new EscPosReceiptPrinter(usbTransport(out, { readPath: back, pollIntervalMs: 2 }), { timeoutMs: 500 });
    try {
      expect(await printer.status()).toMatchObject({ online: true, paperOut: false });
      await printer.print(receipt);
      for (let i = 0; i < 200 && dev.jobs.length === 0; i++) await sleep(5);
      expect(dev.jobs).toHaveLength(1);
      expect(dev.jobs[0]?.cut).toBe(true);
      expect(dev.jobs[0]?.text).toBe(layoutReceiptText(receipt).join('\n'));

      dev.setFault('cover_open');
      expect((await rejection(printer.print(receipt))).code).toBe('printer.cover_open');
      dev.setFault('unresponsive');
      expect((await rejection(printer.status())).code).toBe('device.timeout');
      dev.setFault(null);
      expect((await printer.status()).online).toBe(true);
    } finally {
      await printer.close();
      await dev.stop();
    }
  });
});

describe('usblp device-file transport on plain files', () => {
  it('writes the exact bytes to the device node', async () => {
    const node = path.join(dir, 'lp0');
    writeFileSync(node, '');
    const t = usbTransport(node);
    await t.write(Uint8Array.of(0x1b, 0x40, 0x41));
    await t.write(Uint8Array.of(0x0a));
    await t.close();
    expect(Array.from(readFileSync(node))).toEqual([0x1b, 0x40, 0x41, 0x0a]);
  });

  it('reads status bytes, and times out with device.timeout when the device says nothing', async () => {
    const node = path.join(dir, 'lp1');
    const answers = path.join(dir, 'lp1.answers');
    writeFileSync(node, '');
    writeFileSync(answers, Buffer.from([0x12, 0x16]));
    const t = usbTransport(node, { readPath: answers, pollIntervalMs: 2 });
    expect(Array.from(await t.read(1, 200))).toEqual([0x12]);
    expect(Array.from(await t.read(1, 200))).toEqual([0x16]);
    const t0 = Date.now();
    const err = await rejection(t.read(1, 100));
    expect(err.code).toBe('device.timeout');
    expect(err.details).toMatchObject({ transport: 'usb', op: 'read', timeoutMs: 100 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    await t.close();
  });

  it('a missing device node is device.not_found; a closed transport is device.disconnected', async () => {
    const t = usbTransport(path.join(dir, 'no-such-lp'));
    const err = await rejection(t.write(Uint8Array.of(0x1b, 0x40)));
    expect(err.code).toBe('device.not_found');
    expect(err.details).toMatchObject({ cause: 'ENOENT' });
    await t.close();
    expect((await rejection(t.write(Uint8Array.of(0)))).code).toBe('device.disconnected');
  });
});
