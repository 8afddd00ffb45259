/**
 * The device manager: opens the terminal's devices from config, keeps them open across unplug /
 * replug (re-enumeration with backoff), polls their health, and turns everything into typed
 * events. Simulated or real devices are decided only by what the composition root passes in
 * (a HidModule from node-hid or from a SimulatedHidBus; a printer over TCP to a simulator or not).
 */
import type { CardDetection, CardWriter } from '../card/card-reader.js';
import type { HidCardReaderOptions } from '../card/hid-card-reader.js';
import type { PrepaidCardFormat, PrepaidCardSnapshot } from '../card/prepaid-card-format.js';
import type { BadgeRead, StaffBadgeFormat } from '../card/staff-badge.js';
import { DeviceError } from '../errors.js';
import type { HidModule } from '../hid/hid-module.js';
import type { Receipt } from '../printer/receipt-model.js';
import type { PrinterStatus, ReceiptPrinter } from '../printer/receipt-printer.js';
import type { ScannerMode } from '../scanner/barcode-scanner.js';
import type { DeviceManagerEvents, DeviceState, PrinterHealth, ScanEvent } from './device-state.js';
import { DeviceSlot } from './device-slot.js';
import { cardReaderDriver, printerDriver, scannerDriver, type CardHandle, type HidDeviceMatch, type ScannerHandle } from './slot-drivers.js';
import { DEFAULT_BACKOFF, systemScheduler, type BackoffPolicy, type Scheduler, type TimerHandle } from './scheduler.js';

export type { HidDeviceMatch } from './slot-drivers.js';

export interface DeviceManagerOptions {
  /** The receipt printer and a human-readable address ("tcp 10.0.0.5:9100"), or null when none. */
  readonly printer: { readonly printer: ReceiptPrinter; readonly address: string } | null;
  /** Loads the HID module (real node-hid or a simulated bus) on first use. */
  readonly hid?: () => Promise<HidModule>;
  readonly cardReader?: HidDeviceMatch | null;
  /** The utility's prepaid card application; null = the reader detects cards but cannot read them. */
  readonly cardFormat?: PrepaidCardFormat | null;
  /** The utility's staff badge (the kiosk's staff exit); null = badges cannot be read. */
  readonly badgeFormat?: StaffBadgeFormat | null;
  readonly scanners?: readonly (HidDeviceMatch & { readonly mode: ScannerMode })[];
  readonly printerPollMs?: number;
  readonly cardPollMs?: number;
  readonly scannerPollMs?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly scheduler?: Scheduler;
  readonly cardReaderOptions?: HidCardReaderOptions;
}

export interface CardReadResult {
  readonly detection: CardDetection;
  readonly snapshot: PrepaidCardSnapshot;
}

export interface DeviceManager {
  /** Opens every configured device (non-blocking); state arrives as `statusChanged` events. */
  start(): void;
  list(): readonly DeviceState[];
  printerHealth(): PrinterHealth;
  /**
   * The receipt printer for the core: prints through the real one and keeps its health current —
   * a failed job refreshes the status at once, so `printerStatusChanged` goes out with the error.
   * Null when no printer is configured.
   */
  readonly printer: ReceiptPrinter | null;
  /** Detects and reads the card in the reader; typed DeviceError when there is none or it is unreadable. */
  readCard(): Promise<CardReadResult>;
  /**
   * Reads the card in the reader as a staff badge. A card that is no badge is also tried as a
   * prepaid card, so the staff exit can tell a customer's card (`customerCard`) from a stranger's.
   */
  readStaffBadge(): Promise<BadgeRead & { readonly customerCard: boolean }>;
  /** The connected card writer (for a card top-up); typed DeviceError when absent or unplugged. */
  cardWriter(): CardWriter;
  /** The next scan from any scanner, or `device.timeout` after `timeoutMs`. */
  nextScan(timeoutMs: number): Promise<ScanEvent>;
  /** Probe one device (or all) now. */
  refresh(id?: string): Promise<void>;
  on<K extends keyof DeviceManagerEvents>(event: K, listener: (payload: DeviceManagerEvents[K]) => void): () => void;
  /** Stops polling, closes every device; waits for print jobs in flight. */
  close(): Promise<void>;
}

