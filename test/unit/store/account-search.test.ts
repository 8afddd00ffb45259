/**
 * Offline search in a cache of 20,000 accounts (the benchmark runs the same against 1,000,000):
 * every exact key, and names by any part — one and two characters included — ranked exact, then
 * prefix, then any other part; active before closed; then by account number. The answers are
 * checked against a brute-force ranking over the same data. The hot queries keep their plans.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { cacheSnapshot } from '../../../main/store/accounts.js';
import { applySnapshotBatch } from '../../../main/store/snapshot-batch.js';
import { findByExactKey, findByName, SEARCH_SQL, searchAccounts } from '../../../main/store/account-search.js';
import { DEFAULT_SEED, seedAccounts } from '../../billing-backend/seed.js';

const ACCOUNTS = 20_000;
const LIMIT = 20;
let db: Db;
let area: AccountSnapshot[];

/** Brute force over the same data: what the index must answer. */
function expected(q: string): string[] {
  const rank = (a: AccountSnapshot): number => {
    const cls = a.name === q ? 0 : a.name.startsWith(q) ? 1 : a.name.includes(q) ? 2 : -1;
    return cls < 0 ? -1 : cls * 2 + (a.status === 'closed' ? 1 : 0);
  };
  return area
    .map((a) => ({ a, r: rank(a) }))
    .filter((x) => x.r >= 0)
    .sort((x, y) => x.r - y.r || (x.a.accountNo < y.a.accountNo ? -1 : 1))
    .slice(0, LIMIT)
    .map((x) => x.a.accountNo);
}

function applyAll(target: Db, snaps: readonly AccountSnapshot[]): void {
  for (let i = 0; i < snaps.length; i += 2000) target.transaction(() => applySnapshotBatch(target, snaps.slice(i, i + 2000), 1_000))();
}

beforeAll(() => {
  area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: ACCOUNTS, seedDate: '2026-11-27' })];
  // One- and two-character names exist too (the seed's are two to four or more).
  area.push({ ...(area[10] as AccountSnapshot), accountNo: '3199999998', name: '王', phone: '13999999998', meters: [], bills: [], cardNo: undefined } as AccountSnapshot);
  area.push({ ...(area[11] as AccountSnapshot), accountNo: '3199999999', name: '王洋', phone: '13999999999', meters: [], bills: [], cardNo: undefined, status: 'closed' } as AccountSnapshot);
  db = openDatabase(':memory:');
  applyAll(db, area);
  // 20,000 seeded accounts (each with its 24-month history since #11) on a shared two-core machine.
}, 180_000);

