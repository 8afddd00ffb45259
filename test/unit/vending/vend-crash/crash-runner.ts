/**
 * The core in a child process for the vend crash tests (test/integration/vend-crash.test.ts):
 * `node --import tsx crash-runner.ts` with $GRIDDESK_CRASH_AT naming the fault-injection point and
 * $VEND_CRASH_JOB describing the terminal and the purchase. It starts the core (which resumes
 * unfinished vends), waits for the resume, optionally retries the purchase with the same
 * requestId (as the clerk would), prints one `RESULT {...}` line and exits.
 */

import { buildCore } from '../../../../main/compose/index.js';

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testTerminalConfig } from '../../../support/config.js';

export interface CrashJob {
  readonly dataDir: string;
  readonly backendUrl: string;
  readonly printerPort: number;
  /** The test's pinned clock: wall time `t0Ms` is `startIso`. */
  readonly startIso: string;
  readonly t0Ms: number;
  readonly purchase: { readonly requestId: string; readonly accountNo: string; readonly method: 'cash' | 'qr'; readonly amount: string; readonly authCode?: string } | null;
  /** Secure module configuration for this run (written to a file, as in production); default: resources/keys. */
  readonly secureModuleConfig?: Readonly<Record<string, unknown>>;
}

const job = JSON.parse(process.env.VEND_CRASH_JOB ?? 'null') as CrashJob;
if (job.secureModuleConfig) {
  const file = path.join(job.dataDir, 'secure-module.json');
  mkdirSync(job.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(job.secureModuleConfig));
  process.env.GRIDDESK_SECURE_MODULE_CONFIG = file;
}
const start = new Date(job.startIso).getTime();
const clock = () => new Date(start + (Date.now() - job.t0Ms));
const config = testTerminalConfig({
  dataDir: job.dataDir,
  backend: { url: job.backendUrl, lookupTimeoutMs: 3000 },
  printer: { transport: 'network', host: '127.0.0.1', port: job.printerPort },
});
const core = buildCore(config, { withoutDevices: true, clock });
await core.refreshOperators();
const supervisor = core.newSession('crash-supervisor');
await core.dispatch('session.signIn', { operatorId: 'S001', pin: '9999' }, supervisor);
// The start-up resume runs on its own; this call waits its turn on each vend's lock.
const resumed = await core.dispatch('vend.resume', {}, supervisor);
let purchased: unknown = null;
let stateAfterResume: string | null = null;
if (job.purchase) {
  const row = core.db.prepare('SELECT state FROM vends WHERE request_id = ?').get(job.purchase.requestId) as { state: string } | undefined;
  stateAfterResume = row?.state ?? null;
  const clerk = core.newSession('crash-clerk');
  await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, clerk);
  purchased = await core.dispatch('vend.purchase', { ...job.purchase }, clerk);
}
await core.syncNow();
process.stdout.write(`RESULT ${JSON.stringify({ resumed, stateAfterResume, purchased })}\n`);
await core.close();
process.exit(0);
