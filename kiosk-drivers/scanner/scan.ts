/** What every scanner path produces: HID keyboard wedge, HID POS, or a renderer keystroke burst. */
import type { DeviceError } from '../errors.js';

export interface Scan {
  readonly data: string;
  /** e.g. 'qr', 'code128', 'ean13'; absent when the source does not say (wedge scanners). */
  readonly symbology?: string;
  /** AIM symbology identifier as sent (`]Q1`), when the scanner sends one. */
  readonly aim?: string;
  readonly source: 'wedge' | 'pos' | 'keystroke';
}

export type ScanDecodeEvent =
  | { readonly kind: 'scan'; readonly scan: Scan }
  | { readonly kind: 'error'; readonly error: DeviceError };

/** A scan longer than this is a runaway (stuck key, wrong mode); it is dropped with scanner.overflow. */
export const MAX_SCAN_LENGTH = 4096;

/**
 * Longest pause (ms) between two reports of one scan. Scanners send a whole code in a few ms;
 * a longer pause means the rest (or the terminator) was lost.
 */
export const DEFAULT_SCAN_GAP_MS = 100;

/** AIM symbology identifier (ISO/IEC 15424) code character → name. */
const AIM_SYMBOLOGY: Readonly<Record<string, string>> = {
  A: 'code39',
  C: 'code128',
  E: 'ean_upc',
  I: 'itf',
  L: 'pdf417',
  Q: 'qr',
  d: 'datamatrix',
  e: 'gs1_databar',
  z: 'aztec',
  F: 'codabar',
  G: 'code93',
};

export function symbologyFromAim(aim: string): string | undefined {
  if (aim.length !== 3 || aim[0] !== ']') return undefined;
  if (aim === ']E0') return 'ean13';
  if (aim === ']E4') return 'ean8';
  return AIM_SYMBOLOGY[aim[1] as string];
}