describe('exact keys', () => {
  it('finds an account by account number, meter, phone, card number and bill barcode', () => {
    const card = area.find((a) => a.cardNo !== undefined && a.status !== 'closed') as AccountSnapshot;
    const sts = area.find((a) => a.meters.some((m) => m.kind === 'sts')) as AccountSnapshot;
    const billed = area.find((a) => a.bills.some((b) => b.status === 'open')) as AccountSnapshot;
    const cases: [string, string][] = [
      [billed.accountNo, billed.accountNo],
      [(sts.meters[0] as { meterNo: string }).meterNo, sts.accountNo],
      [card.phone, card.accountNo],
      [card.cardNo as string, card.accountNo],
      [(billed.bills.find((b) => b.status === 'open') as { billId: string }).billId, billed.accountNo],
    ];
    for (const [key, accountNo] of cases) {
      expect(findByExactKey(db, key), key).toEqual([accountNo]);
      expect(searchAccounts(db, key)[0], key).toMatchObject({ accountNo });
    }
  });

  it('uses an index for every key, never a scan', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_SQL.exactKeys}`).all({ q: '1' }) as { detail: string }[]).map((r) => r.detail);
    const searches = plan.filter((d) => /^SEARCH /.test(d));
    expect(searches).toHaveLength(5);
    expect(plan.filter((d) => /^SCAN (accounts|meters|bills)\b/.test(d))).toEqual([]);
    expect(searches.join(' | ')).toMatch(/accounts_phone/);
    expect(searches.join(' | ')).toMatch(/accounts_card/);
  });
});

describe('names', () => {
  it('finds names by one character, two characters, any part and the whole name, ranked like the brute force', () => {
    const person = area.find((a) => a.customerClass === 'residential' && [...a.name].length === 3) as AccountSnapshot;
    const queries = [
      '王', // one character: a surname (one name in fifteen starts with it), and a one-character name
      '洋', // one character inside names
      '王洋', // two characters: an exact (closed) name, prefixes, parts
      [...person.name].slice(1).join(''), // two characters: a given name
      person.name, // the whole name: exact first
      '大药房', // a part of shop names
      '三门峡宏达', // a prefix of firm names
      '村灌溉站', // the end of farm names
      '记', // one character in the middle of many names
      '不存在的名字',
    ];
    for (const q of queries) expect(findByName(db, q, LIMIT), q).toEqual(expected(q));
  });

  it('ranks exact before prefix before any other part, active before closed, then by account number', () => {
    const hits = searchAccounts(db, '王');
    expect(hits[0]).toMatchObject({ accountNo: '3199999998', name: '王', status: 'active' });
    expect(hits.slice(1).every((h) => h.name.startsWith('王'))).toBe(true);
    const pair = searchAccounts(db, '王洋');
    // The only exact name is closed: it still comes first (exact before prefix).
    expect(pair[0]).toMatchObject({ accountNo: '3199999999', status: 'closed' });
    const classes = pair.map((h) => (h.name === '王洋' ? 0 : h.name.startsWith('王洋') ? 1 : 2));
    expect([...classes].sort((a, b) => a - b)).toEqual(classes);
    // Within one class, closed accounts after active ones.
    const closed = area.find((a) => a.status === 'closed' && a.customerClass === 'residential') as AccountSnapshot;
    const surname = [...closed.name][0] as string;
    const prefix = findByName(db, surname, 100_000);
    const statusOf = new Map(area.map((a) => [a.accountNo, a.status ?? 'active']));
    const starts = prefix.filter((no) => (area.find((a) => a.accountNo === no) as AccountSnapshot).name.startsWith(surname));
    const firstClosed = starts.findIndex((no) => statusOf.get(no) === 'closed');
    expect(firstClosed).toBeGreaterThan(0);
    expect(starts.slice(firstClosed).every((no) => statusOf.get(no) === 'closed')).toBe(true);
  });

  it('takes any text without breaking: quotes, the gram marker, control characters, blanks', () => {
    for (const q of ['"', '王"洋', '#', '#王', '王#', '\u0001\u0001王', '   ', '*', 'AND', 'NEAR(王 洋)']) {
      expect(() => searchAccounts(db, q), q).not.toThrow();
    }
    expect(searchAccounts(db, '\u0001\u0001王')[0]).toMatchObject({ name: '王' });
  });

  it('asks the index in rowid order with a limit: no sort, however common the character', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_SQL.nameStep}`).all('active : "#王#"', 20) as { detail: string }[]).map((r) => r.detail);
    expect(plan.join(' | ')).toMatch(/SCAN account_names VIRTUAL TABLE INDEX \d+:M/);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
    const hit = (db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_SQL.hit}`).all('1') as { detail: string }[]).map((r) => r.detail);
    expect(hit.join(' | ')).toMatch(/SEARCH a USING PRIMARY KEY/);
    expect(hit.join(' | ')).toMatch(/SEARCH c USING PRIMARY KEY/);
  });
});

describe('the index follows every write', () => {
  it('a renamed, closed and reopened account is found by its new name and status only', () => {
    const local = openDatabase(':memory:');
    const [a, b] = area.slice(100, 102) as [AccountSnapshot, AccountSnapshot];
    applyAll(local, [a, b]);
    cacheSnapshot(local, { ...a, name: '欧阳娜娜', version: a.version + 1 }, 2_000);
    expect(findByName(local, a.name, 5)).not.toContain(a.accountNo);
    expect(findByName(local, '阳娜', 5)).toEqual([a.accountNo]);
    expect(searchAccounts(local, '欧阳娜娜')[0]).toMatchObject({ accountNo: a.accountNo, status: 'active' });
    local.transaction(() => applySnapshotBatch(local, [{ ...a, name: '欧阳娜娜', status: 'closed' }], 3_000))();
    expect(searchAccounts(local, '娜')[0]).toMatchObject({ accountNo: a.accountNo, status: 'closed' });
    cacheSnapshot(local, { ...a, name: '欧阳娜娜', status: 'active' }, 4_000);
    expect(searchAccounts(local, '娜')[0]).toMatchObject({ accountNo: a.accountNo, status: 'active' });
    expect(findByName(local, b.name, 5)).toContain(b.accountNo);
  });
});

describe('a batch writes what one snapshot at a time writes', () => {
  const dump = (target: Db) => ({
    accounts: target.prepare('SELECT * FROM accounts ORDER BY account_no').all(),
    meters: target.prepare('SELECT * FROM meters ORDER BY meter_no').all(),
    bills: target.prepare('SELECT * FROM bills ORDER BY bill_id').all(),
    billPayments: target.prepare('SELECT * FROM bill_payments ORDER BY bill_id, payment_id').all(),
    closed: target.prepare('SELECT * FROM closed_accounts ORDER BY account_no').all(),
    names: ['王', '洋子', '记大药', '三门峡'].map((q) => findByName(target, q, 50)),
  });

  it('for new accounts and for changed ones (bills settled elsewhere, renamed, closed, reopened)', () => {
    const first = area.slice(0, 600).map((a, i) =>
      i % 7 === 0 ? { ...a, bills: a.bills.map((b) => (b.status === 'open' ? { ...b, payments: [{ paymentId: `p-${a.accountNo}`, paidOn: '2026-11-20', principalFen: 1 }] } : b)) } : a,
    );
    const second = first.map((a, i) => ({
      ...a,
      version: a.version + 1,
      name: i % 5 === 0 ? `${a.name}新` : a.name,
      status: i % 9 === 0 ? ('closed' as const) : i % 9 === 1 ? ('active' as const) : a.status,
      // Open bills only, as the snapshot stream sends them; every third account's were paid elsewhere.
      bills: i % 3 === 0 ? [] : a.bills.filter((b) => b.status === 'open'),
    }));
    const batched = openDatabase(':memory:');
    const single = openDatabase(':memory:');
    for (const round of [first, second]) {
      batched.transaction(() => applySnapshotBatch(batched, round, 5_000))();
      for (const snap of round) cacheSnapshot(single, snap, 5_000);
      expect(dump(batched)).toEqual(dump(single));
    }
    expect((batched.prepare("SELECT COUNT(*) AS n FROM bills WHERE status = 'open'").get() as { n: number }).n).toBeGreaterThan(0);
  });
});
