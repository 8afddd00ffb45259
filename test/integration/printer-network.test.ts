/**
 * EscPosReceiptPrinter → real loopback TCP → printer simulator, decoded back; every fault switch.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../kiosk-drivers/errors.js';
import { EscPosReceiptPrinter, networkTransport } from '../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { encodeReceipt } from '../../kiosk-drivers/printer/escpos-encoder.js';
import { layoutReceiptText, type Receipt } from '../../kiosk-drivers/printer/receipt-model.js';
import { startPrinterSimulator, type PrinterSimulator } from '../../kiosk-drivers/printer/simulator.js';

const receipt: Receipt = {
  lines: [
    { kind: 'text', text: '国网电力营业厅', align: 'center' },
    { kind: 'text', text: '电费收据', align: 'center', bold: true, size: 2 },
    { kind: 'rule' },
    { kind: 'pair', left: '户号', right: '3100123456' },
    { kind: 'pair', left: '户名', right: '张三' },
    { kind: 'pair', left: '实收金额', right: '¥12.50', bold: true },
    { kind: 'rule' },
    { kind: 'text', text: '扫码开具电子发票', align: 'center' },
    { kind: 'qr', data: 'https://einvoice.example.cn/q?o=P20261127000123' },
    { kind: 'barcode', data: 'P20261127000123' },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: '客服热线 95598', align: 'center' },
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

/** A subsequence check: `expected` appear in `actual` in this order. */
function inOrder(actual: readonly string[], expected: readonly string[]): boolean {
  let i = 0;
  for (const c of actual) if (c === expected[i]) i++;
  return i === expected.length;
}

describe('receipt printing over TCP to the simulator', () => {
  let sim: PrinterSimulator;
  let printer: EscPosReceiptPrinter;
  beforeEach(async () => {
    sim = await startPrinterSimulator({ port: 0 });
    printer = new EscPosReceiptPrinter(networkTransport(sim.host, sim.port), { timeoutMs: 500 });
  });
  afterEach(async () => {
    await printer.close();
    await sim.close();
  });

  it('prints Chinese text, bold, double size, QR, barcode and cut, and decodes back to the same receipt', async () => {
    await printer.print(receipt);
    const job = await sim.waitForJob(0);
    expect(job.cut).toBe(true);
    expect(job.text).toBe(layoutReceiptText(receipt).join('\n'));
    expect(job.text).toContain('电费收据');
    expect(job.text).toMatch(/实收金额 +¥12\.50/);
    expect(
      inOrder(job.commands, [
        'DLE EOT 1', 'DLE EOT 2', 'DLE EOT 3', 'DLE EOT 4', // checked before sending
        'ESC @', 'FS &', 'ESC a 1', 'ESC E 1', 'GS ! 17', 'ESC a 0', 'ESC E 0', 'GS ! 0', 'ESC E 1', 'ESC E 0',
        'ESC a 1', 'GS ( k QR "https://einvoice.example.cn/q?o=P20261127000123"', 'GS ( k QR print',
        'GS k CODE128 "P20261127000123"', 'GS V 0',
      ]),
    ).toBe(true);
    // The printable part of the job is byte-for-byte the encoder's output.
    expect(job.raw.subarray(job.raw.length - encodeReceipt(receipt).length).equals(encodeReceipt(receipt))).toBe(true);
  });

  it('prints several jobs over one connection, each ending at its cut', async () => {
    await printer.print({ lines: [{ kind: 'text', text: '第一张' }] });
    await printer.print({ lines: [{ kind: 'text', text: '第二张' }] });
    expect((await sim.waitForJob(0)).text).toBe('第一张');
    expect((await sim.waitForJob(1)).text).toBe('第二张');
  });

  it('reports a ready printer', async () => {
    expect(await printer.status()).toMatchObject({ online: true, paperNearEnd: false, paperOut: false, coverOpen: false, error: false });
  });

  it.each([
    ['paper_out', 'printer.paper_out', { online: false, paperOut: true }],
    ['cover_open', 'printer.cover_open', { online: false, coverOpen: true }],
    ['offline', 'printer.offline', { online: false, error: false }],
    ['cutter_error', 'printer.cutter_error', { online: false, error: true }],
  ] as const)('fault %s: print() rejects with %s and sends nothing; status() shows it', async (fault, code, status) => {
    sim.setFault(fault);
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe(code);
    expect(err.details.phase).toBe('before_job');
    expect(await printer.status()).toMatchObject(status);
    expect(sim.jobs()).toEqual([]); // only status queries went out: no job recorded even at close
    await printer.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.jobs()).toEqual([]);
  });

  it('fault paper_near_end: prints (a warning, not a failure) and status() reports it', async () => {
    sim.setFault('paper_near_end');
    await printer.print(receipt);
    expect((await sim.waitForJob(0)).cut).toBe(true);
    expect(await printer.status()).toMatchObject({ online: true, paperNearEnd: true, paperOut: false });
  });

  it('fault disconnect_mid_job: print() rejects with device.disconnected, the partial job is uncut, and the next print reconnects', async () => {
    sim.setFault('disconnect_mid_job');
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('device.disconnected');
    const partial = await sim.waitForJob(0);
    expect(partial.cut).toBe(false);
    expect(partial.raw.length).toBeLessThan(encodeReceipt(receipt).length);
    sim.setFault(null);
    await printer.print(receipt);
    expect((await sim.waitForJob(1)).cut).toBe(true);
  });

  it('fault bad_status: status() and print() reject with printer.bad_status', async () => {
    sim.setFault('bad_status');
    expect((await rejection(printer.status())).code).toBe('printer.bad_status');
    expect((await rejection(printer.print(receipt))).code).toBe('printer.bad_status');
  });

  it('fault unresponsive: status() rejects with device.timeout after timeoutMs, not a hang', async () => {
    sim.setFault('unresponsive');
    const t0 = Date.now();
    const err = await rejection(printer.status());
    expect(err.code).toBe('device.timeout');
    expect(err.details).toMatchObject({ op: 'status', function: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    // A late answer must not be read as the next one: recover once the printer answers again.
    sim.setFault(null);
    expect((await printer.status()).online).toBe(true);
  });

  it('close() lets a queued job finish, then refuses new work', async () => {
    const printing = printer.print(receipt);
    const closing = printer.close();
    await printing;
    await closing;
    expect((await sim.waitForJob(0)).cut).toBe(true);
    expect((await rejection(printer.print(receipt))).code).toBe('device.disconnected');
  });

  it('rejects an unprintable receipt with printer.invalid_receipt without touching the printer', async () => {
    const err = await rejection(printer.print({ lines: [{ kind: 'barcode', data: '条码' }] }));
    expect(err.code).toBe('printer.invalid_receipt');
    await printer.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.jobs()).toEqual([]);
  });
});

