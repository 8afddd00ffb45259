/**
 * The ESC/POS ReceiptPrinter: encoder + real-time status over any PrinterTransport.
 *
 * A print job: (1) encode (an unprintable receipt fails before the device is touched);
 * (2) ask DLE EOT 1..4 and refuse to send to a printer that cannot print — bytes sent to a
 * paper-out printer stay in its buffer and come out after the roll is changed, next to the
 * reprint; (3) write the job; (4) ask DLE EOT 1..4 again. Real-time queries travel behind the
 * job on the same ordered stream, so their answers also prove the printer received every job byte.
 * Limitation: a fault that starts while the printer is still printing buffered lines after
 * step 4 is not seen by this job (the next job's step 2 sees it).
 *
 * Calls are serialized: a status query never interleaves with a job's bytes.
 */
import { DeviceError } from '../errors.js';
import { DEFAULT_PROFILE, encodeReceipt, type EscPosProfile } from './escpos-encoder.js';
import type { Receipt } from './receipt-model.js';
import type { PrinterTransport, ReceiptPrinter } from './receipt-printer.js';
import { combineStatus, STATUS_FUNCTIONS, statusFault, statusRequest, type DetailedPrinterStatus } from './status.js';

export { networkTransport, type NetworkTransportOptions } from './network-transport.js';
export { usbTransport, serialTransport, type FileDeviceTransportOptions } from './file-device-transport.js';

export interface EscPosReceiptPrinterOptions {
  /** Time allowed for each status answer (default 2000 ms). Write timeouts belong to the transport. */
  readonly timeoutMs?: number;
  /** Model quirks (Chinese mode, feed before cut, QR module size, barcode height). */
  readonly profile?: Partial<EscPosProfile>;
}

export class EscPosReceiptPrinter implements ReceiptPrinter {
  private readonly timeoutMs: number;
  private readonly profile: EscPosProfile;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly transport: PrinterTransport,
    opts: EscPosReceiptPrinterOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.profile = { ...DEFAULT_PROFILE, ...opts.profile };
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new DeviceError('device.disconnected', { reason: 'closed' }));
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  status(): Promise<DetailedPrinterStatus> {
    return this.serialize(() => this.queryStatus());
  }

  print(receipt: Receipt): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = encodeReceipt(receipt, this.profile);
    } catch (e) {
      return Promise.reject(e instanceof DeviceError ? e : new DeviceError('printer.invalid_receipt', { reason: String(e) }));
    }
    return this.serialize(async () => {
      try {
        this.check(await this.queryStatus(), 'before_job');
        await this.transport.write(bytes);
        this.check(await this.queryStatus(), 'after_job');
      } catch (e) {
        if (e instanceof DeviceError) throw e;
        throw new DeviceError('printer.job_failed', { cause: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= this.queue.then(() => this.transport.close());
    return this.closing;
  }

  private check(s: DetailedPrinterStatus, phase: string): void {
    const fault = statusFault(s);
    if (fault) throw new DeviceError(fault, { phase, status: s.raw.join(',') });
  }

  private async queryStatus(): Promise<DetailedPrinterStatus> {
    // A late answer to an earlier, timed-out query must not be taken for this one.
    await this.transport.discardInput();
    const answers: number[] = [];
    for (const n of STATUS_FUNCTIONS) {
      await this.transport.write(statusRequest(n));
      const b = await this.transport.read(1, this.timeoutMs).catch((e: unknown) => {
        if (e instanceof DeviceError && e.code === 'device.timeout') throw new DeviceError('device.timeout', { ...e.details, op: 'status', function: n });
        throw e;
      });
      answers.push(b[0] as number);
    }
    const [b1, b2, b3, b4] = answers as [number, number, number, number];
    return combineStatus(b1, b2, b3, b4);
  }
}
