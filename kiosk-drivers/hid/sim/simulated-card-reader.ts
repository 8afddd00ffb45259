/**
 * A simulated card reader/writer that speaks the framed HID protocol byte for byte
 * (docs/devices/card-reader.md) with fault switches for the failures a hall actually sees.
 */
import type { Device } from 'node-hid';
import type { SimulatedCard } from '../../card/sim/simulated-card.js';
import {
  CARD_COMMAND,
  CARD_STATUS,
  CARD_TYPE,
  decodeRequest,
  encodeResponse,
  NAK_COMMAND,
  type CardRequestFrame,
} from '../card-protocol.js';
import { fromOutputReport, REPORT_SIZE, ReportDecoder, splitIntoReports } from '../report.js';
import { SimulatedHidDevice } from './simulated-hid.js';

export const SIM_CARD_READER_IDS = { vendorId: 0x1209, productId: 0xcad0 } as const;

export interface CardReaderFaults {
  /** Flip a byte in the next N responses (host sees a checksum error). */
  corruptResponses: number;
  /** Treat the next N requests as garbled on the line (reader answers NAK, does nothing). */
  nakRequests: number;
  /** After this many further successful block writes, the card leaves the field. */
  removeCardAfterWrites: number | null;
  /** Send nothing back (the host must time out). */
  mute: boolean;
  /** Prepend garbage bytes to every response (the host must resynchronise). */
  garbageBeforeResponse: boolean;
  /**
   * Prepend a stray frame start (`02 00 30`: STX and a length that swallows the real reply) to
   * every response, in the same report; the host must find the real frame inside.
   */
  strayStartBeforeResponse: boolean;
  /** Cut the next N responses short (the rest of the frame never arrives). */
  truncateResponses: number;
}

export interface SimulatedCardReaderOptions {
  readonly path?: string;
  readonly serialNumber?: string;
  /** Response delay in ms (0 = next macrotask). */
  readonly latencyMs?: number;
}

/** The bytes the stray-start fault puts in front of a response. */
export const STRAY_START = Uint8Array.of(0x02, 0x00, 0x30);
const LINE_GARBAGE = Uint8Array.of(0xee, 0x02, 0xff, 0xff, 0x13, 0x37);

export class SimulatedCardReader extends SimulatedHidDevice {
  private readonly decoder = new ReportDecoder();
  private card: SimulatedCard | null = null;
  private writesLeft: number | null = null;
  private readsLeft: number | null = null;
  readonly faults: CardReaderFaults = {
    corruptResponses: 0,
    nakRequests: 0,
    removeCardAfterWrites: null,
    mute: false,
    garbageBeforeResponse: false,
    strayStartBeforeResponse: false,
    truncateResponses: 0,
  };
  private removeOnRead: number | null = null;
  /** Every request frame received, for assertions. */
  readonly received: CardRequestFrame[] = [];
  readonly beeps: number[] = [];
  /** Input reports sent (a frame over 63 bytes takes several). */
  sentReports = 0;
  led = { green: false, red: false };
  /** Response delay in ms; tests change it between commands to model a slow reader. */
  latencyMs: number;

  constructor(opts: SimulatedCardReaderOptions = {}) {
    const info: Device = {
      vendorId: SIM_CARD_READER_IDS.vendorId,
      productId: SIM_CARD_READER_IDS.productId,
      path: opts.path ?? 'sim:card-reader:0',
      serialNumber: opts.serialNumber ?? 'SIMCR0001',
      manufacturer: 'GridDesk',
      product: 'Simulated Card Reader/Writer',
      release: 0x0100,
      interface: 0,
      usagePage: 0xff00,
      usage: 0x01,
    };
    // docs/devices/card-reader.md §1: unnumbered 64-byte reports, so hidapi writes 00 + 64 bytes.
    super(info, { ids: [0], size: REPORT_SIZE });
    this.latencyMs = opts.latencyMs ?? 0;
  }

  get insertedCard(): SimulatedCard | null {
    return this.card;
  }

  insert(card: SimulatedCard): void {
    this.card = card;
  }

  removeCard(): SimulatedCard | null {
    const c = this.card;
    this.card = null;
    return c;
  }

  /** Arms "card removed mid-write": after `n` more successful block writes the card is pulled. */
  removeCardAfterWrites(n: number): void {
    this.faults.removeCardAfterWrites = n;
    this.writesLeft = n;
  }

  /** The card leaves the field right after `n` more block reads (between two commands). */
  removeCardAfterReads(n: number): void {
    this.readsLeft = n;
  }

  /** The card leaves the field during the `n`-th next block read, which answers CARD_REMOVED (05). */
  removeCardDuringRead(n: number): void {
    this.removeOnRead = n;
  }

  /** Sends any input report as it is (fuzzing: line noise, replays, foreign frames). */
  sendRaw(report: Uint8Array): void {
    this.sendInput(report);
  }

