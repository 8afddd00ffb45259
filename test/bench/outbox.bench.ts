/**
 * Outbox drain (#8): 10,000 payment events queued while the backend was away (committed through
 * the payment writer, journal and outbox rows as at the counter), then one drain to the reference
 * backend on loopback — signed batches, signed acknowledgements, rows leaving the outbox. The
 * figure is events per second from the first batch to an empty outbox.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../main/store/db.js';
import { commitPayment } from '../../main/services/payments.js';
import { outboxDepth } from '../../main/store/outbox.js';
import { uuidv7 } from '../../main/store/ids.js';
import { BackendClient } from '../../main/sync/backend-client.js';
import { OutboxPusher } from '../../main/sync/outbox-pusher.js';
import { pullSnapshotStream } from '../../main/sync/initial-pull.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { startBackend } from '../billing-backend/server.js';
import { atLeast, info, type BenchResult } from './harness.js';

const EVENTS = Number(process.env.GD_BENCH_OUTBOX_EVENTS ?? 10_000);
const ACCOUNTS = 2_000;
/** The push batch the terminal ships with. */
const BATCH = (JSON.parse(readFileSync(path.resolve('resources', 'config', 'terminal.default.json'), 'utf8')) as { backend: { pushBatchSize: number } }).backend.pushBatchSize;

export async function run(): Promise<BenchResult[]> {
  const root = path.resolve('.tmp');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'bench-outbox-'));
  const now = () => new Date('2026-11-27T10:00:00+08:00');
  const backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), accounts: ACCOUNTS, now, seedDate: '2026-11-27' });
  try {
    const db = openDatabase(path.join(dir, 'terminal.db'));
    const client = new BackendClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now });
    await pullSnapshotStream({ db, client, idleTimeoutMs: 30_000, now });
    const accounts = db.prepare('SELECT account_no FROM accounts ORDER BY account_no').pluck().all() as string[];
    // Prepayments (to balance): every one is accepted whatever the bills' state at the backend.
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      commitPayment(db, {
        paymentId: uuidv7(),
        requestId: crypto.randomUUID(),
        accountNo: accounts[i % accounts.length] as string,
        method: 'cash',
        amountFen: 100 + (i % 900),
        tenderedFen: 100 + (i % 900),
        changeFen: 0,
        operatorId: 'C001',
        externalRef: null,
        createdAt: now().toISOString(),
        openBills: () => ({ asOfDate: '2026-11-27', bills: [] }),
      });
    }
    const queueSeconds = (performance.now() - t0) / 1000;
    const queued = outboxDepth(db);
    if (queued < EVENTS) throw new Error(`queued ${queued} events, not ${EVENTS}`);

    const pusher = new OutboxPusher({ db, client, batchSize: BATCH, timeoutMs: 60_000, now });
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const outcome = await pusher.pushAll();
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (outcome.error !== null || outboxDepth(db) !== 0) throw new Error(`drain left ${outboxDepth(db)} events: ${outcome.error}`);
    if (outcome.rejected !== 0) throw new Error(`${outcome.rejected} events rejected`);
    db.close();
    return [
      info(`queue ${EVENTS.toLocaleString('en')} payments offline (payment writer, journal, outbox)`, queueSeconds, 's'),
      atLeast(`outbox drain of ${EVENTS.toLocaleString('en')} queued events to the reference backend (batches of ${BATCH})`, queued / seconds, 'events/s', 2000),
      // The backend runs in this process too: its CPU is counted here, so this is an upper bound of the terminal's.
      info(`CPU time of the drain (terminal and backend, one process)`, (cpu.user + cpu.system) / 1e6, 's'),
    ];
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
