/**
 * The counter's heartbeat (docs/backend.md, "Fleet health"): a counter reports like a kiosk every
 * `kiosk.heartbeatIntervalMs` — devices and paper, outbox backlog, last good push, clock drift and
 * version — and the backend's fleet view shows it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRIDDESK_VERSION } from '../../main/core.js';
import { fleetReport } from '../billing-backend/fleet-view.js';
import { startStack, type Stack } from '../support/stack.js';
import { until } from '../support/kiosk-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ kiosk: { heartbeatIntervalMs: 1000 } });
});
afterAll(async () => {
  await stack.dispose();
});

const latest = async () => (await stack.backend.store.heartbeats()).find((h) => h.terminalId === 'T-HALL-01');

describe('counter heartbeat', () => {
  it('reports devices, paper, backlog, last push, clock drift and version every interval', async () => {
    await stack.core.syncNow();
    const first = await until('a counter heartbeat after a push', async () => {
      const h = await latest();
      return h && h.heartbeat.paper === 'ok' && h.heartbeat.lastPushAt != null && h.heartbeat.clockDriftMs != null ? h : false;
    }, 8000);
    expect(first.heartbeat).toMatchObject({ terminalId: 'T-HALL-01', mode: 'counter', version: GRIDDESK_VERSION, paper: 'ok', inService: true, outboxBacklog: 0 });
    expect(Math.abs(first.heartbeat.clockDriftMs ?? Infinity)).toBeLessThan(120_000);
    expect(first.heartbeat.devices.map((d) => d.deviceId)).toContain('printer');

    stack.printer.setFault('paper_out');
    stack.backend.setKnobs({ holdEvents: true });
    try {
      stack.core.db.prepare('INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES (?, ?, ?, ?)').run(randomUUID(), 'test.held', new Date().toISOString(), '{}');
      const later = await until('paper out and a backlog reported', async () => {
        const h = await latest();
        return h && h.heartbeat.paper === 'out' && h.heartbeat.outboxBacklog > 0 ? h : false;
      }, 10_000);
      expect(later.count).toBeGreaterThan(first.count);
      const row = fleetReport([later], later.receivedAt).rows[0];
      expect(row).toMatchObject({ terminalId: 'T-HALL-01', mode: 'counter', needsPaper: true, offline: false });
    } finally {
      stack.printer.setFault(null);
      stack.backend.setKnobs({ holdEvents: false });
    }
  });
});
