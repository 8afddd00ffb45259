/**
 * A simulated card: Mifare-Classic-1K-like memory (64 blocks of 16 bytes, sector trailers holding
 * key A / access bits / key B) with key checks, or a contact CPU card answering a few APDUs.
 */
import { CARD_STATUS, type CardType } from '../../hid/card-protocol.js';

export const BLOCKS = 64;
const DEFAULT_KEY = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const DEFAULT_ACCESS = [0xff, 0x07, 0x80, 0x69];

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
  private readonly challenge: () => Uint8Array;

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
    (this.blocks[block] as Uint8Array).set(data);
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
    if (ins === 0xd6) return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x90, 0x00) };
    return { status: CARD_STATUS.ok, rapdu: Uint8Array.of(0x6d, 0x00) };
  }
}
