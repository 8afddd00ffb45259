/**
 * Intake effects beyond money on both stores (docs/backend.md, "Storage"): the same events pushed by
 * the terminal's real BackendClient to a server on SQLite and one on PostgreSQL (a throwaway
 * cluster), what they leave read back alike — an auditor's acknowledgement of a journal break (an
 * alarm naming the anchor as it stood when the push came), the collection desk's notices, contacts
 * and worklist assignments, offline STS tokens' TIDs (vend.token_issued), key change pairs
 * (token.management_issued: the meter's STS parameters in the account's snapshot).
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import type { TerminalEvent } from '../../../main/wire/backend-wire.js';
import { PgBackendStore } from '../store/pg-store.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, type Kind } from './both-stores.js';

const TERMINALS = { 'T-EFF-01': 'effects-secret-0123456789abcdef01234567', 'T-EFF-02': 'effects-secret-0123456789abcdef76543210' } as const;
type TerminalId = keyof typeof TERMINALS;

const { backends, onBoth } = bothStores({ accounts: 12, terminals: { ...TERMINALS } }, 60_000);
const client = (kind: Kind, id: TerminalId = 'T-EFF-01'): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW, log: () => undefined });

let counter = 0;
const event = (seq: number, type: string, payload: unknown): TerminalEvent => ({
  eventId: `01937a2b-0000-7000-8000-${String(0xef0000 + ++counter).padStart(12, '0')}`, seq, type, occurredAt: TEST_NOW.toISOString(), payload,
});
const hash = (c: string): string => c.repeat(64);

describe('intake effects on SQLite and on PostgreSQL', () => {
  it('audit.break_acknowledged: stored and an alarm naming the anchor before the push (one per event; the batch again none more), another terminal without an anchor — alike on both', async () => {
    const ack = event(1, 'audit.break_acknowledged', { problem: 'hash_mismatch', seq: 4, storedHash: hash('a'), acknowledgedBy: 'S001', note: '断链已核对' });
    const ack2 = event(2, 'audit.break_acknowledged', { problem: 'gap', seq: 9 });
    const other = event(1, 'audit.break_acknowledged', { problem: 'gap', seq: 1 });
    const seen = await onBoth(async (kind) => {
      const c = client(kind);
      await c.anchorJournal({ head: { seq: 5, hash: hash('b') }, at: null }, 5000);
      // The head moves on with the push that carries the acknowledgements: the alarm names the one before.
      const first = (await c.pushEvents([ack, ack2], 5000, { head: { seq: 7, hash: hash('c') }, at: { seq: 5, hash: hash('b') } })).results;
      const again = (await c.pushEvents([ack], 5000)).results;
      const elsewhere = (await client(kind, 'T-EFF-02').pushEvents([other], 5000)).results;
      const { backend } = backends[kind];
      const alarms = (backend.store instanceof PgBackendStore ? await backend.store.journalAlarms() : backend.journal.alarms()).map((a) => [a.terminalId, a.reason, a.anchorSeq, a.headSeq, a.detail, a.createdAt]);
      const ledger = (await backends[kind].backend.store.ledger()).map((e) => [e.eventId, e.type]);
      return { first, again, elsewhere, alarms, ledger, anchor: await c.journalAnchor(5000) };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.first.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(seen.pg.again.map((r) => r.status)).toEqual(['duplicate']);
    expect(seen.pg.alarms.map((a) => [a[0], a[1], a[2]])).toEqual([
      ['T-EFF-01', 'acknowledged_break', 5], ['T-EFF-01', 'acknowledged_break', 5], ['T-EFF-02', 'acknowledged_break', null],
    ]);
    expect(seen.pg.alarms[0]?.[4]).toBe(JSON.stringify(ack.payload));
    expect(seen.pg.anchor).toEqual({ anchor: { seq: 7, hash: hash('c') } });
  });

  it("the collection desk's events: notices and contacts kept once per id, worklist assignments in the ledger only, malformed and inconsistent ones rejected with SQLite's words — alike on both", async () => {
    const notice = (noticeId: string, kind: 'reminder' | 'disconnection', earliestDisconnectOn: string | null): unknown => ({
      noticeId, noticeNo: `N-${noticeId}`, accountNo: '3999999999', kind, customerClass: 'residential', servedOn: '2026-11-27', earliestDisconnectOn,
      overdueFen: 12000, lateFeeFen: 300, billIds: ['B1'], operatorId: 'C001',
    });
    const contact = (contactId: string, outcome: string, promiseOn: string | null, promiseFen: number | null): unknown => ({
      contactId, accountNo: '3999999999', channel: 'call', outcome, note: '已联系', smsText: null, promiseOn, promiseFen, operatorId: 'C001',
    });
    const batch = [
      event(10, 'notice.issued', notice('nt-b', 'disconnection', '2026-12-04')),
      event(11, 'notice.issued', notice('nt-a', 'reminder', null)),
      event(12, 'notice.issued', notice('nt-a', 'reminder', null)),
      event(13, 'notice.issued', notice('nt-x', 'reminder', '2026-12-04')),
      event(14, 'notice.issued', { noticeId: 'nt-m' }),
      event(15, 'contact.logged', contact('ct-1', 'promised', '2026-11-30', 5000)),
      event(16, 'contact.logged', contact('ct-2', 'no_answer', null, null)),
      event(17, 'contact.logged', contact('ct-3', 'promised', null, null)),
      event(18, 'contact.logged', 'not a contact'),
      event(19, 'worklist.assigned', { accountNos: ['3999999999'], assigneeId: 'C002', assignedBy: 'S001' }),
      event(20, 'worklist.assigned', { accountNos: [] }),
    ];
    const seen = await onBoth(async (kind) => {
      const c = client(kind, 'T-EFF-02');
      const results = (await c.pushEvents(batch, 5000)).results.map((r) => [r.status, r.reason]);
      const again = (await c.pushEvents(batch.slice(0, 2), 5000)).results.map((r) => r.status);
      const { store } = backends[kind].backend;
      return { results, again, notices: await store.collectionNotices(), contacts: await store.collectionContacts(), ledger: (await store.ledger('T-EFF-02')).map((e) => e.seq) };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.results.map((r) => r[0])).toEqual(['accepted', 'accepted', 'accepted', 'rejected', 'rejected', 'accepted', 'accepted', 'rejected', 'rejected', 'accepted', 'rejected']);
    expect(seen.pg.results[3]?.[1]).toBe('malformed_payload: earliestDisconnectOn');
    expect(seen.pg.notices.map((n) => [n.noticeId, n.kind, n.earliestDisconnectOn, n.overdueFen, n.terminalId])).toEqual([
      ['nt-a', 'reminder', null, 12000, 'T-EFF-02'], ['nt-b', 'disconnection', '2026-12-04', 12000, 'T-EFF-02'],
    ]);
    expect(seen.pg.contacts.map((x) => [x.contactId, x.outcome, x.promiseOn, x.promiseFen])).toEqual([['ct-1', 'promised', '2026-11-30', 5000], ['ct-2', 'no_answer', null, null]]);
    expect(seen.pg.again).toEqual(['duplicate', 'duplicate']);
  });

  it("vend.token_issued offline: the (meter, TID) recorded, another vend's token with it tid_reused (another terminal's too), the same vend again nothing, online and card tokens no effect, malformed rejected — alike on both", async () => {
    const token = (vendId: string, tid: number, extra: Record<string, unknown> = {}): unknown => ({
      vendId, accountNo: '3999999999', meterNo: '01234567890123', meterKind: 'sts', tid, amountTenths: 500, offline: true, ...extra,
    });
    const mine = [
      event(30, 'vend.token_issued', token('V-OFF-1', 700001)),
      event(31, 'vend.token_issued', token('V-OFF-2', 700001)),
      event(32, 'vend.token_issued', token('V-OFF-1', 700001)),
      event(33, 'vend.token_issued', token('V-OFF-1', 700002)),
      event(34, 'vend.token_issued', token('V-ON-1', 700001, { offline: false })),
      event(35, 'vend.token_issued', token('V-CARD-1', 700001, { meterKind: 'card' })),
      event(36, 'vend.token_issued', { vendId: 'V-BAD', meterNo: 'x', offline: true }),
    ];
    const theirs = [event(40, 'vend.token_issued', token('V-OFF-3', 700001)), event(41, 'vend.token_issued', token('V-OFF-4', 700003))];
    const seen = await onBoth(async (kind) => {
      const results = (await client(kind).pushEvents(mine, 5000)).results.map((r) => [r.status, r.reason]);
      const again = (await client(kind).pushEvents(mine.slice(0, 2), 5000)).results.map((r) => r.status);
      const other = (await client(kind, 'T-EFF-02').pushEvents(theirs, 5000)).results.map((r) => r.status);
      const { store } = backends[kind].backend;
      const exceptions = [...(await store.exceptions('T-EFF-01')), ...(await store.exceptions('T-EFF-02'))]
        .filter((x) => x.kind === 'tid_reused').map((x) => [x.eventId, x.terminalId, x.accountNo, x.fen, x.detail]);
      return { results, again, other, exceptions };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.results.map((r) => r[0])).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    expect(seen.pg.again).toEqual(['duplicate', 'duplicate']);
    expect(seen.pg.exceptions.map((x) => [x[0], x[4]])).toEqual([
      [mine[1]?.eventId, 'offline vend V-OFF-2 used TID 700001 of meter 01234567890123, already used by vend V-OFF-1 (T-EFF-01)'],
      [mine[3]?.eventId, 'offline vend V-OFF-1 used TID 700002 of meter 01234567890123, already used by vend V-OFF-1 (T-EFF-01)'],
      [theirs[0]?.eventId, 'offline vend V-OFF-3 used TID 700001 of meter 01234567890123, already used by vend V-OFF-1 (T-EFF-01)'],
    ]);
  });

  it("token.management_issued key changes: the meter's parameters and the account's version move in its snapshot, the same pair again nothing, a pair under a stale key or naming another account key_change_conflict, other kinds no effect, malformed rejected — alike on both", async () => {
    const row = backends.sqlite.backend.db
      .prepare<[], { meter_no: string; account_no: string; sts_json: string }>("SELECT meter_no, account_no, sts_json FROM meters WHERE kind = 'sts' AND sts_json IS NOT NULL ORDER BY meter_no LIMIT 1")
      .get();
    if (row === undefined) throw new Error('the demo seed has no STS meter');
    const current = JSON.parse(row.sts_json) as { krn: number };
    const next = { ...current, krn: (current.krn % 9) + 1 };
    const later = { ...current, krn: (next.krn % 9) + 1 };
    const pair = (tokenId: string, p: Record<string, unknown>): unknown => ({ tokenId, accountNo: row.account_no, meterNo: row.meter_no, kind: 'key_change', ...p });
    const events = [
      event(50, 'token.management_issued', pair('MT-1', { next, prev: current })),
      event(51, 'token.management_issued', pair('MT-2', { next, prev: current })),
      event(52, 'token.management_issued', pair('MT-3', { next: later, prev: current })),
      event(53, 'token.management_issued', pair('MT-4', { next: later, prev: next, accountNo: '3999999999' })),
      event(54, 'token.management_issued', pair('MT-5', { kind: 'clear_tamper' })),
      event(55, 'token.management_issued', { tokenId: 'MT-6', meterNo: row.meter_no }),
    ];
    const seen = await onBoth(async (kind) => {
      const c = client(kind);
      const before = await c.getAccount(row.account_no, 5000);
      const results = (await c.pushEvents(events, 5000)).results.map((r) => [r.status, r.reason?.split(':')[0]]);
      const after = await c.getAccount(row.account_no, 5000);
      const exceptions = (await backends[kind].backend.store.exceptions('T-EFF-01')).filter((x) => x.kind === 'key_change_conflict').map((x) => [x.eventId, x.accountNo, x.detail]);
      return { before, after, results, exceptions };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.results.map((r) => r[0])).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    expect(seen.pg.after?.meters.find((m) => m.meterNo === row.meter_no)?.sts).toMatchObject({ krn: next.krn });
    expect(seen.pg.after?.version).toBe((seen.pg.before?.version ?? 0) + 1);
    expect(seen.pg.exceptions.map((x) => x[0])).toEqual([events[2]?.eventId, events[3]?.eventId]);
  });
});
