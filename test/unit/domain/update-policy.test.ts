import { describe, expect, it } from 'vitest';
import { nextUpdateStep, type UpdateState } from '../../../main/domain/update-policy.js';

const H = 3_600_000;
const schedule = { checkIntervalMs: 6 * H };
const fresh: UpdateState = { lastCheckAt: null, deferredUntil: null, downloadedVersion: null };

describe('update policy', () => {
  it('checks at once in a new run, then every interval', () => {
    expect(nextUpdateStep(0, fresh, schedule, true)).toEqual({ kind: 'check' });
    const checked = { ...fresh, lastCheckAt: 10 * H };
    expect(nextUpdateStep(15 * H, checked, schedule, true)).toEqual({ kind: 'wait', reason: 'not_due', untilMs: 16 * H });
    expect(nextUpdateStep(16 * H, checked, schedule, true)).toEqual({ kind: 'check' });
  });

  it('a deferral holds checks and installs until it ends', () => {
    const deferred = { lastCheckAt: null, deferredUntil: 20 * H, downloadedVersion: '0.2.0' };
    expect(nextUpdateStep(19 * H, deferred, schedule, true)).toEqual({ kind: 'wait', reason: 'deferred', untilMs: 20 * H });
    expect(nextUpdateStep(20 * H, deferred, schedule, true)).toEqual({ kind: 'install', version: '0.2.0' });
  });

  it('a downloaded update waits while a restart would cost someone something, and never checks again meanwhile', () => {
    const downloaded = { lastCheckAt: 0, deferredUntil: null, downloadedVersion: '0.2.0' };
    expect(nextUpdateStep(100 * H, downloaded, schedule, false)).toEqual({ kind: 'wait', reason: 'busy', untilMs: null });
    expect(nextUpdateStep(100 * H, downloaded, schedule, true)).toEqual({ kind: 'install', version: '0.2.0' });
  });
});
