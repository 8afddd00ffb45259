/**
 * A terminal's own records read back from the backend, on both stores (docs/backend.md, "Storage"):
 * its ledger for a period (the shift reconciliation's), its exceptions feed with the facts their
 * text needs and the supervisors' resolutions of them (exception.resolved events), and the check of a provisional receipt's verify code (from any terminal, also for one
 * enrolled with a code). The same events pushed by the terminal's
 * real BackendClient to a server on SQLite and one on PostgreSQL (a throwaway cluster), the same
 * answers read back.
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import type { TerminalEvent } from '../../../main/wire/backend-wire.js';
import { TERMINAL_LEDGER_PATH } from '../../../main/wire/shift-wire.js';
import { RECEIPT_VERIFY_PATH, TERMINAL_EXCEPTIONS_PATH, type ReceiptVerifyRequest, type TerminalException } from '../../../main/wire/exceptions-wire.js';
import { ENROLMENT_CODES_PATH, IssuedCodeSchema } from '../../../main/wire/enrolment-wire.js';
import { enrolTerminal } from '../../../main/provisioning/enrol-client.js';
import { HttpExceptionFeed, HttpReceiptVerifier } from '../../../main/sync/exception-feed.js';
import { receiptVerifyCode } from '../../../main/sync/receipt-verify.js';
import { createSignedClient, type SignedClient } from '../signed-client.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, KINDS, type Kind } from './both-stores.js';

const TERMINALS = {
  'T-REC-01': 'records-secret-0123456789abcdef01234567',
  'T-REC-02': 'records-secret-0123456789abcdef76543210',
} as const;
type TerminalId = keyof typeof TERMINALS;
const ADMIN = 'records-admin-token-0123456789';

const { backends, onBoth } = bothStores({ accounts: 12, terminals: { ...TERMINALS }, adminToken: ADMIN }, 60_000);
const client = (kind: Kind, id: TerminalId = 'T-REC-01'): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW, log: () => undefined });
const signed = (kind: Kind, id: TerminalId = 'T-REC-01'): SignedClient => createSignedClient({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW });
/** The same call on both stores. */
const verifier = (kind: Kind, id: TerminalId = 'T-REC-02'): HttpReceiptVerifier =>
  new HttpReceiptVerifier({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW });
const feed = (kind: Kind, id: TerminalId = 'T-REC-01'): HttpExceptionFeed =>
  new HttpExceptionFeed({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW });

let counter = 0;
function event(seq: number, occurredAt: string, type = 'drawer.counted', payload: unknown = { fen: seq * 100 }): TerminalEvent {
  counter++;
  return { eventId: `01937a2b-0000-7000-8000-${String(0xe0000 + counter).padStart(12, '0')}`, seq, type, occurredAt, payload };
}

