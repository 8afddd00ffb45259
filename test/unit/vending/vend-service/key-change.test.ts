/**
 * The pieces of the key change follow-through on real SQLite: the TID sequence after a base-date
 * change, the backend applying a key change (and refusing one issued under a key it does not have),
 * and one secure module shared by the vend service and the management tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../../../main/services/accounts.js';
import { createVending } from '../../../../main/services/vending/handlers.js';
import { composeAdapters } from '../../../../main/compose/index.js';
import { FORMER_BASE_TID_MARGIN, newestTid, nextTid } from '../../../../main/services/vending/vend-store.js';
import { loadLocale, translator } from '../../../../main/i18n/locales.js';
import { migrate } from '../../../../main/store/migrations.js';
import { openDatabase } from '../../../../main/store/db.js';
import { BackendClient } from '../../../../main/sync/backend-client.js';
import type { StsParams } from '../../../../main/wire/backend-wire.js';
import { tidFromDate } from '../../../../main/vending/sts/index.js';
import { openBackendDb } from '../../../billing-backend/db.js';
import { applyKeyChange } from '../../../billing-backend/sts-issue.js';
import { shippedLateFees, testTerminalConfig } from '../../../support/config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-key-change-'));
  dirs.push(dir);
  return dir;
}

const OLD: StsParams = { iin: '600727', drn: '00000000002', keyType: 2, sgc: '123456', ti: '01', krn: 1, baseDate: '1993-01-01', algorithm: 'EA07' };
const NEXT: StsParams = { ...OLD, krn: 2, baseDate: '2014-01-01' };

describe('TID sequence across a base-date change', () => {
  function insertToken(db: Database.Database, id: string, meterNo: string, tid: number) {
    db.prepare(
      `INSERT INTO sts_management_tokens (token_id, request_id, account_no, meter_no, kind, tid, tokens_json, params_json, operator_id, created_at)
       VALUES (?, ?, 'A1', ?, 'clear_tamper', ?, '[]', '{}', 'S001', 'x')`,
    ).run(id, `r-${id}`, meterNo, tid);
  }

  it('TIDs counted from 1993 no longer bound the meter once it counts from 2014', () => {
    const db = new Database(path.join(tempDir(), 't.db'));
    migrate(db);
    const at = new Date('2024-11-24T20:15:00Z');
    const last1993 = tidFromDate(at, '1993-01-01');
    expect(last1993).toBe(0xffffff);
    insertToken(db, 'old', 'M1', last1993);
    const now2014 = tidFromDate(new Date('2026-11-27T02:00:00Z'), '2014-01-01');
    expect(nextTid(db, 'M1', now2014)).toBe(now2014);
    // Same base date: still strictly above, also within a burst of the same minute.
    insertToken(db, 'new', 'M1', now2014);
    expect(nextTid(db, 'M1', now2014)).toBe(now2014 + 1);
    // A TID within the margin ahead of now is the same base date (e.g. a clock step back).
    insertToken(db, 'ahead', 'M1', now2014 + FORMER_BASE_TID_MARGIN);
    expect(nextTid(db, 'M1', now2014)).toBe(now2014 + FORMER_BASE_TID_MARGIN + 1);
    expect(newestTid(db, 'M1')).toBe(last1993);
    expect(newestTid(db, 'M1', now2014 + 10)).toBe(now2014);
    db.close();
  });
});

describe('backend: applyKeyChange', () => {
  function backendWithMeter(sts: StsParams) {
    const db = openBackendDb(path.join(tempDir(), 'b.db'));
    db.prepare(
      `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen,
         credit_grade, card_no, consumption_this_year, consumption_this_month, version, updated_at, change_seq)
       VALUES ('A1', 'n', 'a', 'p', 'residential', 'prepaid', 'T', 0, 'A', NULL, 0, 0, 7, '2026-01-01T00:00:00Z', 1)`,
    ).run();
    db.prepare("INSERT INTO counters(name, value) VALUES ('change', 1)").run();
    db.prepare("INSERT INTO meters VALUES ('600727000000000021', 'A1', 0, 'sts', ?, NULL)").run(JSON.stringify(sts));
    const read = () =>
      db
        .prepare<[], { sts_json: string; version: number; change_seq: number }>(
          "SELECT m.sts_json, a.version, a.change_seq FROM meters m JOIN accounts a USING (account_no) WHERE m.meter_no = '600727000000000021'",
        )
        .get();
    return { db, read };
  }
  const at = '2026-11-27T02:00:00.000Z';

  it('records the new parameters and moves the account version and change sequence', () => {
    const { db, read } = backendWithMeter(OLD);
    // IIN and DRN are the meter's; a key change never moves them.
    const out = applyKeyChange(db, { accountNo: 'A1', meterNo: '600727000000000021', next: { ...NEXT, drn: '99999999999' }, prev: OLD, nowIso: at });
    expect(out).toEqual({ kind: 'applied', accountVersion: 8 });
    const row = read();
    expect(JSON.parse(row?.sts_json ?? '')).toEqual(NEXT);
    expect(row).toMatchObject({ version: 8, change_seq: 2 });
    expect(applyKeyChange(db, { accountNo: 'A1', meterNo: '600727000000000021', next: NEXT, prev: OLD, nowIso: at })).toEqual({ kind: 'already_applied' });
    expect(read()).toMatchObject({ version: 8, change_seq: 2 });
    db.close();
  });

  it('does not apply a pair issued under a key the meter is not on record with, nor for another account', () => {
    const { db, read } = backendWithMeter({ ...OLD, krn: 3 });
    const conflict = applyKeyChange(db, { accountNo: 'A1', meterNo: '600727000000000021', next: NEXT, prev: OLD, nowIso: at });
    expect(conflict.kind).toBe('conflict');
    const other = applyKeyChange(db, { accountNo: 'A2', meterNo: '600727000000000021', next: NEXT, prev: { ...OLD, krn: 3 }, nowIso: at });
    expect(other.kind).toBe('conflict');
    expect(JSON.parse(read()?.sts_json ?? '')).toEqual({ ...OLD, krn: 3 });
    expect(read()).toMatchObject({ version: 7, change_seq: 1 });
    db.close();
  });
});

describe('one secure module', () => {
  it('the vend service and the management tokens share the local module loaded once', () => {
    const dir = tempDir();
    const config = testTerminalConfig({ dataDir: dir });
    const db = openDatabase(path.join(dir, 't.db'));
    const clock = () => new Date('2026-11-27T02:00:00Z');
    const accounts = new AccountService({
      db,
      client: new BackendClient({ baseUrl: config.backend.url, terminalId: config.terminalId, secret: config.backend.terminalSecret }),
      clock,
      timeZone: config.timeZone,
      lookupTimeoutMs: 100,
      lateFees: shippedLateFees(),
    });
    const adapters = composeAdapters(config, {
      printer: null,
      withoutDevices: true,
      clock,
      secureModuleConfig: { mode: 'online', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 0, onlineTimeoutMs: 1000, staleCashVendMinutes: 30 },
    });
    const { vends, management, modules } = createVending({
      db,
      clock,
      config,
      accounts,
      translators: { 'zh-CN': translator(loadLocale('zh-CN')), en: translator(loadLocale('en')) },
      printer: null,
      resumeOnStart: false,
      secureModules: adapters.secureModules,
      gateway: adapters.gateway,
      tariffs: adapters.tariffs,
      vendRules: adapters.vendRules,
    });
    expect(modules.local).not.toBeNull();
    expect(vends.localModule).toBe(modules.local);
    expect(management.localModule).toBe(modules.local);
    db.close();
  });
});
