/**
 * Decodes HID POS barcode scanner input reports (usage page 0x8C, as Honeywell / Zebra /
 * Access-IS scanners send them in "HID POS" mode), 64 bytes with report ID 2:
 *
 *   0 report ID 0x02 | 1 data length (0–56) | 2–4 AIM symbology identifier "]Xm" |
 *   5–60 data | 61 further symbology byte | 62 reserved | 63 bit 0: more data follows
 *
 * A scan longer than 56 bytes arrives in several reports, the last with bit 0 of byte 63 clear.
 * An unfinished multi-report scan older than `maxGapMs` when the next report arrives is dropped
 * (`scanner.bad_report`, reason `stale`) so it cannot glue onto the next scan. Pure (the caller
 * passes each report's arrival time); never throws.
 */
import { DeviceError } from '../errors.js';
import { DEFAULT_SCAN_GAP_MS, MAX_SCAN_LENGTH, symbologyFromAim, type ScanDecodeEvent } from './scan.js';

export const POS_REPORT = { size: 64, reportId: 0x02, maxData: 56, dataOffset: 5, moreOffset: 63 } as const;

export class PosReportDecoder {
  private chunks: Uint8Array[] = [];
  private total = 0;
  private aim = '';
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });
  private lastAt: number | null = null;

  constructor(
    private readonly maxLength = MAX_SCAN_LENGTH,
    private readonly maxGapMs = DEFAULT_SCAN_GAP_MS,
  ) {}

  reset(): void {
    this.chunks = [];
    this.total = 0;
    this.aim = '';
  }

  /** `at`: the report's arrival time in ms on a monotonic clock. */
  push(report: Uint8Array, at: number, out: ScanDecodeEvent[] = []): ScanDecodeEvent[] {
    const gap = this.lastAt === null ? 0 : at - this.lastAt;
    this.lastAt = at;
    if (this.chunks.length > 0 && gap > this.maxGapMs) {
      out.push({
        kind: 'error',
        error: new DeviceError('scanner.bad_report', { reason: 'stale', dropped: this.total, gapMs: gap }),
      });
      this.reset();
    }
    if (report.length !== POS_REPORT.size || report[0] !== POS_REPORT.reportId) {
      out.push({
        kind: 'error',
        error: new DeviceError('scanner.bad_report', { reason: 'header', length: report.length, reportId: report[0] ?? -1 }),
      });
      return out;
    }
    const len = report[1] as number;
    if (len > POS_REPORT.maxData) {
      out.push({ kind: 'error', error: new DeviceError('scanner.bad_report', { reason: 'length', length: len }) });
      this.reset();
      return out;
    }
    if (this.chunks.length === 0) {
      this.aim = String.fromCharCode(report[2] as number, report[3] as number, report[4] as number);
    }
    if (this.total + len > this.maxLength) {
      out.push({ kind: 'error', error: new DeviceError('scanner.overflow', { maxLength: this.maxLength }) });
      this.reset();
      return out;
    }
    this.chunks.push(report.slice(POS_REPORT.dataOffset, POS_REPORT.dataOffset + len));
    this.total += len;
    const more = ((report[POS_REPORT.moreOffset] as number) & 0x01) !== 0;
    if (more) return out;
    const raw = new Uint8Array(this.total);
    let off = 0;
    for (const c of this.chunks) {
      raw.set(c, off);
      off += c.length;
    }
    const aim = this.aim;
    this.reset();
    if (raw.length === 0) return out;
    const symbology = symbologyFromAim(aim);
    const isAim = aim.startsWith(']');
    out.push({
      kind: 'scan',
      scan: {
        data: this.utf8.decode(raw),
        source: 'pos',
        ...(symbology !== undefined ? { symbology } : {}),
        ...(isAim ? { aim } : {}),
      },
    });
    return out;
  }
}

/** Builds the reports a POS scanner sends for `data` (simulator and tests). */
export function encodePosReports(data: Uint8Array, aim = ']Q1'): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length || out.length === 0; off += POS_REPORT.maxData) {
    const n = Math.min(POS_REPORT.maxData, data.length - off);
    const r = new Uint8Array(POS_REPORT.size);
    r[0] = POS_REPORT.reportId;
    r[1] = n;
    for (let i = 0; i < 3; i++) r[2 + i] = aim.charCodeAt(i) & 0xff;
    r.set(data.subarray(off, off + n), POS_REPORT.dataOffset);
    r[POS_REPORT.moreOffset] = off + n < data.length ? 1 : 0;
    out.push(r);
  }
  return out;
}
