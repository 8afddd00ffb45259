/**
 * Management tokens (token.manage) for technicians and supervisors: each is journaled, register
 * tokens take their TID from the meter's one sequence, and every token decodes back with a decoder
 * key derived independently from the demo vending key. The key change pair moves the 1993 meter to
 * base date 2014 with a new key revision (the TID rollover), after which a credit token under the
 * new key and base date decodes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, TokenManageView, VendView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { blockFromHex, decodeToken, deriveDecoderKeyDkga02, TokenEngine, type MeterIdentity } from '../../main/vending/sts/index.js';
import { signedIn, startStack, type Stack } from '../support/stack.js';

const STS_2014 = '3100000003';
const STS_1993 = '3100000002';
const VK = blockFromHex('ABABABABABABABAB');
let stack: Stack;
let supervisor: Session;
let clerk: Session;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

async function meterOf(accountNo: string): Promise<{ meterNo: string; sts: MeterIdentity }> {
  await stack.core.dispatch('account.lookup', { accountNo }, clerk);
  const m = stack.core.db.prepare("SELECT meter_no, sts_json FROM meters WHERE account_no = ? AND kind = 'sts'").get(accountNo) as { meter_no: string; sts_json: string };
  return { meterNo: m.meter_no, sts: JSON.parse(m.sts_json) as MeterIdentity };
}

const manage = (params: Record<string, unknown>, session = supervisor) => stack.core.dispatch('token.manage', { requestId: randomUUID(), ...params }, session);

beforeAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  stack = await startStack();
  clerk = await signedIn(stack.core);
  supervisor = await signedIn(stack.core, 'S001', '9999');
});

afterAll(async () => {
  await stack.dispose();
});

describe('token.manage', () => {
  it('clear credit, clear tamper and max power decode back; TIDs share the meter sequence with credit', async () => {
    const { meterNo, sts } = await meterOf(STS_2014);
    const dk = deriveDecoderKeyDkga02(VK, sts);
    const vend = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_2014, method: 'cash', amount: '20' }, clerk));

    const clear = ok<TokenManageView>(await manage({ meterNo, kind: 'clear_credit' }));
    const tamper = ok<TokenManageView>(await manage({ meterNo, kind: 'clear_tamper' }));
    const power = ok<TokenManageView>(await manage({ meterNo, kind: 'max_power', watts: 5000 }));
    expect(clear.tid).toBeGreaterThan(vend.tid);
    expect(tamper.tid).toBeGreaterThan(clear.tid!);
    expect(power.tid).toBeGreaterThan(tamper.tid!);

    const d1 = decodeToken(dk, clear.tokens[0]!.digits);
    expect(d1).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 1, tid: clear.tid });
    expect(d1.payload).toMatchObject({ kind: 'management', field: 0xffff });
    expect(decodeToken(dk, tamper.tokens[0]!.digits)).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 5, tid: tamper.tid });
    const d3 = decodeToken(dk, power.tokens[0]!.digits);
    expect(d3).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 0, tid: power.tid });
    expect(d3.payload).toMatchObject({ kind: 'management', watts: 5000 });

    // The next credit token takes a TID above the management tokens'.
    const after = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_2014, method: 'cash', amount: '20' }, clerk));
    expect(after.tid).toBeGreaterThan(power.tid!);

    // Journaled with the digits; the outbox event carries none.
    const j = journalEntries(stack.core.db, clear.tokenId);
    expect(j.map((e) => e.type)).toEqual(['token.management_issued']);
    expect(JSON.stringify(j[0]?.payload)).toContain(clear.tokens[0]!.digits);
    // Sync is nudged after every commit, so the events may already have left: read what the backend got.
    await stack.core.syncNow();
    const out = stack.backend.db.prepare("SELECT payload_json AS payload FROM events WHERE type = 'token.management_issued'").all() as { payload: string }[];
    expect(out.length).toBeGreaterThanOrEqual(3);
    expect(out.some((o) => o.payload.includes(clear.tokens[0]!.digits))).toBe(false);
    expect(verifyJournal(stack.core.db).ok).toBe(true);
  });

  it('key change pair moves a 1993 meter to base date 2014 with a new KRN (TID rollover)', async () => {
    const { meterNo, sts } = await meterOf(STS_1993);
    expect(sts.baseDate).toBe('1993-01-01');
    // Credit is refused for this meter after the rollover: it needs the key change first.
    const refused = await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS_1993, method: 'cash', amount: '50' }, clerk);
    expect(refused.ok ? '' : refused.error.code).toBe('vending.tid_out_of_range');

    const r = ok<TokenManageView>(await manage({ meterNo, kind: 'key_change', next: { baseDate: '2014-01-01', krn: sts.krn + 1 } }));
    expect(r.tokens.map((t) => t.kind)).toEqual(['key_change_1st', 'key_change_2nd']);
    expect(r.next).toMatchObject({ baseDate: '2014-01-01', krn: sts.krn + 1, sgc: sts.sgc, ti: sts.ti, keyType: sts.keyType });
    expect(r.tid).toBeNull();

    // Both decode under the CURRENT key and carry the halves of the NEW key (derived here independently).
    const oldDk = deriveDecoderKeyDkga02(VK, sts);
    const next: MeterIdentity = { ...sts, baseDate: '2014-01-01', krn: sts.krn + 1 };
    const newDk = deriveDecoderKeyDkga02(VK, next);
    const first = decodeToken(oldDk, r.tokens[0]!.digits);
    const second = decodeToken(oldDk, r.tokens[1]!.digits);
    expect(first).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 3 });
    expect(second).toMatchObject({ crcOk: true, tokenClass: 2, subclass: 4 });
    expect(first.payload).toMatchObject({ kind: 'key_change_1st', krn: sts.krn + 1, ro: 1, keyType: sts.keyType, nkho: newDk.hi });
    expect(second.payload).toMatchObject({ kind: 'key_change_2nd', ti: Number(sts.ti), nklo: newDk.lo });
    // Under the new key and base date, a credit token for now decodes.
    const credit = new TokenEngine({ vendingKey: VK, random: () => 0 }).creditToken(next, { amountTenths: 100, tid: 5_000_000, rnd: 1 });
    expect(decodeToken(newDk, credit.digits)).toMatchObject({ crcOk: true, tid: 5_000_000 });

    // A retry of the same request returns the same tokens, no second journal entry.
    const again = ok<TokenManageView>(await stack.core.dispatch('token.manage', { requestId: r.requestId, meterNo, kind: 'key_change', next: { baseDate: '2014-01-01', krn: sts.krn + 1 } }, supervisor));
    expect(again.tokens).toEqual(r.tokens);
    expect(journalEntries(stack.core.db, r.tokenId)).toHaveLength(1);
  });

  it('is for technicians and supervisors only; bad requests are refused', async () => {
    const { meterNo } = await meterOf(STS_2014);
    const asClerk = await manage({ meterNo, kind: 'clear_tamper' }, clerk);
    expect(asClerk.ok).toBe(false);
    const noWatts = await manage({ meterNo, kind: 'max_power' });
    expect(noWatts.ok ? '' : noWatts.error.code).toBe('validation.invalid_params');
    const unknown = await manage({ meterNo: '600727000000000017', kind: 'clear_tamper' });
    expect(unknown.ok ? '' : unknown.error.code).toBe('vending.meter_not_found');
  });
});
