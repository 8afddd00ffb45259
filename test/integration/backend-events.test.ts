import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AccountSnapshotSchema,
  EventBatchResultSchema,
  ExceptionListSchema,
  LedgerSchema,
  type AccountSnapshot,
  type EventResult,
  type PaymentCreatedPayloadSchema,
  type TerminalEvent,
} from '../../main/wire/backend-wire.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { startBackend } from '../billing-backend/server.js';
import { createSignedClient } from '../billing-backend/signed-client.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';

let t: TestBackend;
beforeEach(async () => {
  t = await startTestBackend({ accounts: 40 });
});
afterEach(async () => {
  await t.dispose();
});

let counter = 0;
function eventId(): string {
  counter += 1;
  return `01937a2b-0000-7000-8000-${String(counter).padStart(12, '0')}`;
}

function event(seq: number, type: string, payload: unknown, id = eventId()): TerminalEvent {
  return { eventId: id, seq, type, occurredAt: TEST_NOW.toISOString(), payload };
}

/** What the terminal sends (the schema's input side: defaulted fields may be omitted). */
type PaymentWire = z.input<typeof PaymentCreatedPayloadSchema>;

function payment(accountNo: string, allocations: { billId: string; fen: number }[], toBalanceFen = 0): PaymentWire {
  const amountFen = allocations.reduce((s, a) => s + a.fen, 0) + toBalanceFen;
  return { paymentId: `P-${accountNo}-${counter}`, accountNo, method: 'cash', amountFen, allocations, toBalanceFen, operatorId: 'C001' };
}

async function push(events: unknown[], terminalId: string = DEMO_TERMINAL.id): Promise<EventResult[]> {
  const res = await t.client.post('/api/events', { terminalId, events });
  expect(res.status).toBe(200);
  return EventBatchResultSchema.parse(res.json).results;
}

async function account(no: string): Promise<AccountSnapshot> {
  return AccountSnapshotSchema.parse((await t.client.get(`/api/accounts/${no}`)).json);
}

async function ledger(): Promise<unknown[]> {
  return LedgerSchema.parse((await t.client.get(`/api/ledger?terminalId=${DEMO_TERMINAL.id}`)).json).items;
}

async function exceptions() {
  return ExceptionListSchema.parse((await t.client.get('/api/exceptions')).json).items;
}

function openBills(a: AccountSnapshot) {
  return a.bills.filter((b) => b.status === 'open');
}

