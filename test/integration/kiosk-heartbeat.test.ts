/**
 * The kiosk's heartbeat: every `kiosk.heartbeatIntervalMs` (a minute as shipped) the kiosk reports
 * device health, paper, outbox backlog, what it offers and its version; the reference backend keeps
 * the latest per terminal. A heartbeat that does not get through makes the kiosk treat the backend
 * as offline until one does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRIDDESK_VERSION } from '../../main/core.js';
import type { Stack } from '../support/stack.js';
import { KioskScreen, startKioskStack, until } from '../support/kiosk-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startKioskStack({ kiosk: { heartbeatIntervalMs: 1000 } });
});
afterAll(async () => {
  await stack.dispose();
});

const latest = () => stack.backend.kiosk.heartbeats().find((h) => h.terminalId === 'T-HALL-01');

describe('kiosk heartbeat', () => {
  it('reports devices, paper, backlog, offer and version; the backend keeps the latest per terminal', async () => {
    // The very first may go before the printer's status was read ('unknown'); the next says 'ok'.
    const first = await until('a heartbeat with the paper state', () => latest()?.heartbeat.paper === 'ok' && latest(), 5000);
    expect(first.heartbeat).toMatchObject({ terminalId: 'T-HALL-01', mode: 'kiosk', version: GRIDDESK_VERSION, paper: 'ok', inService: true, undelivered: 0 });
    expect(first.heartbeat.functions).toEqual({ payBills: true, buyToken: true, cardTopUp: true, print: true, qr: true });
    expect(first.heartbeat.devices.map((d) => d.deviceId)).toEqual(expect.arrayContaining(['printer', 'cardReader']));

    stack.printer.setFault('paper_out');
    try {
      const out = await until('paper out reported', () => latest()?.heartbeat.paper === 'out' && latest(), 8000);
      expect(out.heartbeat.functions.print).toBe(false);
      expect(out.count).toBeGreaterThan(first.count);
    } finally {
      stack.printer.setFault(null);
    }

    // Events held at the backend: the backlog the kiosk reports grows with them.
    stack.backend.setKnobs({ holdEvents: true });
    try {
      stack.core.db.transaction(() => {
        stack.core.db
          .prepare('INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES (?, ?, ?, ?)')
          .run(randomUUID(), 'test.held', new Date().toISOString(), '{}');
      })();
      const backlog = await until('backlog reported', () => (latest()?.heartbeat.outboxBacklog ?? 0) > 0 && latest(), 8000);
      expect(backlog.heartbeat.oldestPendingAt).not.toBeNull();
    } finally {
      stack.backend.setKnobs({ holdEvents: false });
    }
  });

  it('a heartbeat that cannot get through: the kiosk counts the backend offline until one does', async () => {
    const screen = new KioskScreen(stack);
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, failHeartbeats: true };
    await until('offline', async () => !(await screen.call('kiosk.status', {})).backendOnline, 5000);
    stack.backend.kiosk.knobs = { ...stack.backend.kiosk.knobs, failHeartbeats: false };
    await until('online', async () => (await screen.call('kiosk.status', {})).backendOnline, 5000);
  });
});
