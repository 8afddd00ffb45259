import { blockFromHex, xorBlock, type Block64 } from './block64.js';
import { desEncrypt } from './des.js';
import { assertMeterIdentity, KEY_TYPE_COMMON, type MeterIdentity } from './meter-identity.js';

/**
 * DKGA02 decoder key generation (IEC 62055-41, DES based):
 *   PANBlock     = 16 decimal digits read as hex: IIN's last 5 digits + 11-digit DRN (6-digit IIN),
 *                  or IIN's last 3 digits + 13-digit DRN (4-digit IIN); no check digit. For key
 *                  type 3 (DCTK, common key) the DRN positions are all zeros: only the IIN digits stay.
 *   CONTROLBlock = KT(1) ‖ SGC(6) ‖ TI(2) ‖ KRN(1) ‖ FFFFFF, as hex digits.
 *   X  = PANBlock ⊕ CONTROLBlock
 *   DK = DES(vendingKey, X) ⊕ X ⊕ vendingKey
 */
export function panBlock(m: Pick<MeterIdentity, 'iin' | 'drn' | 'keyType'>): Block64 {
  // Dropping the IIN's first digit leaves 5 + 11 or 3 + 13 digits: 16 either way.
  const account = m.keyType === KEY_TYPE_COMMON ? '0'.repeat(m.drn.length) : m.drn;
  return blockFromHex(m.iin.slice(1) + account);
}

export function controlBlock(m: Pick<MeterIdentity, 'keyType' | 'sgc' | 'ti' | 'krn'>): Block64 {
  return blockFromHex(`${m.keyType.toString(16)}${m.sgc}${m.ti}${m.krn.toString(16)}FFFFFF`);
}

export function deriveDecoderKeyDkga02(vendingKey: Block64, meter: MeterIdentity): Block64 {
  assertMeterIdentity(meter);
  const x = xorBlock(panBlock(meter), controlBlock(meter));
  return xorBlock(xorBlock(desEncrypt(vendingKey, x), x), vendingKey);
}
