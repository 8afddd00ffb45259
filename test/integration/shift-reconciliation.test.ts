/**
 * A counter day end to end against the real core, the reference backend and the printer
 * simulator: no shift → no money; a shift opened with a counted float; cash payments online and
 * offline; a cash payment voided with approval (its cash leaves the drawer); cash in refused by the
 * backend (staff queue); a cash vend whose token is matched to its payment; X report; blind count short over the limit → supervisor approval → Z report; then the
 * four-way reconciliation of the day names every difference with its cause, prints, and exports
 * CSV and XLSX — and without the backend it still runs, with the ledger column empty.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconciliationView, RpcResponse } from '../../main/contract/index.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ shiftRequired: true });
});
afterAll(async () => stack.dispose());

const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);
const count = (table: string) => (stack.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const pay = (s: Awaited<ReturnType<typeof signedIn>>, accountNo: string, amount: string) =>
  stack.core.dispatch('payment.create', { requestId: randomUUID(), accountNo, method: 'cash', amount }, s);

describe('a counter day and its reconciliation', () => {
  it('runs from no shift to a reconciled, exported day', async () => {
    const clerk = await signedIn(stack.core, 'C001', '1234');
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    // Cached while online, so the offline payment later finds them.
    await call(stack.core, 'account.lookup', { accountNo: '3100000001' }, clerk);
    await call(stack.core, 'account.lookup', { accountNo: '3100000005' }, clerk);

    // No shift, no money: refused before anything is written.
    const before = [count('payments'), count('vends'), count('journal'), count('outbox')];
    expect(code(await pay(clerk, '3100000001', '100'))).toBe('shift.not_open');
    expect(code(await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: '3100000003', method: 'cash', amount: '20' }, clerk))).toBe('shift.not_open');
    expect([count('payments'), count('vends'), count('journal'), count('outbox')]).toEqual(before);

    // Open with a float of ¥500 counted by denomination; a second open is refused.
    const status0 = await call(stack.core, 'shift.current', {}, clerk);
    expect(status0).toMatchObject({ shift: null, required: true });
    expect(status0.rules.denominations.map((d) => d.id)).toContain('coin_0_5');
    const shiftId = randomUUID();
    const opened = await call(stack.core, 'shift.open', { requestId: shiftId, float: { note_100: 4, note_50: 1, note_10: 4, coin_1: 10 } }, clerk);
    expect(opened).toMatchObject({ shiftId, state: 'open', floatFen: 50000, expectedFen: null, countedFen: null });
    expect(await call(stack.core, 'shift.open', { requestId: shiftId, float: { note_100: 4, note_50: 1, note_10: 4, coin_1: 10 } }, clerk)).toMatchObject({ shiftId });
    expect(code(await stack.core.dispatch('shift.open', { requestId: randomUUID(), float: {} }, supervisor))).toBe('shift.already_open');
    expect(code(await stack.core.dispatch('shift.open', { requestId: randomUUID(), float: { note_200: 1 } }, clerk))).toBe('shift.bad_count');

    // Cash payments: one online, one while the backend is down (it waits in the outbox).
    const p1 = await pay(clerk, '3100000001', '100');
    expect(code(p1)).toBe('ok');
    stack.backend.setKnobs({ down: true });
    const p2 = await pay(clerk, '3100000005', '50');
    expect(code(p2)).toBe('ok');
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM payments WHERE shift_id = ?').get(shiftId)).toEqual({ n: 2 });
    stack.backend.setKnobs({ down: false });
    await stack.core.syncNow();

    // Cash in while the backend holds events, then refused by it: the staff queue.
    stack.backend.setKnobs({ holdEvents: true });
    const cashIn = await call(stack.core, 'shift.cashIn', { requestId: randomUUID(), amount: '30', reason: 'change_fund' }, clerk);
    stack.backend.setKnobs({ holdEvents: false, failEventIds: [cashIn.movementId] });
    await stack.core.syncNow();
    expect(count('sync_rejections')).toBe(1);

    // A cash vend: paid, token issued and printed — one credit for one paid vend.
    const vend = await call(stack.core, 'vend.purchase', { requestId: randomUUID(), accountNo: '3100000003', method: 'cash', amount: '20' }, clerk);
    expect(vend.state).toBe('delivered');
    expect(stack.core.db.prepare('SELECT shift_id FROM vends WHERE vend_id = ?').get(vend.vendId)).toEqual({ shift_id: shiftId });

    // The offline ¥50 payment is voided in the same shift (a supervisor approves): its cash leaves the drawer.
    if (!p2.ok) throw new Error('p2 failed');
    const p2Id = (p2.result as { paymentId: string }).paymentId;
    await call(stack.core, 'payment.void', { requestId: randomUUID(), paymentId: p2Id, reasonCode: 'wrong_account', supervisorId: 'S001', supervisorPin: '9999' }, clerk);

    // Cash out more than the drawer holds is refused; a bank deposit of ¥100 is not.
    expect(code(await stack.core.dispatch('shift.cashOut', { requestId: randomUUID(), amount: '10000', reason: 'bank_deposit' }, clerk))).toBe('shift.drawer_insufficient');
    await call(stack.core, 'shift.cashOut', { requestId: randomUUID(), amount: '100', reason: 'bank_deposit' }, clerk);

    // X report: takings by method, but not what the drawer should hold (the close stays blind).
    const x = await call(stack.core, 'shift.report', { kind: 'x', receiptLocale: 'en' }, clerk);
    const xText = x.lines.join('\n');
    expect(xText).toContain('X REPORT');
    expect(xText).toMatch(/Cash ×2\s+¥150\.00/);
    expect(xText).toMatch(/Voids and refunds\n.*Cash ×1\s+¥50\.00/);
    expect(xText).toMatch(/Cash ×1\s+¥20\.00/);
    expect(xText).not.toContain('Expected in drawer');
    const jobsBefore = stack.printer.jobs().length;
    expect(await call(stack.core, 'shift.printReport', { kind: 'x' }, clerk)).toMatchObject({ printed: true });
    expect((await stack.printer.waitForJob(jobsBefore)).text).toContain('X 报表');
    expect((await call(stack.core, 'shift.current', {}, clerk)).shift).toMatchObject({ expectedFen: null });

    // Blind count: ¥535.00 against ¥550.00 expected (500 + 150 − 50 + 30 + 20 − 100): ¥15 short, over the ¥10 limit.
    stack.backend.setKnobs({ holdEvents: true });
    const counted = await call(stack.core, 'shift.count', { counts: { note_100: 5, note_20: 1, note_10: 1, note_5: 1 } }, clerk);
    expect(counted).toMatchObject({ state: 'counted', countedFen: 53500, expectedFen: 55000, differenceFen: -1500, approvalRequired: true });
    expect(code(await pay(clerk, '3100000001', '1'))).toBe('shift.already_counted');
    expect(code(await stack.core.dispatch('shift.count', { counts: {} }, clerk))).toBe('shift.already_counted');

    // Closing needs a supervisor other than the clerk, with a reason; refusals are journaled.
    expect(code(await stack.core.dispatch('shift.close', {}, clerk))).toBe('shift.approval_required');
    expect(code(await stack.core.dispatch('shift.close', { reason: 'short', supervisorId: 'C001', supervisorPin: '1234' }, clerk))).toBe('approval.self_approval');
    expect(code(await stack.core.dispatch('shift.close', { reason: 'short', supervisorId: 'S001', supervisorPin: '0000' }, clerk))).toBe('approval.denied');
    expect(journalEntries(stack.core.db, shiftId).filter((e) => e.type === 'approval.failed')).toHaveLength(2);
    const jobsAtClose = stack.printer.jobs().length;
    const closed = await call(stack.core, 'shift.close', { reason: '清点时发现少一张 10 元和一张 5 元', supervisorId: 'S001', supervisorPin: '9999', receiptLocale: 'en' }, clerk);
    expect(closed).toMatchObject({ state: 'closed', zNo: 1, approvedBy: 'S001', report: { printed: true } });
    const z = (await stack.printer.waitForJob(jobsAtClose)).text;
    expect(z).toContain('Z REPORT No. 1');
    expect(z).toMatch(/Expected in drawer\s+¥550\.00/);
    expect(z).toMatch(/Counted\s+¥535\.00/);
    expect(z).toMatch(/Short\s+¥15\.00/);
    expect(z).toContain('S001');
    expect((await call(stack.core, 'shift.report', { kind: 'z' }, clerk)).lines.join('\n')).toContain('Z 报表');
    expect(verifyJournal(stack.core.db).ok).toBe(true);

    // The backend holds an event of this terminal the terminal never journaled.
    stack.backend.db
      .prepare("INSERT INTO events (event_id, terminal_id, seq, type, occurred_at, payload_json, received_at) VALUES (?, 'T-HALL-01', 999999, 'payment.created', ?, ?, ?)")
      .run(randomUUID(), stack.clock().toISOString(), JSON.stringify({ paymentId: 'p-ghost', amountFen: 4200 }), stack.clock().toISOString());

    const date = '2026-11-27';
    const day = await call(stack.core, 'reconciliation.run', { date }, supervisor);
    const causes = day.differences.map((d) => [d.cause, d.amountFen]);
    expect(causes).toEqual([
      ['counted_short', 1500],
      ['unknown_at_terminal', 4200],
      ['rejected', 3000],
      ['void', 5000],
      ['not_synced', 53500],
      ['not_synced', 0],
    ]);
    expect(day.differences.find((d) => d.cause === 'rejected')).toMatchObject({ ref: cashIn.movementId, detail: 'knob', eventType: 'cash.in' });
    expect(day.summary).toMatchObject({ cashExpectedFen: 55000, cashCountedFen: 53500, shiftsCounted: 1, journal: { fen: 17000 }, vendsPaid: { count: 1, fen: 2000 }, creditsIssued: { count: 1 }, creditsMatched: 1, pending: 2, rejected: 1 });
    expect(day.summary.backend).not.toBeNull();
    expect(day.shifts.map((s) => s.shiftId)).toEqual([shiftId]);

    // The same for the one shift; a clerk may not reconcile.
    const one = await call(stack.core, 'reconciliation.run', { shiftId }, supervisor);
    expect(one.differences.map((d) => d.cause)).toEqual(['counted_short', 'rejected', 'void', 'not_synced', 'not_synced']);
    expect(code(await stack.core.dispatch('reconciliation.run', { date }, clerk))).toBe('auth.forbidden');
    expect(code(await stack.core.dispatch('reconciliation.run', { date, shiftId }, supervisor))).toBe('reconciliation.bad_period');

    // Printed, and exported as CSV (UTF-8 with BOM) and XLSX, in either language.
    const jobsAtRecon = stack.printer.jobs().length;
    expect(await call(stack.core, 'reconciliation.print', { date }, supervisor)).toMatchObject({ printed: true });
    const printed = (await stack.printer.waitForJob(jobsAtRecon)).text;
    expect(printed).toContain('对账');
    expect(printed).toContain('点钞短款');
    const csv = await call(stack.core, 'reconciliation.export', { date, format: 'csv', locale: 'en' }, supervisor);
    expect(csv.fileName).toBe('reconciliation-T-HALL-01-2026-11-27.csv');
    const csvText = Buffer.from(csv.base64, 'base64').toString('utf8');
    expect(csvText.startsWith('\uFEFF')).toBe(true);
    expect(csvText).toContain('Severity,Way,Cause,Reference,Event,Amount (¥),Detail,What to do');
    expect(csvText).toMatch(/Problem,Drawer,Counted short,[0-9a-f-]{36},,15\.00,C001,/);
    const xlsx = await call(stack.core, 'reconciliation.export', { date, format: 'xlsx', locale: 'zh-CN' }, supervisor);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.base64, 'base64') as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '差异', '班次']);
    const diffs = wb.worksheets[1]!;
    expect(diffs.rowCount).toBe(1 + day.differences.length);
    expect(diffs.getRow(2).getCell(3).value).toBe('点钞短款');
    expect(diffs.getRow(2).getCell(6).value).toBe(15);

    // Offline: the backend's column stays empty instead of calling everything missing.
    stack.backend.setKnobs({ down: true });
    const offline: ReconciliationView = await call(stack.core, 'reconciliation.run', { date }, supervisor);
    expect(offline.summary.backend).toBeNull();
    expect(offline.differences.map((d) => d.cause)).toEqual(['counted_short', 'rejected', 'void', 'not_synced', 'not_synced']);
    stack.backend.setKnobs({ down: false, holdEvents: false });
  });
});
