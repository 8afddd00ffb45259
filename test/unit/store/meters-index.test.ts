/**
 * The meter number's uniqueness lives in an index of its own (`meters_no`, migration v24) so the
 * initial pull's load window can drop it and build it once after the stream (store/bulk-load.ts):
 * random meter numbers inserted row by row into a primary key rewrote most of its pages at every
 * batch. Held here: the migration keeps every meter and the rule "one row per meter"; writers
 * replace a meter's row outside the window; inside it they append, and the window's close keeps
 * the last row written of each meter — what the upsert would have left.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { cacheSnapshot } from '../../../main/store/accounts.js';
import { applySnapshotBatch } from '../../../main/store/snapshot-batch.js';
import { buildDeferredIndexes, openLoadWindow } from '../../../main/store/bulk-load.js';
import { findByExactKey } from '../../../main/store/account-search.js';
import { currentVersion, migrate, MIGRATIONS } from '../../../main/store/migrations.js';
import { DEFAULT_SEED, seedAccounts } from '../../billing-backend/seed.js';

const V24 = MIGRATIONS.find((m) => m.name.startsWith("meters: the meter number's uniqueness"))!.version;

const meters = (db: Db) => db.prepare('SELECT meter_no, account_no, kind, sts_json, card_generation FROM meters ORDER BY meter_no').all();
const hasIndex = (db: Db, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;

/** Small area; every account with at least one meter. */
function area(n: number): AccountSnapshot[] {
  return [...seedAccounts({ seed: DEFAULT_SEED, accounts: n, seedDate: '2026-11-27' })].filter((a) => a.meters.length > 0);
}

/** `to` takes over `from`'s first meter (as after a meter moved between accounts), one version on. */
function moveMeter(from: AccountSnapshot, to: AccountSnapshot): AccountSnapshot {
  return { ...to, version: to.version + 1, meters: [...to.meters, from.meters[0]!] };
}

describe('migration v24: meters keyed by an index of their own', () => {
  it('keeps every meter, refuses a second row of a meter, finds a meter through meters_no', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.filter((m) => m.version < V24));
    db.exec(`
      INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade, version, updated_at, cached_at)
        VALUES ('3100000001', '雷洋子', '', '13800000000', 'residential', 'prepaid', 'RES', 0, 'A', 1, '2026-11-27', 1);
      INSERT INTO meters (meter_no, account_no, kind, sts_json, card_generation)
        VALUES ('600727960453685962', '3100000001', 'sts', '{"iin":"600727"}', NULL), ('411061032332', '3100000001', 'card', NULL, 3);
    `);
    const before = meters(db as unknown as Db);
    migrate(db, MIGRATIONS.filter((m) => m.version <= V24));
    expect(currentVersion(db)).toBe(V24);
    expect(meters(db as unknown as Db)).toEqual(before);
    expect(hasIndex(db as unknown as Db, 'meters_no')).toBe(true);
    expect(() => db.prepare("INSERT INTO meters (meter_no, account_no, kind) VALUES ('411061032332', '3100000001', 'postpaid')").run()).toThrow(/UNIQUE/);
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT account_no FROM meters WHERE meter_no = ?').all('x') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/meters_no/);
    db.close();
  });
});

describe('a meter written twice', () => {
  it('outside a load window: the later snapshot owns it, one row (batch writer and single writer alike)', () => {
    const [a, b] = area(20);
    for (const write of ['batch', 'single'] as const) {
      const db = openDatabase(':memory:');
      const put = (s: AccountSnapshot) => (write === 'batch' ? db.transaction(() => applySnapshotBatch(db, [s], 1_000))() : cacheSnapshot(db, s, 1_000));
      put(a!);
      put(moveMeter(a!, b!));
      const rows = db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').pluck().all(a!.meters[0]!.meterNo);
      expect(rows, write).toEqual([b!.accountNo]);
      db.close();
    }
  });

  it('inside a load window: appended, found meanwhile, and at the close one row per meter — the last written, as without a window', async () => {
    const snaps = area(60);
    const [a, b, c] = snaps;
    // The stream's order, a cut-and-resumed stream's repeat included: b takes a's meter, a is
    // refreshed by a lookup (cacheSnapshot) after that, c takes b's first meter.
    const writes: { snap: AccountSnapshot; by: 'batch' | 'single' }[] = [
      ...snaps.map((s) => ({ snap: s, by: 'batch' as const })),
      { snap: moveMeter(a!, b!), by: 'batch' },
      { snap: { ...a!, version: a!.version + 2 }, by: 'single' },
      { snap: moveMeter(b!, c!), by: 'batch' },
    ];
    const play = (db: Db) => {
      for (const w of writes) {
        if (w.by === 'batch') db.transaction(() => applySnapshotBatch(db, [w.snap], 2_000))();
        else cacheSnapshot(db, w.snap, 2_000);
      }
    };
    const plain = openDatabase(':memory:');
    play(plain);

    const db = openDatabase(':memory:');
    expect(openLoadWindow(db)).toBe(true);
    expect(hasIndex(db, 'meters_no')).toBe(false);
    play(db);
    // Appended meanwhile: the moved meter has a row per write, and a lookup by it still finds its accounts.
    expect(db.prepare('SELECT count(*) FROM meters WHERE meter_no = ?').pluck().get(a!.meters[0]!.meterNo)).toBeGreaterThan(1);
    expect(findByExactKey(db, a!.meters[0]!.meterNo)).toContain(a!.accountNo);

    await buildDeferredIndexes(db);
    expect(hasIndex(db, 'meters_no')).toBe(true);
    expect(meters(db)).toEqual(meters(plain));
    expect(db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').pluck().all(a!.meters[0]!.meterNo)).toEqual([a!.accountNo]);
    expect(db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').pluck().all(b!.meters[0]!.meterNo)).toEqual([c!.accountNo]);
    plain.close();
    db.close();
  });
});
