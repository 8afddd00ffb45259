import { randomBytes } from 'node:crypto';

export type Clock = () => Date;
export type RandomSource = (n: number) => Uint8Array;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp + random bits, so ids sort by creation time and
 * the backend can deduplicate on them forever. Clock and randomness are injectable for tests.
 */
export function uuidv7(now: Clock = () => new Date(), random: RandomSource = (n) => randomBytes(n)): string {
  const ms = BigInt(now().getTime());
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes.set(random(10), 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
