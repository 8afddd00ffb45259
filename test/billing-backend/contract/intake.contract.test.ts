/**
 * The storage contract (store/backend-store.ts): the same cases against the SQLite store and the
 * PostgreSQL store (a throwaway cluster for this file). Each case uses its own terminals and
 * accounts, so one store per file serves them all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PaymentCreatedPayloadSchema, TerminalEvent } from '../../../main/wire/backend-wire.js';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster.js';
import type { IntakeContext } from '../intake.js';
import { UNSUPPORTED_EFFECT_REASON, type BackendStore } from '../store/backend-store.js';
import { PgBackendStore } from '../store/pg-store.js';
import { openSqliteStore } from '../store/sqlite-store.js';

const NOW = '2026-11-27T02:00:00.000Z';

let counter = 0;
const next = (): number => ++counter;
const eventId = (): string => `01937a2b-0000-7000-8000-${String(next()).padStart(12, '0')}`;
const accountNo = (): string => String(3200000000 + next());
const terminal = (): string => `T-CONTRACT-${next()}`;

function event(seq: number, type: string, payload: unknown): TerminalEvent {
  return { eventId: eventId(), seq, type, occurredAt: NOW, payload };
}

function payment(account: string, allocations: { billId: string; fen: number }[], toBalanceFen = 0): z.input<typeof PaymentCreatedPayloadSchema> {
  const amountFen = allocations.reduce((s, a) => s + a.fen, 0) + toBalanceFen;
  return { paymentId: `P-${next()}`, accountNo: account, method: 'cash', amountFen, allocations, toBalanceFen, operatorId: 'C001' };
}

const ctx = (terminalId: string, failEventIds: string[] = []): IntakeContext => ({ terminalId, nowIso: NOW, failEventIds: new Set(failEventIds) });

interface StoreUnderTest {
  store: BackendStore;
  dispose(): Promise<void>;
}

const stores: Record<'sqlite' | 'pg', () => Promise<StoreUnderTest>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-contract-'));
    const store = openSqliteStore(join(dir, 'backend.db'));
    return { store, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
  pg: async () => {
    const cluster: PgCluster = await startPgCluster();
    try {
      const store = await PgBackendStore.open({ url: cluster.url, poolSize: 8, unportedEffects: ['x.unported_effect'] });
      return { store, dispose: async () => { await store.close(); await cluster.stop(); } };
    } catch (e) {
      await cluster.stop();
      throw e;
    }
  },
};

describe.each(['sqlite', 'pg'] as const)('backend store contract on %s', (kind) => {
  let s: StoreUnderTest;
  let store: BackendStore;
  beforeAll(async () => {
    s = await stores[kind]();
    store = s.store;
  }, 60_000);
  afterAll(async () => {
    await s?.dispose();
  });

  /** An account with one open bill per amount given. */
  async function seeded(billAmounts: number[] = [], balanceFen = 0): Promise<{ no: string; bills: string[] }> {
    const no = accountNo();
    const bills = billAmounts.map((_, i) => `B${no}${i}`);
    await store.seed([{ accountNo: no, balanceFen, bills: billAmounts.map((amountFen, i) => ({ billId: bills[i] as string, amountFen })) }]);
    return { no, bills };
  }

  it('takes an event repeated within a batch once', async () => {
    const t = terminal();
    const a = await seeded([], 100);
    const e = event(1, 'payment.created', payment(a.no, [], 500));
    expect(await store.ingest([e, e], ctx(t))).toEqual([
      { eventId: e.eventId, status: 'accepted' },
      { eventId: e.eventId, status: 'duplicate' },
    ]);
    expect((await store.ledger(t)).map((l) => l.eventId)).toEqual([e.eventId]);
    expect((await store.account(a.no))?.balanceFen).toBe(600);
  });

  it('answers a batch sent again with duplicates and no second effect', async () => {
    const t = terminal();
    const a = await seeded([1000]);
    const batch = [event(1, 'payment.created', payment(a.no, [{ billId: a.bills[0] as string, fen: 1000 }])), event(2, 'hall.queue_ticket_issued', { ticket: 'A001' })];
    expect((await store.ingest(batch, ctx(t))).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await store.ingest(batch, ctx(t))).toEqual(batch.map((e) => ({ eventId: e.eventId, status: 'duplicate' })));
    expect(await store.bills(a.no)).toEqual([expect.objectContaining({ billId: a.bills[0], paidFen: 1000, status: 'paid' })]);
    expect((await store.account(a.no))?.balanceFen).toBe(0);
    expect(await store.ledger(t)).toHaveLength(2);
  });

  it('takes each event of a batch pushed four times at once exactly once', async () => {
    const t = terminal();
    const a = await seeded([], 0);
    const batch = Array.from({ length: 25 }, (_, i) => event(i + 1, 'payment.created', payment(a.no, [], 100 + i)));
    const pushes = await Promise.all([1, 2, 3, 4].map(() => store.ingest(batch, ctx(t))));
    for (const [i, e] of batch.entries()) {
      const statuses = pushes.map((p) => p[i]?.status);
      expect(statuses.filter((st) => st === 'accepted'), e.eventId).toHaveLength(1);
      expect(statuses.filter((st) => st === 'duplicate')).toHaveLength(3);
    }
    expect(await store.ledger(t)).toHaveLength(25);
    expect((await store.account(a.no))?.balanceFen).toBe(batch.reduce((sum, _, i) => sum + 100 + i, 0));
    expect(await store.processedSeq(t)).toBe(25);
  });

  it('keeps balances exact when batches name the same accounts in opposite orders at once', async () => {
    const x = await seeded();
    const y = await seeded();
    const pushes = Array.from({ length: 8 }, (_, i) => {
      const t = terminal();
      const [first, second] = i % 2 === 0 ? [x.no, y.no] : [y.no, x.no];
      return store.ingest(
        Array.from({ length: 10 }, (_, k) => event(k + 1, 'payment.created', payment(k % 2 === 0 ? first : second, [], 10))),
        ctx(t),
      );
    });
    const results = await Promise.all(pushes);
    expect(results.flat().every((r) => r.status === 'accepted')).toBe(true);
    expect((await store.account(x.no))?.balanceFen).toBe(400);
    expect((await store.account(y.no))?.balanceFen).toBe(400);
  });

  it('stores no rejected event, and takes it once the cause is gone', async () => {
    const t = terminal();
    const a = await seeded([], 0);
    const knobbed = event(1, 'payment.created', payment(a.no, [], 300));
    const bad = event(2, 'payment.created', { accountNo: a.no });
    const results = await store.ingest([knobbed, bad, { eventId: 'not-a-uuid', seq: 3 }], ctx(t, [knobbed.eventId]));
    expect(results[0]).toEqual({ eventId: knobbed.eventId, status: 'rejected', reason: 'knob' });
    expect(results[1]).toMatchObject({ eventId: bad.eventId, status: 'rejected', reason: expect.stringMatching(/^malformed_payload: /) });
    expect(results[2]).toMatchObject({ eventId: 'not-a-uuid', status: 'rejected', reason: expect.stringMatching(/^malformed: /) });
    expect(await store.ledger(t)).toEqual([]);
    expect((await store.account(a.no))?.balanceFen).toBe(0);
    // Processed all the same: snapshots from now on hold their (absent) effects.
    expect(await store.processedSeq(t)).toBe(2);
    expect(await store.ingest([knobbed], ctx(t))).toEqual([{ eventId: knobbed.eventId, status: 'accepted' }]);
    expect((await store.account(a.no))?.balanceFen).toBe(300);
  });

  it('moves money for a bill paid elsewhere to the balance and queues an exception', async () => {
    const t = terminal();
    const other = terminal();
    const a = await seeded([800, 500]);
    const [paidBill, partBill] = a.bills as [string, string];
    await store.ingest([event(1, 'payment.created', payment(a.no, [{ billId: paidBill, fen: 800 }, { billId: partBill, fen: 200 }]))], ctx(other));
    const late = event(7, 'payment.created', payment(a.no, [{ billId: paidBill, fen: 800 }, { billId: partBill, fen: 500 }, { billId: 'B-NOT-HERS', fen: 50 }]));
    expect(await store.ingest([late], ctx(t))).toEqual([{ eventId: late.eventId, status: 'accepted' }]);
    expect((await store.account(a.no))?.balanceFen).toBe(800 + 200 + 50);
    expect(await store.bills(a.no)).toEqual([
      expect.objectContaining({ billId: paidBill, paidFen: 800, status: 'paid' }),
      expect.objectContaining({ billId: partBill, paidFen: 500, status: 'paid' }),
    ]);
    const queued = await store.exceptions(t);
    expect(queued.map((x) => [x.kind, x.billId, x.fen])).toEqual([
      ['bill_already_paid', paidBill, 800],
      ['bill_overpaid', partBill, 200],
      ['unknown_bill', 'B-NOT-HERS', 50],
    ]);
    expect(queued.every((x) => x.eventId === late.eventId && x.accountNo === a.no && x.terminalId === t)).toBe(true);
    expect(await store.exceptions(other)).toEqual([]);
  });

  it('holds a payment for a closed or unknown account in suspense, balance untouched', async () => {
    const t = terminal();
    const closed = accountNo();
    await store.seed([{ accountNo: closed, balanceFen: 70, closed: { movedTo: null } }]);
    const unknown = accountNo();
    const batch = [event(1, 'payment.created', payment(closed, [], 900)), event(2, 'payment.created', payment(unknown, [], 40))];
    expect((await store.ingest(batch, ctx(t))).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await store.account(closed)).toEqual({ accountNo: closed, balanceFen: 70, status: 'closed' });
    expect((await store.exceptions(t)).map((x) => [x.kind, x.accountNo, x.fen])).toEqual([
      ['account_closed', closed, 900],
      ['unknown_account', unknown, 40],
    ]);
  });

  it("adds up: each terminal's accepted payments equal what reached bills, balances and suspense", async () => {
    const terminals = [terminal(), terminal(), terminal()];
    const a = await seeded([3000, 3000], 0);
    const expected = new Map<string, number>();
    await Promise.all(
      terminals.map(async (t, ti) => {
        const batch = Array.from({ length: 12 }, (_, i) =>
          event(i + 1, 'payment.created', i % 3 === 0 ? payment(a.no, [{ billId: a.bills[(i + ti) % 2] as string, fen: 700 }]) : payment(a.no, [], 100 * (ti + 1))),
        );
        expected.set(t, batch.reduce((sum, e) => sum + (e.payload as { amountFen: number }).amountFen, 0));
        await store.ingest(batch, ctx(t));
      }),
    );
    const totals = (await store.totals()).filter((x) => terminals.includes(x.terminalId));
    expect(totals).toEqual(terminals.map((t) => ({ terminalId: t, events: 12, paymentFen: expected.get(t) })).sort((p, q) => p.terminalId.localeCompare(q.terminalId)));
    const taken = [...expected.values()].reduce((x, y) => x + y, 0);
    const bills = await store.bills(a.no);
    const onBills = bills.reduce((sum, b) => sum + b.paidFen, 0);
    expect(onBills + ((await store.account(a.no))?.balanceFen ?? 0)).toBe(taken);
    expect(bills.map((b) => b.paidFen)).toEqual([3000, 3000]);
  });

  it('queues a vend priced under a tariff the account no longer has; the vend stands', async () => {
    const t = terminal();
    const no = accountNo();
    await store.seed([{ accountNo: no, tariffCode: 'R2' }]);
    const vend = (tariffId: string) => event(next(), 'vend.created', { vendId: `V-${next()}`, accountNo: no, amountFen: 5000, split: { tariffId } });
    const [stale, current] = [vend('R1'), vend('R2')];
    expect((await store.ingest([stale, current], ctx(t))).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect((await store.exceptions(t)).map((x) => [x.kind, x.eventId, x.fen])).toEqual([['tariff_changed', stale.eventId, 5000]]);
    expect((await store.account(no))?.balanceFen).toBe(0);
  });

  it("tracks each terminal's processed seq apart and flags a reused seq", async () => {
    const [t1, t2] = [terminal(), terminal()];
    await store.ingest([event(1, 'x.note', {}), event(2, 'x.note', {})], ctx(t1));
    await store.ingest([event(5, 'x.note', {})], ctx(t2));
    await store.ingest([event(3, 'x.note', {})], ctx(t1));
    expect([await store.processedSeq(t1), await store.processedSeq(t2), await store.processedSeq(terminal())]).toEqual([3, 5, 0]);
    // An older batch arriving late does not move it back.
    const reuse = event(2, 'x.note', { again: true });
    expect(await store.ingest([reuse], ctx(t1))).toEqual([{ eventId: reuse.eventId, status: 'accepted' }]);
    expect(await store.processedSeq(t1)).toBe(3);
    expect((await store.exceptions(t1)).map((x) => [x.kind, x.eventId, x.fen])).toEqual([['seq_reused', reuse.eventId, 0]]);
    expect((await store.ledger(t1)).map((l) => l.seq)).toEqual([1, 2, 3, 2]);
    // Within one batch too.
    const [first, second] = [event(9, 'x.note', {}), event(9, 'x.note', {})];
    await store.ingest([first, second], ctx(t2));
    expect((await store.exceptions(t2)).map((x) => [x.kind, x.eventId, x.detail])).toEqual([['seq_reused', second.eventId, `seq 9 was used by ${first.eventId}`]]);
  });

  it.runIf(kind === 'pg')('refuses, and does not store, an event whose effect the store has not ported', async () => {
    const t = terminal();
    const e = event(1, 'x.unported_effect', { note: 'x' });
    const [r] = await store.ingest([e], ctx(t));
    expect(r).toMatchObject({ eventId: e.eventId, status: 'rejected', reason: expect.stringContaining(UNSUPPORTED_EFFECT_REASON) });
    expect(await store.ledger(t)).toEqual([]);
  });
});