  handleOutput(data: Uint8Array): void {
    const report = fromOutputReport(data);
    if (report === null) return; // the bus refuses such writes before they get here
    for (const ev of this.decoder.pushReport(report)) {
      if (ev.kind === 'error') {
        this.respond(encodeResponse(NAK_COMMAND, CARD_STATUS.checksum));
        continue;
      }
      const req = decodeRequest(ev.frame);
      if (req === null) {
        // No SEQ to echo: as unreadable as a bad CRC.
        this.respond(encodeResponse(NAK_COMMAND, CARD_STATUS.checksum));
        continue;
      }
      this.received.push(req);
      if (this.faults.nakRequests > 0) {
        this.faults.nakRequests--;
        this.respond(encodeResponse(NAK_COMMAND, CARD_STATUS.checksum));
        continue;
      }
      this.respond(this.execute(req));
    }
  }

  private execute(req: CardRequestFrame): Uint8Array {
    const answer = (status: number, data?: Uint8Array): Uint8Array => encodeResponse(req.command, status, data, req.seq);
    return this.run(req.command, req.data, answer);
  }

  private run(cmd: number, d: Uint8Array, answer: (status: number, data?: Uint8Array) => Uint8Array): Uint8Array {
    const card = this.card;
    switch (cmd) {
      case CARD_COMMAND.status: {
        const type = card === null ? CARD_TYPE.none : card.type === 'contact_cpu' ? CARD_TYPE.contactCpu : CARD_TYPE.contactless;
        return answer(CARD_STATUS.ok, Uint8Array.of(card ? 1 : 0, type));
      }
      case CARD_COMMAND.uid:
        return card ? answer(CARD_STATUS.ok, card.uid) : answer(CARD_STATUS.noCard);
      case CARD_COMMAND.apdu: {
        if (!card) return answer(CARD_STATUS.noCard);
        if (d.length < 4) return answer(CARD_STATUS.badParameter);
        const r = card.apdu(d);
        return answer(r.status, r.rapdu);
      }
      case CARD_COMMAND.readBlock: {
        if (d.length !== 8) return answer(CARD_STATUS.badParameter);
        if (!card) return answer(CARD_STATUS.noCard);
        if (this.removeOnRead !== null && --this.removeOnRead <= 0) {
          this.removeOnRead = null;
          this.card = null;
          return answer(CARD_STATUS.cardRemoved);
        }
        const r = card.readBlock(d[0] as number, d[1] as number, d.subarray(2, 8));
        if (r.status === CARD_STATUS.ok && this.readsLeft !== null && --this.readsLeft <= 0) {
          this.card = null;
          this.readsLeft = null;
        }
        return answer(r.status, r.data);
      }
      case CARD_COMMAND.writeBlock: {
        if (d.length !== 24) return answer(CARD_STATUS.badParameter);
        if (!card) return answer(CARD_STATUS.noCard);
        if (this.writesLeft !== null && this.writesLeft <= 0) {
          // The card leaves the field before this write reaches it.
          this.card = null;
          this.writesLeft = null;
          this.faults.removeCardAfterWrites = null;
          return answer(CARD_STATUS.cardRemoved);
        }
        const status = card.writeBlock(d[0] as number, d[1] as number, d.subarray(2, 8), d.subarray(8, 24));
        if (status === CARD_STATUS.ok && this.writesLeft !== null) this.writesLeft--;
        return answer(status);
      }
      case CARD_COMMAND.beep:
        this.beeps.push((d[0] ?? 0) * 10);
        return answer(CARD_STATUS.ok);
      case CARD_COMMAND.led:
        this.led = { green: ((d[0] ?? 0) & 1) !== 0, red: ((d[0] ?? 0) & 2) !== 0 };
        return answer(CARD_STATUS.ok);
      default:
        return answer(CARD_STATUS.unknownCommand);
    }
  }

  private respond(frame: Uint8Array): void {
    if (this.faults.mute) return;
    let bytes = frame;
    if (this.faults.corruptResponses > 0) {
      this.faults.corruptResponses--;
      bytes = frame.slice();
      bytes[3] = (bytes[3] as number) ^ 0x5a;
    }
    if (this.faults.truncateResponses > 0) {
      this.faults.truncateResponses--;
      bytes = bytes.subarray(0, Math.max(1, bytes.length >> 1));
    }
    if (this.faults.strayStartBeforeResponse) bytes = concat(STRAY_START, bytes);
    if (this.faults.garbageBeforeResponse) bytes = concat(LINE_GARBAGE, bytes);
    const reports = splitIntoReports(bytes);
    this.sentReports += reports.length;
    const send = (): void => {
      for (const r of reports) this.sendInput(r);
    };
    if (this.latencyMs > 0) setTimeout(send, this.latencyMs);
    else setImmediate(send);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
