/**
 * Crash tests: the core runs in a child process and SIGKILLs itself right after each vend step
 * ($GRIDDESK_CRASH_AT), then a fresh process on the same database resumes (and the clerk retries
 * the same request). Afterwards: exactly one credit per payment, no payment without credit, no TID
 * reused for a meter, and an intact journal.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJournal } from '../../main/store/journal.js';
import { blockFromHex, decodeToken, deriveDecoderKeyDkga02 } from '../../main/vending/sts/index.js';
import type { PrinterSimulator } from '../../kiosk-drivers/printer/simulator.js';
import type { RunningBackend } from '../billing-backend/server.js';
import type { CrashJob } from '../unit/vending/vend-crash/crash-runner.js';
import { runChildCore, type ChildRun } from '../support/child-core.js';
import { DEMO_NOW, startPeers, type Peers } from '../support/stack.js';

const RUNNER = path.resolve('test/unit/vending/vend-crash/crash-runner.ts');
const ACCOUNT = '3100000003';
const T0 = Date.now();

let dir: string;
let backend: RunningBackend;
let printer: PrinterSimulator;

function runCore(
  dataDir: string,
  purchase: CrashJob['purchase'],
  crashAt: string | null,
  secureModuleConfig?: Record<string, unknown>,
): Promise<ChildRun> {
  const job: CrashJob = {
    dataDir,
    backendUrl: backend.url,
    printerPort: printer.port,
    startIso: DEMO_NOW.toISOString(),
    t0Ms: T0,
    purchase,
    ...(secureModuleConfig ? { secureModuleConfig } : {}),
  };
  return runChildCore(RUNNER, 'VEND_CRASH_JOB', job, crashAt);
}

interface VendRow {
  vend_id: string;
  request_id: string;
  state: string;
  meter_no: string;
  tid: number;
  token: string | null;
  amount_tenths: number;
  delivered_tenths: number | null;
  delivery_attempts: number;
}

function inspect(dataDir: string) {
  const db = new Database(path.join(dataDir, 'T-HALL-01.db'), { readonly: true });
  try {
    const vends = db.prepare('SELECT * FROM vends').all() as VendRow[];
    const steps = db.prepare("SELECT ref, type FROM journal WHERE type LIKE 'vend.%'").all() as { ref: string; type: string }[];
    const journal = verifyJournal(db);
    return { vends, steps, journal };
  } finally {
    db.close();
  }
}

let peers: Peers;
beforeAll(async () => {
  peers = await startPeers('gd-vend-crash-', T0);
  ({ dir, backend, printer } = peers);
});

afterAll(async () => peers.dispose());

const meterKey = () => {
  const m = backend.db.prepare("SELECT meter_no, sts_json FROM meters WHERE account_no = ? AND kind = 'sts'").get(ACCOUNT) as { meter_no: string; sts_json: string };
  return { meterNo: m.meter_no, dk: deriveDecoderKeyDkga02(blockFromHex('ABABABABABABABAB'), JSON.parse(m.sts_json) as Parameters<typeof deriveDecoderKeyDkga02>[1]) };
};

const LOCAL = { mode: 'local', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 200000, onlineTimeoutMs: 3000 };

const CASES: readonly { point: string; method: 'cash' | 'qr'; expectAfterResume: string; expectFinal: 'delivered' | 'cancelled'; local?: boolean }[] = [
  { point: 'vend.created', method: 'cash', expectAfterResume: 'created', expectFinal: 'delivered' },
  { point: 'vend.paid', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  { point: 'vend.token_issued', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  { point: 'vend.printed', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  { point: 'vend.delivered', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  // Killed before the gateway saw the order: the gateway says not_found → cancelled, no money taken.
  { point: 'vend.created', method: 'qr', expectAfterResume: 'cancelled', expectFinal: 'cancelled' },
  // Killed after the gateway took the money but before the paid commit: the query finds it → credit.
  { point: 'vend.gateway_answered', method: 'qr', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  // The backend stored the token but the process died before token_issued: the re-issue is the same token.
  { point: 'vend.issue_answered', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  // QR past paid: the money is taken; resume issues and delivers, never asks the gateway to pay again.
  { point: 'vend.paid', method: 'qr', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  { point: 'vend.token_issued', method: 'qr', expectAfterResume: 'delivered', expectFinal: 'delivered' },
  // Local secure module (offline vends).
  { point: 'vend.paid', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered', local: true },
  { point: 'vend.issue_answered', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered', local: true },
  { point: 'vend.printed', method: 'cash', expectAfterResume: 'delivered', expectFinal: 'delivered', local: true },
];

describe('vend survives SIGKILL at every step', () => {
  const dataDir = () => path.join(dir, 'terminal');

  it.each(CASES)('killed after $point ($method, local $local), resumed', async ({ point, method, expectAfterResume, expectFinal, local }) => {
    const sm = local ? LOCAL : undefined;
    const requestId = randomUUID();
    const purchase = {
      requestId,
      accountNo: ACCOUNT,
      method,
      amount: '88',
      ...(method === 'qr' ? { authCode: `13${String(Date.now()).padStart(16, '0')}` } : {}),
    };
    const jobsBefore = printer.jobs().length;
    const crashed = await runCore(dataDir(), purchase, point, sm);
    expect(crashed.signal).toBe('SIGKILL');
    const atCrash = inspect(dataDir()).vends.find((v) => v.request_id === requestId);
    expect(atCrash).toBeDefined();
    if (point === 'vend.printed') {
      // The attempt was committed before the paper came out: this token can no longer be refunded.
      expect(atCrash?.delivery_attempts).toBe(1);
      expect(atCrash?.state).toBe('token_issued');
    }

    // Restart: the core resumes on its own (no clerk involved), then the clerk retries the same
    // request: it continues the same vend, never a second one.
    const retried = await runCore(dataDir(), purchase, null, sm);
    const result = JSON.parse(/^RESULT (.*)$/m.exec(retried.out)?.[1] ?? 'null') as { stateAfterResume: string | null };
    expect(result.stateAfterResume).toBe(expectAfterResume);
    const after = inspect(dataDir());
    const mine = after.vends.filter((v) => v.request_id === requestId);
    expect(mine).toHaveLength(1);
    const vend = mine[0] as VendRow;
    expect(vend.state).toBe(expectFinal);
    const steps = after.steps.filter((s) => s.ref === vend.vend_id).map((s) => s.type);
    const once = (t: string) => steps.filter((s) => s === t).length;

    if (expectFinal === 'delivered') {
      // Exactly one payment, exactly one credit, delivered.
      expect(once('vend.paid')).toBe(1);
      expect(once('vend.token_issued')).toBe(1);
      expect(once('vend.delivered')).toBe(1);
      const { dk } = meterKey();
      const decoded = decodeToken(dk, vend.token as string);
      expect(decoded).toMatchObject({ crcOk: true, tid: vend.tid });
      expect(decoded.amount?.tenths).toBe(vend.delivered_tenths);
      // The backend issued at most one token for this vend, and it is this one. A local vend is
      // only reported (its TID recorded on sync, no digits).
      const issued = backend.db.prepare('SELECT digits, origin FROM sts_issues WHERE vend_id = ?').all(vend.vend_id) as { digits: string; origin: string }[];
      expect(issued).toEqual(local ? [{ digits: '', origin: 'offline' }] : [{ digits: vend.token, origin: 'online' }]);
      if (method === 'qr') {
        const orders = backend.db.prepare('SELECT status FROM gateway_orders WHERE out_trade_no = ?').all(`V${vend.vend_id.replace(/-/g, '')}`);
        expect(orders).toEqual([{ status: 'success' }]);
      }
      // Printed at least once after the crash (re-delivery prints again; that is the point).
      const printedTokens = printer.jobs().slice(jobsBefore).filter((j) => j.text.includes((vend.token as string).slice(0, 4)));
      expect(printedTokens.length).toBeGreaterThanOrEqual(1);
      // A print after a journaled print attempt is marked as a reprint: the first paper may exist.
      const marked = printedTokens.map((j) => j.text.includes('补打'));
      if (point === 'vend.printed') expect(marked).toEqual([false, true]);
      if (point === 'vend.token_issued') expect(marked).toEqual([false]);
    } else {
      // No payment without credit: cancelled vends took no money and issued nothing.
      expect(once('vend.paid')).toBe(0);
      expect(vend.token).toBeNull();
      const order = backend.db.prepare('SELECT status FROM gateway_orders WHERE out_trade_no = ?').get(`V${vend.vend_id.replace(/-/g, '')}`) as { status: string } | undefined;
      expect(order === undefined || order.status !== 'success').toBe(true);
    }

    // Globally: no TID reused for a meter; every paid vend has its credit; the journal chain holds.
    const tids = new Map<string, Set<number>>();
    for (const v of after.vends) {
      const set = tids.get(v.meter_no) ?? new Set<number>();
      expect(set.has(v.tid)).toBe(false);
      set.add(v.tid);
      tids.set(v.meter_no, set);
      if (after.steps.some((s) => s.ref === v.vend_id && s.type === 'vend.paid') && v.state !== 'reversed') {
        expect(v.token).not.toBeNull();
      }
    }
    expect(after.journal.ok).toBe(true);
  }, 60_000);

  it('a cash vend left at created past the configured timeout is cancelled on start (no money was recorded as taken)', async () => {
    const staleDir = path.join(dir, 'terminal-stale');
    const purchase = { requestId: randomUUID(), accountNo: ACCOUNT, method: 'cash' as const, amount: '66' };
    const crashed = await runCore(staleDir, purchase, 'vend.created', LOCAL);
    expect(crashed.signal).toBe('SIGKILL');
    // Restarted with a 0-minute timeout (any age is stale): resume cancels it; the late retry gets the cancelled vend.
    const retried = await runCore(staleDir, purchase, null, { ...LOCAL, staleCashVendMinutes: 0 });
    const result = JSON.parse(/^RESULT (.*)$/m.exec(retried.out)?.[1] ?? 'null') as { stateAfterResume: string; purchased: { ok: boolean; result?: { state: string } } };
    expect(result.stateAfterResume).toBe('cancelled');
    expect(result.purchased).toMatchObject({ ok: true, result: { state: 'cancelled' } });
    const after = inspect(staleDir);
    const vend = after.vends.find((v) => v.request_id === purchase.requestId) as VendRow;
    expect(vend).toMatchObject({ state: 'cancelled', token: null });
    const steps = after.steps.filter((x) => x.ref === vend.vend_id).map((x) => x.type);
    expect(steps).toEqual(['vend.created', 'vend.cancelled']);
    expect(after.journal.ok).toBe(true);
    // No longer counted against the offline limit: nothing local is outstanding.
    const db = new Database(path.join(staleDir, 'T-HALL-01.db'), { readonly: true });
    try {
      const cancelled = db.prepare("SELECT payload FROM journal WHERE ref = ? AND type = 'vend.cancelled'").get(vend.vend_id) as { payload: string };
      expect(JSON.parse(cancelled.payload)).toMatchObject({ reason: 'stale_cash_created', from: 'created', to: 'cancelled' });
    } finally {
      db.close();
    }
  }, 60_000);

  it('every successful gateway payment has exactly one credited vend', () => {
    const orders = backend.db.prepare("SELECT out_trade_no FROM gateway_orders WHERE status = 'success'").all() as { out_trade_no: string }[];
    const { vends } = inspect(path.join(dir, 'terminal'));
    for (const o of orders) {
      const matched = vends.filter((v) => `V${v.vend_id.replace(/-/g, '')}` === o.out_trade_no);
      expect(matched).toHaveLength(1);
      expect(matched[0]?.token).not.toBeNull();
    }
    expect(orders.length).toBeGreaterThan(0);
  });
});
