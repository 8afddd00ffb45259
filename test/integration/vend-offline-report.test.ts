/**
 * Offline vends reported on sync are acted on by the backend: the (meter, TID) of a token a
 * terminal's local secure module issued is recorded in sts_issues, so the online issuer refuses
 * that TID to every other terminal; a TID another vend already used becomes a backend exception.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, VendView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { StsIssuer } from '../billing-backend/sts-issue.js';
import { signedIn, startStack, type Stack } from '../support/stack.js';

const STS_2014 = '3100000003';
let stack: Stack;
let clerk: Session;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

const purchase = (amount: string) => stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_2014, method: 'cash', amount }, clerk);

beforeAll(async () => {
  stack = await startStack();
  // The accounts are cached first: the vends below happen while the backend is unreachable.
  await stack.core.pullNow();
  const file = path.join(stack.dir, 'sm-local.json');
  writeFileSync(file, JSON.stringify({ mode: 'local', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 200000, onlineTimeoutMs: 1500 }));
  process.env.GRIDDESK_SECURE_MODULE_CONFIG = file;
  await stack.restartCore();
  clerk = await signedIn(stack.core);
});

afterAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  await stack.dispose();
});

function issues(meterNo: string) {
  return stack.backend.db.prepare('SELECT vend_id, terminal_id, tid, origin, digits FROM sts_issues WHERE meter_no = ? ORDER BY tid').all(meterNo) as {
    vend_id: string;
    terminal_id: string;
    tid: number;
    origin: string;
    digits: string;
  }[];
}

function tidExceptions() {
  return stack.backend.db.prepare("SELECT event_id, terminal_id, kind, detail FROM exceptions WHERE kind = 'tid_reused'").all() as { kind: string; detail: string }[];
}

describe('offline vend.token_issued at the backend', () => {
  it('records the (meter, TID) so another terminal cannot be given that TID', async () => {
    stack.backend.setKnobs({ down: true });
    const v = ok<VendView>(await purchase('30'));
    expect(v).toMatchObject({ state: 'delivered', offline: true });
    expect(issues(v.meterNo).map((r) => r.vend_id)).not.toContain(v.vendId);
    stack.backend.setKnobs({ down: false });
    await stack.core.syncNow();
    expect(issues(v.meterNo)).toContainEqual({ vend_id: v.vendId, terminal_id: 'T-HALL-01', tid: v.tid, origin: 'offline', digits: '' });

    // Another terminal asks the online issuer for that TID: refused.
    const issuer = new StsIssuer(stack.backend.db, () => '2026-11-27T02:30:00Z');
    const other = issuer.issue({ vendId: randomUUID(), meterNo: v.meterNo, amountTenths: 100, tid: v.tid, rnd: 3 }, 'T-HALL-02');
    expect(other).toMatchObject({ status: 409, body: { error: 'tid_reused' } });
    // Sending the same event again (a retried sync) has no second effect.
    await stack.core.syncNow();
    expect(issues(v.meterNo).filter((r) => r.tid === v.tid)).toHaveLength(1);
    expect(tidExceptions()).toEqual([]);
  });

  it('an offline token whose TID another terminal already used is a backend exception', async () => {
    stack.backend.setKnobs({ down: true });
    const v = ok<VendView>(await purchase('30'));
    // Meanwhile the backend gave this minute of the meter to another terminal's vend.
    const otherVend = randomUUID();
    stack.backend.db
      .prepare(
        `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at)
         VALUES (?, 'T-HALL-02', ?, ?, 0, 10, '00000000000000000000', 10, 10, '2026-11-27T02:00:00Z')`,
      )
      .run(otherVend, v.meterNo, v.tid);
    stack.backend.setKnobs({ down: false });
    await stack.core.syncNow();
    const accepted = stack.backend.db.prepare("SELECT 1 FROM events WHERE type = 'vend.token_issued' AND payload_json LIKE ?").get(`%${v.vendId}%`);
    expect(accepted).toBeDefined();
    const x = tidExceptions();
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ kind: 'tid_reused', terminal_id: 'T-HALL-01' });
    expect(x[0]?.detail).toContain(v.vendId);
    expect(x[0]?.detail).toContain(otherVend);
    expect(issues(v.meterNo).find((r) => r.tid === v.tid)?.vend_id).toBe(otherVend);
  });
});
