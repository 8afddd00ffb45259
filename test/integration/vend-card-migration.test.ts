/**
 * Migration v2 → v3 (card vend columns) on a real SQLite file: an STS vend written under v2 keeps
 * its data and reads as an STS vend; a card vend stores its card and counter at `created`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { currentVersion, migrate, MIGRATIONS } from '../../main/store/migrations.js';
import { getVend, unfinishedCardVend, vendView } from '../../main/services/vending/vend-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gd-vend-card-mig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPLIT = JSON.stringify({ split: { amountFen: 1000, energyCkwh: 100 }, tierPeriodKey: null, fixedChargePeriods: [] });

describe('migration v3', () => {
  it('upgrades a v2 database with a vend in it; card vends keep their card and counter', () => {
    const db = new Database(path.join(dir, 't.db'));
    migrate(db, MIGRATIONS.filter((m) => m.version <= 2));
    expect(currentVersion(db)).toBe(2);
    db.prepare(
      `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd,
         amount_tenths, split_json, locale, operator_id, created_at, updated_at)
       VALUES ('sts-1', 'r1', '3100000003', 'M1', 'sts', 'delivered', 'cash', 1000, 'online', 7, 3, 10, ?, 'zh-CN', 'C001', 'x', 'x')`,
    ).run(SPLIT);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 3));
    expect(currentVersion(db)).toBe(3);
    const sts = getVend(db, 'sts-1');
    expect(sts).toMatchObject({ tid: 7, card_serial: null, card_counter_before: null });
    expect(vendView(sts!)).toMatchObject({ meterKind: 'sts', card: null });

    db.prepare(
      `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd,
         amount_tenths, split_json, locale, operator_id, created_at, updated_at, card_serial, card_generation, card_counter_before)
       VALUES ('card-1', 'r2', '3100000004', 'C1', 'card', 'paid', 'cash', 1000, 'online', 8, 0, 10, ?, 'zh-CN', 'C001', 'y', 'y', '04C40011', 2, 4)`,
    ).run(SPLIT);
    expect(vendView(getVend(db, 'card-1')!)).toMatchObject({
      meterKind: 'card',
      card: { cardSerial: '04C40011', generation: 2, counterBefore: 4, counterAfter: null, amountFen: null, lastStep: null },
    });
    expect(unfinishedCardVend(db, 'C1')?.vend_id).toBe('card-1');
    expect(unfinishedCardVend(db, 'M1')).toBeUndefined();
    db.close();
  });
});
