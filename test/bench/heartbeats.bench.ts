/**
 * `npm run bench heartbeats`: 1,000 terminals send their minute heartbeat at once, through the
 * terminal's real BackendClient (signed requests and replies), to the reference backend on
 * PostgreSQL; then the fleet view reads all 1,000. Targets: a whole fleet's minute of beats taken
 * in well under its minute (≥ 200 beats/s), the fleet report of 1,000 terminals in ≤ 1 s.
 * Backend and clients share this process: the CPU time is both.
 */
import os from 'node:os';
import { BackendClient } from '../../main/sync/backend-client.js';
import type { Heartbeat } from '../../main/wire/kiosk-wire.js';
import { startBackend } from '../billing-backend/server.js';
import { startPgCluster } from '../support/pg-cluster.js';
import { atLeast, atMost, info, median, percentile, type BenchResult } from './harness.js';

const TERMINALS = 1_000;
const ROUNDS = 3;
const ADMIN = 'bench-admin-token-0123456789abcdef';

export async function run(): Promise<BenchResult[]> {
  const cluster = await startPgCluster();
  try {
    const ids = Array.from({ length: TERMINALS }, (_, i) => `T-BENCH-${String(i).padStart(4, '0')}`);
    const terminals = Object.fromEntries(ids.map((id) => [id, `${id}-secret-0123456789abcdef`]));
    const backend = await startBackend({ dbPath: '', accounts: 20, terminals, adminToken: ADMIN, store: { kind: 'pg', url: cluster.url, poolSize: 10 } });
    try {
      const clients = ids.map((id) => new BackendClient({ baseUrl: backend.url, terminalId: id, secret: terminals[id] as string }));
      const beat = (id: string, round: number): Heartbeat => ({
        terminalId: id, mode: round % 2 === 0 ? 'kiosk' : 'counter', at: new Date().toISOString(), version: '0.1.0', outboxBacklog: round, oldestPendingAt: null,
        paper: 'ok', inService: true, functions: { payBills: true }, devices: [{ deviceId: 'printer', kind: 'printer', connected: true, fault: null }], undelivered: 0,
        clockDriftMs: 10, lastPushAt: new Date().toISOString(),
      });
      const latencies: number[] = [];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let r = 0; r < ROUNDS; r++) {
        await Promise.all(
          clients.map(async (c, i) => {
            const s = performance.now();
            await c.heartbeat(beat(ids[i] as string, r), 60_000);
            latencies.push(performance.now() - s);
          }),
        );
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      latencies.sort((a, b) => a - b);
      const stored = await backend.store.heartbeats();
      const counted = stored.every((h) => h.count === ROUNDS) && stored.length === TERMINALS;

      const reads: number[] = [];
      let rows = 0;
      for (let k = 0; k < 5; k++) {
        const s = performance.now();
        const res = await fetch(new URL('/admin/fleet', backend.url), { headers: { authorization: `Bearer ${ADMIN}` } });
        rows = ((await res.json()) as { rows: unknown[] }).rows.length;
        reads.push(performance.now() - s);
      }
      return [
        atLeast('heartbeats: beats/s (1,000 terminals at once, HTTP, pg store)', (TERMINALS * ROUNDS) / seconds, 'beats/s', 200),
        info('heartbeats: p99 latency of one beat (1,000 in flight)', percentile(latencies, 99), 'ms'),
        info('heartbeats: CPU time of the run (backend + 1,000 clients, one process)', (cpu.user + cpu.system) / 1000, 'ms'),
        info('heartbeats: wall time of the run', seconds * 1000, 'ms'),
        info('heartbeats: latest per terminal, count = rounds (1 = yes)', counted ? 1 : 0, 'bool'),
        atMost(`heartbeats: GET /admin/fleet of ${rows} terminals (median of 5)`, median(reads), 'ms', 1_000),
        info('heartbeats: load average (1 min) at the end', os.loadavg()[0] ?? 0, 'load'),
      ];
    } finally {
      await backend.close();
    }
  } finally {
    await cluster.stop();
  }
}
