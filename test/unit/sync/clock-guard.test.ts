/**
 * The clock guard (main/sync/clock-guard.ts) on pinned clocks: the terminal's wall clock, the
 * monotonic clock and the backend's clock each move only when the test says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClockStatusView } from '../../../main/contract/index.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { ClockGuard } from '../../../main/sync/clock-guard.js';

const T0 = Date.parse('2026-11-27T02:00:00.000Z');
const MAX = 120_000;

let dir: string;
let db: Db;
let wall: number;
let mono: number;
let changes: [ClockStatusView, ClockStatusView][];

const guard = () =>
  new ClockGuard({ db, clock: () => new Date(wall), monotonic: () => mono, maxDriftMs: MAX, onChange: (next, prev) => changes.push([next, prev]) });
/** A reply read now: the backend's clock says `backendMs`. */
const sample = (backendMs: number) => ({ backendMs, localMs: wall, monotonicMs: mono, roundTripMs: 4 });
/** Real time passes: both the wall and the monotonic clock move. */
const pass = (ms: number) => {
  wall += ms;
  mono += ms;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-clock-'));
  db = openDatabase(path.join(dir, 't.db'));
  wall = T0;
  mono = 1_000;
  changes = [];
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('clock guard', () => {
  it('is unknown (and blocks nothing) until the backend clock was read', () => {
    const g = guard();
    expect(g.status()).toMatchObject({ state: 'unknown', driftMs: null, basis: null });
    expect(() => g.assertTrusted()).not.toThrow();
  });

  it('within the limit is ok; past it is drift with the drift in seconds, announced once', () => {
    const g = guard();
    expect(g.observe(sample(T0 - 60_000))).toMatchObject({ state: 'ok', driftMs: 60_000, basis: 'live' });
    expect(changes.map(([n, p]) => `${p.state}→${n.state}`)).toEqual(['unknown→ok']);

    pass(10_000);
    expect(g.observe(sample(wall - 180_000))).toMatchObject({ state: 'drift', driftMs: 180_000 });
    pass(10_000);
    g.observe(sample(wall - 180_200)); // the same drift, give or take: no news
    expect(changes.map(([n, p]) => `${p.state}→${n.state}`)).toEqual(['unknown→ok', 'ok→drift']);
    expect(() => g.assertTrusted()).toThrow(expect.objectContaining({ code: 'clock.drift_too_large', details: expect.objectContaining({ driftSeconds: 180, maxSeconds: 120 }) }));

    // Behind works the same way.
    g.observe(sample(wall + 300_000));
    expect(g.status()).toMatchObject({ state: 'drift', driftMs: -300_000 });
    // The refusal says how far off, not which way ("300 s off", never "-300 s off").
    expect(() => g.assertTrusted()).toThrow(expect.objectContaining({ details: expect.objectContaining({ driftSeconds: 300 }) }));

    g.observe(sample(wall));
    expect(g.status()).toMatchObject({ state: 'ok', driftMs: 0 });
    expect(changes.map(([n, p]) => `${p.state}→${n.state}`).filter((c) => c !== 'drift→drift')).toEqual(['unknown→ok', 'ok→drift', 'drift→ok']);
    expect(() => g.assertTrusted()).not.toThrow();
  });

  it('offline, carries the last reading forward on the monotonic clock: a wall-clock step shows at once', () => {
    const g = guard();
    g.observe(sample(wall));
    pass(3_600_000); // an hour offline, clocks in step
    expect(g.status()).toMatchObject({ state: 'ok', driftMs: 0, ageMs: 3_600_000, basis: 'live' });
    wall += 86_400_000; // someone sets the date a day ahead; no reply since
    expect(g.status()).toMatchObject({ state: 'drift', driftMs: 86_400_000, ageMs: 3_600_000 });
    expect(() => g.assertTrusted()).toThrow(expect.objectContaining({ code: 'clock.drift_too_large' }));
  });

  it('after a restart, the stored offset holds until the backend answers — and is not announced again', () => {
    const first = guard();
    first.observe(sample(wall - 600_000));
    expect(first.status().state).toBe('drift');
    expect(changes).toHaveLength(1);

    pass(5_000);
    mono = 7; // a new process: the monotonic clock starts anew
    changes = [];
    const second = guard();
    expect(second.status()).toMatchObject({ state: 'drift', driftMs: 600_000, basis: 'stored', ageMs: 5_000 });
    expect(changes).toEqual([]);
    expect(() => second.assertTrusted()).toThrow(expect.objectContaining({ code: 'clock.drift_too_large' }));

    second.observe(sample(wall));
    expect(second.status()).toMatchObject({ state: 'ok', basis: 'live' });
    expect(changes.map(([n, p]) => `${p.state}→${n.state}`)).toEqual(['drift→ok']);
  });
});
