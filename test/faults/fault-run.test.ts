/**
 * The bounded fault run inside `npm test`: at least 1,000 request-level faults, the core SIGKILLed
 * again and again while payments and vends are in flight (and at vend crash points), the backend's
 * power cut at least once; then a clean final sync and the invariant check. `npm run soak` is the
 * same run, longer. Prints the faults injected by kind and a summary line.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './http-fault-proxy.js';
import { formatFaultCounts, runFaultLoad, summaryLine } from './fault-run.js';

describe('fault run: payments and vends through request faults, core kills and a backend power cut', () => {
  it('every committed payment and vend reaches the backend exactly once, sums equal, journal intact, outbox empty', async () => {
    const result = await runFaultLoad({ seed: 20261127, minFaults: 1000, minCoreKills: 6, minCrashPointKills: 1, minPowerCuts: 1, maxLoadMs: 200_000 });
    console.log(`fault run: faults injected by kind: ${formatFaultCounts(result.proxy)} (total ${result.proxy.totalFaults})`);
    console.log(summaryLine(result));

    expect(result.report.problems).toEqual([]);
    expect(result.report.ok).toBe(true);
    expect(result.internalErrors).toEqual([]);
    expect(result.final).toMatchObject({ pending: 0 });
    // The run really happened at the size asked for.
    expect(result.proxy.totalFaults).toBeGreaterThanOrEqual(1000);
    for (const kind of FAULT_KINDS) expect(result.proxy.faults[kind], kind).toBeGreaterThan(0);
    expect(result.coreKills + result.crashPointKills).toBeGreaterThanOrEqual(6);
    expect(result.crashPointKills).toBeGreaterThanOrEqual(1);
    expect(result.powerCuts).toBeGreaterThanOrEqual(1);
    expect(result.proxy.upstreamFailures).toBeGreaterThan(0);
    expect(result.payments.ok).toBeGreaterThan(50);
    expect(result.vends.ok).toBeGreaterThan(20);
    expect(result.report.checked.acknowledged).toBe(result.payments.ok + result.vends.ok);
  }, 360_000);
});
