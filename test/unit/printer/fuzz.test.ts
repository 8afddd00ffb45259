/**
 * Fuzz: the printer-side ESC/POS decoder and the DLE EOT status parser see 100,000+ random and
 * mutated inputs from a seeded PRNG. Nothing may escape except DeviceError('printer.bad_status')
 * from the parser, and the decoder must not depend on how the stream was chunked.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 as prng } from '../../support/prng.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { EscPosStreamDecoder, type DecodedJobData } from '../../../kiosk-drivers/printer/escpos-decoder.js';
import { encodeReceipt } from '../../../kiosk-drivers/printer/escpos-encoder.js';
import { combineStatus, isValidStatusByte } from '../../../kiosk-drivers/printer/status.js';


// Bytes that start or parameterize commands, so random input reaches deep parser states.
const INTERESTING = [0x00, 0x04, 0x0a, 0x0d, 0x10, 0x14, 0x1b, 0x1c, 0x1d, 0x21, 0x26, 0x28, 0x2a, 0x30, 0x31, 0x40, 0x41, 0x45, 0x50, 0x51, 0x56, 0x61, 0x6b, 0x76, 0x49, 0xff, 0x81, 0xb5];

function randomBytes(rnd: () => number, maxLen: number): Uint8Array {
  const n = Math.floor(rnd() * (maxLen + 1));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd() < 0.5 ? (INTERESTING[Math.floor(rnd() * INTERESTING.length)] as number) : Math.floor(rnd() * 256);
  return out;
}

function mutate(rnd: () => number, src: Uint8Array): Uint8Array {
  const a = Array.from(src);
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rnd() * (a.length + 1));
    const r = rnd();
    const b = rnd() < 0.5 ? (INTERESTING[Math.floor(rnd() * INTERESTING.length)] as number) : Math.floor(rnd() * 256);
    if (r < 0.4 && i < a.length) a[i] = b;
    else if (r < 0.7) a.splice(i, 0, b);
    else if (a.length > 0) a.splice(Math.min(i, a.length - 1), 1 + Math.floor(rnd() * 8));
  }
  return Uint8Array.from(a);
}

interface Outcome {
  readonly jobs: readonly DecodedJobData[];
  readonly statusRequests: readonly number[];
}

function decode(input: Uint8Array, chunk: (i: number) => number): Outcome {
  const statusRequests: number[] = [];
  const d = new EscPosStreamDecoder({ onStatusRequest: (n) => statusRequests.push(n) });
  for (let i = 0, k = 0; i < input.length; k++) {
    const size = Math.max(1, chunk(k));
    d.push(input.subarray(i, i + size));
    i += size;
  }
  d.end();
  return { jobs: d.jobs, statusRequests };
}

/** Plain checks (not expect) in the hot loop: vitest's expect costs more than the decoding. */
function invariantsHold(input: Uint8Array, out: Outcome): boolean {
  let total = 0;
  for (const job of out.jobs) {
    total += job.raw.length;
    if (typeof job.text !== 'string' || job.commands.some((c) => typeof c !== 'string')) return false;
  }
  return total <= input.length;
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.statusRequests.join() !== b.statusRequests.join() || a.jobs.length !== b.jobs.length) return false;
  return a.jobs.every((j, i) => {
    const k = b.jobs[i] as DecodedJobData;
    return j.text === k.text && j.cut === k.cut && j.commands.join('\n') === k.commands.join('\n') && Buffer.from(j.raw).equals(k.raw);
  });
}

describe('fuzz: ESC/POS stream decoder', () => {
  it('survives 70,000 random streams, chunked at random, identically to unchunked', () => {
    const rnd = prng(0x5eed_0001);
    const failures: string[] = [];
    for (let n = 0; n < 70_000; n++) {
      const input = randomBytes(rnd, 40);
      const whole = decode(input, () => input.length);
      if (!invariantsHold(input, whole)) failures.push(Buffer.from(input).toString('hex'));
      if (n % 4 === 0 && !sameOutcome(decode(input, () => 1 + Math.floor(rnd() * 5)), whole)) failures.push(`chunked ${Buffer.from(input).toString('hex')}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('survives 30,000 mutations of real receipts', () => {
    const rnd = prng(0x5eed_0002);
    const seeds = [
      encodeReceipt({ lines: [{ kind: 'text', text: '电费收据', align: 'center', bold: true, size: 2 }, { kind: 'pair', left: '金额', right: '¥12.50' }] }),
      encodeReceipt({ lines: [{ kind: 'qr', data: 'https://e.example.cn/i/123' }, { kind: 'barcode', data: 'PAY-0001' }, { kind: 'feed', lines: 2 }] }),
      Uint8Array.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xff, 0x00, 0x1b, 0x2a, 0x00, 0x02, 0x00, 0xaa, 0x55]),
    ];
    const failures: string[] = [];
    for (let n = 0; n < 30_000; n++) {
      const input = mutate(rnd, seeds[n % seeds.length] as Uint8Array);
      const whole = decode(input, () => input.length);
      if (!invariantsHold(input, whole)) failures.push(Buffer.from(input).toString('hex'));
      if (n % 10 === 0 && !sameOutcome(decode(input, () => 1 + Math.floor(rnd() * 17)), whole)) failures.push(`chunked ${Buffer.from(input).toString('hex')}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('fuzz: DLE EOT status parser', () => {
  it('on 100,000 random answer quadruples returns a status or throws printer.bad_status, exactly as the fixed bits say', () => {
    const rnd = prng(0x5eed_0003);
    let accepted = 0;
    const failures: string[] = [];
    const CAUSES = [0x00, 0x04, 0x08, 0x20, 0x40, 0x0c, 0x60, 0x6c];
    // Mostly well-formed answers with random cause bits, so both branches are exercised often.
    const pick = () => (rnd() < 0.85 ? 0x12 | (CAUSES[Math.floor(rnd() * CAUSES.length)] as number) : Math.floor(rnd() * 256));
    for (let n = 0; n < 100_000; n++) {
      const bytes = [pick(), pick(), pick(), pick()] as const;
      const valid = bytes.every(isValidStatusByte);
      try {
        const s = combineStatus(...bytes);
        if (!valid || s.raw.join() !== bytes.join()) failures.push(`accepted ${bytes.join()}`);
        accepted++;
      } catch (e) {
        if (!(e instanceof DeviceError) || e.code !== 'printer.bad_status' || valid) failures.push(`threw ${String(e)} on ${bytes.join()}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(10_000);
    expect(accepted).toBeLessThan(90_000);
  });
});
