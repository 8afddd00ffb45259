/**
 * Voids and refunds (payment.voided / payment.refunded) on both stores (docs/backend.md, "Storage"):
 * the same payments and reversals pushed by the terminal's real BackendClient to a server on SQLite
 * and one on PostgreSQL (a throwaway cluster); the account, its bills, the ledger, the exceptions
 * and the payment's e-invoice read back alike — the money path, so every figure is compared. And
 * late-fee waivers (late_fee.waived): the bill's waived fee in the account's snapshot, alike.
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import type { TerminalEvent } from '../../../main/wire/backend-wire.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, type Kind } from './both-stores.js';

const TERMINALS = { 'T-REV-01': 'reversal-secret-0123456789abcdef01234567' } as const;

const { backends, onBoth } = bothStores({ accounts: 12, terminals: { ...TERMINALS } }, 60_000);
const client = (kind: Kind): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: 'T-REV-01', secret: TERMINALS['T-REV-01'], now: () => TEST_NOW, log: () => undefined });

let counter = 0;
let seq = 0;
const uuid = (): string => `01937a2b-0000-7000-8000-${String(0x7e0000 + ++counter).padStart(12, '0')}`;
const at = TEST_NOW.toISOString();

interface Paid {
  readonly event: TerminalEvent;
  readonly payload: { paymentId: string; accountNo: string; amountFen: number; allocations: { billId: string; fen: number }[]; lateFees: { billId: string; fen: number }[]; toBalanceFen: number };
}

/** A payment whose event id is its payment id (what a reversal names). */
function payment(accountNo: string, allocations: { billId: string; fen: number }[], lateFees: { billId: string; fen: number }[] = [], toBalanceFen = 0): Paid {
  const eventId = uuid();
  const amountFen = allocations.reduce((s, a) => s + a.fen, 0) + lateFees.reduce((s, f) => s + f.fen, 0) + toBalanceFen;
  const payload = { paymentId: eventId, accountNo, method: 'cash', amountFen, allocations, lateFees, toBalanceFen, operatorId: 'C001' };
  return { event: { eventId, seq: ++seq, type: 'payment.created', occurredAt: at, payload }, payload };
}

function reversal(of: Paid['payload'], kind: 'void' | 'refund', overrides: Record<string, unknown> = {}): TerminalEvent {
  const payload = {
    reversalId: `R-${++counter}`, paymentId: of.paymentId, accountNo: of.accountNo, kind, amountFen: of.amountFen, allocations: of.allocations, lateFees: of.lateFees,
    toBalanceFen: of.toBalanceFen, method: 'cash', tenders: [{ method: 'cash', fen: of.amountFen }], reasonCode: 'wrong_account', operatorId: 'C001', approvedBy: 'S001',
    ...overrides,
  };
  return { eventId: uuid(), seq: ++seq, type: kind === 'void' ? 'payment.voided' : 'payment.refunded', occurredAt: at, payload };
}

