/**
 * Barcode scanners read through node-hid: HID POS mode (all platforms) and keyboard-wedge mode
 * via Linux hidraw. Same HidModule seam as the card reader, so the simulators stand in unchanged.
 */
import { DeviceError } from '../errors.js';
import type { HidAsyncDevice, HidModule } from '../hid/hid-module.js';
import { PosReportDecoder } from './pos-decoder.js';
import type { Scan, ScanDecodeEvent } from './scan.js';
import { KeyboardReportDecoder, type KeyboardDecoderOptions } from './wedge-decoder.js';

export type ScannerMode = 'pos' | 'wedge';

export interface BarcodeScannerEvents {
  scan: Scan;
  /** A report could not be decoded; the scanner keeps going. */
  error: DeviceError;
  /** The device is gone (unplugged); re-enumerate to find it again. */
  disconnected: { readonly reason: string };
}

export interface BarcodeScanner {
  readonly mode: ScannerMode;
  on<K extends keyof BarcodeScannerEvents>(event: K, listener: (p: BarcodeScannerEvents[K]) => void): () => void;
  close(): Promise<void>;
}

export interface HidBarcodeScannerOptions {
  readonly mode: ScannerMode;
  readonly wedge?: KeyboardDecoderOptions;
  /** Longest pause between two reports of one POS scan (ms); default 100. */
  readonly posMaxGapMs?: number;
  /** Monotonic ms clock stamping each report (injectable for tests). */
  readonly clock?: () => number;
}

type Listeners = { [K in keyof BarcodeScannerEvents]: Set<(p: BarcodeScannerEvents[K]) => void> };

export class HidBarcodeScanner implements BarcodeScanner {
  readonly mode: ScannerMode;
  private readonly decode: (r: Uint8Array) => ScanDecodeEvent[];
  private readonly listeners: Listeners = { scan: new Set(), error: new Set(), disconnected: new Set() };
  private gone = false;

  private constructor(
    private readonly device: HidAsyncDevice,
    opts: HidBarcodeScannerOptions,
  ) {
    this.mode = opts.mode;
    const clock = opts.clock ?? (() => performance.now());
    if (opts.mode === 'pos') {
      const d = new PosReportDecoder(undefined, opts.posMaxGapMs);
      this.decode = (r) => d.push(r, clock());
    } else {
      const d = new KeyboardReportDecoder(opts.wedge);
      this.decode = (r) => d.push(r, clock());
    }
    device.on('data', (data: Buffer) => {
      for (const ev of this.decode(data)) {
        if (ev.kind === 'scan') this.emit('scan', ev.scan);
        else this.emit('error', ev.error);
      }
    });
    device.on('error', (err: unknown) => this.lost(err instanceof Error ? err.message : String(err)));
  }

  static async open(hid: HidModule, path: string, opts: HidBarcodeScannerOptions): Promise<HidBarcodeScanner> {
    try {
      return new HidBarcodeScanner(await hid.HIDAsync.open(path), opts);
    } catch (err) {
      throw new DeviceError('device.not_found', { path, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  on<K extends keyof BarcodeScannerEvents>(event: K, listener: (p: BarcodeScannerEvents[K]) => void): () => void {
    const set = this.listeners[event] as Set<(p: BarcodeScannerEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof BarcodeScannerEvents>(event: K, payload: BarcodeScannerEvents[K]): void {
    for (const l of this.listeners[event] as Set<(p: BarcodeScannerEvents[K]) => void>) l(payload);
  }

  private lost(reason: string): void {
    if (this.gone) return;
    this.gone = true;
    this.emit('disconnected', { reason });
  }

  async close(): Promise<void> {
    this.gone = true;
    try {
      await this.device.close();
    } catch {
      // Already gone.
    }
  }
}
