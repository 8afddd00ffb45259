import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../kiosk-drivers/device-manager/scheduler.js';
import { printerProbeResult } from '../../../kiosk-drivers/device-manager/slot-drivers.js';
import { simulatedStatusByte, type PrinterFault } from '../../../kiosk-drivers/printer/simulator.js';
import { combineStatus } from '../../../kiosk-drivers/printer/status.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(backoffDelay(3, { initialMs: 100, maxMs: 60_000, factor: 3 })).toBe(2700);
  });

  it('stays finite for absurd attempt counts and refuses negative ones', () => {
    expect(backoffDelay(1_000_000, DEFAULT_BACKOFF)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(() => backoffDelay(-1)).toThrow(RangeError);
    expect(() => backoffDelay(1.5)).toThrow(RangeError);
  });
});

describe('printer status → device health', () => {
  const status = (fault: PrinterFault) =>
    combineStatus(...([1, 2, 3, 4] as const).map((n) => simulatedStatusByte(n, fault) as number) as [number, number, number, number]);

  it.each([
    [null, 'ok', null, 'diagnostics.state.ready'],
    ['paper_near_end', 'warning', null, 'diagnostics.state.paperNearEnd'],
    ['paper_out', 'fault', 'printer.paper_out', 'diagnostics.state.paperOut'],
    ['cover_open', 'fault', 'printer.cover_open', 'diagnostics.state.coverOpen'],
    ['offline', 'fault', 'printer.offline', 'diagnostics.state.offline'],
    ['cutter_error', 'fault', 'printer.cutter_error', 'diagnostics.state.error'],
  ] as const)('fault switch %s → %s / %s', (fault, health, code, key) => {
    const r = printerProbeResult(status(fault));
    expect(r).toMatchObject({ health, fault: code, stateKey: key });
    expect(Object.keys(r.printer ?? {}).sort()).toEqual(['coverOpen', 'error', 'online', 'paperNearEnd', 'paperOut']);
  });
});
