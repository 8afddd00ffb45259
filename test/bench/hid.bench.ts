/** HID frame parse throughput: whole frames through the report decoder and the byte parser. */
import { cardRequest, encodeResponse } from '../../kiosk-drivers/hid/card-protocol.js';
import { FrameParser } from '../../kiosk-drivers/hid/frame-parser.js';
import { ReportDecoder, splitIntoReports } from '../../kiosk-drivers/hid/report.js';
import { atLeast, info, type BenchResult } from './harness.js';

export async function run(): Promise<BenchResult[]> {
  const frames = [
    encodeResponse(0x10, 0, Uint8Array.of(1, 2)),
    encodeResponse(0x30, 0, new Uint8Array(16).fill(0x42)),
    cardRequest.writeBlock(8, { type: 'a', key: new Uint8Array(6) }, new Uint8Array(16)),
  ];
  const reports = frames.map((f) => splitIntoReports(f)[0] as Uint8Array);
  const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0) * 1000);
  let off = 0;
  for (let i = 0; i < 1000; i++) for (const f of frames) (stream.set(f, off), (off += f.length));

  // Warm up, then measure.
  const dec = new ReportDecoder();
  for (let i = 0; i < 20_000; i++) dec.pushReport(reports[i % 3] as Uint8Array);
  const n = 300_000;
  let got = 0;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) got += dec.pushReport(reports[i % 3] as Uint8Array).length;
  const reportSecs = Number(process.hrtime.bigint() - t0) / 1e9;

  const parser = new FrameParser();
  const rounds = 100;
  let streamFrames = 0;
  t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) streamFrames += parser.push(stream).length;
  const streamSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (got !== n || streamFrames !== rounds * 3000) throw new Error('benchmark decoded the wrong number of frames');

  return [
    atLeast('hid frame parse (64-byte reports)', n / reportSecs, 'frames/s', 100_000),
    atLeast('hid frame parse (byte stream, 3000 frames/chunk)', streamFrames / streamSecs, 'frames/s', 200_000),
    info('hid report decode time per frame', (reportSecs / n) * 1e6, 'µs'),
  ];
}
