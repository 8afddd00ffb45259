/**
 * The drawer gate other areas call inside their commits: which shift a payment or vend belongs to
 * (none, open, counted; shifts required or not), and cash handed back out of the open drawer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorView } from '../../../main/contract/index.js';
import { RESOURCES_DIR } from '../../../main/compose/index.js';
import { loadLocale, translator } from '../../../main/i18n/locales.js';
import { loadShiftRules } from '../../../main/loaders/shift-rules.js';
import { createShiftGate } from '../../../main/services/shift/drawer.js';
import { ShiftService } from '../../../main/services/shift/shift-service.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { journalEntries, verifyJournal } from '../../../main/store/journal.js';

let dir: string;
let db: Db;
let shifts: ShiftService;
const clerk: OperatorView = { operatorId: 'C001', name: '张敏', role: 'clerk' };
const at = '2026-11-27T02:00:00.000Z';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-drawer-'));
  db = openDatabase(path.join(dir, 't.db'));
  const t = translator(loadLocale('en'));
  shifts = new ShiftService({
    db, clock: () => new Date(at), terminalId: 'T-HALL-01', timeZone: 'Asia/Shanghai', rules: loadShiftRules(path.join(RESOURCES_DIR, 'rules', 'shift.json')),
    required: true, translators: { en: t, 'zh-CN': t }, defaultLocale: 'en', receipt: { header: 'H', hotline: '1' }, printer: null, afterCommit: () => undefined,
  });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the drawer gate', () => {
  it('required: no shift → shift.not_open, open → its id, counted → shift.already_counted; not required: null instead of refusing', () => {
    const required = createShiftGate(db, 'T-HALL-01', true);
    const optional = createShiftGate(db, 'T-HALL-01', false);
    expect(() => required.shiftForPayment()).toThrow(expect.objectContaining({ code: 'shift.not_open' }));
    expect(optional.shiftForPayment()).toBeNull();
    const s = shifts.open(crypto.randomUUID(), { note_100: 1 }, clerk);
    expect(required.shiftForPayment()).toBe(s.shiftId);
    expect(optional.shiftForPayment()).toBe(s.shiftId);
    shifts.count({ note_100: 1 }, clerk);
    expect(() => required.shiftForPayment()).toThrow(expect.objectContaining({ code: 'shift.already_counted' }));
    expect(optional.shiftForPayment()).toBeNull();
  });

  it('a payout is a journaled cash.out of the open shift, in the caller\'s transaction, and lowers what the drawer should hold', () => {
    const gate = createShiftGate(db, 'T-HALL-01', true);
    const s = shifts.open(crypto.randomUUID(), { note_100: 3 }, clerk);
    expect(() => gate.payOut({ amountFen: 1000, reason: 'refund', ref: 'v1', operatorId: 'C001', at })).toThrow(/inside the caller's transaction/);
    const id = db.transaction(() => gate.payOut({ amountFen: 1000, reason: 'refund', ref: 'v1', operatorId: 'C001', at }))();
    expect(id).not.toBeNull();
    const out = journalEntries(db, id as string);
    expect(out.map((e) => [e.type, (e.payload as { amountFen: number; shiftId: string; ref: string }).amountFen])).toEqual([['cash.out', 1000]]);
    expect(out[0]?.payload).toMatchObject({ shiftId: s.shiftId, reason: 'refund', ref: 'v1', eventId: id });
    expect(db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE type = 'cash.out'").get()).toEqual({ n: 1 });
    expect(shifts.totals(shifts.row(s.shiftId)).expectedCashFen).toBe(29000);
    // Counted at what it should hold: balanced, no approval needed.
    expect(shifts.count({ note_100: 2, note_50: 1, note_20: 2 }, clerk)).toMatchObject({ expectedFen: 29000, differenceFen: 0, approvalRequired: false });
    expect(verifyJournal(db).ok).toBe(true);
  });
});
