/**
 * Key diversification and MACs for GridDesk's reference prepaid card (docs/devices/prepaid-card.md
 * §3). The master key never leaves this process; each card gets its own key, so one cloned card
 * does not reveal the others.
 */
import { createHmac } from 'node:crypto';

const CARD_KEY_LABEL = Buffer.from('GD-CARD', 'ascii');
const SECTOR_KEY_LABEL = Buffer.from('GD-SECTOR', 'ascii');

/** Per-card keys: HMAC record MACs plus the 6-byte Mifare sector key. */
export interface CardKeys {
  /** HMAC-SHA256(cardKey, domain || uid || data), truncated to `length` bytes. */
  mac(domain: number, data: Uint8Array, length: number): Uint8Array;
  readonly sectorKey: Uint8Array;
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** cardKey = HMAC-SHA256(master, "GD-CARD" || uid); sectorKey = HMAC-SHA256(cardKey, "GD-SECTOR")[0..6]. */
export function deriveCardKeys(masterKey: Uint8Array, uid: Uint8Array): CardKeys {
  const cardKey = hmacSha256(masterKey, CARD_KEY_LABEL, uid);
  const sectorKey = hmacSha256(cardKey, SECTOR_KEY_LABEL).slice(0, 6);
  const uidCopy = uid.slice();
  return {
    sectorKey,
    mac: (domain, data, length) => hmacSha256(cardKey, Uint8Array.of(domain), uidCopy, data).slice(0, length),
  };
}

/** HMAC-SHA256("GD-PURCHASE", purchaseId)[0..8]: identifies a purchase on the card without storing the id. */
export function purchaseTag(purchaseId: string): Uint8Array {
  return hmacSha256(Buffer.from('GD-PURCHASE', 'ascii'), Buffer.from(purchaseId, 'utf8')).slice(0, 8);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}
