/**
 * bench-results.json keeps every benchmark's last figures when only some ran, and info rows carry
 * no target and no verdict.
 */
import { describe, expect, it } from 'vitest';
import { atLeast, atMost, formatTable, info, mergeResults, parseResults } from '../../../test/bench/harness.js';

describe('bench results', () => {
  it('info rows have target null and meets null', () => {
    expect(info('rows scanned', 12.34567, 'rows')).toEqual({ name: 'rows scanned', value: 12.346, unit: 'rows', target: null, meets: null });
    expect(atMost('latency', 3, 'ms', 2)).toMatchObject({ target: '<= 2', meets: false });
  });

  it('merges by name: re-measured rows replaced in place, earlier rows kept, new rows appended', () => {
    const previous = [atLeast('a', 10, 'ops/s', 5), atMost('b', 3, 'ms', 5), info('c', 1, 'x')];
    const fresh = [atMost('b', 9, 'ms', 5), info('d', 2, 'x')];
    expect(mergeResults(previous, fresh)).toEqual([previous[0], fresh[0], previous[2], fresh[1]]);
    expect(mergeResults([], fresh)).toEqual(fresh);
  });

  it('reads an earlier file, turning old-style info rows into info rows and dropping junk', () => {
    const old = [
      { name: 'p95', value: 11.9, unit: 'ms', target: 'n/a', meets: true },
      { name: 'median', value: 7.5, unit: 'ms', target: '<= 50', meets: true },
      { name: 'broken' },
      42,
    ];
    expect(parseResults(old)).toEqual([
      { name: 'p95', value: 11.9, unit: 'ms', target: null, meets: null },
      { name: 'median', value: 7.5, unit: 'ms', target: '<= 50', meets: true },
    ]);
    expect(parseResults({ not: 'an array' })).toEqual([]);
  });

  it('prints n/a and — for info rows, yes/NO for targets', () => {
    const lines = formatTable([atLeast('throughput', 30, 'ops/s', 20), atMost('latency', 3, 'ms', 2), info('p95', 4, 'ms')]);
    expect(lines[0]).toMatch(/^benchmark\s+value\s+target\s+meets$/);
    expect(lines[2]).toMatch(/^throughput\s+30 ops\/s\s+>= 20\s+yes$/);
    expect(lines[3]).toMatch(/^latency\s+3 ms\s+<= 2\s+NO$/);
    expect(lines[4]).toMatch(/^p95\s+4 ms\s+n\/a\s+—$/);
  });
});
