/**
 * One settlement rule for every money movement: the arrears a vend recovers settle each bill's
 * late fee before its principal, exactly as a counter payment does. Real SQLite, the reference
 * backend over HTTP, the printer simulator.
 *
 * The example: a ¥50 bill 30 days overdue carries a ¥1.50 fee (residential, 0.1 %/day); a ¥300
 * vend recovers ¥50 (a fixed recovery of ¥50 per purchase). It takes the ¥1.50 fee and ¥48.50 of
 * principal, and the bill stays open for ¥1.50 — at the terminal, at the backend, and in the
 * backend's snapshots.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VendPreviewView, VendView } from '../../main/contract/index.js';
import { RESOURCES_DIR } from '../../main/compose/index.js';
import { loadVendRules } from '../../main/loaders/tariff-config.js';
import { verifyJournal } from '../../main/store/journal.js';
import { nextCounter } from '../billing-backend/db.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

const STS_2014 = '3100000003';
const BILL = 'B2026099900001';

let stack: Stack;
beforeEach(async () => {
  const rules = loadVendRules(path.join(RESOURCES_DIR, 'rules', 'vend.json'));
  stack = await startStack({ vendRules: { ...rules, arrearsRecovery: { mode: 'fixed', amountFen: 5_000 } } });
  // A ¥50 bill due 2026-10-28: on the demo date (2026-11-27) it is 30 days overdue.
  const db = stack.backend.db;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status)
       VALUES (?, ?, '2026-09', 8900, 5000, 0, '2026-10-28', 'open')`,
    ).run(BILL, STS_2014);
    db.prepare('UPDATE accounts SET version = version + 1, change_seq = ? WHERE account_no = ?').run(nextCounter(db, 'change'), STS_2014);
  })();
});
afterEach(async () => stack.dispose());

describe('a vend recovering arrears', () => {
  it('settles the late fee before the principal: ¥1.50 fee + ¥48.50, the bill stays open for ¥1.50', async () => {
    const s = await signedIn(stack.core);
    const before = await call(stack.core, 'account.lookup', { accountNo: STS_2014 }, s);
    expect(before.openBills).toEqual([expect.objectContaining({ billId: BILL, outstandingFen: 5_000, daysOverdue: 30, lateFeeFen: 150 })]);

    // The debt shown before payment is what the counter would ask for: principal and late fee.
    const preview = await call(stack.core, 'vend.preview', { accountNo: STS_2014, amount: '300' }, s);
    expect(preview).toMatchObject({ debtBeforeFen: 5_150, arrearsFen: 5_000, debtAfterFen: 150 } satisfies Partial<VendPreviewView>);

    const vend: VendView = await call(stack.core, 'vend.purchase', { requestId: randomUUID(), accountNo: STS_2014, method: 'cash', amount: '300', delivery: 'print', splitDigest: preview.splitDigest }, s);
    expect(vend.state).toBe('delivered');

    // At the terminal: one payment, the fee first, the bill still open.
    const db = stack.core.db;
    const payment = db.prepare('SELECT payment_id, amount_fen, to_balance_fen FROM payments WHERE external_ref = ?').get(vend.vendId) as { payment_id: string; amount_fen: number; to_balance_fen: number };
    expect(payment.amount_fen - payment.to_balance_fen).toBe(5_000);
    expect(db.prepare('SELECT bill_id AS billId, principal_fen AS principal, late_fee_fen AS fee FROM payment_allocations WHERE payment_id = ?').all(payment.payment_id)).toEqual([
      { billId: BILL, principal: 4_850, fee: 150 },
    ]);
    expect(db.prepare('SELECT paid_fen AS paid, late_fee_paid_fen AS fee, status FROM bills WHERE bill_id = ?').get(BILL)).toEqual({ paid: 4_850, fee: 150, status: 'open' });
    const event = db.prepare("SELECT payload FROM outbox WHERE event_id = ? AND type = 'payment.created'").get(payment.payment_id) as { payload: string };
    expect(JSON.parse(event.payload)).toMatchObject({ allocations: [{ billId: BILL, fen: 4_850 }], lateFees: [{ billId: BILL, fen: 150 }], externalRef: vend.vendId });
    const pending = await call(stack.core, 'account.lookup', { accountNo: STS_2014 }, s);
    expect(pending.openBills).toEqual([expect.objectContaining({ billId: BILL, outstandingFen: 150, lateFeeFen: 0 })]);

    // At the backend: the late fee of the vend's settlement is recorded per bill like a counter's.
    await stack.core.syncNow();
    expect(stack.backend.db.prepare('SELECT paid_fen AS paid, late_fee_paid_fen AS fee, status FROM bills WHERE bill_id = ?').get(BILL)).toEqual({ paid: 4_850, fee: 150, status: 'open' });
    expect(stack.backend.db.prepare('SELECT COUNT(*) AS n FROM exceptions').get()).toEqual({ n: 0 });

    // And its snapshot still shows the ¥1.50 open, with the fee not asked for again.
    const synced = await call(stack.core, 'account.lookup', { accountNo: STS_2014 }, s);
    expect(synced.source).toBe('online');
    expect(synced.openBills).toEqual([expect.objectContaining({ billId: BILL, paidFen: 4_850, outstandingFen: 150, lateFeeFen: 0, status: 'open' })]);
    expect(synced.totalDueFen).toBe(150);
    expect(verifyJournal(db).ok).toBe(true);
  });
});
