/**
 * The initial pull's pending lines: whatever the chunk sizes and the batch sizes taken, the lines
 * come out as they went in, in order, none lost or doubled — also when the buffer must compact
 * what it holds to the front or grow past its size.
 */
import { describe, expect, it } from 'vitest';
import { linesOf } from '../../../main/sync/ndjson-stream.js';
import { PendingLines } from '../../../main/sync/pending-lines.js';
import { mulberry32 } from '../../support/prng.js';

describe('PendingLines', () => {
  it.each([16, 64, 1024])('gives back every line in order (buffer of %i bytes)', (size) => {
    const rng = mulberry32(size);
    const lines = Array.from({ length: 400 }, (_, i) => `{"n":${i},"name":"${'王洋'.repeat(Math.floor(rng() * 20))}"}`);
    const pending = new PendingLines(size);
    const out: string[] = [];
    let next = 0;
    while (next < lines.length || pending.length > 0) {
      // A chunk of 0–7 complete lines in, then a batch of 1–9 lines out, now and then.
      const count = Math.min(lines.length - next, Math.floor(rng() * 8));
      pending.push(Buffer.from(lines.slice(next, next + count).map((l) => `${l}\n`).join('')));
      next += count;
      if (rng() < 0.6 || next === lines.length) {
        const n = 1 + Math.floor(rng() * 9);
        const before = pending.length;
        const taken = pending.take(n).flatMap(linesOf);
        expect(taken).toHaveLength(Math.min(n, before));
        expect(pending.length).toBe(before - taken.length);
        out.push(...taken);
      }
    }
    expect(out).toEqual(lines);
  });

  it('takes nothing from nothing, and a chunk without a newline adds no line', () => {
    const pending = new PendingLines(8);
    expect(pending.take(3)).toEqual([]);
    pending.push(Buffer.alloc(0));
    expect(pending.length).toBe(0);
    pending.push(Buffer.from('a\nb\n'));
    expect(pending.take(5).flatMap(linesOf)).toEqual(['a', 'b']);
    expect(pending.length).toBe(0);
  });
});
