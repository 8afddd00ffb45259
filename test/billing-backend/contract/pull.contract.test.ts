/**
 * What terminals pull, on both stores (docs/backend.md, "Storage"): the staff list, account
 * snapshots and search, the snapshot stream and the change feed, read by the terminal's real
 * BackendClient (signed requests, signed replies) from a server on SQLite and one on PostgreSQL
 * (a throwaway cluster), both seeded with the same area: every answer alike on both, line for line
 * for the stream; after a payment the change feed and a stream after the cursor hold that account.
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import { AccountSnapshotSchema, type AccountSnapshot, type TerminalEvent } from '../../../main/wire/backend-wire.js';
import pg from 'pg';
import { CHANGE_SEQ_LOCK, DRAWS_CHANGE_SEQ } from '../store/pg-accounts.js';
import { DEFAULT_SEED, demoOperators, seedAccounts } from '../seed.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, KINDS, type Kind } from './both-stores.js';

const AREA = 60;
const TERMINAL = { id: 'T-PULL-01', secret: 'pull-secret-0123456789abcdef0123456789' };

const stores = bothStores({ accounts: AREA, terminals: { [TERMINAL.id]: TERMINAL.secret } }, 60_000);
const { backends } = stores;
const client = (kind: Kind): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: TERMINAL.id, secret: TERMINAL.secret, now: () => TEST_NOW, log: () => undefined });
/** The same call on both stores, through each one's client. */
const onBoth = <T>(call: (c: BackendClient, kind: Kind) => Promise<T>): Promise<Record<Kind, T>> => stores.onBoth((kind) => call(client(kind), kind));

async function streamLines(c: BackendClient, after: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const chunk of c.snapshotStream(after, 10_000)) lines.push(...chunk);
  return lines;
}

const area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: AREA, seedDate: TEST_NOW.toISOString().slice(0, 10) })];

