/**
 * The kiosk never strands a customer who paid: the core is SIGKILLed after the QR payment succeeded
 * and before delivery (at the kiosk's paid commit and at each later vend step); a fresh core on
 * the same database delivers that customer's token on its own — issued once, printed, the vend
 * delivered exactly once — and the next visit is offered it first and shows it on screen without
 * printing it again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJournal } from '../../main/store/journal.js';
import { startPrinterSimulator, type PrinterSimulator } from '../../kiosk-drivers/printer/simulator.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { runChildCore } from '../support/child-core.js';
import { DEMO_NOW } from '../support/stack.js';
import type { KioskCrashJob } from './kiosk-crash/kiosk-crash-runner.js';

const RUNNER = path.resolve('test/integration/kiosk-crash/kiosk-crash-runner.ts');
const T0 = Date.now();
let dir: string;
let backend: RunningBackend;
let printer: PrinterSimulator;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-kiosk-crash-'));
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: () => new Date(DEMO_NOW.getTime() + (Date.now() - T0)), seedDate: '2026-11-27', allowKnobs: true });
  printer = await startPrinterSimulator({ port: 0 });
});
afterAll(async () => {
  await printer.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const job = (phase: KioskCrashJob['phase'], dataDir: string): KioskCrashJob => ({
  phase,
  dataDir,
  backendUrl: backend.url,
  printerPort: printer.port,
  startIso: DEMO_NOW.toISOString(),
  t0Ms: T0,
  accountNo: '3100000003',
  amount: '40',
});

describe('kiosk: SIGKILL after the QR payment succeeded, before delivery', () => {
  it.each(['kiosk.order_paid', 'vend.paid', 'vend.token_issued', 'vend.shown', 'vend.delivered'])('killed at %s: on restart the customer gets the token, exactly once', async (point) => {
    const dataDir = path.join(dir, point);
    delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
    const crashed = await runChildCore(RUNNER, 'KIOSK_CRASH_JOB', job('pay', dataDir), point);
    expect(crashed.signal).toBe('SIGKILL');
    const jobsBefore = printer.jobs().length;

    const resumed = await runChildCore(RUNNER, 'KIOSK_CRASH_JOB', job('resume', dataDir), null);
    const result = JSON.parse(/^RESULT (.*)$/m.exec(resumed.out)?.[1] ?? 'null') as {
      stateBeforeVisit: string;
      pending: { what: string; needs: string } | null;
      visitState: string;
      shown: { state: string; delivery: { token: string | null; done: boolean } } | null;
      pendingAfter: unknown;
    };
    expect(result.stateBeforeVisit).toBe('delivered');
    expect(result.pending).toMatchObject({ what: 'vend', needs: 'screen' });
    expect(result.visitState).toBe('delivered');
    expect(result.shown?.delivery).toMatchObject({ done: true, token: expect.stringMatching(/^\d{20}$/) });
    expect(result.pendingAfter).toBeNull();

    const db = new Database(path.join(dataDir, 'T-HALL-01.db'), { readonly: true });
    try {
      const vends = db.prepare('SELECT vend_id, state, token FROM vends').all() as { vend_id: string; state: string; token: string }[];
      expect(vends).toHaveLength(1);
      const vend = vends[0]!;
      expect(vend.state).toBe('delivered');
      expect(vend.token).toBe(result.shown?.delivery.token);
      const steps = (db.prepare("SELECT type FROM journal WHERE ref = ? AND type IN ('vend.paid', 'vend.token_issued', 'vend.delivered')").all(vend.vend_id) as { type: string }[]).map((r) => r.type);
      expect(steps).toEqual(['vend.paid', 'vend.token_issued', 'vend.delivered']);
      expect(db.prepare("SELECT state, honoured FROM kiosk_orders").all()).toEqual([{ state: 'delivered', honoured: 0 }]);
      expect(verifyJournal(db).ok).toBe(true);
      // The backend issued one token for it, and one gateway payment was taken.
      expect(backend.db.prepare('SELECT digits FROM sts_issues WHERE vend_id = ?').all(vend.vend_id)).toEqual([{ digits: vend.token }]);
      // The kiosk shows a token before printing it, so nothing was on paper before the crash: the
      // restarted core prints it once (not as a reprint), and showing it again prints nothing more.
      const prints = printer.jobs().filter((j) => j.text.replace(/\s/g, '').includes(vend.token));
      const afterRestart = printer.jobs().slice(jobsBefore).filter((j) => j.text.replace(/\s/g, '').includes(vend.token));
      expect(afterRestart).toHaveLength(1);
      expect(prints).toHaveLength(1);
      expect(afterRestart[0]?.text).not.toContain('补打');
    } finally {
      db.close();
    }
  }, 90_000);
});
