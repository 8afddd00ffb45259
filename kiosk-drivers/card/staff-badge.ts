/**
 * GridDesk's reference staff badge (`griddesk-badge-v1`, docs/devices/staff-badge.md): the card a
 * supervisor, manager or technician presents at a kiosk's staff exit. It names the operator and
 * carries a MAC under the utility's badge key, so a badge written by anyone else, or a genuine one
 * with its operator ID altered, is refused. The PIN is still asked: the badge only says who.
 *
 * Pure layout and keys here; `readStaffBadge` reads one through CardCommands.
 */
import { DeviceError } from '../errors.js';
import type { SectorKey } from '../hid/card-protocol.js';
import { constantTimeEqual, hmacSha256 } from './card-crypto.js';
import { bytesToHex } from './card-layout.js';
import type { CardSession } from './prepaid-card-format.js';

export const BADGE_LAYOUT = { header: 4, validity: 5, sector: 1 } as const;
export const BADGE_MAGIC = [0x47, 0x53] as const; // "GS"
export const BADGE_VERSION = 1;
const MAC_DOMAIN = 0x11;
const OPERATOR_ID_BYTES = 12;
const OPERATOR_ID = /^[0-9A-Za-z_-]{1,12}$/;

export interface BadgeKeys {
  readonly sectorKey: Uint8Array;
  mac(data: Uint8Array): Uint8Array;
}

/** badgeKey = HMAC-SHA256(master, "GD-BADGE" ‖ uid): a key apart from the prepaid cards', per badge. */
export function deriveBadgeKeys(masterKey: Uint8Array, uid: Uint8Array): BadgeKeys {
  const badgeKey = hmacSha256(masterKey, Buffer.from('GD-BADGE', 'ascii'), uid);
  const uidCopy = uid.slice();
  return {
    sectorKey: hmacSha256(badgeKey, Buffer.from('GD-SECTOR', 'ascii')).slice(0, 6),
    mac: (data) => hmacSha256(badgeKey, Uint8Array.of(MAC_DOMAIN), uidCopy, data).slice(0, 8),
  };
}

export interface StaffBadgeRecord {
  readonly operatorId: string;
  /** How many badges this operator has been issued (a re-issue counts up); journaled with the read. */
  readonly issue: number;
  /** Unix seconds. */
  readonly issuedAt: number;
  /** Unix seconds; 0 = no end date. */
  readonly validUntil: number;
}

export function encodeBadge(r: StaffBadgeRecord, keys: BadgeKeys): [Uint8Array, Uint8Array] {
  if (!OPERATOR_ID.test(r.operatorId)) throw new RangeError(`operator ID not 1–12 of [0-9A-Za-z_-]: ${r.operatorId}`);
  if (!Number.isInteger(r.issue) || r.issue < 0 || r.issue > 255) throw new RangeError(`issue out of range: ${r.issue}`);
  const b4 = new Uint8Array(16);
  b4.set(BADGE_MAGIC, 0);
  b4[2] = BADGE_VERSION;
  b4[3] = r.issue;
  b4.set(Buffer.from(r.operatorId, 'ascii'), 4);
  const b5 = new Uint8Array(16);
  const v = new DataView(b5.buffer);
  v.setUint32(0, r.issuedAt >>> 0, false);
  v.setUint32(4, r.validUntil >>> 0, false);
  b5.set(keys.mac(macInput(b4, b5)), 8);
  return [b4, b5];
}

function macInput(b4: Uint8Array, b5: Uint8Array): Uint8Array {
  const m = new Uint8Array(24);
  m.set(b4, 0);
  m.set(b5.subarray(0, 8), 16);
  return m;
}

export type BadgeDecoded =
  | { readonly ok: true; readonly value: StaffBadgeRecord }
  | { readonly ok: false; readonly reason: 'magic' | 'version' | 'mac' | 'operator_id' };

export function decodeBadge(b4: Uint8Array, b5: Uint8Array, keys: BadgeKeys): BadgeDecoded {
  if (b4[0] !== BADGE_MAGIC[0] || b4[1] !== BADGE_MAGIC[1]) return { ok: false, reason: 'magic' };
  if (b4[2] !== BADGE_VERSION) return { ok: false, reason: 'version' };
  if (!constantTimeEqual(keys.mac(macInput(b4, b5)), b5.subarray(8, 16))) return { ok: false, reason: 'mac' };
  const raw = b4.subarray(4, 4 + OPERATOR_ID_BYTES);
  const end = raw.indexOf(0);
  const operatorId = Buffer.from(end < 0 ? raw : raw.subarray(0, end)).toString('ascii');
  // A MAC-valid record can still hold junk only if the key was misused at issue; refuse it all the same.
  if (!OPERATOR_ID.test(operatorId) || raw.subarray(operatorId.length).some((b) => b !== 0)) return { ok: false, reason: 'operator_id' };
  const v = new DataView(b5.buffer, b5.byteOffset, 16);
  return { ok: true, value: { operatorId, issue: b4[3] as number, issuedAt: v.getUint32(0, false), validUntil: v.getUint32(4, false) } };
}

/**
 * What the card in the reader is, seen from the staff exit. `not_badge`: our badge key does not open
 * it or it has no badge header (a customer's card, a blank, another utility's); `forged`: it opens
 * and says "badge" but its MAC is wrong (an altered or copied-and-edited badge).
 */
export type BadgeRead =
  | { readonly kind: 'badge'; readonly cardSerial: string; readonly badge: StaffBadgeRecord }
  | { readonly kind: 'not_badge'; readonly cardSerial: string; readonly reason: 'auth' | 'magic' | 'type' }
  | { readonly kind: 'forged'; readonly cardSerial: string; readonly reason: 'mac' | 'version' | 'operator_id' };

export class StaffBadgeFormat {
  readonly name = 'griddesk-badge-v1';
  private readonly masterKey: Uint8Array;

  /** `masterKey` (the utility's badge key, not the prepaid cards') comes from its key store at run time. */
  constructor(masterKey: Uint8Array) {
    if (masterKey.length < 16) throw new RangeError('badge master key must be at least 16 bytes');
    this.masterKey = masterKey.slice();
  }

  async read(card: CardSession): Promise<BadgeRead> {
    const cardSerial = bytesToHex(card.uid);
    if (card.type !== 'contactless') return { kind: 'not_badge', cardSerial, reason: 'type' };
    const keys = deriveBadgeKeys(this.masterKey, card.uid);
    const sector: SectorKey = { type: 'a', key: keys.sectorKey };
    let b4: Uint8Array;
    try {
      b4 = await card.commands.readBlock(BADGE_LAYOUT.header, sector);
    } catch (err) {
      if (err instanceof DeviceError && err.code === 'card.auth_failed') return { kind: 'not_badge', cardSerial, reason: 'auth' };
      throw err;
    }
    if (b4[0] !== BADGE_MAGIC[0] || b4[1] !== BADGE_MAGIC[1]) return { kind: 'not_badge', cardSerial, reason: 'magic' };
    const b5 = await card.commands.readBlock(BADGE_LAYOUT.validity, sector);
    const d = decodeBadge(b4, b5, keys);
    if (!d.ok) return { kind: 'forged', cardSerial, reason: d.reason === 'magic' ? 'mac' : d.reason };
    return { kind: 'badge', cardSerial, badge: d.value };
  }
}