type Listeners = { [K in keyof DeviceManagerEvents]: Set<(p: DeviceManagerEvents[K]) => void> };

/** A format for terminals without a card key: cards are detected, reading them is refused. */
class NoCardFormat implements PrepaidCardFormat {
  readonly name = 'none';
  read(): Promise<never> {
    return Promise.reject(new DeviceError('card.format_unsupported', { reason: 'no_card_key' }));
  }
  writePurchase(): Promise<never> {
    return this.read();
  }
  recoverPurchase(): Promise<never> {
    return this.read();
  }
}

export function createDeviceManager(opts: DeviceManagerOptions): DeviceManager {
  const scheduler = opts.scheduler ?? systemScheduler;
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const listeners: Listeners = { statusChanged: new Set(), printerStatusChanged: new Set(), cardInserted: new Set(), cardRemoved: new Set(), scanned: new Set() };
  const emit = <K extends keyof DeviceManagerEvents>(event: K, payload: DeviceManagerEvents[K]): void => {
    for (const l of listeners[event] as Set<(p: DeviceManagerEvents[K]) => void>) {
      try {
        l(payload);
      } catch (err) {
        // A listener's bug must not stop device supervision.
        console.error(`[devices] ${event} listener failed:`, err);
      }
    }
  };

  let lastPrinterHealth = '';
  const onChange = (state: DeviceState): void => {
    emit('statusChanged', state);
    if (state.kind === 'printer') {
      const h = printerHealth();
      const key = JSON.stringify(h);
      if (key !== lastPrinterHealth) {
        lastPrinterHealth = key;
        emit('printerStatusChanged', h);
      }
    }
  };
  const slotOpts = (pollMs: number) => ({ pollMs, backoff, scheduler, onChange });

  const hid = memo(opts.hid ?? (() => Promise.reject(new DeviceError('device.not_found', { device: 'hid' }))));

  const printerSlot = opts.printer
    ? new DeviceSlot(printerDriver(opts.printer.printer, opts.printer.address), slotOpts(opts.printerPollMs ?? 5000))
    : null;

  let cardSlot: DeviceSlot<CardHandle> | null = null;
  if (opts.cardReader) {
    cardSlot = new DeviceSlot(
      cardReaderDriver({
        id: 'cardReader',
        hid,
        match: opts.cardReader,
        format: opts.cardFormat ?? new NoCardFormat(),
        ...(opts.cardReaderOptions ? { readerOptions: opts.cardReaderOptions } : {}),
        onInserted: (e) => {
          cardSlot?.patchCard(e.cardSerial);
          emit('cardInserted', e);
        },
        onRemoved: (e) => {
          cardSlot?.patchCard(null);
          emit('cardRemoved', e);
        },
      }),
      slotOpts(opts.cardPollMs ?? 500),
    );
  }

  const scannerSlots: DeviceSlot<ScannerHandle>[] = [];
  (opts.scanners ?? []).forEach((s, i) => {
    const slot: DeviceSlot<ScannerHandle> = new DeviceSlot(
      scannerDriver({
        id: `scanner:${i}`,
        hid,
        match: s,
        mode: s.mode,
        onScan: (e) => emit('scanned', e),
        onError: (e) => slot.reportFailure(e),
      }),
      slotOpts(opts.scannerPollMs ?? 2000),
    );
    scannerSlots.push(slot);
  });

  const slots = (): DeviceSlot<unknown>[] => [
    ...(printerSlot ? [printerSlot as DeviceSlot<unknown>] : []),
    ...(cardSlot ? [cardSlot as DeviceSlot<unknown>] : []),
    ...(scannerSlots as DeviceSlot<unknown>[]),
  ];

  function printerHealth(): PrinterHealth {
    if (!printerSlot) return { configured: false, connected: false, status: null, fault: 'device.not_found', paperNearEnd: false };
    const s = printerSlot.current;
    const connected = s.connection === 'connected';
    return {
      configured: true,
      connected,
      status: s.printer,
      fault: connected ? s.fault : s.connection === 'connecting' ? null : 'device.disconnected',
      paperNearEnd: s.printer?.paperNearEnd ?? false,
    };
  }

  const trackedPrinter: ReceiptPrinter | null = opts.printer
    ? {
        status: (): Promise<PrinterStatus> => opts.printer!.printer.status(),
        print: async (receipt: Receipt): Promise<void> => {
          try {
            await opts.printer!.printer.print(receipt);
          } catch (err) {
            printerSlot?.reportFailure(err);
            // The caller learns the error with the device state already current.
            await printerSlot?.refresh();
            throw err;
          }
          void printerSlot?.refresh();
        },
        close: () => opts.printer!.printer.close(),
      }
    : null;

  let closed = false;

  return {
    start() {
      for (const s of slots()) s.start();
    },
    list: () => slots().map((s) => s.current),
    printerHealth,
    printer: trackedPrinter,
    async readCard() {
      if (!cardSlot) throw new DeviceError('device.not_found', { device: 'cardReader' });
      const h = cardSlot.use();
      try {
        const detection = await h.writer.detect();
        if (!detection.present) throw new DeviceError('card.absent');
        return { detection, snapshot: await h.writer.readCard() };
      } catch (err) {
        // A missing or foreign card is about the card, not the reader; only reader faults are recorded.
        if (err instanceof DeviceError && (err.code.startsWith('device.') || err.code.startsWith('hid.'))) cardSlot.reportFailure(err);
        throw err;
      }
    },
    async readStaffBadge() {
      if (!cardSlot) throw new DeviceError('device.not_found', { device: 'cardReader' });
      if (!opts.badgeFormat) throw new DeviceError('card.format_unsupported', { reason: 'no_badge_key' });
      const badges = opts.badgeFormat;
      const h = cardSlot.use();
      try {
        const detection = await h.writer.detect();
        if (!detection.present) throw new DeviceError('card.absent');
        const read = await h.writer.withCard((card) => badges.read(card));
        if (read.kind !== 'not_badge') return { ...read, customerCard: false };
        const customerCard = await h.writer.readCard().then(
          () => true,
          () => false,
        );
        return { ...read, customerCard };
      } catch (err) {
        if (err instanceof DeviceError && (err.code.startsWith('device.') || err.code.startsWith('hid.'))) cardSlot.reportFailure(err);
        throw err;
      }
    },
    cardWriter() {
      if (!cardSlot) throw new DeviceError('device.not_found', { device: 'cardReader' });
      return cardSlot.use().writer;
    },
    nextScan(timeoutMs) {
      if (scannerSlots.length === 0) return Promise.reject(new DeviceError('device.not_found', { device: 'scanner' }));
      return new Promise<ScanEvent>((resolve, reject) => {
        let timer: TimerHandle | null = null;
        const onScan = (e: ScanEvent) => {
          timer?.cancel();
          listeners.scanned.delete(onScan);
          resolve(e);
        };
        listeners.scanned.add(onScan);
        timer = scheduler.after(timeoutMs, () => {
          listeners.scanned.delete(onScan);
          reject(new DeviceError('device.timeout', { device: 'scanner', timeoutMs }));
        });
      });
    },
    async refresh(id) {
      await Promise.all(slots().filter((s) => id === undefined || s.current.id === id).map((s) => s.refresh()));
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots().map((s) => s.stop()));
      await opts.printer?.printer.close().catch(() => undefined);
      for (const set of Object.values(listeners)) set.clear();
    },
  };
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    p ??= load().catch((err: unknown) => {
      p = null;
      throw err;
    });
    return p;
  };
}
