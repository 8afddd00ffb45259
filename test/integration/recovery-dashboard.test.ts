/**
 * The recovery-rate dashboard against the real core and the reference backend's seeded area: the
 * backend's figures equal a brute-force count over every account's history and bills; a payment
 * of arrears at the counter raises the month's collected and the late-fee income by exactly what
 * was settled, moves the arrears out of its ageing bucket and counts for the clerk; its void takes
 * it all back; a served notice counts for its clerk (pending while its days run); filters, CSV/XLSX
 * export, offline, bad input and roles.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryDashboardView, RpcResponse } from '../../main/contract/index.js';
import type { AccountHistory } from '../../main/wire/backend-wire.js';
import { areaOf } from '../billing-backend/recovery-dashboard.js';
import { addMonths } from '../billing-backend/calendar.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.dispose());

const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);
const count = (table: string) => (stack.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

/** Billed and collected over [from, to] counted account by account from the backend's own rows. */
function bruteForce(from: string, to: string, area?: string, only?: ReadonlySet<string>) {
  const accounts = stack.backend.db
    .prepare<[], { account_no: string; address: string; history_json: string | null }>('SELECT account_no, address, history_json FROM accounts')
    .all();
  let billed = 0;
  let collected = 0;
  let bills = 0;
  for (const a of accounts) {
    if (area !== undefined && areaOf(a.address) !== area) continue;
    if (only !== undefined && !only.has(a.account_no)) continue;
    const h = a.history_json === null ? null : (JSON.parse(a.history_json) as AccountHistory);
    const seeded = stack.backend.db.prepare<[string], { period: string; paid_fen: number; status: string }>('SELECT period, paid_fen, status FROM bills WHERE account_no = ?').all(a.account_no);
    if (h?.billed === undefined) continue;
    h.billed.forEach((fen, k) => {
      const period = addMonths(h.to, k - (h.billed!.length - 1));
      if (fen === 0 || period < from || period > to) return;
      billed += fen;
      bills += 1;
      const bill = seeded.find((b) => b.period === period);
      // Paid months in full; an open one by what is paid on it now (seed and counter alike).
      collected += bill !== undefined && bill.status === 'open' ? bill.paid_fen : (h.late![k] ?? -1) >= 0 ? fen : 0;
    });
  }
  return { billed, collected, bills };
}

