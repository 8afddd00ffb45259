/**
 * Report layer (docs/devices/card-reader.md §1): frames travel in 64-byte HID reports whose first
 * byte holds the payload count (bits 0–5) and the continuation flag (bit 7). Pure.
 */
import { DeviceError } from '../errors.js';
import { FrameParser, type ParseEvent } from './frame-parser.js';

export const REPORT_SIZE = 64;
export const REPORT_PAYLOAD = REPORT_SIZE - 1;
export const CONT_FLAG = 0x80;
const COUNT_MASK = 0x3f;

/** Cuts a frame (or any byte string) into 64-byte reports, zero-padded. */
export function splitIntoReports(bytes: Uint8Array): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += REPORT_PAYLOAD) {
    const n = Math.min(REPORT_PAYLOAD, bytes.length - off);
    const r = new Uint8Array(REPORT_SIZE);
    r[0] = (off === 0 ? 0 : CONT_FLAG) | n;
    r.set(bytes.subarray(off, off + n), 1);
    reports.push(r);
  }
  return reports;
}

/** hidapi's write() wants the report ID first: 0 for a device with unnumbered reports. */
export function toOutputReport(report: Uint8Array): Buffer {
  const out = Buffer.alloc(REPORT_SIZE + 1);
  out.set(report.subarray(0, REPORT_SIZE), 1);
  return out;
}

/**
 * The report inside what a host wrote (the simulator's view of an output report): report ID 0
 * followed by 64 bytes, or null for anything else; a write without the report-ID byte is not
 * taken as a report.
 */
export function fromOutputReport(written: Uint8Array): Uint8Array | null {
  return written.length === REPORT_SIZE + 1 && written[0] === 0 ? written.subarray(1) : null;
}

/** Input reports in, frames and typed errors out. Never throws. */
export class ReportDecoder {
  readonly parser = new FrameParser();

  pushReport(report: Uint8Array, out: ParseEvent[] = []): ParseEvent[] {
    if (report.length === 0) {
      out.push({ kind: 'error', error: new DeviceError('hid.bad_report', { reason: 'empty' }) });
      return out;
    }
    const header = report[0] as number;
    if (header === 0) return out;
    const n = header & COUNT_MASK;
    if ((header & 0x40) !== 0 || n === 0 || n > report.length - 1) {
      out.push({ kind: 'error', error: new DeviceError('hid.bad_report', { reason: 'bad_header', header }) });
      return out;
    }
    const cont = (header & CONT_FLAG) !== 0;
    if (cont && !this.parser.pending) {
      out.push({ kind: 'error', error: new DeviceError('hid.bad_report', { reason: 'orphan_continuation' }) });
      return out;
    }
    if (!cont && this.parser.pending) this.parser.abandonPartial('truncated', out);
    this.parser.push(report.subarray(1, 1 + n), out);
    // Senders fill every report of a transfer but the last: a short report ends the byte stream,
    // so a candidate frame still open here can never complete (a stray STX claimed it).
    if (n < REPORT_PAYLOAD && this.parser.pending) this.parser.abandonPartial('incomplete', out);
    return out;
  }

  reset(): void {
    this.parser.reset();
  }
}
