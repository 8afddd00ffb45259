/**
 * The drawer's arithmetic: counting by denomination (notes and coins, exact fen), what the drawer
 * should hold, and when a difference needs a supervisor. Uses the shipped rules file.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countDrawer, drawerDifference, expectedCash, parseShiftRules, shiftTotals, type JournalRecord } from '../../../main/domain/shift/index.js';
import { loadShiftRules } from '../../../main/loaders/shift-rules.js';
import { RESOURCES_DIR } from '../../../main/compose/index.js';

const rules = loadShiftRules(path.join(RESOURCES_DIR, 'rules', 'shift.json'));

describe('counting the drawer by denomination', () => {
  it('the shipped rules count CNY notes 100/50/20/10/5/1 yuan and coins 1 yuan, 5 jiao, 1 jiao', () => {
    expect(rules.denominations.map((d) => [d.kind, d.fen])).toEqual([
      ['note', 10000], ['note', 5000], ['note', 2000], ['note', 1000], ['note', 500], ['note', 100],
      ['coin', 100], ['coin', 50], ['coin', 10],
    ]);
  });

  it('adds pieces × face value exactly, listing every denomination', () => {
    const r = countDrawer(rules, { note_100: 3, note_50: 1, note_20: 2, note_10: 4, note_5: 1, note_1: 7, coin_1: 3, coin_0_5: 3, coin_0_1: 7 });
    // 300 + 50 + 40 + 40 + 5 + 7 + 3 + 1.50 + 0.70 = 447.20 yuan
    expect(r).toMatchObject({ ok: true, totalFen: 44720 });
    if (!r.ok) throw new Error('unreachable');
    expect(r.lines).toHaveLength(9);
    expect(r.lines.find((l) => l.id === 'coin_0_5')).toEqual({ id: 'coin_0_5', kind: 'coin', faceFen: 50, pieces: 3, fen: 150 });
  });

  it('an empty count is zero, and a 1-yuan note and a 1-yuan coin are separate lines of one value', () => {
    expect(countDrawer(rules, {})).toMatchObject({ ok: true, totalFen: 0 });
    expect(countDrawer(rules, { note_1: 2, coin_1: 3 })).toMatchObject({ ok: true, totalFen: 500 });
  });

  it('refuses unknown denominations and pieces that are not whole numbers in range, never rounding', () => {
    expect(countDrawer(rules, { note_200: 1 })).toEqual({ ok: false, problem: 'unknown_denomination', id: 'note_200' });
    for (const bad of [-1, 1.5, Number.NaN, rules.maxPiecesPerDenomination + 1]) {
      expect(countDrawer(rules, { note_100: bad })).toEqual({ ok: false, problem: 'bad_pieces', id: 'note_100', pieces: bad });
    }
    expect(countDrawer(rules, { note_100: rules.maxPiecesPerDenomination })).toMatchObject({ ok: true, totalFen: rules.maxPiecesPerDenomination * 10000 });
  });

  it('rules files with a denomination listed twice or an unknown key are refused, naming the field', () => {
    const tree = JSON.parse(JSON.stringify(rules)) as Record<string, unknown> & { denominations: unknown[] };
    expect(() => parseShiftRules({ ...tree, denominations: [...tree.denominations, tree.denominations[0]] }, 'x.json')).toThrow(/x\.json: denominations\.9\.id: denomination note_100 listed twice/);
    expect(() => parseShiftRules({ ...tree, surprise: 1 }, 'x.json')).toThrow(/x\.json/);
  });
});

describe('what the drawer should hold, and the blind count against it', () => {
  it('float + cash taken + cash in − cash out', () => {
    expect(expectedCash({ floatFen: 50000, cashTakenFen: 123456, cashInFen: 20000, cashOutFen: 100000 })).toBe(93456);
    expect(() => expectedCash({ floatFen: -1, cashTakenFen: 0, cashInFen: 0, cashOutFen: 0 })).toThrow(RangeError);
    expect(() => expectedCash({ floatFen: 0, cashTakenFen: 0.5, cashInFen: 0, cashOutFen: 0 })).toThrow(RangeError);
  });

  it('short, over and balanced; approval only above the configured limit (¥10.00 shipped)', () => {
    expect(rules.differenceApprovalFen).toBe(1000);
    expect(drawerDifference(rules, 50000, 50000)).toEqual({ expectedFen: 50000, countedFen: 50000, differenceFen: 0, outcome: 'balanced', approvalRequired: false });
    expect(drawerDifference(rules, 50000, 49000)).toMatchObject({ differenceFen: -1000, outcome: 'short', approvalRequired: false });
    expect(drawerDifference(rules, 50000, 48999)).toMatchObject({ differenceFen: -1001, outcome: 'short', approvalRequired: true });
    expect(drawerDifference(rules, 50000, 51001)).toMatchObject({ differenceFen: 1001, outcome: 'over', approvalRequired: true });
    expect(drawerDifference(rules, 50000, 51000)).toMatchObject({ differenceFen: 1000, outcome: 'over', approvalRequired: false });
  });
});

describe('shift totals from the journal', () => {
  let seq = 0;
  const e = (type: string, ref: string, payload: Record<string, unknown>, actor = 'C001'): JournalRecord => ({ seq: ++seq, at: '2026-11-27T02:00:00.000Z', type, ref, actor, payload });
  const S = 'shift-1';

  it('counts cash payments and paid cash vends of the shift into the drawer, other methods and shifts only into takings', () => {
    const entries = [
      e('shift.opened', S, { shiftId: S, floatFen: 50000 }),
      e('payment.created', 'p1', { shiftId: S, method: 'cash', amountFen: 12345 }),
      e('payment.created', 'p2', { shiftId: S, method: 'qr', amountFen: 5000 }),
      e('payment.created', 'p3', { shiftId: S, method: 'card', amountFen: 7000 }),
      e('payment.created', 'p4', { shiftId: 'other', method: 'cash', amountFen: 99999 }),
      // A vend's settlement payment carries no shift: the vend's money is counted once, at vend.paid.
      e('payment.created', 'v1-settlement', { method: 'cash', amountFen: 2000 }),
      e('vend.created', 'v1', { shiftId: S, method: 'cash', amountFen: 10000 }),
      e('vend.paid', 'v1', { method: 'cash', amountFen: 10000 }),
      e('vend.created', 'v2', { shiftId: S, method: 'qr', amountFen: 3000 }),
      e('vend.paid', 'v2', { method: 'qr', amountFen: 3000 }),
      e('vend.created', 'v3', { shiftId: S, method: 'cash', amountFen: 4000 }), // never paid
      e('cash.in', 'm1', { shiftId: S, amountFen: 20000 }),
      e('cash.out', 'm2', { shiftId: S, amountFen: 30000 }),
      e('cash.out', 'm3', { shiftId: 'other', amountFen: 1 }),
      e('receipt.printed', 'p1', { reprint: false }),
    ];
    const t = shiftTotals(entries, S);
    expect(t.floatFen).toBe(50000);
    expect(t.payments).toEqual({ cash: { count: 1, fen: 12345 }, qr: { count: 1, fen: 5000 }, card: { count: 1, fen: 7000 } });
    expect(t.vends).toEqual({ cash: { count: 1, fen: 10000 }, qr: { count: 1, fen: 3000 } });
    expect(t.cashIn).toEqual({ count: 1, fen: 20000 });
    expect(t.cashOut).toEqual({ count: 1, fen: 30000 });
    expect(t.cashTakenFen).toBe(22345);
    expect(t.expectedCashFen).toBe(50000 + 22345 + 20000 - 30000);
    expect(t.takingsFen).toBe(12345 + 5000 + 7000 + 10000 + 3000);
  });
});

describe('shift totals: split tenders and reversals', () => {
  let seq = 100;
  const e = (type: string, ref: string, payload: Record<string, unknown>): JournalRecord => ({ seq: ++seq, at: '2026-11-27T03:00:00.000Z', type, ref, actor: 'C001', payload });
  it('a split tender counts each part under its method; only the cash part reaches the drawer; a cash void leaves it', () => {
    const t = shiftTotals(
      [
        e('shift.opened', 'S', { floatFen: 10000 }),
        e('payment.created', 'p1', { shiftId: 'S', method: 'split', amountFen: 9000, tenders: [{ method: 'cash', fen: 4000 }, { method: 'code', fen: 5000 }] }),
        e('payment.created', 'p2', { shiftId: 'S', method: 'cash', amountFen: 1500 }),
        e('payment.voided', 'p2', { shiftId: 'S', method: 'cash', amountFen: 1500 }),
        e('payment.refunded', 'p0', { shiftId: 'S', method: 'card', amountFen: 700 }),
      ],
      'S',
    );
    expect(t.payments).toEqual({ cash: { count: 2, fen: 5500 }, code: { count: 1, fen: 5000 } });
    expect(t.reversals).toEqual({ cash: { count: 1, fen: 1500 }, card: { count: 1, fen: 700 } });
    expect(t.cashTakenFen).toBe(5500);
    expect(t.cashReturnedFen).toBe(1500);
    expect(t.expectedCashFen).toBe(10000 + 5500 - 1500);
    expect(t.takingsFen).toBe(10500 - 2200);
  });
});
