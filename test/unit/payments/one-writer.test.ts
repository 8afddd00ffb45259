/**
 * One money path: a counter payment and the arrears a vend recovers are written by the same
 * payment writer (main/services/payment-writer.ts), so both settle by the one rule — each bill's
 * late fee before its principal — and write the same rows, journal entry and outbox event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OperatorView } from '../../../main/contract/index.js';
import { AccountService } from '../../../main/services/accounts.js';
import { writePayment } from '../../../main/services/payment-writer.js';
import { PaymentService } from '../../../main/services/payments.js';
import { VendContext } from '../../../main/services/vending/vend-context.js';
import { markDelivered } from '../../../main/services/vending/vend-delivery.js';
import { getVend } from '../../../main/services/vending/vend-store.js';
import type { VendServiceDeps } from '../../../main/services/vending/vend-types.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import type { BackendClient } from '../../../main/sync/backend-client.js';
import type { AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { shippedLateFees } from '../../support/config.js';

vi.mock('../../../main/services/payment-writer.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../main/services/payment-writer.js')>();
  return { ...actual, writePayment: vi.fn(actual.writePayment) };
});

const ACCOUNT = '3100000099';
const BILL = 'B2026090000001';
const NOW = new Date('2026-11-27T02:00:00.000Z');
const clerk: OperatorView = { operatorId: 'C001', name: '张敏', role: 'clerk' } as OperatorView;

const snapshot: AccountSnapshot = {
  accountNo: ACCOUNT,
  name: '王伟',
  address: '河南省三门峡市湖滨区黄河中路1号',
  phone: '13800000000',
  customerClass: 'residential',
  paymentMode: 'prepaid',
  tariffCode: 'RES-TIER-M',
  balanceFen: 0,
  creditGrade: 'B',
  meters: [],
  // ¥50 due 2026-10-28: 30 days overdue on 2026-11-27, late fee ¥1.50 (0.1 %/day).
  bills: [{ billId: BILL, period: '2026-09', consumption: 8900, amountFen: 5000, paidFen: 0, lateFeePaidFen: 0, dueDate: '2026-10-28', status: 'open', payments: [] }],
  consumptionThisYear: 0,
  consumptionThisMonth: 0,
  version: 1,
  updatedAt: '2026-11-27T00:00:00.000Z',
};

let dir: string;
let db: Db;
let accounts: AccountService;

beforeEach(() => {
  vi.mocked(writePayment).mockClear();
  dir = mkdtempSync(path.join(tmpdir(), 'gd-one-writer-'));
  db = openDatabase(path.join(dir, 't.db'));
  const client = { getAccount: async () => snapshot } as unknown as BackendClient;
  accounts = new AccountService({ db, client, clock: () => NOW, timeZone: 'Asia/Shanghai', lookupTimeoutMs: 100, lateFees: shippedLateFees() });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function tokenIssuedVend(vendId: string, arrearsFen: number, remainderFen: number): void {
  const split = { amountFen: 30_000, channelFeeFen: 0, debtBeforeFen: 5_000, arrearsFen, debtAfterFen: 5_000 - arrearsFen, fixedCharges: [], fixedChargesFen: 0, energyFen: 30_000 - arrearsFen - remainderFen, energyCkwh: 40_000, remainderFen };
  db.prepare(
    `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, issuer, tid, rnd, amount_tenths,
       split_json, token, locale, operator_id, created_at, updated_at)
     VALUES (?, ?, ?, '600727000000000021', 'sts', 'token_issued', 'cash', 30000, 'online', 1, 0, 4000, ?, '12345678901234567890', 'zh-CN', 'C001', ?, ?)`,
  ).run(vendId, `req-${vendId}`, ACCOUNT, JSON.stringify({ split, tierPeriodKey: null, fixedChargePeriods: [] }), NOW.toISOString(), NOW.toISOString());
}

describe('one payment writer', () => {
  it('a counter payment and a vend recovery are both written by writePayment, fee before principal', async () => {
    // Counter: ¥1.00 cash pays ¥1.00 of the ¥1.50 late fee.
    const payments = new PaymentService({ db, clock: () => NOW, accounts, printReceipt: async () => null, defaultLocale: 'zh-CN', afterCommit: () => undefined });
    const counter = await payments.create({ requestId: '0193a5c0-0000-7000-8000-000000000001', accountNo: ACCOUNT, method: 'cash', amount: '1.00' }, clerk);
    expect(counter.allocations).toEqual([{ billId: BILL, period: '2026-09', principalFen: 0, lateFeeFen: 100 }]);

    // Vend: recovers ¥10.00 at delivery: the ¥0.50 fee left, then ¥9.50 principal; ¥0.07 remainder to balance.
    const vendId = '0193a5c0-0000-7000-8000-0000000000aa';
    tokenIssuedVend(vendId, 1_000, 7);
    const ctx = new VendContext({ db, clock: () => NOW, accounts, afterCommit: () => undefined } as unknown as VendServiceDeps);
    markDelivered(ctx, getVend(db, vendId)!, 'shown', 'C001');
    expect(getVend(db, vendId)?.state).toBe('delivered');

    const calls = vi.mocked(writePayment).mock.calls.map(([, p]) => ({ method: p.method, requestId: p.requestId, externalRef: p.externalRef, amountFen: p.amountFen, maxToBillsFen: p.maxToBillsFen }));
    expect(calls).toEqual([
      { method: 'cash', requestId: '0193a5c0-0000-7000-8000-000000000001', externalRef: null, amountFen: 100, maxToBillsFen: undefined },
      { method: 'cash', requestId: `vend:${vendId}`, externalRef: vendId, amountFen: 1_007, maxToBillsFen: 1_000 },
    ]);
    const vendPayment = vi.mocked(writePayment).mock.results[1]?.value as ReturnType<typeof writePayment>;
    expect(vendPayment.settlement.allocations).toEqual([{ billId: BILL, principalFen: 950, lateFeeFen: 50 }]);
    expect(vendPayment.settlement.toBalanceFen).toBe(7);

    // The same rows for both: bill open for its principal, fee fully paid; a journal entry and an outbox event each.
    expect(db.prepare('SELECT paid_fen AS paid, late_fee_paid_fen AS fee, status FROM bills WHERE bill_id = ?').get(BILL)).toEqual({ paid: 950, fee: 150, status: 'open' });
    expect(db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'payment.created'").get()).toEqual({ n: 2 });
    const events = (db.prepare("SELECT payload FROM outbox WHERE type = 'payment.created' ORDER BY seq").all() as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
    expect(events).toEqual([
      expect.objectContaining({ allocations: [], lateFees: [{ billId: BILL, fen: 100 }], toBalanceFen: 0 }),
      expect.objectContaining({ allocations: [{ billId: BILL, fen: 950 }], lateFees: [{ billId: BILL, fen: 50 }], toBalanceFen: 7, externalRef: vendId }),
    ]);
    expect(db.prepare('SELECT balance_fen AS b FROM accounts WHERE account_no = ?').get(ACCOUNT)).toEqual({ b: 7 });
  });
});
