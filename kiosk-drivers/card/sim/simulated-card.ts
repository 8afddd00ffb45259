/**
 * A simulated card: Mifare-Classic-1K-like memory (64 blocks of 16 bytes, sector trailers holding
 * key A / access bits / key B) with key checks, or a contact CPU card answering a few APDUs.
 */
import { CARD_STATUS, type CardType } from '../../hid/card-protocol.js';

export const BLOCKS = 64;
const DEFAULT_KEY = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
/** Transport configuration: key A may rewrite the whole trailer (keys and access bits). */
const DEFAULT_ACCESS = [0xff, 0x07, 0x80, 0x69];
/**
 * Issued configuration `7F 07 88 69`: data blocks read/write with key A or B (000); trailer 011 —
 * only key B may rewrite keys and access bits, key A cannot.
 */
export const ISSUED_ACCESS_BITS = Uint8Array.of(0x7f, 0x07, 0x88, 0x69);

/**
 * Access condition bits C1 C2 C3 (as a 3-bit number) for block `i` (0–3) of a sector, from trailer
 * bytes 6–8 (MIFARE Classic: byte 7 high nibble C1, byte 8 low nibble C2, byte 8 high nibble C3),
 * or null when the inverted copies disagree (a real card then blocks the sector).
 */
export function accessConditions(trailer: Uint8Array, i: number): number | null {
  const b6 = trailer[6] as number;
  const b7 = trailer[7] as number;
  const b8 = trailer[8] as number;
  const c1 = (b7 >> (4 + i)) & 1;
  const c2 = (b8 >> i) & 1;
  const c3 = (b8 >> (4 + i)) & 1;
  const nc1 = (b6 >> i) & 1;
  const nc2 = (b6 >> (4 + i)) & 1;
  const nc3 = (b7 >> i) & 1;
  if (c1 === nc1 || c2 === nc2 || c3 === nc3) return null;
  return (c1 << 2) | (c2 << 1) | c3;
}

/**
 * Whether `keyType` may rewrite a sector trailer (key A, access bits and key B together, as a
 * 16-byte block write does): only conditions 001 (key A) and 011 (key B) allow all three.
 */
function trailerWritable(trailer: Uint8Array, keyType: number): boolean {
  const c = accessConditions(trailer, 3);
  if (c === 0b001) return keyType === 0x60;
  if (c === 0b011) return keyType === 0x61;
  return false;
}

export interface SimulatedCardOptions {
  readonly uid: Uint8Array;
  readonly type?: Exclude<CardType, 'none'>;
  /** Deterministic bytes for GET CHALLENGE. */
  readonly challenge?: () => Uint8Array;
}

export class SimulatedCard {
  readonly uid: Uint8Array;
  readonly type: Exclude<CardType, 'none'>;
  readonly blocks: Uint8Array[];
  /** Successful block writes since creation (for fault injection and tests). */
  writes = 0;
  /**
   * Worn-out blocks: a write to one is acknowledged but does not stick (what read-back
   * verification exists for).
   */
  readonly stuckBlocks = new Set<number>();
  private readonly challenge: () => Uint8Array;
  /** Contact CPU cards: one 1 KiB transparent file for UPDATE / READ BINARY. */
  readonly binary = new Uint8Array(1024);

