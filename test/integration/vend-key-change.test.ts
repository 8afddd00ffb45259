/**
 * Key change follow-through: a 1993 meter after the 2024 TID rollover is refused; the key change
 * pair (base date 2014, new KRN) takes effect on this terminal in the same commit (cache + journal),
 * so the next vend here decodes under the NEW decoder key with a TID counted from 2014 — even
 * before the event reached the backend and after a lookup brought the backend's old record back.
 * Once synced, the backend has the new parameters and a bumped account version, and issues online
 * under the new key. The backend refuses to issue under parameters that are not its record.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, TokenManageView, VendView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { pendingKeyChange } from '../../main/services/vending/meter-key-changes.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { StsParamsSchema, type StsParams } from '../../main/wire/backend-wire.js';
import { OnlineSecureModule } from '../../main/vending/secure-module/index.js';
import { blockFromHex, decodeToken, deriveDecoderKeyDkga02, tidFromDate, type MeterIdentity } from '../../main/vending/sts/index.js';
import { signedIn, startStack, type Stack } from '../support/stack.js';

const STS_1993 = '3100000002';
/** The demo vending key (TEST KEY MATERIAL), used here to derive decoder keys independently. */
const VK = blockFromHex('ABABABABABABABAB');
let stack: Stack;
let supervisor: Session;
let clerk: Session;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

function terminalSts(meterNo: string): StsParams {
  const row = stack.core.db.prepare('SELECT sts_json FROM meters WHERE meter_no = ?').get(meterNo) as { sts_json: string };
  return StsParamsSchema.parse(JSON.parse(row.sts_json));
}

function backendMeter(meterNo: string): { sts: StsParams; version: number; changeSeq: number } {
  const row = stack.backend.db
    .prepare<[string], { sts_json: string; version: number; change_seq: number }>(
      'SELECT m.sts_json, a.version, a.change_seq FROM meters m JOIN accounts a ON a.account_no = m.account_no WHERE m.meter_no = ?',
    )
    .get(meterNo);
  if (!row) throw new Error(`backend has no meter ${meterNo}`);
  return { sts: StsParamsSchema.parse(JSON.parse(row.sts_json)), version: row.version, changeSeq: row.change_seq };
}

const vend = (amount = '50') => stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_1993, method: 'cash', amount }, clerk);

/** The token decodes under `identity`'s key (derived here from the vending key) to the vend's TID and a base-2014 minute. */
function expectCreditUnder(identity: MeterIdentity, v: VendView): void {
  const d = decodeToken(deriveDecoderKeyDkga02(VK, identity), v.token ?? '');
  expect(d).toMatchObject({ crcOk: true, tokenClass: 0, subclass: 0, tid: v.tid });
  const createdTid = tidFromDate(new Date(v.createdAt), '2014-01-01');
  expect(v.tid).toBeGreaterThanOrEqual(createdTid);
  expect(v.tid).toBeLessThan(createdTid + 5);
}

beforeAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  stack = await startStack();
  clerk = await signedIn(stack.core);
  supervisor = await signedIn(stack.core, 'S001', '9999');
});

afterAll(async () => {
  await stack.dispose();
});

