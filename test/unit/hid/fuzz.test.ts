import { describe, expect, it } from 'vitest';
import { mulberry32 as prng } from '../../support/prng.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { cardRequest, encodeResponse } from '../../../kiosk-drivers/hid/card-protocol.js';
import { HID_ERROR_CODES } from '../../../kiosk-drivers/hid/error-codes.js';
import { FrameParser, type ParseEvent } from '../../../kiosk-drivers/hid/frame-parser.js';
import { ReportDecoder, splitIntoReports } from '../../../kiosk-drivers/hid/report.js';
import { encodePosReports, PosReportDecoder } from '../../../kiosk-drivers/scanner/pos-decoder.js';
import type { ScanDecodeEvent } from '../../../kiosk-drivers/scanner/scan.js';
import { SimulatedWedgeScanner } from '../../../kiosk-drivers/scanner/sim/simulated-scanners.js';
import { KeyboardReportDecoder } from '../../../kiosk-drivers/scanner/wedge-decoder.js';


const ITERATIONS = 100_000;
const KNOWN = new Set<string>(HID_ERROR_CODES);

function checkEvent(ev: ParseEvent | ScanDecodeEvent): void {
  if (ev.kind === 'error') {
    if (!(ev.error instanceof DeviceError) || !KNOWN.has(ev.error.code)) {
      throw new Error(`untyped or unknown error: ${String(ev.error)}`);
    }
  }
}

function mutate(rand: () => number, src: Uint8Array): Uint8Array {
  const b = Array.from(src);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const op = Math.floor(rand() * 5);
    const at = Math.floor(rand() * Math.max(1, b.length));
    if (op === 0) b[at] = (b[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
    else if (op === 1) b.splice(at, 1);
    else if (op === 2) b.splice(at, 0, Math.floor(rand() * 256));
    else if (op === 3) b.length = at;
    else b.splice(at, 0, 0x02, Math.floor(rand() * 256), Math.floor(rand() * 256));
  }
  return Uint8Array.from(b);
}

const SAMPLE_FRAMES: Uint8Array[] = [
  cardRequest.status(),
  cardRequest.readBlock(4, { type: 'a', key: new Uint8Array(6).fill(0xff) }),
  cardRequest.writeBlock(8, { type: 'b', key: new Uint8Array(6) }, new Uint8Array(16).fill(0x5a)),
  cardRequest.apdu(Uint8Array.from({ length: 200 }, (_, i) => i)),
  encodeResponse(0x30, 0, new Uint8Array(16)),
];

describe('fuzz: HID frame parser and report decoder', () => {
  it(`${ITERATIONS} random and mutated inputs: typed events only, always recovers`, () => {
    const rand = prng(0x6d1d);
    const stream = new FrameParser();
    const reports = new ReportDecoder();
    let frames = 0;
    let errors = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const base = SAMPLE_FRAMES[i % SAMPLE_FRAMES.length] as Uint8Array;
      let input: Uint8Array;
      if (rand() < 0.3) {
        input = Uint8Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256));
      } else {
        input = rand() < 0.2 ? base : mutate(rand, base);
      }
      // Byte stream, cut at random points.
      let off = 0;
      while (off < input.length) {
        const n = 1 + Math.floor(rand() * 40);
        for (const ev of stream.push(input.subarray(off, off + n))) {
          checkEvent(ev);
          if (ev.kind === 'frame') frames++;
          else errors++;
        }
        off += n;
      }
      // Report layer: real reports of the input, sometimes with a scrambled header.
      for (const r of splitIntoReports(input)) {
        if (rand() < 0.1) r[0] = Math.floor(rand() * 256);
        for (const ev of reports.pushReport(r)) checkEvent(ev);
      }
      // Whatever came before, a good frame in a fresh report is decoded.
      if (i % 97 === 0) {
        const good = SAMPLE_FRAMES[(i >> 3) % SAMPLE_FRAMES.length] as Uint8Array;
        const evs = splitIntoReports(good).flatMap((r) => reports.pushReport(r));
        evs.forEach(checkEvent);
        const last = evs.at(-1);
        expect(last?.kind).toBe('frame');
      }
    }
    expect(frames).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(1000);
  });
});

describe('fuzz: keyboard wedge reports', () => {
  it(`${ITERATIONS} random and mutated reports at random gaps: typed events only, a scan never spans a stale gap`, () => {
    const rand = prng(0xbeef);
    const d = new KeyboardReportDecoder({ maxLength: 256, maxGapMs: 100 });
    const valid = SimulatedWedgeScanner.reportsFor('3100012345ABC', { rollover: true });
    let scans = 0;
    let stale = 0;
    let t = 0;
    let sinceGap = 0; // characters-worth of reports since the last gap over 100 ms
    for (let i = 0; i < ITERATIONS; i++) {
      let r: Uint8Array;
      const pick = rand();
      if (pick < 0.4) r = Uint8Array.from({ length: 8 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 256)));
      else if (pick < 0.5) r = Uint8Array.from({ length: Math.floor(rand() * 12) }, () => Math.floor(rand() * 256));
      else r = mutate(rand, valid[i % valid.length] as Uint8Array);
      const gap = rand() < 0.02 ? 101 + Math.floor(rand() * 1000) : Math.floor(rand() * 20);
      t += gap;
      if (gap > 100) sinceGap = 0;
      sinceGap++;
      for (const ev of d.push(r, t)) {
        checkEvent(ev);
        if (ev.kind === 'scan') {
          scans++;
          expect(ev.scan.data.length).toBeLessThanOrEqual(256);
          // Every character came from a report after the last stale gap (up to 6 keys a report).
          expect(ev.scan.data.length).toBeLessThanOrEqual(sinceGap * 6);
        } else if (ev.error.details.reason === 'stale') stale++;
      }
    }
    expect(scans).toBeGreaterThan(0);
    expect(stale).toBeGreaterThan(0);
  });
});

describe('fuzz: HID POS reports', () => {
  it(`${ITERATIONS} random and mutated reports at random gaps: typed events only`, () => {
    const rand = prng(0xc0ffee);
    const d = new PosReportDecoder(1024, 100);
    const valid = encodePosReports(new TextEncoder().encode('x'.repeat(150)), ']C0');
    let scans = 0;
    let stale = 0;
    let t = 0;
    let bytesSinceGap = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      let r: Uint8Array;
      const pick = rand();
      if (pick < 0.3) {
        r = Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 256));
        r[0] = 2;
      } else if (pick < 0.4) {
        r = Uint8Array.from({ length: Math.floor(rand() * 70) }, () => Math.floor(rand() * 256));
      } else {
        r = (valid[i % valid.length] as Uint8Array).slice();
        if (rand() < 0.7) r[Math.floor(rand() * 64)] = Math.floor(rand() * 256);
      }
      const gap = rand() < 0.05 ? 101 + Math.floor(rand() * 1000) : Math.floor(rand() * 20);
      t += gap;
      if (gap > 100) bytesSinceGap = 0;
      bytesSinceGap += 56;
      for (const ev of d.push(r, t)) {
        checkEvent(ev);
        if (ev.kind === 'scan') {
          scans++;
          expect(ev.scan.data.length).toBeLessThanOrEqual(1024);
          expect(new TextEncoder().encode(ev.scan.data).length).toBeLessThanOrEqual(bytesSinceGap * 3);
        } else if (ev.error.details.reason === 'stale') stale++;
      }
    }
    expect(scans).toBeGreaterThan(0);
    expect(stale).toBeGreaterThan(0);
  });
});
