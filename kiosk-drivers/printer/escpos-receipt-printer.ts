/**
 * The ESC/POS ReceiptPrinter: encoder + real-time status over any PrinterTransport.
 *
 * A print job: (1) encode (an unprintable receipt fails before the device is touched);
 * (2) ask DLE EOT 1..4 and refuse to send to a printer that cannot print — bytes sent to a
 * paper-out printer stay in its buffer and come out after the roll is changed, next to the
 * reprint; (3) write the job; (4) wait until the printer has printed it. A real-time DLE EOT
 * answer right after the write only proves the bytes arrived — the printer may still be printing
 * buffered lines and run out of paper after it — so success waits for the end of printing:
 * `GS r 1` (answered only once everything before it is processed) while DLE EOT 1..4 is polled
 * for faults; or, for printers without `GS r`, DLE EOT polled until fault-free for `stableMs`.
 * Bounded by `jobTimeoutMs`: no answer is `device.timeout`, a fault is its printer.* code, both
 * with `details.phase = 'printing'`.
 *
 * Calls are serialized: a status query never interleaves with a job's bytes.
 */
import { DeviceError } from '../errors.js';
import { DEFAULT_PROFILE, encodeReceipt, type EscPosProfile } from './escpos-encoder.js';
import type { Receipt } from './receipt-model.js';
import type { PrinterTransport, ReceiptPrinter } from './receipt-printer.js';
import {
  combineStatus,
  isTransmitStatusAnswer,
  isValidStatusByte,
  STATUS_FUNCTIONS,
  statusFault,
  statusRequest,
  TRANSMIT_PAPER_STATUS,
  type DetailedPrinterStatus,
} from './status.js';

export { networkTransport, type NetworkTransportOptions } from './network-transport.js';
export { usbTransport, type FileDeviceTransportOptions } from './file-device-transport.js';
export { serialTransport, type SerialTransportOptions } from './serial-transport.js';
export { libusbTransport, type UsbPrinterMatch } from './usb-transport.js';

export interface EscPosReceiptPrinterOptions {
  /** Time allowed for each status answer (default 2000 ms). Write timeouts belong to the transport. */
  readonly timeoutMs?: number;
  /** Model quirks (Chinese mode, feed before cut, QR module size, barcode height). */
  readonly profile?: Partial<EscPosProfile>;
  /**
   * How a job's end is detected: `transmit_status` (default) waits for the `GS r 1` answer;
   * `poll` (printers without `GS r`) polls DLE EOT until no fault for `stableMs`.
   */
  readonly completion?: 'transmit_status' | 'poll';
  /** Longest wait for a written job to finish printing (default 20000 ms). */
  readonly jobTimeoutMs?: number;
  /** DLE EOT poll period while a job prints (default 200 ms). */
  readonly pollIntervalMs?: number;
  /** `poll` mode: fault-free this long after the write counts as printed (default 1000 ms). */
  readonly stableMs?: number;
  /** Monotonic ms clock (injectable for tests). */
  readonly clock?: () => number;
}

/** What one poll round saw: the status, and whether the `GS r` answer arrived in between. */
interface PollRound {
  readonly status: DetailedPrinterStatus;
  readonly printed: boolean;
}

export class EscPosReceiptPrinter implements ReceiptPrinter {
  private readonly timeoutMs: number;
  private readonly profile: EscPosProfile;
  private readonly completion: 'transmit_status' | 'poll';
  private readonly jobTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly stableMs: number;
  private readonly clock: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly transport: PrinterTransport,
    opts: EscPosReceiptPrinterOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.profile = { ...DEFAULT_PROFILE, ...opts.profile };
    this.completion = opts.completion ?? 'transmit_status';
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 20_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 200;
    this.stableMs = opts.stableMs ?? 1000;
    this.clock = opts.clock ?? (() => performance.now());
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
        await this.waitPrinted();
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

  /** Step 4: resolves once the job is printed; rejects on a fault or after jobTimeoutMs. */
  private async waitPrinted(): Promise<void> {
    const start = this.clock();
    const barrier = this.completion === 'transmit_status';
    if (barrier) await this.transport.write(TRANSMIT_PAPER_STATUS);
    for (;;) {
      const left = this.jobTimeoutMs - (this.clock() - start);
      const wait = Math.max(1, Math.min(this.pollIntervalMs, left));
      if (barrier) {
        if (await this.readBarrier(wait)) return;
      } else {
        await new Promise((r) => setTimeout(r, wait));
      }
      const round = await this.pollRound();
      if (round.printed) return;
      this.check(round.status, 'printing');
      const elapsed = this.clock() - start;
      if (!barrier && elapsed >= this.stableMs) return;
      if (elapsed >= this.jobTimeoutMs) {
        throw new DeviceError('device.timeout', { op: 'job_completion', phase: 'printing', timeoutMs: this.jobTimeoutMs });
      }
    }
  }

  /** Waits up to `timeoutMs` for the GS r answer; stray DLE EOT answers are skipped. */
  private async readBarrier(timeoutMs: number): Promise<boolean> {
    const until = this.clock() + timeoutMs;
    for (;;) {
      const left = until - this.clock();
      if (left <= 0) return false;
      let b: number;
      try {
        b = (await this.transport.read(1, left))[0] as number;
      } catch (e) {
        if (e instanceof DeviceError && e.code === 'device.timeout') return false;
        throw e;
      }
      if (isTransmitStatusAnswer(b)) return true;
    }
  }

  /**
   * DLE EOT 1..4 while a GS r may still be answered: the two share the input stream and are told
   * apart by bit 4, so no input is discarded here.
   */
  private async pollRound(): Promise<PollRound> {
    let printed = false;
    const answers: number[] = [];
    for (const n of STATUS_FUNCTIONS) {
      await this.transport.write(statusRequest(n));
      for (;;) {
        const b = (await this.readStatusByte(n))[0] as number;
        if (this.completion === 'transmit_status' && isTransmitStatusAnswer(b) && !isValidStatusByte(b)) {
          printed = true;
          continue;
        }
        answers.push(b);
        break;
      }
    }
    const [b1, b2, b3, b4] = answers as [number, number, number, number];
    return { status: combineStatus(b1, b2, b3, b4), printed };
  }

  private readStatusByte(n: number): Promise<Uint8Array> {
    return this.transport.read(1, this.timeoutMs).catch((e: unknown) => {
      if (e instanceof DeviceError && e.code === 'device.timeout') {
        throw new DeviceError('device.timeout', { ...e.details, op: 'status', function: n });
      }
      throw e;
    });
  }

  private async queryStatus(): Promise<DetailedPrinterStatus> {
    // A late answer to an earlier, timed-out query must not be taken for this one.
    await this.transport.discardInput();
    const answers: number[] = [];
    for (const n of STATUS_FUNCTIONS) {
      await this.transport.write(statusRequest(n));
      const b = await this.readStatusByte(n);
      answers.push(b[0] as number);
    }
    const [b1, b2, b3, b4] = answers as [number, number, number, number];
    return combineStatus(b1, b2, b3, b4);
  }
}