describe('post-job status and connection failures', () => {
  it('rejects with printer.paper_out when the paper runs out during the job', async () => {
    // A printer that is fine for the first four status queries and out of paper afterwards.
    let queries = 0;
    const server = net.createServer((s) => {
      s.on('data', (d: Buffer) => {
        for (let i = 0; i + 2 < d.length; i++) {
          if (d[i] === 0x10 && d[i + 1] === 0x04) {
            const n = d[i + 2] as number;
            const out = queries++ >= 4;
            s.write(Buffer.from([n === 1 ? (out ? 0x1a : 0x12) : n === 2 ? (out ? 0x32 : 0x12) : n === 4 ? (out ? 0x7e : 0x12) : 0x12]));
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    // This printer has no GS r: the driver finds the fault by polling DLE EOT while it waits.
    const printer = new EscPosReceiptPrinter(networkTransport('127.0.0.1', port), { timeoutMs: 500, pollIntervalMs: 20 });
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('printer.paper_out');
    expect(err.details.phase).toBe('printing');
    await printer.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fault paper_out_mid_job: the status check right after the write reads fine, the job is still not reported printed', async () => {
    const sim = await startPrinterSimulator({ port: 0 });
    const printer = new EscPosReceiptPrinter(networkTransport(sim.host, sim.port), { timeoutMs: 500, pollIntervalMs: 20 });
    sim.setFault('paper_out_mid_job');
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('printer.paper_out');
    expect(err.details.phase).toBe('printing');
    expect(await printer.status()).toMatchObject({ online: false, paperOut: true });
    // Roll changed: the next job prints and is confirmed by the GS r 1 answer.
    sim.setFault(null);
    await printer.print(receipt);
    expect((await sim.waitForJob(1)).cut).toBe(true);
    await printer.close();
    await sim.close();
  });

  it('waits for the GS r 1 answer: a slow printer is reported printed only once it has printed', async () => {
    const sim = await startPrinterSimulator({ port: 0, printMs: 150 });
    const printer = new EscPosReceiptPrinter(networkTransport(sim.host, sim.port), { timeoutMs: 500, pollIntervalMs: 40 });
    const t0 = performance.now();
    await printer.print(receipt);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    await printer.close();
    await sim.close();
  });

  it('a printer that never finishes and never reports a fault fails with device.timeout (phase printing), bounded by jobTimeoutMs', async () => {
    const sim = await startPrinterSimulator({ port: 0, printMs: 10_000 });
    const printer = new EscPosReceiptPrinter(networkTransport(sim.host, sim.port), { timeoutMs: 500, pollIntervalMs: 30, jobTimeoutMs: 200 });
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('device.timeout');
    expect(err.details).toMatchObject({ op: 'job_completion', phase: 'printing' });
    await printer.close();
    await sim.close();
  });

  it("completion 'poll' (no GS r): printed once fault-free for stableMs; a fault while printing fails the job", async () => {
    const sim = await startPrinterSimulator({ port: 0 });
    const opts = { timeoutMs: 500, completion: 'poll' as const, pollIntervalMs: 20, stableMs: 100 };
    const printer = new EscPosReceiptPrinter(networkTransport(sim.host, sim.port), opts);
    await printer.print(receipt);
    expect((await sim.waitForJob(0)).commands).not.toContain('GS r 1');
    sim.setFault('paper_out_mid_job');
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('printer.paper_out');
    expect(err.details.phase).toBe('printing');
    await printer.close();
    await sim.close();
  });

  it('rejects with device.not_found when nothing listens on the port', async () => {
    const sim = await startPrinterSimulator();
    const port = sim.port;
    await sim.close();
    const printer = new EscPosReceiptPrinter(networkTransport('127.0.0.1', port), { timeoutMs: 300 });
    const err = await rejection(printer.print(receipt));
    expect(err.code).toBe('device.not_found');
    expect(err.details).toMatchObject({ transport: 'tcp', op: 'connect', cause: 'ECONNREFUSED' });
    await printer.close();
  });
});