  constructor(opts: SimulatedCardOptions) {
    this.uid = opts.uid.slice();
    this.type = opts.type ?? 'contactless';
    this.challenge = opts.challenge ?? (() => Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88));
    this.blocks = Array.from({ length: BLOCKS }, (_, i) => {
      const b = new Uint8Array(16);
      if (i === 0) b.set(this.uid.subarray(0, Math.min(16, this.uid.length)));
      if (i % 4 === 3) {
        b.set(DEFAULT_KEY, 0);
        b.set(DEFAULT_ACCESS, 6);
        b.set(DEFAULT_KEY, 10);
      }
      return b;
    });
  }

  setSectorKeyA(sector: number, key: Uint8Array): void {
    this.trailer(sector).set(key.subarray(0, 6), 0);
  }

  /** Issuing-station access: sets the 4 access bytes (6–9) of a sector trailer. */
  setAccessBits(sector: number, bits: Uint8Array): void {
    this.trailer(sector).set(bits.subarray(0, 4), 6);
  }

  private trailer(sector: number): Uint8Array {
    const t = this.blocks[sector * 4 + 3];
    if (!t) throw new RangeError(`no sector ${sector}`);
    return t;
  }

  private authOk(block: number, keyType: number, key: Uint8Array): boolean {
    const t = this.trailer(block >> 2);
    const stored = keyType === 0x60 ? t.subarray(0, 6) : keyType === 0x61 ? t.subarray(10, 16) : null;
    if (!stored || key.length !== 6) return false;
    for (let i = 0; i < 6; i++) if (stored[i] !== key[i]) return false;
    return true;
  }

  readBlock(block: number, keyType: number, key: Uint8Array): { status: number; data?: Uint8Array } {
    if (this.type !== 'contactless') return { status: CARD_STATUS.cardError };
    if (block < 0 || block >= BLOCKS) return { status: CARD_STATUS.badParameter };
    if (!this.authOk(block, keyType, key)) return { status: CARD_STATUS.authFailed };
    return { status: CARD_STATUS.ok, data: (this.blocks[block] as Uint8Array).slice() };
  }

  writeBlock(block: number, keyType: number, key: Uint8Array, data: Uint8Array): number {
    if (this.type !== 'contactless') return CARD_STATUS.cardError;
    if (block <= 0 || block >= BLOCKS || data.length !== 16) return CARD_STATUS.badParameter;
    if (!this.authOk(block, keyType, key)) return CARD_STATUS.authFailed;
    // A trailer holds the sector's keys: rewriting it needs the trailer's own write permission.
    if (block % 4 === 3 && !trailerWritable(this.trailer(block >> 2), keyType)) return CARD_STATUS.authFailed;
    if (!this.stuckBlocks.has(block)) (this.blocks[block] as Uint8Array).set(data);
    this.writes++;
    return CARD_STATUS.ok;
  }

  /** Direct memory access for the simulated meter and for issuing (no reader involved). */
  peek(block: number): Uint8Array {
    return (this.blocks[block] as Uint8Array).slice();
  }
  poke(block: number, data: Uint8Array): void {
    (this.blocks[block] as Uint8Array).set(data.subarray(0, 16));
  }

  apdu(capdu: Uint8Array): { status: number; rapdu?: Uint8Array } {
    if (this.type !== 'contact_cpu') return { status: CARD_STATUS.cardError };
    const ins = capdu[1];
    if (ins === 0x84) return { status: CARD_STATUS.ok, rapdu: Uint8Array.from([...this.challenge(), 0x90, 0x00]) };
    if (ins === 0xa4) return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x90, 0x00) };
    const offset = (((capdu[2] ?? 0) & 0x7f) << 8) | (capdu[3] ?? 0);
    if (ins === 0xd6) {
      // UPDATE BINARY: Lc data bytes at offset P1P2 of the one transparent file.
      const lc = capdu[4] ?? 0;
      const data = capdu.subarray(5, 5 + lc);
      if (data.length !== lc || offset + lc > this.binary.length) return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x67, 0x00) };
      this.binary.set(data, offset);
      return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x90, 0x00) };
    }
    if (ins === 0xb0) {
      // READ BINARY: Le bytes (00 = 256) from offset P1P2, so an R-APDU can be long.
      const le = capdu[4] === 0 ? 256 : (capdu[4] ?? 256);
      if (offset + le > this.binary.length) return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x6b, 0x00) };
      return { status: CARD_STATUS.ok, rapdu: Uint8Array.from([...this.binary.subarray(offset, offset + le), 0x90, 0x00]) };
    }
    return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x6d, 0x00) };
  }
}