describe('pulling from the backend on SQLite and on PostgreSQL', () => {
  it('the staff list: the seeded staff, alike on both', async () => {
    const staff = await onBoth((c) => c.operators(5000));
    expect(staff.pg).toEqual(staff.sqlite);
    expect(staff.sqlite).toEqual(demoOperators().sort((a, b) => a.operatorId.localeCompare(b.operatorId)));
  });

  it('one account and a search: alike on both, as seeded', async () => {
    // The fixed profiles: a postpaid payer with two open bills, STS meters, a card meter, paid-up bills (docs/backend.md).
    for (const no of area.slice(0, 8).map((a) => a.accountNo)) {
      const one = await onBoth((c) => c.getAccount(no, 5000));
      expect(one.pg, no).toEqual(one.sqlite);
      expect(one.sqlite?.history, no).toBeDefined();
    }
    expect(await onBoth((c) => c.getAccount('3999999999', 5000))).toEqual({ sqlite: null, pg: null });
    const someone = area[9] as AccountSnapshot;
    for (const q of [someone.accountNo, someone.phone, someone.meters[0]?.meterNo ?? someone.accountNo, someone.name.slice(0, 1), 'nobody-like-this']) {
      const found = await onBoth((c) => c.search(q, 5000));
      expect(found.pg, q).toEqual(found.sqlite);
    }
    expect((await client('pg').search(someone.phone, 5000)).map((a) => a.accountNo)).toContain(someone.accountNo);
  });

  it('the snapshot stream of the seeded area: the same lines on both, every account once', async () => {
    const lines = await onBoth((c) => streamLines(c, ''));
    expect(lines.pg).toEqual(lines.sqlite);
    const parsed = lines.pg.map((l) => JSON.parse(l) as { kind: string; account?: unknown });
    expect(parsed[0]).toMatchObject({ kind: 'begin', total: AREA });
    expect(parsed.at(-1)).toMatchObject({ kind: 'end', count: AREA });
    const accounts = parsed.filter((p) => p.kind === 'account').map((p) => AccountSnapshotSchema.parse(p.account));
    expect(accounts.map((a) => a.accountNo)).toEqual(area.map((a) => a.accountNo));
    expect(accounts.filter((a) => a.status === 'closed').map((a) => a.accountNo)).toEqual(area.filter((a) => a.status === 'closed').map((a) => a.accountNo));
  });

  it('the stream read a few accounts at a time gives the same text as in one read, on both stores', async () => {
    for (const kind of KINDS) {
      const store = backends[kind].backend.store;
      const { until, total } = await store.snapshotStreamBounds(0);
      expect([until, total], kind).toEqual([AREA, AREA]);
      const whole = await store.snapshotStreamChunk(0, until, 1000, TERMINAL.id);
      let text = '';
      let count = 0;
      for (let at: number | null = 0; at !== null; ) {
        const chunk = await store.snapshotStreamChunk(at, until, 7, TERMINAL.id);
        text += chunk.text;
        count += chunk.count;
        at = chunk.cursor;
      }
      expect([text, count], kind).toEqual([whole.text, AREA]);
    }
  });

  it('the change feed pages through the area alike on both', async () => {
    const pages = await onBoth(async (c) => {
      const items: AccountSnapshot[] = [];
      let cursor = '';
      for (;;) {
        const page = await c.changes(cursor, 25, 5000);
        items.push(...page.items);
        cursor = page.nextCursor;
        if (page.done) return { items, cursor };
      }
    });
    expect(pages.pg).toEqual(pages.sqlite);
    expect(pages.sqlite.items).toHaveLength(AREA);
    expect(pages.sqlite.cursor).toBe(String(AREA));
  });

  it('after a payment: the change feed since the cursor and a stream after it hold that account, alike on both', async () => {
    const payer = area.find((a) => a.status !== 'closed' && a.bills.some((b) => b.status === 'open')) as AccountSnapshot;
    const bill = payer.bills.find((b) => b.status === 'open') as AccountSnapshot['bills'][number];
    const fen = bill.amountFen - bill.paidFen;
    const pay: TerminalEvent = {
      eventId: '01937a2b-0000-7000-8000-0000000f0001',
      seq: 1,
      type: 'payment.created',
      occurredAt: TEST_NOW.toISOString(),
      payload: { paymentId: 'P-PULL-1', accountNo: payer.accountNo, method: 'cash', amountFen: fen + 500, allocations: [{ billId: bill.billId, fen }], toBalanceFen: 500, operatorId: 'C001' },
    };
    const cursor = String(AREA);
    const pushed = await onBoth((c) => c.pushEvents([pay], 5000));
    expect(pushed.pg.results).toEqual([{ eventId: pay.eventId, status: 'accepted' }]);
    expect(pushed.sqlite.results).toEqual(pushed.pg.results);

    const changed = await onBoth((c) => c.changes(cursor, 100, 5000));
    expect(changed.pg).toEqual(changed.sqlite);
    expect(changed.pg.items.map((a) => a.accountNo)).toEqual([payer.accountNo]);
    const after = changed.pg.items[0] as AccountSnapshot;
    expect(after).toMatchObject({ balanceFen: payer.balanceFen + 500, version: payer.version + 1, appliedSeq: 1 });
    expect(after.bills.find((b) => b.billId === bill.billId)).toMatchObject({ paidFen: bill.amountFen, status: 'paid' });
    expect(changed.pg.nextCursor).toBe(String(AREA + 1));

    const lines = await onBoth((c) => streamLines(c, cursor));
    expect(lines.pg).toEqual(lines.sqlite);
    const accounts = lines.pg.map((l) => JSON.parse(l) as { kind: string; account?: AccountSnapshot }).filter((p) => p.kind === 'account');
    expect(accounts.map((p) => [p.account?.accountNo, p.account?.balanceFen])).toEqual([[payer.accountNo, payer.balanceFen + 500]]);
  });

  it('on pg the change feed never passes a change drawn but not yet committed (sequence numbers can commit out of order)', async () => {
    const store = backends.pg.backend.store;
    const cursor = String((await store.snapshotStreamBounds(0)).until);
    const [early, late] = [area[20] as AccountSnapshot, area[21] as AccountSnapshot];
    // A writer draws the next number for one account and holds its transaction open…
    const writer = new pg.Client({ connectionString: stores.pgUrl() });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(DRAWS_CHANGE_SEQ);
      await writer.query("UPDATE accounts SET version = version + 1, change_seq = nextval('account_change_seq') WHERE account_no = $1", [early.accountNo]);
      // …while a payment into another account takes a higher number and commits.
      const pay: TerminalEvent = {
        eventId: '01937a2b-0000-7000-8000-0000000f0002', seq: 2, type: 'payment.created', occurredAt: TEST_NOW.toISOString(),
        payload: { paymentId: 'P-PULL-2', accountNo: late.accountNo, method: 'cash', amountFen: 300, allocations: [], toBalanceFen: 300, operatorId: 'C001' },
      };
      expect((await client('pg').pushEvents([pay], 5000)).results).toEqual([{ eventId: pay.eventId, status: 'accepted' }]);
      // The feed asked now waits for the open writer rather than answer the later number alone.
      const asked = client('pg').changes(cursor, 100, 10_000);
      const waiting = async (): Promise<'waiting'> => {
        for (;;) {
          const r = await writer.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted", [CHANGE_SEQ_LOCK]);
          if (r.rowCount !== 0) return 'waiting';
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      expect(await Promise.race([asked.then(() => 'answered'), waiting()])).toBe('waiting');
      await writer.query('COMMIT');
      const page = await asked;
      expect(page.items.map((a) => a.accountNo)).toEqual([early.accountNo, late.accountNo]);
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
    }
  });
});
