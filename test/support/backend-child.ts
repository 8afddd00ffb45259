/**
 * The reference backend in a child process (test/support/backend-process.ts), so a test can cut
 * its power for real (SIGKILL: no close, no flush beyond SQLite's own commits) and start it again
 * on the same database file. The job comes in $BACKEND_CHILD_JOB; the backend's clock is the test's
 * pinned clock (`startIso` at wall time `t0Ms`, running forward), so signatures from a terminal on
 * the same clock stay fresh. Prints `READY <port>` once listening; SIGTERM closes it cleanly.
 */
import { startBackend } from '../billing-backend/server.js';

export interface BackendChildJob {
  readonly dbPath: string;
  readonly port: number;
  readonly startIso: string;
  readonly t0Ms: number;
  readonly seedDate: string;
}

const job = JSON.parse(process.env.BACKEND_CHILD_JOB ?? 'null') as BackendChildJob;
const start = new Date(job.startIso).getTime();
const backend = await startBackend({
  dbPath: job.dbPath,
  port: job.port,
  seedDate: job.seedDate,
  now: () => new Date(start + (Date.now() - job.t0Ms)),
});
process.stdout.write(`READY ${backend.port}\n`);
process.on('SIGTERM', () => {
  void backend.close().then(() => process.exit(0));
});