describe('recovery-rate dashboard', () => {
  let dash: RecoveryDashboardView;

  it("answers the area's figures as the backend's rows add up, for the last twelve billed months by default", async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    dash = await call(stack.core, 'recovery.dashboard', {}, supervisor);
    expect([dash.from, dash.to, dash.today]).toEqual(['2025-11', '2026-10', '2026-11-27']);
    const area = dash.area!;
    expect(area).not.toBeNull();
    const brute = bruteForce(dash.from, dash.to);
    expect(area.total.billedFen).toBe(brute.billed);
    expect(area.total.collectedFen).toBe(brute.collected);
    expect(area.total.bills).toBe(brute.bills);
    expect(area.total.rateBp).toBe(Math.floor((brute.collected * 20_000 + brute.billed) / (2 * brute.billed)));
    expect(area.byMonth.map((r) => r.key)).toEqual(Array.from({ length: 12 }, (_, i) => addMonths('2025-11', i)));
    // Every dimension adds up to the same total.
    for (const rows of [area.byMonth, area.byArea, area.byClass, area.byGrade]) {
      expect(rows.reduce((s, r) => s + r.billedFen, 0)).toBe(area.total.billedFen);
      expect(rows.reduce((s, r) => s + r.collectedFen, 0)).toBe(area.total.collectedFen);
    }
    expect(area.byArea.length).toBeGreaterThan(1);
    expect(area.byClass.map((r) => r.key)).toContain('residential');
    // A varied area: some months well paid, some not; arrears of several ages; late fees earned.
    expect(area.total.rateBp!).toBeGreaterThan(5000);
    expect(area.total.rateBp!).toBeLessThan(10_000);
    expect(area.total.lateFeeFen).toBeGreaterThan(0);
    expect(area.ageing.filter((b) => b.outstandingFen > 0).length).toBeGreaterThan(1);
    expect(dash.clerks).toEqual([]);
  });

  it('counts a payment of arrears at the counter, for the area and the clerk, and takes it back on a void', async () => {
    const clerk = await signedIn(stack.core, 'C001', '1234');
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    const account = await call(stack.core, 'account.lookup', { accountNo: '3100000005' }, clerk);
    const oldest = account.openBills[0]!;
    expect(oldest.period).toBe('2025-12');
    expect(oldest.lateFeeFen).toBeGreaterThan(0);
    // A reminder served first (by the supervisor): it names the open bills, 2025-12 among them.
    const notice = await stack.core.dispatch('collection.issueNotice', { requestId: randomUUID(), accountNo: '3100000005', kind: 'reminder', output: 'pdf' }, supervisor);
    expect(code(notice)).toBe('ok');
    const amount = ((oldest.outstandingFen + oldest.lateFeeFen) / 100).toFixed(2);
    const paid = await call(stack.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000005', method: 'cash', amount }, clerk);
    await stack.core.syncNow();
    const settled = stack.core.db
      .prepare<[string], { principal: number; fees: number }>('SELECT SUM(principal_fen) AS principal, SUM(late_fee_fen) AS fees FROM payment_allocations WHERE payment_id = ?')
      .get(paid.paymentId)!;
    expect(settled).toEqual({ principal: oldest.outstandingFen, fees: oldest.lateFeeFen });

    const after = await call(stack.core, 'recovery.dashboard', {}, supervisor);
    const month = (v: RecoveryDashboardView) => v.area!.byMonth.find((r) => r.key === '2025-12')!;
    expect(after.area!.total.collectedFen - dash.area!.total.collectedFen).toBe(settled.principal);
    expect(month(after).collectedFen - month(dash).collectedFen).toBe(settled.principal);
    expect(month(after).paidBills - month(dash).paidBills).toBe(1);
    expect(after.area!.total.lateFeeFen - dash.area!.total.lateFeeFen).toBe(settled.fees);
    // Due 2026-01-31, 300 days before 2026-11-27: the 181–365 bucket shrinks by it.
    const bucket = (v: RecoveryDashboardView) => v.area!.ageing.find((b) => b.id === 'd181_365')!;
    expect(bucket(dash).outstandingFen - bucket(after).outstandingFen).toBe(settled.principal);
    expect(after.area!.total.billedFen).toBe(dash.area!.total.billedFen);
    expect(after.area!.total.collectedFen).toBe(bruteForce(after.from, after.to).collected);
    // The notice's other bills are still open and its 15 days are not over: pending, not in the rate.
    const pending = { withinDays: 15, sent: 1, paidWithin: 0, pending: 1, rateBp: null };
    const none = { withinDays: 15, sent: 0, paidWithin: 0, pending: 0, rateBp: null };
    expect(after.notices).toEqual(pending);
    expect(after.clerks).toEqual([
      {
        operatorId: 'C001',
        name: '张敏',
        payments: 1,
        accounts: 1,
        amountFen: oldest.outstandingFen + oldest.lateFeeFen,
        principalFen: settled.principal,
        arrearsRecoveredFen: settled.principal,
        lateFeeFen: settled.fees,
        shareBp: 10_000,
        reversals: 0,
        notices: none,
      },
      { operatorId: 'S001', name: '李强', payments: 0, accounts: 0, amountFen: 0, principalFen: 0, arrearsRecoveredFen: 0, lateFeeFen: 0, shareBp: null, reversals: 0, notices: pending },
    ]);

    await call(stack.core, 'payment.void', { requestId: randomUUID(), paymentId: paid.paymentId, reasonCode: 'wrong_account', supervisorId: 'S001', supervisorPin: '9999' }, clerk);
    await stack.core.syncNow();
    const voided = await call(stack.core, 'recovery.dashboard', {}, supervisor);
    expect(voided.area!.total).toEqual(dash.area!.total);
    expect(voided.area!.ageing).toEqual(dash.area!.ageing);
    expect(voided.clerks).toEqual([
      expect.objectContaining({ operatorId: 'C001', payments: 0, principalFen: 0, reversals: 1 }),
      expect.objectContaining({ operatorId: 'S001', notices: expect.objectContaining({ sent: 1 }) }),
    ]);
  });

  it('narrows every figure to an area, a class or a grade', async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    const areaName = dash.area!.byArea[0]!.key;
    const one = await call(stack.core, 'recovery.dashboard', { area: areaName }, supervisor);
    expect(one.area!.byArea.map((r) => r.key)).toEqual([areaName]);
    expect(one.area!.total.billedFen).toBe(bruteForce(one.from, one.to, areaName).billed);
    expect(one.area!.options.areas).toEqual(dash.area!.options.areas);
    const commercial = await call(stack.core, 'recovery.dashboard', { customerClass: 'commercial', from: '2026-01', to: '2026-06' }, supervisor);
    expect(commercial.area!.byClass.map((r) => r.key)).toEqual(['commercial']);
    expect(commercial.area!.byMonth).toHaveLength(6);
    const gradeC = await call(stack.core, 'recovery.dashboard', { grade: 'C' }, supervisor);
    expect(gradeC.area!.byGrade.map((r) => r.key)).toEqual(['C']);
    expect(gradeC.area!.total.rateBp!).toBeLessThan(dash.area!.total.rateBp!);
  });

  it('groups by the credit grade the counter shows (the same model), best grade first', async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    const grades = dash.area!.byGrade.map((r) => r.key);
    expect(grades.length).toBeGreaterThan(2);
    expect(dash.area!.options.grades).toEqual(grades);
    expect(grades).toEqual(['AAA', 'AA', 'A', 'B', 'C'].filter((g) => grades.includes(g)));
    // Every account graded at the counter (from the terminal's cache): the dashboard's cell of a
    // grade adds up exactly the accounts the counter shows with that grade.
    await stack.core.pullNow();
    const byGrade = new Map<string, Set<string>>();
    const accountNos = stack.backend.db.prepare<[], string>('SELECT account_no FROM accounts').pluck().all();
    for (const accountNo of accountNos) {
      const { modelGrade } = await call(stack.core, 'credit.get', { accountNo }, supervisor);
      byGrade.set(modelGrade, (byGrade.get(modelGrade) ?? new Set()).add(accountNo));
    }
    for (const row of dash.area!.byGrade) {
      const brute = bruteForce(dash.from, dash.to, undefined, byGrade.get(row.key) ?? new Set());
      expect({ grade: row.key, billed: row.billedFen, bills: row.bills }).toEqual({ grade: row.key, billed: brute.billed, bills: brute.bills });
    }
  });

  it('exports CSV (with a BOM, in the asked language) and XLSX (a sheet per table)', async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    const csv = await call(stack.core, 'recovery.dashboardExport', { format: 'csv', locale: 'zh-CN' }, supervisor);
    const text = Buffer.from(csv.base64, 'base64').toString('utf8');
    expect(text.startsWith('\uFEFF电费回收率看板')).toBe(true);
    expect(csv.fileName).toBe('recovery-T-HALL-01-2025-11_2026-10.csv');
    expect(text).toContain('按区域');
    expect(text).toContain((dash.area!.total.billedFen / 100).toFixed(2));
    expect(text).toContain(`${(dash.area!.total.rateBp! / 100).toFixed(2)}`);
    const xlsx = await call(stack.core, 'recovery.dashboardExport', { format: 'xlsx', locale: 'en' }, supervisor);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.base64, 'base64') as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Total', 'By month', 'By area', 'By customer class', 'By grade', 'Arrears ageing', 'Notices sent → paid', 'Clerks at this terminal']);
    const months = wb.getWorksheet('By month')!;
    expect(months.getRow(1).getCell(1).value).toBe('Month');
    expect(months.getRow(2).getCell(1).value).toBe('2025-11');
    expect(months.getRow(2).getCell(2).value).toBe(dash.area!.byMonth[0]!.billedFen / 100);
  });

  it("offline, shows this terminal's clerks and says why the area is missing", async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    stack.backend.setKnobs({ down: true });
    try {
      const offline = await call(stack.core, 'recovery.dashboard', {}, supervisor);
      expect(offline.area).toBeNull();
      expect(offline.areaUnavailable).toBe('recovery.dashboard.areaOffline');
      expect(offline.clerks.map((c) => c.operatorId)).toEqual(['C001', 'S001']);
    } finally {
      stack.backend.setKnobs({ down: false });
    }
  });

  it('refuses a bad range and other roles, writing nothing', async () => {
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    const clerk = await signedIn(stack.core, 'C001', '1234');
    const before = [count('journal'), count('outbox')];
    expect(code(await stack.core.dispatch('recovery.dashboard', { from: '2026-10', to: '2026-01' }, supervisor))).toBe('validation.invalid_params');
    expect(code(await stack.core.dispatch('recovery.dashboard', { from: '2023-01', to: '2026-10' }, supervisor))).toBe('validation.invalid_params');
    expect(code(await stack.core.dispatch('recovery.dashboard', { from: '2026-13' }, supervisor))).toBe('validation.invalid_params');
    expect(code(await stack.core.dispatch('recovery.dashboard', { customerClass: 'martian' }, supervisor))).toBe('validation.invalid_params');
    expect(code(await stack.core.dispatch('recovery.dashboardExport', { format: 'pdf' }, supervisor))).toBe('validation.invalid_params');
    expect(code(await stack.core.dispatch('recovery.dashboard', {}, clerk))).toBe('auth.forbidden');
    expect([count('journal'), count('outbox')]).toEqual(before);
    // One bound alone keeps the default span from it.
    const fromOnly = await call(stack.core, 'recovery.dashboard', { from: '2025-06' }, supervisor);
    expect([fromOnly.from, fromOnly.to]).toEqual(['2025-06', '2026-05']);
  });
});