describe('reference backend: payment intake', () => {
  it('applies allocations to bills and the rest to the balance, bumping the version', async () => {
    const before = await account('3100000001');
    const [overdue, current] = openBills(before);
    if (overdue === undefined || current === undefined) throw new Error('demo account needs two open bills');
    const results = await push([
      event(1, 'payment.created', payment('3100000001', [
        { billId: overdue.billId, fen: overdue.amountFen },
        { billId: current.billId, fen: 1000 },
      ], 500)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['accepted']);
    const after = await account('3100000001');
    expect(after.version).toBe(before.version + 1);
    expect(after.balanceFen).toBe(before.balanceFen + 500);
    const paid = after.bills.find((b) => b.billId === overdue.billId);
    expect(paid).toMatchObject({ status: 'paid', paidFen: overdue.amountFen });
    expect(after.bills.find((b) => b.billId === current.billId)).toMatchObject({ status: 'open', paidFen: 1000 });
    expect(await exceptions()).toEqual([]);
  });

  it('moves the account to the end of the change feed with its new version', async () => {
    const all = await t.client.get('/api/changes?limit=500');
    const { nextCursor } = all.json as { nextCursor: string };
    const a = await account('3100000005');
    const bill = openBills(a)[0];
    if (bill === undefined) throw new Error('3100000005 needs an open bill');
    await push([event(1, 'payment.created', payment('3100000005', [{ billId: bill.billId, fen: 100 }]))]);
    const page = (await t.client.get(`/api/changes?cursor=${nextCursor}`)).json as { items: AccountSnapshot[]; done: boolean };
    expect(page.items.map((x) => [x.accountNo, x.version])).toEqual([['3100000005', a.version + 1]]);
    expect(page.done).toBe(true);
  });

  it('is idempotent: a replayed batch answers duplicate and changes nothing', async () => {
    const a = await account('3100000001');
    const bill = openBills(a)[1];
    if (bill === undefined) throw new Error('demo account needs two open bills');
    const batch = [
      event(1, 'payment.created', payment('3100000001', [{ billId: bill.billId, fen: 300 }])),
      event(2, 'shift.opened', { shiftId: 'SH-1', operatorId: 'C001', floatFen: 50000 }),
      event(3, 'payment.created', payment('3100000002', [], 2000)),
    ];
    expect((await push(batch)).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const ledgerAfterFirst = await ledger();
    const accountsAfterFirst = [await account('3100000001'), await account('3100000002')];
    const replay = await push(batch);
    expect(replay).toEqual(batch.map((e) => ({ eventId: e.eventId, status: 'duplicate' })));
    expect(await ledger()).toEqual(ledgerAfterFirst);
    expect([await account('3100000001'), await account('3100000002')]).toEqual(accountsAfterFirst);
    expect(ledgerAfterFirst).toHaveLength(3);
  });

  it('treats the same event twice inside one batch as a duplicate with no second effect', async () => {
    const before = await account('3100000002');
    const e = event(1, 'payment.created', payment('3100000002', [], 1500));
    const results = await push([e, e]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    expect((await account('3100000002')).balanceFen).toBe(before.balanceFen + 1500);
  });

  it('applies an event once when concurrent batches carry it', async () => {
    const before = await account('3100000003');
    const shared = event(1, 'payment.created', payment('3100000003', [], 700));
    const batches = Array.from({ length: 6 }, (_, i) => [shared, event(10 + i, 'note.added', { i })]);
    const all = await Promise.all(batches.map((b) => push(b)));
    const sharedStatuses = all.map((r) => r[0]?.status);
    expect(sharedStatuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(sharedStatuses.filter((s) => s === 'duplicate')).toHaveLength(5);
    expect((await account('3100000003')).balanceFen).toBe(before.balanceFen + 700);
    expect(await ledger()).toHaveLength(7);
  });

  it('applies an event once when two servers share one database file', async () => {
    const twin = await startBackend({ dbPath: t.dbPath, accounts: 40, now: () => TEST_NOW });
    try {
      expect(twin.seedState).toBe('reused');
      const twinClient = createSignedClient({ baseUrl: twin.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => TEST_NOW });
      const before = await account('3100000004');
      const shared = event(1, 'payment.created', payment('3100000004', [], 900));
      const body = { terminalId: DEMO_TERMINAL.id, events: [shared] };
      const [a, b] = await Promise.all([t.client.post('/api/events', body), twinClient.post('/api/events', body)]);
      const statuses = [a, b].map((r) => EventBatchResultSchema.parse(r.json).results[0]?.status).sort();
      expect(statuses).toEqual(['accepted', 'duplicate']);
      expect((await account('3100000004')).balanceFen).toBe(before.balanceFen + 900);
      expect(AccountSnapshotSchema.parse((await twinClient.get('/api/accounts/3100000004')).json).balanceFen).toBe(before.balanceFen + 900);
    } finally {
      await twin.close();
    }
  });

  it('accepts a payment for an already paid bill, puts the money on the balance and records an exception', async () => {
    const a = await account('3100000001');
    const bill = openBills(a)[0];
    if (bill === undefined) throw new Error('demo account needs an open bill');
    // Paid at another terminal first, then this terminal's offline payment for the same bill arrives.
    await push([event(1, 'payment.created', payment('3100000001', [{ billId: bill.billId, fen: bill.amountFen }]))]);
    const other = createSignedClient({ baseUrl: t.backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: () => TEST_NOW });
    const late = event(2, 'payment.created', payment('3100000001', [{ billId: bill.billId, fen: bill.amountFen }]));
    const res = await other.post('/api/events', { terminalId: DEMO_TERMINAL.id, events: [late] });
    expect(EventBatchResultSchema.parse(res.json).results).toEqual([{ eventId: late.eventId, status: 'accepted' }]);
    const after = await account('3100000001');
    expect(after.bills.find((b) => b.billId === bill.billId)).toMatchObject({ status: 'paid', paidFen: bill.amountFen });
    expect(after.balanceFen).toBe(a.balanceFen + bill.amountFen);
    expect(await exceptions()).toEqual([
      expect.objectContaining({ eventId: late.eventId, kind: 'bill_already_paid', accountNo: '3100000001', billId: bill.billId, fen: bill.amountFen }),
    ]);
  });

  it('splits an over-allocation: the rest of the bill is paid, the excess goes to balance as an exception', async () => {
    const a = await account('3100000001');
    const bill = openBills(a)[1];
    if (bill === undefined) throw new Error('demo account needs two open bills');
    const e = event(1, 'payment.created', payment('3100000001', [{ billId: bill.billId, fen: bill.amountFen + 250 }]));
    expect((await push([e]))[0]?.status).toBe('accepted');
    const after = await account('3100000001');
    expect(after.bills.find((b) => b.billId === bill.billId)).toMatchObject({ status: 'paid', paidFen: bill.amountFen });
    expect(after.balanceFen).toBe(a.balanceFen + 250);
    expect(await exceptions()).toEqual([expect.objectContaining({ kind: 'bill_overpaid', fen: 250, billId: bill.billId })]);
  });

  it('records unknown bills and unknown accounts as exceptions without rejecting the money', async () => {
    const other = await account('3100000005');
    const foreignBill = openBills(other)[0];
    if (foreignBill === undefined) throw new Error('3100000005 needs an open bill');
    const before = await account('3100000001');
    const results = await push([
      event(1, 'payment.created', payment('3100000001', [{ billId: foreignBill.billId, fen: 900 }])),
      event(2, 'payment.created', payment('3199999999', [], 1200)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect((await account('3100000001')).balanceFen).toBe(before.balanceFen + 900);
    expect((await account('3100000005')).bills.find((b) => b.billId === foreignBill.billId)?.paidFen).toBe(foreignBill.paidFen);
    expect((await exceptions()).map((x) => [x.kind, x.fen])).toEqual([
      ['unknown_bill', 900],
      ['unknown_account', 1200],
    ]);
  });
});

describe('reference backend: rejection and unknown types', () => {
  it('stores unknown event types without effect', async () => {
    // A newer terminal's event this backend does not know yet: kept in the ledger, no effect, not refused.
    const e = event(1, 'hall.queue_ticket_issued', { ticket: 'A017', operatorId: 'C001' });
    expect(await push([e])).toEqual([{ eventId: e.eventId, status: 'accepted' }]);
    expect(await ledger()).toEqual([
      expect.objectContaining({ eventId: e.eventId, type: 'hall.queue_ticket_issued', seq: 1, payload: { ticket: 'A017', operatorId: 'C001' } }),
    ]);
  });

  it('rejects malformed events and payloads with a reason and keeps the rest of the batch', async () => {
    const good = event(3, 'payment.created', payment('3100000002', [], 100));
    const badPayload = event(2, 'payment.created', { ...payment('3100000002', [], 100), amountFen: 99 });
    const results = await push([
      { eventId: 'x', seq: 1, type: 'payment.created', occurredAt: TEST_NOW.toISOString(), payload: {} },
      42,
      badPayload,
      good,
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'accepted']);
    expect(results[0]).toMatchObject({ eventId: 'x', reason: expect.stringMatching(/^malformed: eventId/) });
    expect(results[1]).toMatchObject({ eventId: '' });
    expect(results[2]?.reason).toMatch(/^malformed_payload: .*amountFen/);
    expect((await ledger()).map((l) => (l as { eventId: string }).eventId)).toEqual([good.eventId]);
  });

  it('rejects knob-listed events, leaves no trace, and accepts them once the knob is cleared', async () => {
    const before = await account('3100000002');
    const e = event(1, 'payment.created', payment('3100000002', [], 800));
    t.backend.setKnobs({ failEventIds: [e.eventId] });
    expect(await push([e])).toEqual([{ eventId: e.eventId, status: 'rejected', reason: 'knob' }]);
    expect(await ledger()).toEqual([]);
    expect((await account('3100000002')).balanceFen).toBe(before.balanceFen);
    t.backend.setKnobs({ failEventIds: [] });
    expect(await push([e])).toEqual([{ eventId: e.eventId, status: 'accepted' }]);
    expect((await account('3100000002')).balanceFen).toBe(before.balanceFen + 800);
  });

  it('records a reused sequence number as an exception but keeps the event', async () => {
    const a = event(5, 'note.added', { n: 1 });
    const b = event(5, 'note.added', { n: 2 });
    expect((await push([a, b])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await exceptions()).toEqual([expect.objectContaining({ eventId: b.eventId, kind: 'seq_reused', fen: 0 })]);
  });

  it('keeps ledgers per terminal', async () => {
    await t.dispose();
    t = await startTestBackend({ accounts: 10, terminals: { [DEMO_TERMINAL.id]: DEMO_TERMINAL.secret, 'T-KIOSK-01': 'kiosk-secret' } });
    const kiosk = createSignedClient({ baseUrl: t.backend.url, terminalId: 'T-KIOSK-01', secret: 'kiosk-secret', now: () => TEST_NOW });
    const k = event(1, 'note.added', {});
    expect((await kiosk.post('/api/events', { terminalId: 'T-KIOSK-01', events: [k] })).status).toBe(200);
    await push([event(1, 'note.added', {})]);
    expect(await ledger()).toHaveLength(1);
    const all = LedgerSchema.parse((await t.client.get('/api/ledger')).json).items;
    expect(all.map((l) => l.terminalId).sort()).toEqual(['T-HALL-01', 'T-KIOSK-01']);
    expect(await exceptions()).toEqual([]);
  });
});
