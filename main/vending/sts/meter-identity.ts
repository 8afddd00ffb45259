import { StsError } from './sts-error.js';
import { isBaseDate, type BaseDate } from './tid.js';

/** The only encryption algorithm GridDesk implements (STA). EA11 (MISTY1) meters are not supported. */
export type EncryptionAlgorithm = 'EA07';

/**
 * Everything DKGA02 needs to derive a meter's decoder key, plus the meter's TID base date.
 * `drn` has 11 digits with a 6-digit IIN and 13 digits with a 4-digit IIN.
 */
export interface MeterIdentity {
  /** Issuer identification number: 6 digits (e.g. 600727) or 4 digits. */
  readonly iin: string;
  /** Decoder reference number (the meter's serial without IIN and check digit). */
  readonly drn: string;
  /** Key type 0..3 (2 = unique key, the usual case; 3 = common key, derived without the DRN). */
  readonly keyType: number;
  /** Supply group code, 6 digits. */
  readonly sgc: string;
  /** Tariff index, 2 digits. */
  readonly ti: string;
  /** Key revision number 1..9. */
  readonly krn: number;
  readonly baseDate: BaseDate;
  readonly algorithm: EncryptionAlgorithm;
}

/** Key type 3: the DecoderCommonTransferKey (DCTK), one key for every meter of a common supply group. */
export const KEY_TYPE_COMMON = 3;

const DIGITS = /^[0-9]+$/;

/** Throws `vending.bad_meter_identity` naming the first field that is wrong. */
export function assertMeterIdentity(m: MeterIdentity): void {
  const bad = (field: string): never => {
    throw new StsError('vending.bad_meter_identity', { field });
  };
  if (!DIGITS.test(m.iin) || (m.iin.length !== 6 && m.iin.length !== 4)) bad('iin');
  if (!DIGITS.test(m.drn) || m.drn.length !== (m.iin.length === 6 ? 11 : 13)) bad('drn');
  if (!Number.isInteger(m.keyType) || m.keyType < 0 || m.keyType > 3) bad('keyType');
  if (!DIGITS.test(m.sgc) || m.sgc.length !== 6) bad('sgc');
  if (!DIGITS.test(m.ti) || m.ti.length !== 2) bad('ti');
  if (!Number.isInteger(m.krn) || m.krn < 1 || m.krn > 9) bad('krn');
  if (!isBaseDate(m.baseDate)) bad('baseDate');
  if (m.algorithm !== 'EA07') bad('algorithm');
}

/**
 * Cache key for a meter's decoder key: every input of DKGA02 and nothing else. A key type 3
 * (common) key does not depend on the DRN, so its meters share one entry.
 */
export function meterKeyId(m: MeterIdentity): string {
  const drn = m.keyType === KEY_TYPE_COMMON ? '-' : m.drn;
  return `${m.iin}:${drn}:${m.keyType}:${m.sgc}:${m.ti}:${m.krn}`;
}

/** Luhn check digit for a string of digits. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = payload.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The meter number printed on the meter: IIN + DRN + Luhn check digit (18 digits). */
export function formatMeterNumber(m: Pick<MeterIdentity, 'iin' | 'drn'>): string {
  const payload = m.iin + m.drn;
  if (!DIGITS.test(payload) || payload.length !== 17) {
    throw new StsError('vending.bad_meter_identity', { field: 'drn' });
  }
  return payload + String(luhnCheckDigit(payload));
}

/**
 * Splits an 18-digit meter number into IIN and DRN after checking its Luhn digit. The IIN length
 * cannot be read from the number itself (6+11 and 4+13 both give 17 digits), so the caller says it.
 */
export function parseMeterNumber(meterNo: string, iinLength: 4 | 6 = 6): { iin: string; drn: string } {
  const s = meterNo.replace(/[\s-]/g, '');
  if (!DIGITS.test(s) || s.length !== 18) throw new StsError('vending.meter_number_invalid', { reason: 'format' });
  const payload = s.slice(0, 17);
  if (luhnCheckDigit(payload) !== s.charCodeAt(17) - 48) {
    throw new StsError('vending.meter_number_invalid', { reason: 'check_digit' });
  }
  return { iin: payload.slice(0, iinLength), drn: payload.slice(iinLength) };
}

export function isValidMeterNumber(meterNo: string): boolean {
  const s = meterNo.replace(/[\s-]/g, '');
  return DIGITS.test(s) && s.length === 18 && luhnCheckDigit(s.slice(0, 17)) === s.charCodeAt(17) - 48;
}
