/**
 * A late fee accrues day by day on the principal outstanding that day, after a part-payment too:
 * the backend's snapshot carries each open bill's dated payments, the terminal lays its own not yet
 * acknowledged payments over them, and the fee replays them. Real SQLite, reference backend over
 * HTTP; the clock is moved forward 20 days.
 *
 * The example (residential, 0.1 %/day): ¥1,000 due 20 days before the demo date; the customer pays
 * ¥520 (¥20 fee for 20 days, ¥500 principal); 20 days later ¥10 is due (20 more days on ¥500).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextCounter } from '../billing-backend/db.js';
import { call, DEMO_NOW, signedIn, startStack, type Stack } from '../support/stack.js';

const ACCOUNT = '3100000003';
const BILL = 'B2026109900001';
const DAY_MS = 86_400_000;

let stack: Stack;
let shiftMs = 0;
beforeEach(async () => {
  shiftMs = 0;
  const started = Date.now();
  stack = await startStack({ clock: () => new Date(DEMO_NOW.getTime() + (Date.now() - started) + shiftMs) });
  // ¥1,000 due 2026-11-07: on the demo date (2026-11-27) 20 days overdue.
  const db = stack.backend.db;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status)
       VALUES (?, ?, '2026-10', 17800, 100000, 0, '2026-11-07', 'open')`,
    ).run(BILL, ACCOUNT);
    db.prepare('UPDATE accounts SET version = version + 1, change_seq = ? WHERE account_no = ?').run(nextCounter(db, 'change'), ACCOUNT);
  })();
});
afterEach(async () => stack.dispose());

describe('late fee after a part-payment', () => {
  it('accrues on the principal left: ¥20 paid with ¥500, then ¥10 for the next 20 days — before and after sync', async () => {
    let s = await signedIn(stack.core);
    const before = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(before.openBills).toEqual([expect.objectContaining({ billId: BILL, outstandingFen: 100_000, daysOverdue: 20, lateFeeFen: 2_000 })]);

    stack.backend.setKnobs({ holdEvents: true });
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '520.00' }, s);
    expect(paid.allocations).toEqual([{ billId: BILL, period: '2026-10', principalFen: 50_000, lateFeeFen: 2_000 }]);

    // 20 days later, the payment not yet at the backend: the fresh snapshot lacks it, the terminal lays it over.
    shiftMs = 20 * DAY_MS;
    s = await signedIn(stack.core);
    const pending = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(pending.source).toBe('online');
    expect(pending.openBills).toEqual([expect.objectContaining({ billId: BILL, outstandingFen: 50_000, daysOverdue: 40, lateFeeFen: 1_000 })]);

    // Synced: the backend records the dated principal payment and its snapshot carries it.
    stack.backend.setKnobs({ holdEvents: false });
    await stack.core.syncNow();
    expect(stack.backend.db.prepare('SELECT event_id AS id, paid_on AS paidOn, principal_fen AS fen FROM bill_payments WHERE bill_id = ?').all(BILL)).toEqual([
      { id: paid.paymentId, paidOn: '2026-11-27', fen: 50_000 },
    ]);
    const synced = await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    expect(synced.openBills).toEqual([expect.objectContaining({ billId: BILL, paidFen: 50_000, outstandingFen: 50_000, lateFeeFen: 1_000 })]);
    expect(synced.totalDueFen).toBe(51_000);

    // Paying it all closes the bill: ¥10 fee + ¥500 principal.
    const rest = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '510.00' }, s);
    expect(rest.allocations).toEqual([{ billId: BILL, period: '2026-10', principalFen: 50_000, lateFeeFen: 1_000 }]);
    expect((await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s)).openBills).toEqual([]);
  });
});