describe('payment voids and refunds on SQLite and on PostgreSQL', () => {
  it('a payment then its void: bills, late fees, balance and invoice back as before; a second reversal, the batch again, an unknown payment, one not yet taken in its batch and a malformed one — alike on both', async () => {
    const A = '3280000001';
    const B = '3280000002';
    const closed = '3280000003';
    // Bills of A: 1000 open, 500 open, 300 paid already; B: one of 800.
    const seed = [
      { accountNo: A, balanceFen: 100, bills: [{ billId: 'BR-A0', amountFen: 1000 }, { billId: 'BR-A1', amountFen: 500 }, { billId: 'BR-A2', amountFen: 300, paidFen: 300 }] },
      { accountNo: B, balanceFen: 0, bills: [{ billId: 'BR-B0', amountFen: 800 }, { billId: 'BR-B1', amountFen: 400 }] },
      { accountNo: closed, balanceFen: 0, closed: { movedTo: null }, bills: [{ billId: 'BR-C0', amountFen: 600 }] },
    ];
    // P1: part of A0 with its late fee, all of A1, an overpaid A2, a bill not A's, something to the balance.
    const p1 = payment(A, [{ billId: 'BR-A0', fen: 600 }, { billId: 'BR-A1', fen: 500 }, { billId: 'BR-A2', fen: 40 }, { billId: 'BR-B0', fen: 50 }], [{ billId: 'BR-A0', fen: 30 }, { billId: 'BR-NOPE', fen: 7 }], 70);
    const invoice = {
      eventId: uuid(), seq: ++seq, type: 'invoice.requested', occurredAt: at,
      payload: { paymentId: p1.payload.paymentId, accountNo: A, amountFen: p1.payload.amountFen, buyerName: 'Zhang San', paidOn: '2026-11-27' },
    };
    const void1 = reversal(p1.payload, 'void');
    const refundAgain = reversal(p1.payload, 'refund');
    const never = reversal({ ...p1.payload, paymentId: 'P-NEVER-TAKEN' }, 'refund');
    // In one batch: P2 and its refund; a void of P3 before P3 itself (not taken yet), then P3.
    const p2 = payment(B, [{ billId: 'BR-B0', fen: 800 }], [], 20);
    const p3 = payment(A, [{ billId: 'BR-A0', fen: 100 }]);
    const refund2 = reversal(p2.payload, 'refund');
    const voidEarly = reversal(p3.payload, 'void');
    const malformed = reversal(p3.payload, 'void', { tenders: [{ method: 'cash', fen: 1 }] });
    // Payments to a closed account (held in suspense: nothing reached its bills or balance), voided —
    // in a later batch, and in the payment's own batch.
    const pc = payment(closed, [{ billId: 'BR-C0', fen: 60 }], [{ billId: 'BR-C0', fen: 15 }], 90);
    const pc2 = payment(closed, [{ billId: 'BR-C0', fen: 20 }], [{ billId: 'BR-C0', fen: 5 }], 10);
    const voidPc2 = reversal(pc2.payload, 'void');
    // A bill paid in full, its payment voided and the bill paid in full again in one batch: paid, as the last payment left it.
    const p4 = payment(B, [{ billId: 'BR-B1', fen: 400 }]);
    const void4 = reversal(p4.payload, 'void');
    const p5 = payment(B, [{ billId: 'BR-B1', fen: 400 }]);
    const voidClosed = reversal(pc.payload, 'void');

    const seen = await onBoth(async (kind) => {
      const { store } = backends[kind].backend;
      await store.seed(seed);
      const c = client(kind);
      const paid = (await c.pushEvents([p1.event, invoice, pc.event], 5000)).results;
      const afterPayment = { a: await store.account(A), bills: await store.bills(A) };
      const issued = await store.invoice(p1.payload.paymentId, false);
      const reversed = (await c.pushEvents([void1, refundAgain, never], 5000)).results;
      const again = (await c.pushEvents([void1, refundAgain], 5000)).results;
      const mixed = (await c.pushEvents([p2.event, refund2, voidEarly, p3.event, malformed, voidClosed], 5000)).results;
      await c.pushEvents([p4.event], 5000);
      const repaid = (await c.pushEvents([void4, p5.event], 5000)).results.map((r) => r.status);
      const suspendedVoid = (await c.pushEvents([pc2.event, voidPc2], 5000)).results.map((r) => r.status);
      const exceptions = (await store.exceptions('T-REV-01')).map((x) => [x.eventId, x.kind, x.accountNo, x.billId, x.fen, x.detail]);
      return {
        paid, reversed, again, mixed, repaid, afterPayment, exceptions,
        issued: issued?.status, cancelled: (await store.invoice(p1.payload.paymentId, false))?.status,
        a: await store.account(A), b: await store.account(B), closed: await store.account(closed),
        billsA: await store.bills(A), billsB: await store.bills(B), billsClosed: await store.bills(closed), suspendedVoid,
        ledger: (await store.ledger('T-REV-01')).map((e) => [e.eventId, e.type, e.seq]),
      };
    });
    const pg = seen.pg;
    expect(pg).toEqual(seen.sqlite);

    expect(pg.paid.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(pg.issued).toBe('issued');
    // P1 took 600 + 500 principal and the 30 fee; the rest (40 + 50 + 7 + 70) went to the balance.
    expect(pg.afterPayment.a?.balanceFen).toBe(100 + 167);
    expect(pg.reversed.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(pg.again.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(pg.mixed.map((r) => [r.status, r.reason?.split(':')[0]])).toEqual([
      ['accepted', undefined], ['accepted', undefined], ['accepted', undefined], ['accepted', undefined], ['rejected', 'malformed_payload'], ['accepted', undefined],
    ]);
    // After the void P1 is gone (A's balance back to 100), then P3 paid 100 of A0.
    expect(pg.a?.balanceFen).toBe(100);
    expect(pg.billsA.map((b) => [b.billId, b.paidFen, b.lateFeePaidFen, b.status])).toEqual([
      ['BR-A0', 100, 0, 'open'], ['BR-A1', 0, 0, 'open'], ['BR-A2', 300, 0, 'paid'],
    ]);
    // P2 paid B0 in full and 20 to the balance, then was refunded.
    expect(pg.b?.balanceFen).toBe(0);
    expect(pg.billsB.map((b) => [b.billId, b.paidFen, b.status])).toEqual([['BR-B0', 0, 'open'], ['BR-B1', 400, 'paid']]);
    expect(pg.repaid).toEqual(['accepted', 'accepted']);
    expect(pg.cancelled).toBe('cancelled');
    const kinds = pg.exceptions.map((x) => [x[0], x[1]]);
    expect(kinds).toEqual(expect.arrayContaining([
      [refundAgain.eventId, 'payment_already_reversed'], [never.eventId, 'reversal_unknown_payment'], [voidEarly.eventId, 'reversal_unknown_payment'],
    ]));
    expect(pg.ledger.map((l) => l[0])).not.toContain(malformed.eventId);
    // Voiding a payment held in suspense gives back what it took: nothing — the closed account's
    // balance and bill are as seeded.
    expect(pg.suspendedVoid).toEqual(['accepted', 'accepted']);
    expect(pg.closed?.balanceFen).toBe(0);
    expect(pg.billsClosed.map((b) => [b.billId, b.paidFen, b.lateFeePaidFen, b.status])).toEqual([['BR-C0', 0, 0, 'open']]);
  });

  it('late_fee.waived: the bill of a seeded account shows the waived fee in its snapshot, a second waiver adds to it, a bill not of the account waives nothing (waiver_unknown_bill), malformed rejected — alike on both', async () => {
    const row = backends.sqlite.backend.db
      .prepare<[], { account_no: string; bill_id: string }>("SELECT account_no, bill_id FROM bills WHERE status = 'open' ORDER BY account_no, bill_id LIMIT 1")
      .get();
    if (row === undefined) throw new Error('the demo seed has no open bill');
    const waiver = (fen: number, billId = row.bill_id, extra: Record<string, unknown> = {}): TerminalEvent => ({
      eventId: uuid(), seq: ++seq, type: 'late_fee.waived', occurredAt: at,
      payload: { waiverId: `W-${++counter}`, accountNo: row.account_no, billId, fen, feeBeforeFen: 500, reasonCode: 'hardship', asOf: '2026-11-27', operatorId: 'C001', approvedBy: 'S001', ...extra },
    });
    const first = waiver(120);
    const second = waiver(30);
    const foreign = waiver(40, 'BR-NOT-THIS-ACCOUNTS');
    const bad = waiver(0);
    const seen = await onBoth(async (kind) => {
      const c = client(kind);
      const before = await c.getAccount(row.account_no, 5000);
      const results = [...(await c.pushEvents([first, foreign, bad], 5000)).results, ...(await c.pushEvents([second, first], 5000)).results];
      const after = await c.getAccount(row.account_no, 5000);
      const exceptions = (await backends[kind].backend.store.exceptions('T-REV-01')).filter((x) => x.eventId === foreign.eventId).map((x) => [x.kind, x.fen, x.detail]);
      return { before, after, results: results.map((r) => [r.eventId, r.status, r.reason?.split(':')[0]]), exceptions };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.results.map((r) => r[1])).toEqual(['accepted', 'accepted', 'rejected', 'accepted', 'duplicate']);
    expect(seen.pg.exceptions.map((x) => x[0])).toEqual(['waiver_unknown_bill']);
    const billAfter = seen.pg.after?.bills.find((b) => b.billId === row.bill_id);
    expect(billAfter?.lateFeeWaivedFen).toBe(150);
    expect(seen.pg.after?.version).toBe((seen.pg.before?.version ?? 0) + 2);
  });
});
