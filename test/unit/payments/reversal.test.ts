/**
 * Voids and refunds reverse a payment's settlement EXACTLY: each bill gets back the principal and
 * the late fee this payment paid, its dated bill payments go (so a late fee computed afterwards
 * accrues as if the payment had never been made), the balance part comes off — and nothing else.
 * The pure rule (reverseSettlement) and the service on a real SQLite file, fees included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorView } from '../../../main/contract/index.js';
import { applySettlement, reverseSettlement, settle, type BillPaidState } from '../../../main/domain/settlement.js';
import { AccountService } from '../../../main/services/accounts.js';
import { cacheOperators } from '../../../main/services/auth.js';
import { PaymentReversals } from '../../../main/services/payment-reversals.js';
import { PaymentService } from '../../../main/services/payments.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import { verifyJournal } from '../../../main/store/journal.js';
import type { BackendClient } from '../../../main/sync/backend-client.js';
import type { AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { generateSeed } from '../../billing-backend/seed.js';
import { shippedLateFees } from '../../support/config.js';

describe('reverseSettlement (pure)', () => {
  const before: BillPaidState[] = [
    { billId: 'old', paidFen: 20_000, lateFeePaidFen: 0, payments: [{ paymentId: 'p0', paidOn: '2025-03-20', principalFen: 20_000 }] },
    { billId: 'new', paidFen: 0, lateFeePaidFen: 0, payments: [] },
  ];

  it('takes off exactly what the payment applied, fee and principal, and forgets its dated payment', () => {
    const s = settle(90_000, [
      { billId: 'old', period: '2025-02', dueDate: '2025-03-15', outstandingFen: 80_000, lateFeeFen: 1_600 },
      { billId: 'new', period: '2025-03', dueDate: '2025-04-15', outstandingFen: 50_000, lateFeeFen: 0 },
    ]);
    const paid = applySettlement(before, 'p1', '2025-04-04', s.allocations);
    expect(paid).toEqual([
      { billId: 'old', paidFen: 100_000, lateFeePaidFen: 1_600, payments: [before[0]!.payments[0], { paymentId: 'p1', paidOn: '2025-04-04', principalFen: 80_000 }] },
      { billId: 'new', paidFen: 8_400, lateFeePaidFen: 0, payments: [{ paymentId: 'p1', paidOn: '2025-04-04', principalFen: 8_400 }] },
    ]);
    expect(reverseSettlement(paid, 'p1', s.allocations)).toEqual(before);
  });

  it('leaves a later payment of the same bill as it was', () => {
    const a = settle(30_000, [{ billId: 'new', period: '2025-03', dueDate: '2025-04-15', outstandingFen: 50_000, lateFeeFen: 500 }]);
    const afterA = applySettlement(before, 'pA', '2025-04-20', a.allocations);
    const b = settle(10_000, [{ billId: 'new', period: '2025-03', dueDate: '2025-04-15', outstandingFen: 20_500, lateFeeFen: 100 }]);
    const afterB = applySettlement(afterA, 'pB', '2025-04-25', b.allocations);
    expect(reverseSettlement(afterB, 'pA', a.allocations)).toEqual(applySettlement(before, 'pB', '2025-04-25', b.allocations));
  });

  it('refuses to take off more than a bill shows paid (that would be reversing something else)', () => {
    expect(() => reverseSettlement(before, 'px', [{ billId: 'new', principalFen: 1, lateFeeFen: 0 }])).toThrow(RangeError);
    expect(() => reverseSettlement(before, 'px', [{ billId: 'old', principalFen: 0, lateFeeFen: 1 }])).toThrow(RangeError);
  });
});

const ACCOUNT = '3100000099';
const NOW = new Date('2026-11-27T02:00:00.000Z');
const clerk: OperatorView = { operatorId: 'C001', name: '张敏', role: 'clerk' };

// Residential, 0.1 %/day: B1 ¥1,000 due 2026-10-15 (43 days late on 11-27: ¥43.00 fee), B2 ¥300 due 11-30.
const snapshot: AccountSnapshot = {
  accountNo: ACCOUNT,
  name: '王伟',
  address: '河南省三门峡市湖滨区黄河中路1号',
  phone: '13800000000',
  customerClass: 'residential',
  paymentMode: 'postpaid',
  tariffCode: 'RES-TIER-M',
  balanceFen: 0,
  creditGrade: 'B',
  meters: [],
  bills: [
    { billId: 'B1', period: '2026-09', consumption: 100_000, amountFen: 100_000, paidFen: 0, lateFeePaidFen: 0, dueDate: '2026-10-15', status: 'open', payments: [] },
    { billId: 'B2', period: '2026-10', consumption: 30_000, amountFen: 30_000, paidFen: 0, lateFeePaidFen: 0, dueDate: '2026-11-30', status: 'open', payments: [] },
  ],
  consumptionThisYear: 0,
  consumptionThisMonth: 0,
  version: 1,
  updatedAt: '2026-11-27T00:00:00.000Z',
};

let dir: string;
let db: Db;
let now: Date;
let accounts: AccountService;
let payments: PaymentService;
let reversals: PaymentReversals;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-reversal-'));
  db = openDatabase(path.join(dir, 't.db'));
  now = NOW;
  const clock = () => now;
  cacheOperators(db, generateSeed({ seed: 20261127, accounts: 1, seedDate: '2026-11-27' }).operators);
  const client = { getAccount: async () => snapshot } as unknown as BackendClient;
  accounts = new AccountService({ db, client, clock, timeZone: 'Asia/Shanghai', lookupTimeoutMs: 100, lateFees: shippedLateFees() });
  payments = new PaymentService({ db, clock, accounts, defaultLocale: 'zh-CN', afterCommit: () => undefined, timeZone: 'Asia/Shanghai' });
  reversals = new PaymentReversals({ db, clock, payments, defaultLocale: 'zh-CN', afterCommit: () => undefined });
  await accounts.lookup(ACCOUNT);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function billRows() {
  return db.prepare('SELECT bill_id, paid_fen, late_fee_paid_fen, status FROM bills ORDER BY bill_id').all();
}
function billPaymentRows() {
  return db.prepare('SELECT bill_id, payment_id, paid_on, principal_fen FROM bill_payments ORDER BY bill_id, payment_id').all();
}
function balance(): number {
  return (db.prepare('SELECT balance_fen AS b FROM accounts WHERE account_no = ?').get(ACCOUNT) as { b: number }).b;
}
const reason = { reasonCode: 'wrong_amount' as const, supervisorId: 'S001', supervisorPin: '9999' };

describe('void and refund through the service', () => {
  it('a void puts fees, principal, dated payments and balance back exactly; late fees accrue as if it had never been paid', async () => {
    const stateBefore = { bills: billRows(), billPayments: billPaymentRows(), balance: balance(), view: accounts.view(accounts.cached(ACCOUNT), 'cache') };
    expect(stateBefore.view.openBills.map((b) => [b.billId, b.lateFeeFen])).toEqual([
      ['B1', 4_300],
      ['B2', 0],
    ]);
    // ¥1,500: B1's ¥43 fee, its ¥1,000, B2's ¥300, ¥157 to the balance.
    const p = await payments.create({ requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '1500.00' }, clerk);
    expect(p.allocations.map((a) => [a.billId, a.principalFen, a.lateFeeFen])).toEqual([
      ['B1', 100_000, 4_300],
      ['B2', 30_000, 0],
    ]);
    expect(p.toBalanceFen).toBe(15_700);
    expect(p.voidable).toBe(true);

    const r = await reversals.reverse('void', { requestId: crypto.randomUUID(), paymentId: p.paymentId, ...reason }, clerk);
    expect(r.reversal).toMatchObject({ kind: 'void', state: 'completed', amountFen: 150_000, approvedBy: 'S001' });
    expect(r.payment.status).toBe('voided');
    expect(billRows()).toEqual(stateBefore.bills);
    expect(billPaymentRows()).toEqual(stateBefore.billPayments);
    expect(balance()).toBe(stateBefore.balance);
    expect(accounts.view(accounts.cached(ACCOUNT), 'cache').openBills).toEqual(stateBefore.view.openBills);

    // Ten days later the fee is what it would be had nobody paid: 53 days on ¥1,000.
    now = new Date('2026-12-07T02:00:00.000Z');
    expect(accounts.view(accounts.cached(ACCOUNT), 'cache').openBills.find((b) => b.billId === 'B1')?.lateFeeFen).toBe(5_300);

    // One transaction each: journal intact, one reversal event with the payment's figures.
    expect(verifyJournal(db).ok).toBe(true);
    const event = JSON.parse((db.prepare("SELECT payload FROM outbox WHERE type = 'payment.voided'").get() as { payload: string }).payload) as Record<string, unknown>;
    expect(event).toMatchObject({
      paymentId: p.paymentId,
      kind: 'void',
      amountFen: 150_000,
      allocations: [
        { billId: 'B1', fen: 100_000 },
        { billId: 'B2', fen: 30_000 },
      ],
      lateFees: [{ billId: 'B1', fen: 4_300 }],
      toBalanceFen: 15_700,
      tenders: [{ method: 'cash', fen: 150_000 }],
      approvedBy: 'S001',
    });
  });

  it('a part payment refunded later: only its own share comes off; a later payment of the same bill stays', async () => {
    // A: ¥543 = B1's ¥43 fee + ¥500 principal (on 11-27).
    const a = await payments.create({ requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '543.00' }, clerk);
    // B, five days later: B1's fee on ¥500 for 5 days (¥2.50) + ¥200 principal.
    now = new Date('2026-12-02T02:00:00.000Z');
    const b = await payments.create({ requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '202.50' }, clerk);
    expect(b.allocations.map((x) => [x.billId, x.principalFen, x.lateFeeFen])).toEqual([['B1', 20_000, 250]]);
    expect(a.voidable).toBe(true);

    const voided = await reversals.reverse('void', { requestId: crypto.randomUUID(), paymentId: a.paymentId, ...reason }, clerk).catch((e: unknown) => e);
    expect(voided).toMatchObject({ code: 'payment.void_window_passed' });
    const r = await reversals.reverse('refund', { requestId: crypto.randomUUID(), paymentId: a.paymentId, ...reason, reasonCode: 'customer_request' }, clerk);
    expect(r.payment.status).toBe('refunded');

    // B1 as if only B had been paid: ¥200 principal, ¥2.50 fee; B's dated payment kept.
    expect(db.prepare("SELECT paid_fen, late_fee_paid_fen, status FROM bills WHERE bill_id = 'B1'").get()).toEqual({ paid_fen: 20_000, late_fee_paid_fen: 250, status: 'open' });
    expect(billPaymentRows()).toEqual([{ bill_id: 'B1', payment_id: b.paymentId, paid_on: '2026-12-02', principal_fen: 20_000 }]);
    // The fee now replays only B: 48 days on ¥1,000 to 12-02, ¥800 after — ¥48.00 accrued, ¥2.50 paid.
    expect(accounts.view(accounts.cached(ACCOUNT), 'cache').openBills.find((x) => x.billId === 'B1')?.lateFeeFen).toBe(4_550);
  });

  it('a wrong supervisor PIN or self-approval changes nothing; a second reversal is refused', async () => {
    const p = await payments.create({ requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'cash', amount: '100.00' }, clerk);
    const bills = billRows();
    await expect(reversals.reverse('void', { requestId: crypto.randomUUID(), paymentId: p.paymentId, ...reason, supervisorPin: '0000' }, clerk)).rejects.toMatchObject({
      code: 'approval.denied',
    });
    const supervisor: OperatorView = { operatorId: 'S001', name: '李强', role: 'supervisor' };
    await expect(reversals.reverse('void', { requestId: crypto.randomUUID(), paymentId: p.paymentId, ...reason }, supervisor)).rejects.toMatchObject({
      code: 'approval.self_approval',
    });
    expect(billRows()).toEqual(bills);
    expect(db.prepare('SELECT COUNT(*) AS n FROM payment_reversals').get()).toEqual({ n: 0 });
    const requestId = crypto.randomUUID();
    await reversals.reverse('void', { requestId, paymentId: p.paymentId, ...reason }, clerk);
    // The same request again answers the same reversal; another one is refused.
    await expect(reversals.reverse('void', { requestId, paymentId: p.paymentId, ...reason }, clerk)).resolves.toMatchObject({ reversal: { state: 'completed' } });
    await expect(reversals.reverse('refund', { requestId: crypto.randomUUID(), paymentId: p.paymentId, ...reason }, clerk)).rejects.toMatchObject({
      code: 'payment.already_reversed',
    });
    expect(db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'payment.voided'").get()).toEqual({ n: 1 });
  });
});
