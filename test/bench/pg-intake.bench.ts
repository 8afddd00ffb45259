/**
 * The PostgreSQL store's intake alone (#13, store/pg-store.ts), no HTTP: 1,000 terminals push a
 * batch of 20 events (payments to the balance and vends, half each) at once, five rounds, into a
 * throwaway cluster through one pool. The fleet run (docs/fleet.md) measures the whole path; this
 * one says how much of its budget the store takes. Batch latency includes the wait for a pooled
 * connection (1,000 batches queue for `POOL` connections), so its p99 is mostly queueing.
 */
import os from 'node:os';
import { PgBackendStore } from '../billing-backend/store/pg-store.js';
import { startPgCluster } from '../support/pg-cluster.js';
import { atLeast, info, percentile, type BenchResult } from './harness.js';

const TERMINALS = 1_000;
const BATCH = 20;
const ROUNDS = 5;
const POOL = Number(process.env.GD_BENCH_PG_POOL ?? 10);

export async function run(): Promise<BenchResult[]> {
  const cluster = await startPgCluster();
  try {
    const store = await PgBackendStore.open({ url: cluster.url, poolSize: POOL, unportedEffects: [] });
    try {
      const accounts = Array.from({ length: 1_000 }, (_, i) => ({ accountNo: String(3300000000 + i), bills: [{ billId: `B${i}`, amountFen: 100_000 }] }));
      await store.seed(accounts);
      let n = 0;
      const seqs = new Map<string, number>();
      const batchFor = (t: string): unknown[] =>
        Array.from({ length: BATCH }, (_, k) => {
          n += 1;
          const seq = (seqs.get(t) ?? 0) + 1;
          seqs.set(t, seq);
          const accountNo = (accounts[(n * 7) % accounts.length] as { accountNo: string }).accountNo;
          const eventId = `01937a2b-0000-7000-8000-${String(n).padStart(12, '0')}`;
          const occurredAt = '2026-11-27T02:00:00.000Z';
          return k % 2 === 0
            ? { eventId, seq, type: 'payment.created', occurredAt, payload: { paymentId: `P${n}`, accountNo, method: 'cash', amountFen: 100, allocations: [], toBalanceFen: 100, operatorId: 'C001' } }
            : { eventId, seq, type: 'vend.created', occurredAt, payload: { vendId: `V${n}`, accountNo, amountFen: 100, split: { tariffId: 'R1' } } };
        });
      const latencies: number[] = [];
      let events = 0;
      const t0 = performance.now();
      for (let r = 0; r < ROUNDS; r++) {
        await Promise.all(
          Array.from({ length: TERMINALS }, async (_, i) => {
            const terminalId = `T-BENCH-${i}`;
            const batch = batchFor(terminalId);
            const s = performance.now();
            const results = await store.ingest(batch, { terminalId, nowIso: new Date().toISOString(), failEventIds: new Set() });
            latencies.push(performance.now() - s);
            events += results.filter((x) => x.status === 'accepted').length;
          }),
        );
      }
      const seconds = (performance.now() - t0) / 1000;
      const totals = await store.totals();
      const held = totals.reduce((sum, t) => sum + t.events, 0);
      latencies.sort((a, b) => a - b);
      return [
        atLeast('pg intake: events/s (1,000 terminals × 20-event batches, store only)', events / seconds, 'events/s', 5_000),
        info('pg intake: p99 batch latency incl. pool queue', percentile(latencies, 99), 'ms'),
        info('pg intake: events held = events accepted (1 = yes)', held === events ? 1 : 0, 'bool'),
        info('pg intake: pool size', POOL, 'connections'),
        info('pg intake: load average (1 min) at the end', os.loadavg()[0] ?? 0, 'load'),
      ];
    } finally {
      await store.close();
    }
  } finally {
    await cluster.stop();
  }
}
