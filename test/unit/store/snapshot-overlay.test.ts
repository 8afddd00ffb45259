/**
 * Laying a snapshot over this terminal's own payments (main/store/accounts.ts cacheSnapshot): a
 * payment counts once whatever the order of push, acknowledgement and snapshot. The two cases the
 * fault run found (docs/faults.md, "Defects found") and the backend that does not say what it holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settlementBills, writePayment } from '../../../main/services/payment-writer.js';
import { cacheSnapshot, getCachedAccount } from '../../../main/store/accounts.js';
import { openDatabase, type Db } from '../../../main/store/db.js';
import type { AccountSnapshot } from '../../../main/wire/backend-wire.js';
import { shippedLateFees } from '../../support/config.js';

const ACCOUNT = '3100000099';
const BILL = 'B2026100000001';
const NOW = '2026-11-10T02:00:00.000Z';

/** The backend's view: a ¥100 bill (not yet due, so no late fee) and `balanceFen` on the account. */
function snapshot(over: { paidFen?: number; balanceFen?: number; appliedSeq?: number; payments?: AccountSnapshot['bills'][number]['payments'] } = {}): AccountSnapshot {
  const paidFen = over.paidFen ?? 0;
  return {
    accountNo: ACCOUNT,
    name: '王伟',
    address: '河南省三门峡市湖滨区黄河中路1号',
    phone: '13800000000',
    customerClass: 'residential',
    paymentMode: 'postpaid',
    tariffCode: 'RES-TIER-M',
    balanceFen: over.balanceFen ?? 0,
    creditGrade: 'B',
    meters: [],
    bills: [{ billId: BILL, period: '2026-10', consumption: 10000, amountFen: 10_000, paidFen, lateFeePaidFen: 0, dueDate: '2026-11-25', status: paidFen >= 10_000 ? 'paid' : 'open', payments: over.payments ?? [] }],
    consumptionThisYear: 0,
    consumptionThisMonth: 0,
    version: 1,
    updatedAt: NOW,
    ...(over.appliedSeq !== undefined ? { appliedSeq: over.appliedSeq } : {}),
  };
}

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-overlay-'));
  db = openDatabase(path.join(dir, 't.db'));
  cacheSnapshot(db, snapshot({ appliedSeq: 0 }), 0);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ¥150 cash: ¥100 pays the bill, ¥50 goes to the balance. Returns its outbox sequence number. */
function pay150(): number {
  db.transaction(() =>
    writePayment(db, {
      paymentId: '019a0000-0000-7000-8000-000000000001',
      requestId: 'r1',
      accountNo: ACCOUNT,
      method: 'cash',
      amountFen: 15_000,
      tenderedFen: 15_000,
      changeFen: 0,
      operatorId: 'C001',
      externalRef: null,
      createdAt: NOW,
      openBills: () => settlementBills(db, ACCOUNT, '2026-11-10', shippedLateFees()),
    }),
  ).immediate();
  return (db.prepare('SELECT seq FROM outbox').get() as { seq: number }).seq;
}

const acknowledge = () => db.prepare('DELETE FROM outbox').run();
const cached = () => {
  const a = getCachedAccount(db, ACCOUNT)!;
  const bill = a.bills[0]!;
  return { balanceFen: a.balanceFen, paidFen: bill.paidFen, status: bill.status, payments: bill.payments.length };
};
const PAID = { balanceFen: 5_000, paidFen: 10_000, status: 'paid', payments: 1 };
const heldPayments = [{ paymentId: '019a0000-0000-7000-8000-000000000001', paidOn: '2026-11-10', principalFen: 10_000 }];

describe('a snapshot laid over this terminal’s payments', () => {
  it('a payment the snapshot already holds while its acknowledgement was lost counts once (balance not doubled)', () => {
    const seq = pay150();
    // The backend applied it; the answer was lost, so it is still in the outbox.
    cacheSnapshot(db, snapshot({ paidFen: 10_000, balanceFen: 5_000, appliedSeq: seq, payments: heldPayments }), 1);
    expect(cached()).toEqual(PAID);
  });

  it('an answer that left the backend before the payment reached it, landing after the acknowledgement, does not forget it', () => {
    const seq = pay150();
    acknowledge();
    cacheSnapshot(db, snapshot({ appliedSeq: seq - 1 }), 1);
    expect(cached()).toEqual(PAID);
    // The next snapshot that holds it replaces the overlay; nothing is left counted twice.
    cacheSnapshot(db, snapshot({ paidFen: 10_000, balanceFen: 5_000, appliedSeq: seq, payments: heldPayments }), 2);
    expect(cached()).toEqual(PAID);
  });

  it('a payment not yet pushed is laid over a snapshot that does not hold it', () => {
    pay150();
    cacheSnapshot(db, snapshot({ appliedSeq: 0 }), 1);
    expect(cached()).toEqual(PAID);
  });

  it('without appliedSeq the outbox decides: still in it → laid over, acknowledged → held', () => {
    pay150();
    cacheSnapshot(db, snapshot(), 1);
    expect(cached()).toEqual(PAID);
    acknowledge();
    cacheSnapshot(db, snapshot({ paidFen: 10_000, balanceFen: 5_000, payments: heldPayments }), 2);
    expect(cached()).toEqual(PAID);
  });
});
