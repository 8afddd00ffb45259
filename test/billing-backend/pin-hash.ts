/**
 * Operator PIN hashes as sent in OperatorSnapshot.pinHash: 'scrypt$<saltHex>$<hashHex>',
 * scrypt N=16384, r=8, p=1, keylen 32. The demo salt is derived from the operator id so the seeded
 * data is byte-identical on every run; a production backend uses random salts (same format).
 */
import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEYLEN = 32;

export function deterministicSalt(operatorId: string): Buffer {
  return createHash('sha256').update(`griddesk-demo-operator-salt:${operatorId}`, 'utf8').digest().subarray(0, 16);
}

export function hashPin(pin: string, salt: Buffer): string {
  const hash = scryptSync(pin, salt, KEYLEN, PARAMS);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyPin(pin: string, pinHash: string): boolean {
  const [scheme, saltHex, hashHex] = pinHash.split('$');
  if (scheme !== 'scrypt' || saltHex === undefined || hashHex === undefined) return false;
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length !== KEYLEN) return false;
  const actual = scryptSync(pin, Buffer.from(saltHex, 'hex'), KEYLEN, PARAMS);
  return timingSafeEqual(actual, expected);
}