describe('key change follow-through', () => {
  let meterNo = '';
  let old: StsParams;
  let next: StsParams;
  let firstVend: VendView;

  it('a 1993 meter after the rollover is refused; the key change updates this terminal in the same commit', async () => {
    ok(await stack.core.dispatch('account.lookup', { accountNo: STS_1993 }, clerk));
    meterNo = (stack.core.db.prepare("SELECT meter_no FROM meters WHERE account_no = ? AND kind = 'sts'").get(STS_1993) as { meter_no: string }).meter_no;
    old = terminalSts(meterNo);
    expect(old.baseDate).toBe('1993-01-01');
    const refused = await vend();
    expect(refused.ok ? '' : refused.error.code).toBe('vending.tid_out_of_range');

    // The backend takes lookups but holds event intake: the key change stays this terminal's own.
    stack.backend.setKnobs({ holdEvents: true });
    const r = ok<TokenManageView>(
      await stack.core.dispatch('token.manage', { requestId: randomUUID(), meterNo, kind: 'key_change', next: { baseDate: '2014-01-01', krn: old.krn + 1 } }, supervisor),
    );
    next = { ...old, baseDate: '2014-01-01', krn: old.krn + 1 };
    expect(terminalSts(meterNo)).toEqual(next);
    // Journaled next to the tokens: the tokens, then the cache change (from → to).
    const changed = journalEntries(stack.core.db, meterNo).filter((e) => e.type === 'meter.sts_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.payload).toMatchObject({ tokenId: r.tokenId, from: old, to: next });
    const out = stack.core.db.prepare("SELECT payload FROM outbox WHERE type = 'token.management_issued'").get() as { payload: string };
    expect(JSON.parse(out.payload)).toMatchObject({ kind: 'key_change', prev: old, next });
    expect(verifyJournal(stack.core.db).ok).toBe(true);
    // Not at the backend yet.
    expect(backendMeter(meterNo).sts).toEqual(old);
  });

  it('the next vend on this terminal uses the new key and base date (locally, until the backend has them), even after a lookup', async () => {
    // A lookup writes the backend's (still old) record into the cache; the pending key change wins.
    ok(await stack.core.dispatch('account.lookup', { accountNo: STS_1993 }, clerk));
    expect(terminalSts(meterNo)).toEqual(old);
    firstVend = ok<VendView>(await vend());
    expect(firstVend.state).toBe('delivered');
    // The backend would still issue under the old key: the vend is issued by the local module.
    expect(firstVend).toMatchObject({ issuer: 'local', offline: true });
    expectCreditUnder(next, firstVend);
    const underOld = decodeToken(deriveDecoderKeyDkga02(VK, old), firstVend.token ?? '');
    expect(underOld.crcOk && underOld.tid === firstVend.tid).toBe(false);
  });

  it('synced: the backend records the new parameters and a new account version; online vends use them', async () => {
    const before = backendMeter(meterNo);
    stack.backend.setKnobs({ holdEvents: false });
    const sync = await stack.core.syncNow();
    expect(sync.pending).toBe(0);
    const after = backendMeter(meterNo);
    expect(after.sts).toEqual(next);
    // One version step for the key change, one per payment of the account synced with it (the vend's settlement).
    const payments = stack.backend.db
      .prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM events WHERE type = 'payment.created' AND json_extract(payload_json, '$.accountNo') = ?")
      .get(STS_1993)?.n ?? 0;
    expect(payments).toBe(1);
    expect(after.version).toBe(before.version + 1 + payments);
    expect(after.changeSeq).toBeGreaterThan(before.changeSeq);
    const exceptions = stack.backend.db.prepare("SELECT kind FROM exceptions WHERE kind IN ('key_change_conflict', 'tid_reused')").all();
    expect(exceptions).toEqual([]);

    // The terminal's next lookup carries them; nothing is laid over any more.
    ok(await stack.core.dispatch('account.lookup', { accountNo: STS_1993 }, clerk));
    expect(terminalSts(meterNo)).toEqual(next);
    const version = (stack.core.db.prepare('SELECT version FROM accounts WHERE account_no = ?').get(STS_1993) as { version: number }).version;
    expect(version).toBe(after.version);
    expect(pendingKeyChange(stack.core.db, meterNo, version)).toBeNull();

    const online = ok<VendView>(await vend('30'));
    expect(online).toMatchObject({ state: 'delivered', issuer: 'online', offline: false });
    expect(online.tid).toBeGreaterThan(firstVend.tid);
    expectCreditUnder(next, online);
  });

  it('the backend refuses to issue under parameters that are not its record (a key change it does not have)', async () => {
    const module = new OnlineSecureModule({
      baseUrl: stack.config.backend.url,
      terminalId: stack.config.terminalId,
      secret: stack.config.backend.terminalSecret,
      timeoutMs: 3000,
      now: stack.clock,
    });
    const req = { vendId: randomUUID(), meterNo, amountTenths: 100, tid: tidFromDate(stack.clock(), '2014-01-01') + 100, rnd: 3 };
    await expect(module.issueCredit({ ...req, sts: old })).rejects.toMatchObject({ code: 'vending.issue_rejected', details: { reason: 'sts_params_mismatch' } });
    const issued = await module.issueCredit({ ...req, sts: next });
    expect(decodeToken(deriveDecoderKeyDkga02(VK, next), issued.digits)).toMatchObject({ crcOk: true, tid: req.tid });
  });

  it('a key change is refused while a vend of the meter waits under the old key', async () => {
    // A QR payment whose answer is lost: the vend stays created (its TID counted under today's key).
    stack.backend.setKnobs({ gatewayOutcome: 'unknown' });
    const pendingQr = await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_1993, method: 'qr', amount: '20', authCode: '134567890123450001' }, clerk);
    stack.backend.setKnobs({ gatewayOutcome: 'success' });
    expect(pendingQr.ok ? '' : pendingQr.error.code).toBe('vending.payment_pending');
    const waiting = stack.core.db.prepare("SELECT vend_id, out_trade_no FROM vends WHERE meter_no = ? AND state = 'created'").get(meterNo) as { vend_id: string; out_trade_no: string };
    const change = () => stack.core.dispatch('token.manage', { requestId: randomUUID(), meterNo, kind: 'key_change', next: { krn: next.krn + 1 } }, supervisor);
    const journalBefore = (stack.core.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
    const refused = await change();
    expect(refused.ok ? '' : refused.error.code).toBe('vending.key_change_vend_pending');
    expect(refused.ok ? null : refused.error.details).toMatchObject({ vendId: waiting.vend_id });
    expect((stack.core.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n).toBe(journalBefore);
    expect(terminalSts(meterNo)).toEqual(next);

    // The customer cancelled on the phone; resume settles the vend, and the key change goes ahead.
    stack.backend.settleGatewayOrder(waiting.out_trade_no, 'declined');
    ok(await stack.core.dispatch('vend.resume', {}, supervisor));
    const r = ok<TokenManageView>(await change());
    expect(r.next).toMatchObject({ krn: next.krn + 1, baseDate: '2014-01-01' });
    expect(terminalSts(meterNo)).toEqual({ ...next, krn: next.krn + 1 });
  });
});
