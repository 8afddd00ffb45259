/**
 * Card reader/writer transport over node-hid's HIDAsync API (docs/devices/card-reader.md §5):
 * one command in flight, a timeout per command, bounded retries on corrupted responses, and a
 * typed DeviceError for every failure — a pulled card, a pulled cable or a silent reader never
 * leaves a promise pending.
 */
import { DeviceError } from '../errors.js';
import {
  CARD_COMMAND,
  cardRequest,
  cardResponse,
  FIRST_SEQ,
  isNak,
  nextSeq,
  RESPONSE_FLAG,
  responseSeq,
  type CardPresence,
  type SectorKey,
} from '../hid/card-protocol.js';
import type { Frame } from '../hid/frame.js';
import type { ParseEvent } from '../hid/frame-parser.js';
import type { HidAsyncDevice, HidModule } from '../hid/hid-module.js';
import { ReportDecoder, splitIntoReports, toOutputReport } from '../hid/report.js';
import type { CardCommands } from './card-commands.js';

export interface HidCardReaderOptions {
  /** Default per-command timeout (ms). */
  readonly timeoutMs?: number;
  readonly writeTimeoutMs?: number;
  readonly apduTimeoutMs?: number;
  /** Extra attempts after a corrupted response or a NAK. */
  readonly maxRetries?: number;
}

type Outcome =
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'corrupt'; readonly error: DeviceError }
  | { readonly kind: 'nak' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'disconnected'; readonly reason: string };

interface Waiter {
  readonly command: number;
  /** The SEQ of the frame in flight; only a response echoing it is the answer. */
  readonly seq: number;
  settle(o: Outcome): void;
}

/** Builds the request frame for one attempt, numbered `seq`. */
type RequestBuilder = (seq: number) => Uint8Array;

export class HidCardReaderDevice implements CardCommands {
  private readonly decoder = new ReportDecoder();
  private readonly timeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly apduTimeoutMs: number;
  private readonly maxRetries: number;
  private waiter: Waiter | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private dead: string | null = null;
  /** SEQ of the last frame written; every attempt (retries too) gets a fresh one. */
  private seq = 0;
  private readonly disconnectListeners = new Set<(reason: string) => void>();
  /** Counters for diagnostics and tests. */
  readonly stats = { retries: 0, corruptResponses: 0, staleFrames: 0, timeouts: 0 };

  private constructor(
    private readonly device: HidAsyncDevice,
    opts: HidCardReaderOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 800;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 1500;
    this.apduTimeoutMs = opts.apduTimeoutMs ?? 3000;
    this.maxRetries = opts.maxRetries ?? 2;
    device.on('data', (data: Buffer) => this.onData(data));
    device.on('error', (err: unknown) => this.markDead(err instanceof Error ? err.message : String(err)));
  }

  /** Opens the reader at `path` (from `devicesAsync()`); `device.not_found` if it is gone. */
  static async open(hid: HidModule, path: string, opts: HidCardReaderOptions = {}): Promise<HidCardReaderDevice> {
    let device: HidAsyncDevice;
    try {
      device = await hid.HIDAsync.open(path);
    } catch (err) {
      throw new DeviceError('device.not_found', { path, reason: err instanceof Error ? err.message : String(err) });
    }
    return new HidCardReaderDevice(device, opts);
  }

  /** Wraps an already opened device. */
  static fromDevice(device: HidAsyncDevice, opts: HidCardReaderOptions = {}): HidCardReaderDevice {
    return new HidCardReaderDevice(device, opts);
  }

  get connected(): boolean {
    return this.dead === null;
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.markDead('closed');
    try {
      await this.device.close();
    } catch {
      // Closing an unplugged device may fail; it is closed either way.
    }
  }

  status(): Promise<CardPresence> {
    return this.run((q) => cardRequest.status(q), CARD_COMMAND.status, true, this.timeoutMs).then(cardResponse.status);
  }

  uid(): Promise<Uint8Array> {
    return this.run((q) => cardRequest.uid(q), CARD_COMMAND.uid, true, this.timeoutMs).then(cardResponse.uid);
  }

  apdu(capdu: Uint8Array): Promise<Uint8Array> {
    // Not idempotent: only a NAK (reader did not execute it) is retried.
    return this.run((q) => cardRequest.apdu(capdu, q), CARD_COMMAND.apdu, false, this.apduTimeoutMs).then(
      cardResponse.apdu,
    );
  }

  readBlock(block: number, key: SectorKey): Promise<Uint8Array> {
    return this.run((q) => cardRequest.readBlock(block, key, q), CARD_COMMAND.readBlock, true, this.timeoutMs).then(
      cardResponse.readBlock,
    );
  }

