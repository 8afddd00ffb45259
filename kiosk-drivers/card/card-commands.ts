/**
 * Low-level card operations a reader offers, independent of its wire protocol. The prepaid card
 * format works only through this interface, so another reader protocol can slot in underneath.
 */
import type { CardPresence, SectorKey } from '../hid/card-protocol.js';

export type { CardPresence, CardType, SectorKey } from '../hid/card-protocol.js';

export interface CardCommands {
  status(): Promise<CardPresence>;
  uid(): Promise<Uint8Array>;
  /** Contact CPU cards: one C-APDU in, the R-APDU (with SW1 SW2) out. */
  apdu(capdu: Uint8Array): Promise<Uint8Array>;
  /** Contactless cards: 16-byte block read/write after sector-key authentication. */
  readBlock(block: number, key: SectorKey): Promise<Uint8Array>;
  writeBlock(block: number, key: SectorKey, data: Uint8Array): Promise<void>;
  beep(durationMs: number): Promise<void>;
  led(green: boolean, red: boolean): Promise<void>;
}