describe("a terminal's own records on SQLite and on PostgreSQL", () => {
  it('the ledger for a period: its accepted events with occurredAt in [from, to), in arrival order, alike on both', async () => {
    const before = event(1, '2026-11-26T23:59:59.999Z');
    const atFrom = event(2, '2026-11-27T00:00:00.000Z');
    const late = event(3, '2026-11-27T07:59:59.999Z');
    // Arrives after `late` but happened before it: arrival order, not occurredAt order.
    const earlier = event(4, '2026-11-27T03:00:00.000Z');
    const atTo = event(5, '2026-11-27T08:00:00.000Z');
    const rejected = event(6, '2026-11-27T04:00:00.000Z', 'payment.created', { accountNo: 'not a payment' });
    const paid = event(7, '2026-11-27T05:00:00.000Z', 'payment.created', {
      paymentId: 'P-REC-1', accountNo: '3999999999', method: 'cash', amountFen: 1200, allocations: [], toBalanceFen: 1200, operatorId: 'C001',
    });
    const other = event(1, '2026-11-27T04:30:00.000Z');
    const mine = [before, atFrom, late, earlier, atTo, rejected, paid];
    const pushed = await onBoth(async (kind) => {
      const results = (await client(kind).pushEvents(mine, 5000)).results;
      await client(kind, 'T-REC-02').pushEvents([other], 5000);
      return results;
    });
    expect(pushed.pg).toEqual(pushed.sqlite);
    expect(pushed.pg.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected', 'accepted']);

    const ledger = await onBoth((kind) => client(kind).terminalLedger('2026-11-27T00:00:00.000Z', '2026-11-27T08:00:00.000Z', 5000));
    expect(ledger.pg).toEqual(ledger.sqlite);
    expect(ledger.pg.items.map((e) => e.eventId)).toEqual([atFrom, late, earlier, paid].map((e) => e.eventId));
    expect(ledger.pg.items[3]).toEqual({
      eventId: paid.eventId, terminalId: 'T-REC-01', seq: 7, type: 'payment.created', occurredAt: paid.occurredAt, payload: paid.payload, receivedAt: TEST_NOW.toISOString(),
    });

    const others = await onBoth((kind) => client(kind, 'T-REC-02').terminalLedger('2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z', 5000));
    expect(others.pg).toEqual(others.sqlite);
    expect(others.pg.items.map((e) => e.eventId)).toEqual([other.eventId]);
    expect(await onBoth((kind) => client(kind).terminalLedger('2026-11-27T05:00:00.000Z', '2026-11-27T05:00:00.000Z', 5000))).toEqual({ sqlite: { items: [] }, pg: { items: [] } });
  });

  it('a bad period is refused 400 bad_range on both', async () => {
    for (const q of ['?from=2026-11-28T00:00:00.000Z&to=2026-11-27T00:00:00.000Z', '?from=yesterday&to=2026-11-27T00:00:00.000Z', '?from=2026-11-27T00:00:00.000Z', '']) {
      const answers = await onBoth((kind) => signed(kind).get(`${TERMINAL_LEDGER_PATH}${q}`));
      for (const kind of KINDS) expect([answers[kind].status, answers[kind].json], `${kind} ${q}`).toEqual([400, { error: 'bad_range' }]);
    }
  });

  it("a receipt's verify code: valid against the issuing terminal's key, synced once its payment arrived with that amount, alike on both", async () => {
    const paymentId = '01937a2b-0000-7000-8000-0000000e1001';
    const unsynced = '01937a2b-0000-7000-8000-0000000e1002';
    const pay = {
      eventId: paymentId, seq: 20, type: 'payment.created', occurredAt: TEST_NOW.toISOString(),
      payload: { paymentId, accountNo: '3999999999', method: 'cash', amountFen: 4500, allocations: [], toBalanceFen: 4500, operatorId: 'C001' },
    };
    await onBoth((kind) => client(kind).pushEvents([pay], 5000));
    const secret = TERMINALS['T-REC-01'];
    const receipt = (id: string, amountFen: number, code = receiptVerifyCode(secret, 'T-REC-01', id, amountFen)): ReceiptVerifyRequest => ({ terminalId: 'T-REC-01', paymentId: id, amountFen, code });
    const cases: [string, ReceiptVerifyRequest, { valid: boolean; synced: boolean }][] = [
      ['arrived', receipt(paymentId, 4500), { valid: true, synced: true }],
      ['not arrived yet', receipt(unsynced, 800), { valid: true, synced: false }],
      ['arrived with another amount', receipt(paymentId, 4400), { valid: true, synced: false }],
      ['a wrong code', receipt(paymentId, 4500, receiptVerifyCode(secret, 'T-REC-01', paymentId, 4501)), { valid: false, synced: false }],
      ['another terminal named', { ...receipt(paymentId, 4500), terminalId: 'T-REC-02' }, { valid: false, synced: false }],
      ['an unknown terminal', { ...receipt(paymentId, 4500), terminalId: 'T-NOBODY' }, { valid: false, synced: false }],
    ];
    for (const [what, req, expected] of cases) {
      // Checked from another terminal: the customer may bring the receipt to another hall.
      const answers = await onBoth((kind) => verifier(kind).verify(req, 5000));
      expect(answers, what).toEqual({ sqlite: expected, pg: expected });
    }
    const malformed = await onBoth((kind) => signed(kind).post(RECEIPT_VERIFY_PATH, { terminalId: 'T-REC-01', paymentId: 'not-a-uuid', amountFen: 1, code: 'x' }));
    for (const kind of KINDS) expect([malformed[kind].status, (malformed[kind].json as { error?: string }).error], kind).toEqual([400, 'bad_request']);
  });

  it('a receipt of a terminal enrolled with a code is checked with the secret the store holds for it, on both', async () => {
    const answers = await onBoth(async (kind) => {
      const url = backends[kind].backend.url;
      const issued = await fetch(new URL(ENROLMENT_CODES_PATH, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ siteId: 'HALL01', mode: 'counter', ttlMinutes: 60, issuedBy: 'tech-wang' }),
      });
      const enrolled = await enrolTerminal({ backendUrl: url, code: IssuedCodeSchema.parse(await issued.json()).code, hostname: 'pc-rec' });
      const paymentId = '01937a2b-0000-7000-8000-0000000e2001';
      const own = new BackendClient({ baseUrl: url, terminalId: enrolled.terminalId, secret: enrolled.secret, now: () => TEST_NOW, log: () => undefined });
      await own.pushEvents([{
        eventId: paymentId, seq: 1, type: 'payment.created', occurredAt: TEST_NOW.toISOString(),
        payload: { paymentId, accountNo: '3999999999', method: 'cash', amountFen: 700, allocations: [], toBalanceFen: 700, operatorId: 'C001' },
      }], 5000);
      const good = { terminalId: enrolled.terminalId, paymentId, amountFen: 700, code: receiptVerifyCode(enrolled.secret, enrolled.terminalId, paymentId, 700) };
      const forged = { ...good, code: receiptVerifyCode('another-secret-0123456789abcdef', enrolled.terminalId, paymentId, 700) };
      return { good: await verifier(kind).verify(good, 5000), forged: await verifier(kind).verify(forged, 5000) };
    });
    expect(answers.pg).toEqual({ good: { valid: true, synced: true }, forged: { valid: false, synced: false } });
    expect(answers.sqlite).toEqual(answers.pg);
  });

  it('the exceptions feed: the terminal\'s own exceptions after a cursor, with their facts, alike on both', async () => {
    const [open, closed, moved] = ['3300000001', '3300000002', '3300000003'];
    for (const kind of KINDS) {
      await backends[kind].backend.store.seed([
        { accountNo: open, tariffCode: 'R1', bills: [{ billId: 'B-REC-1', amountFen: 3000, period: '2026-09' }] },
        { accountNo: closed, closed: { movedTo: null } },
        { accountNo: moved, closed: { movedTo: open } },
      ]);
    }
    const cursor = await onBoth(async (kind) => {
      const seen = await feed(kind).page(0, 5000);
      return seen.items.at(-1)?.id ?? 0;
    });
    expect(cursor.pg).toBe(cursor.sqlite);
    const pay = (seq: number, accountNo: string, allocations: { billId: string; fen: number }[], toBalanceFen: number): TerminalEvent =>
      event(seq, TEST_NOW.toISOString(), 'payment.created', {
        paymentId: `P-REC-X${seq}`, accountNo, method: 'cash', amountFen: allocations.reduce((a, x) => a + x.fen, 0) + toBalanceFen, allocations, toBalanceFen, operatorId: 'C001',
      });
    const overpaid = pay(30, open, [{ billId: 'B-REC-1', fen: 3500 }], 0);
    const toClosed = pay(31, closed, [], 900);
    const toMoved = pay(32, moved, [], 800);
    const vend = event(33, TEST_NOW.toISOString(), 'vend.created', { vendId: 'V-REC-1', accountNo: open, amountFen: 5000, split: { tariffId: 'R2' } });
    const notMine = pay(2, closed, [], 100);
    await onBoth(async (kind) => {
      expect((await client(kind).pushEvents([overpaid, toClosed, toMoved, vend], 5000)).results.map((r) => r.status), kind).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      await client(kind, 'T-REC-02').pushEvents([notMine], 5000);
    });

    const page = await onBoth((kind) => feed(kind).page(cursor.pg, 5000));
    expect(page.pg).toEqual(page.sqlite);
    const strip = ({ id: _id, createdAt: _at, detail: _detail, ...rest }: TerminalException): Omit<TerminalException, 'id' | 'createdAt' | 'detail'> => rest;
    expect(page.pg.items.map(strip)).toEqual([
      { eventId: overpaid.eventId, eventType: 'payment.created', kind: 'bill_overpaid', accountNo: open, billId: 'B-REC-1', fen: 500, facts: { period: '2026-09' } },
      { eventId: toClosed.eventId, eventType: 'payment.created', kind: 'account_closed', accountNo: closed, fen: 900, facts: {} },
      { eventId: toMoved.eventId, eventType: 'payment.created', kind: 'account_moved', accountNo: moved, fen: 800, facts: { movedTo: open } },
      { eventId: vend.eventId, eventType: 'vend.created', kind: 'tariff_changed', accountNo: open, fen: 5000, facts: { tariffFrom: 'R2', tariffTo: 'R1' } },
    ]);
    const ids = page.pg.items.map((x) => x.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // After the second one's id: the rest; after the last: nothing; another terminal sees only its own.
    const rest = await onBoth((kind) => feed(kind).page(ids[1] as number, 5000));
    expect(rest.pg).toEqual(rest.sqlite);
    expect(rest.pg.items.map((x) => x.eventId)).toEqual([toMoved.eventId, vend.eventId]);
    expect(await onBoth((kind) => feed(kind).page(ids[3] as number, 5000))).toEqual({ sqlite: { items: [] }, pg: { items: [] } });
    const others = await onBoth((kind) => feed(kind, 'T-REC-02').page(0, 5000));
    expect(others.pg).toEqual(others.sqlite);
    expect(others.pg.items.map((x) => [x.eventId, x.kind])).toEqual([[notMine.eventId, 'account_closed']]);

    for (const q of ['?after=-1', '?after=abc', '?after=1234567890123456']) {
      const answers = await onBoth((kind) => signed(kind).get(`${TERMINAL_EXCEPTIONS_PATH}${q}`));
      for (const kind of KINDS) expect([answers[kind].status, answers[kind].json], `${kind} ${q}`).toEqual([400, { error: 'bad_cursor' }]);
    }
  });

  it("resolutions: of the terminal's own exceptions and of rejected events kept, the first of two kept, another's or a malformed one rejected, alike on both", async () => {
    const ids = await onBoth(async (kind) => (await feed(kind).page(0, 5000)).items.map((x) => x.id));
    expect(ids.pg).toEqual(ids.sqlite);
    const othersId = await onBoth(async (kind) => (await feed(kind, 'T-REC-02').page(0, 5000)).items[0]?.id);
    expect(othersId.pg).toBe(othersId.sqlite);
    const [first, second] = ids.pg.slice(-2) as [number, number];
    let n = 0;
    const resolved = (backendId: number | null, resolution: string, extra: Record<string, unknown> = {}): TerminalEvent =>
      event(40 + n, TEST_NOW.toISOString(), 'exception.resolved', {
        resolutionId: `R-REC-${++n}`, backendId, eventId: `E-REC-${n}`, kind: 'x', resolution, note: `note ${n}`, resolvedBy: 'S001', ...extra,
      });
    const batch = [
      resolved(first, 'accepted'),
      resolved(second, 'customer_contacted'),
      resolved(second, 'corrected_at_backend'), // a second resolution of one exception: accepted, not kept
      resolved(null, 'resend'),
      resolved(othersId.pg as number, 'accepted'),
      resolved(999_999, 'accepted'),
      resolved(first, 'no_such_outcome'),
    ];
    const results = await onBoth(async (kind) => [(await client(kind).pushEvents(batch, 5000)).results, (await client(kind).pushEvents(batch, 5000)).results]);
    expect(results.pg).toEqual(results.sqlite);
    const [once = [], again = []] = results.pg;
    expect(once.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'rejected', 'rejected', 'rejected']);
    expect(once[4]?.reason).toBe(`unknown_exception: ${othersId.pg} is not an exception of T-REC-01`);
    expect(once[6]?.reason).toMatch(/^malformed_payload: resolution: /);
    // Pushed again: the accepted ones are duplicates, the rejected ones (never stored) rejected again.
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'rejected', 'rejected', 'rejected']);

    const kept = await onBoth((kind) => backends[kind].backend.store.resolutions());
    expect(kept.pg).toEqual(kept.sqlite);
    const at = TEST_NOW.toISOString();
    expect(kept.pg).toEqual([
      { resolutionId: 'R-REC-1', terminalId: 'T-REC-01', exceptionId: first, eventId: batch[0]?.eventId, resolution: 'accepted', note: 'note 1', resolvedBy: 'S001', createdAt: at },
      { resolutionId: 'R-REC-2', terminalId: 'T-REC-01', exceptionId: second, eventId: batch[1]?.eventId, resolution: 'customer_contacted', note: 'note 2', resolvedBy: 'S001', createdAt: at },
      { resolutionId: 'R-REC-4', terminalId: 'T-REC-01', exceptionId: null, eventId: 'E-REC-4', resolution: 'resend', note: 'note 4', resolvedBy: 'S001', createdAt: at },
    ]);
  });
});