  writeBlock(block: number, key: SectorKey, data: Uint8Array): Promise<void> {
    // Writing the same 16 bytes twice leaves the same block: safe to retry.
    return this.run(
      (q) => cardRequest.writeBlock(block, key, data, q),
      CARD_COMMAND.writeBlock,
      true,
      this.writeTimeoutMs,
    ).then((f) => cardResponse.ack(f, CARD_COMMAND.writeBlock));
  }

  beep(durationMs: number): Promise<void> {
    return this.run((q) => cardRequest.beep(durationMs, q), CARD_COMMAND.beep, true, this.timeoutMs).then((f) =>
      cardResponse.ack(f, CARD_COMMAND.beep),
    );
  }

  led(green: boolean, red: boolean): Promise<void> {
    return this.run((q) => cardRequest.led(green, red, q), CARD_COMMAND.led, true, this.timeoutMs).then((f) =>
      cardResponse.ack(f, CARD_COMMAND.led),
    );
  }

  /** Serialises commands: each starts after the previous one settled, whatever its outcome. */
  private run(build: RequestBuilder, command: number, idempotent: boolean, timeoutMs: number): Promise<Frame> {
    const go = (): Promise<Frame> => this.exchange(build, command, idempotent, timeoutMs);
    const job = this.tail.then(go, go);
    this.tail = job.catch(() => undefined);
    return job;
  }

  private takeSeq(): number {
    this.seq = this.seq === 0 ? FIRST_SEQ : nextSeq(this.seq);
    return this.seq;
  }

  private async exchange(build: RequestBuilder, command: number, idempotent: boolean, timeoutMs: number): Promise<Frame> {
    let lastCorrupt: DeviceError | null = null;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (this.dead !== null) throw new DeviceError('device.disconnected', { reason: this.dead });
      if (attempt > 0) this.stats.retries++;
      this.decoder.reset();
      const seq = this.takeSeq();
      const outcome = await this.attempt(build(seq), command, seq, timeoutMs);
      switch (outcome.kind) {
        case 'frame':
          return outcome.frame;
        case 'timeout':
          this.stats.timeouts++;
          throw new DeviceError('hid.timeout', { command, timeoutMs });
        case 'disconnected':
          throw new DeviceError('device.disconnected', { reason: outcome.reason });
        case 'nak':
          lastCorrupt = new DeviceError('hid.checksum', { command, side: 'reader' });
          continue;
        case 'corrupt':
          this.stats.corruptResponses++;
          lastCorrupt = outcome.error;
          if (!idempotent) throw new DeviceError('hid.checksum', { command, side: 'host', retried: false });
          continue;
        default: {
          const never: never = outcome;
          throw new Error(`unhandled outcome ${String(never)}`);
        }
      }
    }
    throw new DeviceError('hid.checksum', {
      command,
      attempts: this.maxRetries + 1,
      cause: lastCorrupt?.code ?? 'hid.checksum',
    });
  }

  private attempt(request: Uint8Array, command: number, seq: number, timeoutMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (o: Outcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.waiter === w) this.waiter = null;
        resolve(o);
      };
      const w: Waiter = { command, seq, settle };
      this.waiter = w;
      void this.writeFrame(request).catch((err: unknown) => {
        this.markDead(err instanceof Error ? err.message : String(err));
        settle({ kind: 'disconnected', reason: 'write_failed' });
      });
    });
  }

  private async writeFrame(frame: Uint8Array): Promise<void> {
    for (const r of splitIntoReports(frame)) await this.device.write(toOutputReport(r));
  }

  private onData(data: Buffer): void {
    const events: ParseEvent[] = [];
    this.decoder.pushReport(data, events);
    let corrupt: DeviceError | null = null;
    for (const ev of events) {
      const w = this.waiter;
      if (!w) {
        this.stats.staleFrames++;
        continue;
      }
      if (ev.kind === 'error') {
        // Garbage before a good frame is normal after noise; decide once the report is consumed.
        corrupt = ev.error;
      } else if (isNak(ev.frame)) {
        w.settle({ kind: 'nak' });
      } else if (ev.frame.command === (w.command | RESPONSE_FLAG) && responseSeq(ev.frame) === w.seq) {
        w.settle({ kind: 'frame', frame: ev.frame });
      } else {
        // A late answer to an earlier, timed-out command (other CMD or other SEQ): not ours.
        this.stats.staleFrames++;
      }
    }
    if (corrupt !== null && this.waiter !== null && !this.decoder.parser.pending) {
      this.waiter.settle({ kind: 'corrupt', error: corrupt });
    }
  }

  private markDead(reason: string): void {
    if (this.dead !== null) return;
    this.dead = reason;
    this.waiter?.settle({ kind: 'disconnected', reason });
    for (const l of this.disconnectListeners) l(reason);
  }
}
