/**
 * A simulated ESC/POS receipt printer on a real TCP listener (the "port 9100" protocol): decodes
 * the byte stream with EscPosStreamDecoder, records jobs, answers `DLE EOT n` with status bytes
 * that follow the fault switches, and can drop the connection in the middle of a job.
 * `SimulatedPrinterDevice` is the transport-free core, reusable over FIFOs or other pipes.
 */
import net from 'node:net';
import { EscPosStreamDecoder, type DecodedJobData } from './escpos-decoder.js';

export interface DecodedJob {
  /** Decoded GB18030 text, lines joined with \n (alignment rendered, trailing feed lines dropped). */
  readonly text: string;
  readonly commands: readonly string[];
  readonly raw: Buffer;
  readonly cut: boolean;
}

/**
 * Fault switches. Besides the five of the contract: `cutter_error` (DLE EOT 3 bit 3),
 * `bad_status` (answers that violate the fixed bits), `unresponsive` (no answers at all) and
 * `paper_out_mid_job` (the paper runs out while a job prints: the first DLE EOT 1–4 round after
 * the job still reads fine, later rounds read paper out, and the job never finishes, so `GS r` is
 * never answered).
 */
export type PrinterFault =
  | 'paper_out'
  | 'paper_out_mid_job'
  | 'paper_near_end'
  | 'cover_open'
  | 'offline'
  | 'disconnect_mid_job'
  | 'cutter_error'
  | 'bad_status'
  | 'unresponsive'
  | null;

export interface PrinterSimulator {
  readonly host: string;
  readonly port: number;
  /** A job ends at a cut (or at connection close). */
  jobs(): readonly DecodedJob[];
  waitForJob(index: number, timeoutMs?: number): Promise<DecodedJob>;
  setFault(fault: PrinterFault): void;
  close(): Promise<void>;
}

/** The byte a printer in `fault` answers to `DLE EOT n` (Epson bit definitions), or null for no answer. */
export function simulatedStatusByte(n: 1 | 2 | 3 | 4, fault: PrinterFault): number | null {
  if (fault === 'unresponsive') return null;
  // Before the paper has run out, the mid-job fault reads like a healthy printer.
  if (fault === 'paper_out_mid_job') return simulatedStatusByte(n, null);
  if (fault === 'bad_status') return 0x00;
  const paperOut = fault === 'paper_out';
  const coverOpen = fault === 'cover_open';
  const cutter = fault === 'cutter_error';
  const offline = paperOut || coverOpen || cutter || fault === 'offline';
  const base = 0x12;
  switch (n) {
    case 1:
      return base | (offline ? 0x08 : 0);
    case 2:
      return base | (coverOpen ? 0x04 : 0) | (paperOut ? 0x20 : 0) | (cutter ? 0x40 : 0);
    case 3:
      return base | (cutter ? 0x08 : 0);
    case 4:
      return base | (paperOut ? 0x6c : fault === 'paper_near_end' ? 0x0c : 0);
    default: {
      const never: never = n;
      throw new Error(`bad status function ${String(never)}`);
    }
  }
}

export interface SimulatedPrinterDeviceOptions {
  readonly columns?: number;
  readonly fault: () => PrinterFault;
  /** Send bytes back to the host. */
  readonly respond: (bytes: Uint8Array) => void;
  /** How long printing a job takes before `GS r` (queued behind it) is answered (ms, default 0). */
  readonly printMs?: number;
  readonly onJob: (job: DecodedJob) => void;
}

/** One connection's worth of printer: decoder + status answers. */
export class SimulatedPrinterDevice {
  private readonly decoder: EscPosStreamDecoder;
  private ended = false;
  /** paper_out_mid_job: status queries answered since the job began; the paper runs out after 4. */
  private queriesSinceJob: number | null = null;
  private stalled = false;

  constructor(private readonly opts: SimulatedPrinterDeviceOptions) {
    this.decoder = new EscPosStreamDecoder({
      ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
      onStatusRequest: (n) => {
        const b = simulatedStatusByte(n, this.effectiveFault());
        if (b !== null) opts.respond(Uint8Array.of(b));
        if (this.queriesSinceJob !== null) this.queriesSinceJob++;
      },
      onTransmitStatus: (n) => this.transmitStatus(n),
      onJob: (job: DecodedJobData) => {
        if (this.queriesSinceJob === null && opts.fault() === 'paper_out_mid_job') this.queriesSinceJob = 0;
        opts.onJob({ ...job, raw: Buffer.from(job.raw) });
      },
    });
  }

  private effectiveFault(): PrinterFault {
    const f = this.opts.fault();
    if (f !== 'paper_out_mid_job') {
      // The roll was changed (fault switched off): the printer prints again.
      this.queriesSinceJob = null;
      this.stalled = false;
    }
    if (f === 'paper_out_mid_job' && this.queriesSinceJob !== null && this.queriesSinceJob >= 4) {
      this.stalled = true;
      return 'paper_out';
    }
    return f;
  }

  /** GS r n: answered once everything before it is printed; a stalled printer never gets there. */
  private transmitStatus(n: number): void {
    const f = this.effectiveFault();
    if (f === 'unresponsive' || this.stalled || f === 'paper_out_mid_job' || n !== 1) return;
    const b = f === 'bad_status' ? 0xff : f === 'paper_near_end' ? 0x03 : f === 'paper_out' ? 0x0c : 0x00;
    const send = (): void => this.opts.respond(Uint8Array.of(b));
    const delay = this.opts.printMs ?? 0;
    if (delay > 0) setTimeout(send, delay);
    else send();
  }

  /**
   * Feeds received bytes. Returns false when the device "drops the connection"
   * (`disconnect_mid_job` and a job has begun); the rest of the chunk is lost, as on a real drop.
   */
  receive(chunk: Uint8Array): boolean {
    if (this.ended) return false;
    if (this.opts.fault() !== 'disconnect_mid_job') {
      this.decoder.push(chunk);
      return true;
    }
    const SLICE = 16;
    for (let i = 0; i < chunk.length; i += SLICE) {
      this.decoder.push(chunk.subarray(i, i + SLICE));
      if (this.decoder.hasJobContent) {
        this.end();
        return false;
      }
    }
    return true;
  }

  /** End of the connection: an unfinished job is recorded with cut = false. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.decoder.end();
  }
}

export async function startPrinterSimulator(
  opts: { host?: string; port?: number; columns?: number; printMs?: number } = {},
): Promise<PrinterSimulator> {
  const host = opts.host ?? '127.0.0.1';
  let fault: PrinterFault = null;
  const jobs: DecodedJob[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const device = new SimulatedPrinterDevice({
      ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
      ...(opts.printMs !== undefined ? { printMs: opts.printMs } : {}),
      fault: () => fault,
      respond: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      onJob: (job) => {
        jobs.push(job);
        for (const w of [...waiters]) w();
      },
    });
    socket.on('data', (chunk: Buffer) => {
      if (!device.receive(chunk)) socket.resetAndDestroy();
    });
    socket.on('error', () => undefined); // resets by the client are normal
    socket.on('close', () => {
      sockets.delete(socket);
      device.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('printer simulator: no TCP address');

  return {
    host,
    port: address.port,
    jobs: () => [...jobs],
    waitForJob(index: number, timeoutMs = 5000): Promise<DecodedJob> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const job = jobs[index];
          if (!job) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(job);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`printer simulator: no job #${index} within ${timeoutMs} ms (have ${jobs.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    setFault(f: PrinterFault): void {
      fault = f;
    },
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
