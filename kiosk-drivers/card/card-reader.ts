/**
 * What the services layer sees of a card reader/writer: detect, read the prepaid card, write a
 * purchase, recover an interrupted one, and inserted/removed events. `PrepaidCardWriter`
 * implements it over any CardCommands (the HID reader, or another protocol) and any
 * PrepaidCardFormat. Failures are thrown as DeviceError with a stable code.
 */
import { DeviceError } from '../errors.js';
import { bytesToHex } from './card-layout.js';
import type { CardCommands, CardType } from './card-commands.js';
import type {
  CardSession,
  PrepaidCardFormat,
  PrepaidCardSnapshot,
  RecoverPurchaseRequest,
  RecoverPurchaseResult,
  WritePurchaseRequest,
  WritePurchaseResult,
  WriteStep,
} from './prepaid-card-format.js';

export interface CardDetection {
  readonly present: boolean;
  readonly type: CardType;
  /** UID in upper-case hex, when a card is present. */
  readonly cardSerial: string | null;
}

export interface CardReaderEvents {
  /** A card entered the reader (past tense, as contract events are). */
  inserted: CardDetection;
  removed: { readonly cardSerial: string | null };
  /** The reader itself is gone (unplugged / closed); re-enumerate to find it again. */
  disconnected: { readonly reason: string };
  /** A poll failed for another reason (timeout, corrupt line); polling goes on. */
  error: DeviceError;
}

export type Unsubscribe = () => void;

export interface CardReader {
  detect(): Promise<CardDetection>;
  readCard(): Promise<PrepaidCardSnapshot>;
  on<K extends keyof CardReaderEvents>(event: K, listener: (payload: CardReaderEvents[K]) => void): Unsubscribe;
  close(): Promise<void>;
}

export interface CardWriter extends CardReader {
  writePurchase(req: WritePurchaseRequest, onStep?: (step: WriteStep) => void): Promise<WritePurchaseResult>;
  recoverPurchase(req: RecoverPurchaseRequest): Promise<RecoverPurchaseResult>;
}

/** The transport side: CardCommands plus lifecycle (HidCardReaderDevice satisfies it). */
export interface CardReaderTransport extends CardCommands {
  onDisconnect(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
}

export interface PrepaidCardWriterOptions {
  /** Poll STATUS this often for inserted/removed events; 0 = no automatic polling. */
  readonly pollIntervalMs?: number;
}

type Listeners = { [K in keyof CardReaderEvents]: Set<(p: CardReaderEvents[K]) => void> };

export class PrepaidCardWriter implements CardWriter {
  private readonly listeners: Listeners = {
    inserted: new Set(),
    removed: new Set(),
    disconnected: new Set(),
    error: new Set(),
  };
  private last: CardDetection = { present: false, type: 'none', cardSerial: null };
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private transportAlive = true;
  private readonly offDisconnect: () => void;

  constructor(
    private readonly transport: CardReaderTransport,
    private readonly format: PrepaidCardFormat,
    opts: PrepaidCardWriterOptions = {},
  ) {
    this.offDisconnect = transport.onDisconnect((reason) => {
      this.transportAlive = false;
      this.stopPolling();
      this.emit('disconnected', { reason });
    });
    const interval = opts.pollIntervalMs ?? 0;
    if (interval > 0) this.startPolling(interval);
  }

  on<K extends keyof CardReaderEvents>(event: K, listener: (payload: CardReaderEvents[K]) => void): Unsubscribe {
    const set = this.listeners[event] as Set<(p: CardReaderEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof CardReaderEvents>(event: K, payload: CardReaderEvents[K]): void {
    for (const l of this.listeners[event] as Set<(p: CardReaderEvents[K]) => void>) l(payload);
  }

  async detect(): Promise<CardDetection> {
    const s = await this.transport.status();
    if (!s.present) return { present: false, type: 'none', cardSerial: null };
    try {
      const uid = await this.transport.uid();
      return { present: true, type: s.type, cardSerial: bytesToHex(uid) };
    } catch (err) {
      if (err instanceof DeviceError && err.code === 'card.absent') {
        return { present: false, type: 'none', cardSerial: null };
      }
      throw err;
    }
  }

  /** One poll: compares with the last detection and emits inserted/removed. */
  async poll(): Promise<CardDetection> {
    const now = await this.detect();
    const prev = this.last;
    this.last = now;
    if (prev.present && (!now.present || now.cardSerial !== prev.cardSerial)) {
      this.emit('removed', { cardSerial: prev.cardSerial });
    }
    if (now.present && (!prev.present || now.cardSerial !== prev.cardSerial)) this.emit('inserted', now);
    return now;
  }

  startPolling(intervalMs: number): void {
    this.stopPolling();
    const tick = (): void => {
      this.pollTimer = null;
      this.poll()
        .catch((err: unknown) => {
          if (err instanceof DeviceError && err.code !== 'device.disconnected') this.emit('error', err);
        })
        .finally(() => {
          if (!this.closed && this.transportAlive) this.pollTimer = setTimeout(tick, intervalMs);
        });
    };
    this.pollTimer = setTimeout(tick, intervalMs);
  }

  stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  async readCard(): Promise<PrepaidCardSnapshot> {
    return this.format.read(await this.session());
  }

  async writePurchase(req: WritePurchaseRequest, onStep?: (step: WriteStep) => void): Promise<WritePurchaseResult> {
    return this.format.writePurchase(await this.session(), req, onStep);
  }

  async recoverPurchase(req: RecoverPurchaseRequest): Promise<RecoverPurchaseResult> {
    return this.format.recoverPurchase(await this.session(), req);
  }

  /** Another card application on the card in the reader (the staff badge), through the same queue. */
  async withCard<T>(fn: (card: CardSession) => Promise<T>): Promise<T> {
    return fn(await this.session());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.transportAlive = false;
    this.stopPolling();
    this.offDisconnect();
    await this.transport.close();
  }

  private async session(): Promise<CardSession> {
    const s = await this.transport.status();
    if (!s.present) throw new DeviceError('card.absent');
    const uid = await this.transport.uid();
    return { commands: this.transport, uid, type: s.type };
  }
}
