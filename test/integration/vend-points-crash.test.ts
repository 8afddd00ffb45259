/**
 * Prepaid points survive a crash exactly once (issue 11 item 5): the core is SIGKILLed after the
 * print (before the delivered commit) and after the delivered commit; a fresh process resumes
 * and the clerk retries. The vend has one accrual, one `points.accrued` entry, one outbox event.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashJob } from '../unit/vending/vend-crash/crash-runner.js';
import { runChildCore } from '../support/child-core.js';
import { DEMO_NOW, startPeers, type Peers } from '../support/stack.js';

const RUNNER = path.resolve('test/unit/vending/vend-crash/crash-runner.ts');
const ACCOUNT = '3100000003';
const T0 = Date.now();
let peers: Peers;

beforeAll(async () => {
  peers = await startPeers('gd-points-crash-', T0);
});
afterAll(async () => peers.dispose());

function run(dataDir: string, purchase: CrashJob['purchase'], crashAt: string | null) {
  const job: CrashJob = { dataDir, backendUrl: peers.backend.url, printerPort: peers.printer.port, startIso: DEMO_NOW.toISOString(), t0Ms: T0, purchase };
  return runChildCore(RUNNER, 'VEND_CRASH_JOB', job, crashAt);
}

describe('points once across a crash', () => {
  it.each(['vend.printed', 'vend.delivered'])('killed after %s, resumed and retried: one accrual', async (point) => {
    const dataDir = path.join(peers.dir, `terminal-${point}`);
    const purchase = { requestId: randomUUID(), accountNo: ACCOUNT, method: 'cash' as const, amount: '88' };
    expect((await run(dataDir, purchase, point)).signal).toBe('SIGKILL');
    await run(dataDir, purchase, null);
    const db = new Database(path.join(dataDir, 'T-HALL-01.db'), { readonly: true });
    try {
      const vend = db.prepare('SELECT vend_id, state, split_json FROM vends WHERE request_id = ?').get(purchase.requestId) as { vend_id: string; state: string; split_json: string };
      expect(vend.state).toBe('delivered');
      const energyFen = (JSON.parse(vend.split_json) as { split: { energyFen: number } }).split.energyFen;
      expect(db.prepare('SELECT kind, points FROM points_ledger WHERE vend_id = ?').all(vend.vend_id)).toEqual([{ kind: 'accrual', points: Math.floor(energyFen / 100) }]);
      expect((db.prepare("SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = 'points.accrued'").get(vend.vend_id) as { n: number }).n).toBe(1);
      expect((db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE type = 'points.accrued' AND json_extract(payload, '$.vendId') = ?").get(vend.vend_id) as { n: number }).n).toBeLessThanOrEqual(1);
      expect((db.prepare("SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = 'vend.delivered'").get(vend.vend_id) as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
  }, 90_000);
});
