/**
 * Credit grades against the real core and reference backend: a late payment at the counter is a
 * new fact that re-grades the account at once (and reaches the backend's history on sync); a
 * manager's override is journaled, synced and shown with its reason; the monthly run grades the
 * whole cache.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalEntries } from '../../main/store/journal.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

const CHRONIC = '3100000001';

describe('credit grades', () => {
  it('re-grades when a late payment arrives at the counter, and the backend keeps the fact', async () => {
    const s = await signedIn(stack.core);
    const account = await call(stack.core, 'account.lookup', { accountNo: CHRONIC }, s);
    const before = await call(stack.core, 'credit.get', { accountNo: CHRONIC }, s);
    expect(before.factsKnown).toBe(true);
    expect(before.history.map((h) => h.trigger)).toEqual(['first']);
    const overdue = account.openBills.find((b) => b.daysOverdue > 0);
    if (overdue === undefined) throw new Error('the demo account has no overdue bill');

    await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: CHRONIC, method: 'cash', amount: ((overdue.outstandingFen + overdue.lateFeeFen) / 100).toFixed(2) }, s);
    // Re-graded in the payment's wake, before anyone asks.
    const rows = stack.core.db.prepare("SELECT trigger, score FROM credit_grades WHERE account_no = ? ORDER BY seq").all(CHRONIC) as { trigger: string; score: number }[];
    expect(rows.map((r) => r.trigger)).toEqual(['first', 'fact']);
    const after = await call(stack.core, 'credit.get', { accountNo: CHRONIC }, s);
    // 2026-09's bill fell due 2026-10-31, 27 days overdue today: current arrears 27 → 60 of 100 at 12% (−5)
    // is gone; it stays a late payment (now paid 27 days late), so the rest is unchanged.
    expect(after.score - before.score).toBe(5);
    expect(after.history[0]).toMatchObject({ trigger: 'fact', score: after.score });

    await stack.core.syncNow();
    const backendHistory = JSON.parse((stack.backend.db.prepare('SELECT history_json FROM accounts WHERE account_no = ?').get(CHRONIC) as { history_json: string }).history_json) as { late: number[] };
    expect(backendHistory.late.at(-2)).toBe(27);
    // The backend's snapshot now carries the fact itself: same grade from a fresh lookup.
    await call(stack.core, 'account.lookup', { accountNo: CHRONIC }, s);
    const synced = await call(stack.core, 'credit.get', { accountNo: CHRONIC }, s);
    expect([synced.score, synced.grade]).toEqual([after.score, after.grade]);
  });

  it('an account the terminal has not cached has no grade yet (a translated refusal), and is graded once looked up', async () => {
    const s = await signedIn(stack.core);
    const refused = await stack.core.dispatch('credit.get', { accountNo: CHRONIC }, s);
    expect(refused.ok ? 'ok' : [refused.error.code, refused.error.details]).toEqual(['credit.no_account', { accountNo: CHRONIC }]);
    expect(stack.core.db.prepare('SELECT COUNT(*) FROM credit_grades').pluck().get()).toBe(0);
    await call(stack.core, 'account.lookup', { accountNo: CHRONIC }, s);
    expect((await call(stack.core, 'credit.get', { accountNo: CHRONIC }, s)).factsKnown).toBe(true);
  });

  it('takes a manager’s override with a reason, journaled and synced; refuses a clerk and a missing reason; lifts it', async () => {
    const clerk = await signedIn(stack.core);
    const manager = await signedIn(stack.core, 'M001', '5678');
    await call(stack.core, 'account.lookup', { accountNo: CHRONIC }, clerk);
    const model = await call(stack.core, 'credit.get', { accountNo: CHRONIC }, clerk);
    const target = model.grade === 'A' ? 'B' : 'A';

    const byClerk = await stack.core.dispatch('credit.override', { accountNo: CHRONIC, grade: target, reason: '客户已签代扣协议' }, clerk);
    expect(byClerk).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    const noReason = await stack.core.dispatch('credit.override', { accountNo: CHRONIC, grade: target, reason: ' ' }, manager);
    expect(noReason).toMatchObject({ ok: false, error: { code: 'credit.reason_required' } });
    const same = await stack.core.dispatch('credit.override', { accountNo: CHRONIC, grade: model.grade, reason: '客户已签代扣协议' }, manager);
    expect(same).toMatchObject({ ok: false, error: { code: 'credit.same_grade' } });
    expect(stack.core.db.prepare('SELECT COUNT(*) FROM credit_overrides').pluck().get()).toBe(0);

    const overridden = await call(stack.core, 'credit.override', { accountNo: CHRONIC, grade: target, reason: '客户已签代扣协议' }, manager);
    expect(overridden).toMatchObject({ grade: target, modelGrade: model.grade, override: { grade: target, reason: '客户已签代扣协议', operatorId: 'M001', operatorName: '周静' } });
    expect(overridden.history[0]).toMatchObject({ trigger: 'override', grade: target, modelGrade: model.grade });
    const entry = journalEntries(stack.core.db, CHRONIC).find((e) => e.type === 'credit.overridden');
    expect(entry).toMatchObject({ actor: 'M001', payload: { grade: target, modelGrade: model.grade, reason: '客户已签代扣协议' } });
    // The clerk sees the override and the model underneath.
    expect(await call(stack.core, 'credit.get', { accountNo: CHRONIC }, clerk)).toMatchObject({ grade: target, modelGrade: model.grade });

    await stack.core.syncNow();
    const synced = stack.backend.db.prepare("SELECT payload_json FROM events WHERE type = 'credit.overridden'").pluck().all() as string[];
    expect(synced.map((p) => JSON.parse(p) as { grade: string })).toMatchObject([{ grade: target, accountNo: CHRONIC }]);

    const lifted = await call(stack.core, 'credit.liftOverride', { accountNo: CHRONIC, reason: '代扣协议已终止' }, manager);
    expect(lifted).toMatchObject({ grade: model.grade, override: null });
    expect(lifted.history[0]).toMatchObject({ trigger: 'override_lifted', grade: model.grade });
    const again = await stack.core.dispatch('credit.liftOverride', { accountNo: CHRONIC, reason: '代扣协议已终止' }, manager);
    expect(again).toMatchObject({ ok: false, error: { code: 'credit.no_override' } });
  });

  it('grades every cached account in the monthly run, only changes entering the history', async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    await stack.core.pullNow();
    const cached = stack.core.db.prepare('SELECT COUNT(*) FROM accounts').pluck().get() as number;
    expect(cached).toBeGreaterThan(100);
    const first = await call(stack.core, 'credit.evaluateAll', {}, supervisor);
    expect(first.evaluated).toBe(cached);
    expect(first.changed).toBe(cached);
    expect(Object.values(first.byGrade).reduce((a, b) => a + b, 0)).toBe(cached);
    // Varied behaviour gives every grade.
    for (const g of ['AAA', 'AA', 'A', 'B', 'C'] as const) expect(first.byGrade[g], g).toBeGreaterThan(0);
    const second = await call(stack.core, 'credit.evaluateAll', {}, supervisor);
    expect(second).toMatchObject({ evaluated: cached, changed: 0 });
    expect(stack.core.db.prepare('SELECT COUNT(*) FROM credit_grades').pluck().get()).toBe(cached);
    const worst = await call(stack.core, 'credit.get', { accountNo: '3100000005' }, supervisor);
    expect(worst.grade).toBe('C');
    expect(worst.advice.flagPrepaid).toBe(true);
    expect(worst.advice.adviceKeys).toContain('credit.advice.prepaid_meter');
    const best = await call(stack.core, 'credit.get', { accountNo: '3100000007' }, supervisor);
    expect(best.grade).toBe('AAA');
    expect(best.advice.fastLane).toBe(true);
  });
});
