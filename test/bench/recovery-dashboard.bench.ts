/**
 * The recovery-rate dashboard for a year of a 1,000,000-account area (#11 item 6): target ≤ 1 s.
 * Measured end to end as the terminal gets it: the signed GET /api/recovery/dashboard from the
 * reference backend on loopback (its rollup plus what terminals paid since), the answer checked
 * against the wire schema, then narrowed and summed by month, area, class and grade and aged, as
 * the core does for the screen.
 *
 * The question's cost lies in the backend's rollup (one row per month × area × class × grade) and
 * the payments since it was built, not in the per-account tables; seeding a million accounts'
 * tables takes most of an hour on a busy two-core machine. So the backend runs on its demo area and
 * its rollup is then rebuilt from the seed generator's million accounts (the same summing as at
 * seeding), once into .tmp/bench-recovery/ and reused. GD_BENCH_ACCOUNTS overrides the size.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { RecoveryDashboardWireSchema } from '../../main/wire/recovery-wire.js';
import { parseRecoveryDashboardRules } from '../../main/domain/recovery-dashboard/rules.js';
import { areaView } from '../../main/services/recovery-dashboard/dashboard.js';
import { startBackend } from '../billing-backend/server.js';
import { getMeta, setMeta } from '../billing-backend/db.js';
import { buildRollupFromSnapshots } from '../billing-backend/recovery-dashboard.js';
import { DEFAULT_SEED, seedAccounts } from '../billing-backend/seed.js';
import { createSignedClient } from '../billing-backend/signed-client.js';
import { atMost, info, percentile, type BenchResult } from './harness.js';

const ACCOUNTS = Number(process.env.GD_BENCH_ACCOUNTS ?? 1_000_000);
const RUNS = 20;
const RULES = parseRecoveryDashboardRules({ schemaVersion: 1, ageingBucketDays: [30, 60, 90, 180, 365], noticePaidWithinDays: 15, defaultMonths: 12, maxMonths: 24 });

export async function run(): Promise<BenchResult[]> {
  const dir = path.resolve('.tmp', 'bench-recovery');
  mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, 'backend-demo.db');
  const now = new Date('2026-11-27T02:00:00.000Z');
  const backend = await startBackend({ dbPath, seedDate: '2026-11-27', now: () => now });
  const results: BenchResult[] = [];
  try {
    if (getMeta(backend.db, 'bench_rollup_accounts') !== String(ACCOUNTS)) {
      const t0 = performance.now();
      buildRollupFromSnapshots(backend.db, seedAccounts({ seed: DEFAULT_SEED, accounts: ACCOUNTS, seedDate: '2026-11-27' }));
      setMeta(backend.db, 'bench_rollup_accounts', String(ACCOUNTS));
      results.push(info(`recovery: generate ${ACCOUNTS.toLocaleString('en-US')} accounts and build their rollup (once)`, (performance.now() - t0) / 1000, 's'));
    }
    const client = createSignedClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => now, timeoutMs: 60_000 });
    const year = '/api/recovery/dashboard?from=2025-11&to=2026-10';
    const times: number[] = [];
    let cells = 0;
    let billed = 0;
    for (let i = 0; i < RUNS + 2; i++) {
      const s = performance.now();
      const r = await client.get(year);
      if (r.status !== 200) throw new Error(`dashboard answered ${r.status}: ${r.text.slice(0, 200)}`);
      const wire = RecoveryDashboardWireSchema.parse(r.json);
      const view = areaView(wire, { from: wire.from, to: wire.to }, '2026-11-27', RULES);
      const ms = performance.now() - s;
      if (i >= 2) times.push(ms); // the first two warm the statement cache and the page cache
      cells = wire.cells.length;
      billed = view.total.bills;
    }
    times.sort((a, b) => a - b);
    results.push(
      info('recovery: bills in the year (12 months)', billed, 'bills'),
      info('recovery: cells answered (month × area × class × grade)', cells, 'cells'),
      atMost(`recovery: dashboard for a year of ${ACCOUNTS.toLocaleString('en-US')} accounts, p50`, percentile(times, 50), 'ms', 1000),
      atMost(`recovery: dashboard for a year of ${ACCOUNTS.toLocaleString('en-US')} accounts, max of ${RUNS}`, times.at(-1) ?? Number.NaN, 'ms', 1000),
    );
  } finally {
    await backend.close();
  }
  return results;
}
