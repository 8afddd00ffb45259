/**
 * The invariant checker cannot pass vacuously: on a clean terminal/backend pair (payments and a
 * vend with arrears recovery, synced) it passes and says what it looked at; each planted problem
 * — a payment missing at the backend, an event's effect applied twice, a sum off by one fen, an
 * edited journal row, a leftover outbox row, an event the terminal never committed, a vend step
 * journaled but never sent — is named.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepEventId } from '../../main/services/vending/vend-store.js';
import { call, signedIn, startStack } from '../support/stack.js';
import { checkInvariants, type Acknowledged } from './invariants.js';

let clean: string;
let work: string;
const acknowledged: { payments: Acknowledged['payments'][number][]; vends: Acknowledged['vends'][number][] } = { payments: [], vends: [] };
/** A cash payment to a prepaid account: all of it goes to the balance. */
let prepaidPayment: { paymentId: string; amountFen: number };
/** A payment that settled the oldest bill and part of the next. */
let billPayment: { paymentId: string; billIds: string[] };
let vendId: string;
/** The two part payments of 3100000005 and the late fees they collected, per bill. */
const feePayments: { paymentId: string; fees: (readonly [string, number])[] }[] = [];

beforeAll(async () => {
  const stack = await startStack();
  try {
    const clerk = await signedIn(stack.core);
    for (const [accountNo, amount] of [
      ['3100000001', '250.00'],
      // Two part payments of an account in arrears: both collect late fee on its oldest bill.
      ['3100000005', '1.00'],
      ['3100000005', '11.34'],
      ['3100000002', '50.01'],
    ] as const) {
      const requestId = randomUUID();
      const p = await call(stack.core, 'payment.create', { requestId, accountNo, method: 'cash', amount }, clerk);
      acknowledged.payments.push({ requestId, paymentId: p.paymentId, amountFen: p.amountFen });
      if (accountNo === '3100000002') prepaidPayment = { paymentId: p.paymentId, amountFen: p.amountFen };
      if (accountNo === '3100000001') billPayment = { paymentId: p.paymentId, billIds: p.allocations.map((a) => a.billId) };
      if (accountNo === '3100000005') feePayments.push({ paymentId: p.paymentId, fees: p.allocations.filter((a) => a.lateFeeFen > 0).map((a) => [a.billId, a.lateFeeFen] as const) });
    }
    // A prepaid STS account with old arrears: the vend's delivery settles part of them (a payment row).
    const requestId = randomUUID();
    const v = await call(stack.core, 'vend.purchase', { requestId, accountNo: '3100000008', method: 'cash', amount: '100', delivery: 'screen' }, clerk);
    expect(v.state).toBe('delivered');
    vendId = v.vendId;
    acknowledged.vends.push({ requestId, vendId: v.vendId, state: v.state });
    expect((await stack.core.syncNow()).pending).toBe(0);
    await stack.core.pullNow();
    await stack.core.close();
    await stack.backend.close();
    clean = mkdtempSync(path.join(tmpdir(), 'gd-invariants-'));
    copyFileSync(path.join(stack.config.dataDir, 'T-HALL-01.db'), path.join(clean, 'terminal.db'));
    copyFileSync(path.join(stack.dir, 'backend.db'), path.join(clean, 'backend.db'));
  } finally {
    await stack.dispose();
  }
  work = mkdtempSync(path.join(tmpdir(), 'gd-invariants-work-'));
}, 60_000);

afterAll(() => {
  rmSync(clean, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** A fresh copy of the clean pair, `plant` applied to one side, then the check. */
function checkWith(plant: { terminal?: (db: Database.Database) => void; backend?: (db: Database.Database) => void }) {
  const dir = mkdtempSync(path.join(work, 'case-'));
  const terminalDbPath = path.join(dir, 'terminal.db');
  const backendDbPath = path.join(dir, 'backend.db');
  copyFileSync(path.join(clean, 'terminal.db'), terminalDbPath);
  copyFileSync(path.join(clean, 'backend.db'), backendDbPath);
  for (const [file, fn] of [
    [terminalDbPath, plant.terminal],
    [backendDbPath, plant.backend],
  ] as const) {
    if (!fn) continue;
    const db = new Database(file);
    try {
      fn(db);
    } finally {
      db.close();
    }
  }
  return checkInvariants({ terminalDbPath, backendDbPath, acknowledged, compareViews: true });
}

describe('invariant checker', () => {
  it('passes a clean, synced pair and says what it checked', () => {
    const report = checkWith({});
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Four payments and the vend's settlement payment; one vend; its four steps, its prepaid points
    // and the payments at the backend, and the four counter payments' e-invoice requests.
    expect(report.checked).toMatchObject({ payments: 5, settlements: 1, vends: 1, acknowledged: 5, accounts: 300 });
    expect(report.checked.backendEvents).toBe(14);
    expect(report.checked.paymentFen).toBeGreaterThan(31_235);
    expect(report.checked.paidVendFen).toBe(10_000);
    expect(report.checked.journalEntries).toBeGreaterThan(8);
  });

  it('finds a payment missing at the backend', () => {
    const report = checkWith({ backend: (db) => db.prepare('DELETE FROM events WHERE event_id = ?').run(billPayment.paymentId) });
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.stringMatching(new RegExp(`^missing: payment ${billPayment.paymentId} .*not in the backend's ledger`)));
    expect(report.problems).toContainEqual(expect.stringMatching(/^sum: payments: terminal \d+ fen, backend \d+ fen/));
  });

  it('finds an event whose effect was applied twice', () => {
    const report = checkWith({
      backend: (db) => db.prepare("UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = '3100000002'").run(prepaidPayment.amountFen),
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(new RegExp(`^effect: account 3100000002: .*difference ${prepaidPayment.amountFen}\\)`)),
      // The terminal's view after its last pull no longer matches either.
      expect.stringMatching(/^view: account 3100000002: /),
    ]);
  });

  it('finds a sum off by one fen, on either side', () => {
    const atTerminal = checkWith({ terminal: (db) => db.prepare('UPDATE payments SET amount_fen = amount_fen + 1, to_balance_fen = to_balance_fen + 1 WHERE payment_id = ?').run(prepaidPayment.paymentId) });
    expect(atTerminal.ok).toBe(false);
    expect(atTerminal.problems).toContainEqual(expect.stringMatching(/^sum: payments: .*\(difference -1\)/));
    expect(atTerminal.problems).toContainEqual(expect.stringMatching(new RegExp(`^payment: ${prepaidPayment.paymentId}: terminal ${prepaidPayment.amountFen + 1} fen`)));

    const atBackend = checkWith({ backend: (db) => db.prepare("UPDATE accounts SET balance_fen = balance_fen - 1 WHERE account_no = '3100000005'").run() });
    expect(atBackend.problems).toEqual([
      expect.stringMatching(/^effect: account 3100000005: .*\(difference -1\)/),
      'view: account 3100000005: terminal shows balance 0 fen, backend -1 fen',
    ]);
  });

  it('finds a payment settled past an unpaid older bill (as from a stale or double-counted cached bill)', () => {
    const report = checkWith({
      backend: (db) =>
        db
          .prepare(
            `UPDATE events SET payload_json = json_set(payload_json, '$.allocations', json('[]'), '$.lateFees', json('[]'),
               '$.toBalanceFen', json_extract(payload_json, '$.amountFen')) WHERE event_id = ?`,
          )
          .run(billPayment.paymentId),
    });
    expect(report.problems).toContainEqual(
      expect.stringMatching(new RegExp(`^settlement: payment ${billPayment.paymentId} put 25000 fen to the balance while bill B\\d+ kept \\d+ fen of principal unpaid$`)),
    );
  });

  it('finds a cached balance above the backend by payments counted twice, and says so', () => {
    const doubled = checkWith({
      terminal: (db) => db.prepare("UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = '3100000002'").run(prepaidPayment.amountFen),
    });
    expect(doubled.ok).toBe(false);
    expect(doubled.problems).toEqual([
      expect.stringMatching(/^view: account 3100000002: terminal shows balance \d+ fen, backend \d+ fen — the excess is the balance part of consecutive payments of the account: counted twice\?$/),
    ]);
    const off = checkWith({
      terminal: (db) => db.prepare("UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = '3100000002'").run(prepaidPayment.amountFen + 1),
    });
    expect(off.problems).toEqual([expect.stringMatching(/^view: account 3100000002: terminal shows balance \d+ fen, backend \d+ fen$/)]);
  });

  it('finds a backend exception; one for principal the terminal settled twice says so', () => {
    const exception = (db: Database.Database, billId: string) =>
      db
        .prepare("INSERT INTO exceptions (event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at) VALUES (?, 'T-HALL-01', 'bill_overpaid', '3100000001', ?, 500, 'planted', 'x')")
        .run(billPayment.paymentId, billId);
    const [oldest, next] = billPayment.billIds;
    expect(next).toBeDefined();
    // The terminal put 500 fen more on the oldest bill than it had open (as after forgetting its own payment).
    const twice = checkWith({
      terminal: (db) => {
        db.prepare('UPDATE payment_allocations SET principal_fen = principal_fen + 500 WHERE payment_id = ? AND bill_id = ?').run(billPayment.paymentId, oldest);
        db.prepare('UPDATE payment_allocations SET principal_fen = principal_fen - 500 WHERE payment_id = ? AND bill_id = ?').run(billPayment.paymentId, next);
      },
      backend: (db) => exception(db, oldest as string),
    });
    expect(twice.problems).toEqual([
      `exception: bill_overpaid on ${billPayment.paymentId} (500 fen): planted — this terminal's own payments put more principal on the bill than it had open: it settled principal twice (forgot a payment?)`,
    ]);
    const other = checkWith({ backend: (db) => exception(db, next as string) });
    expect(other.problems).toEqual([`exception: bill_overpaid on ${billPayment.paymentId} (500 fen): planted`]);
  });

  it('finds a late fee collected beyond what could accrue; one collected twice says so', () => {
    const [first, second] = feePayments;
    const [billId, firstFee] = first?.fees[0] ?? [];
    expect(second?.fees.map(([b]) => b)).toContain(billId);
    // Money moved from the balance to the bill's fee: every sum still holds, only the fee is too high.
    const moved = (fen: number) => (db: Database.Database) => {
      db.prepare('UPDATE bills SET late_fee_paid_fen = late_fee_paid_fen + ? WHERE bill_id = ?').run(fen, billId);
      db.prepare("UPDATE accounts SET balance_fen = balance_fen - ? WHERE account_no = '3100000005'").run(fen);
    };
    // Far more than could accrue, and more than any one payment collected.
    const more = checkWith({ backend: moved(100_000) });
    const found = more.problems.map((p) => new RegExp(`^late fee: bill ${billId} collected (\\d+) fen of late fee, at most (\\d+) fen could accrue by 2026-11-27$`).exec(p)).find(Boolean);
    expect(found).toBeDefined();
    const [collected, most] = [Number(found?.[1]) - 100_000, Number(found?.[2])];
    // Over the bound by exactly the first payment's fee: as if the second had forgotten the first and collected it again.
    const twice = checkWith({ backend: moved(most - collected + (firstFee as number)) });
    expect(twice.problems.filter((p) => !p.startsWith('view: '))).toEqual([
      `late fee: bill ${billId} collected ${most + (firstFee as number)} fen of late fee, at most ${most} fen could accrue by 2026-11-27 — no more over than an earlier payment of this terminal collected on it: a fee collected twice?`,
    ]);
  });

  it('finds an edited journal row', () => {
    let seq = 0;
    const report = checkWith({
      terminal: (db) => {
        seq = (db.prepare("SELECT seq FROM journal WHERE type = 'payment.created' AND ref = ?").get(billPayment.paymentId) as { seq: number }).seq;
        db.prepare("UPDATE journal SET actor = 'S001' WHERE seq = ?").run(seq);
      },
    });
    expect(report.problems).toEqual([`journal: hash chain broken at seq ${seq}`]);
  });

  it('finds a leftover outbox row', () => {
    const report = checkWith({
      terminal: (db) =>
        db.prepare("INSERT INTO outbox (event_id, type, occurred_at, payload) VALUES (?, 'payment.created', '2026-11-27T02:00:00.000Z', '{}')").run(randomUUID()),
    });
    expect(report.problems).toEqual([expect.stringMatching(/^outbox: 1 row\(s\) never acknowledged, first payment.created /)]);
  });

  it('finds an event at the backend the terminal never committed, and a vend step it never got', () => {
    const ghost = randomUUID();
    const report = checkWith({
      backend: (db) => {
        db.prepare("INSERT INTO events (event_id, terminal_id, seq, type, occurred_at, payload_json, received_at) VALUES (?, 'T-HALL-01', 999, 'vend.paid', 'x', '{}', 'x')").run(ghost);
        db.prepare('DELETE FROM events WHERE event_id = ?').run(stepEventId(vendId, 'token_issued'));
        db.prepare('DELETE FROM events WHERE event_id = ?').run(stepEventId(vendId, 'points'));
      },
    });
    expect(report.problems).toEqual([
      expect.stringMatching(new RegExp(`^missing: vend ${vendId} token_issued`)),
      expect.stringMatching(new RegExp(`^missing: points.accrued of vend ${vendId}`)),
      `extra: the backend's ledger has vend.paid ${ghost}, which the terminal never committed`,
    ]);
  });

  it('finds a payment the clerk was told about but the terminal lost, and a view that disagrees', () => {
    const dir = mkdtempSync(path.join(work, 'ack-'));
    const terminalDbPath = path.join(dir, 'terminal.db');
    copyFileSync(path.join(clean, 'terminal.db'), terminalDbPath);
    const db = new Database(terminalDbPath);
    db.prepare("UPDATE accounts SET balance_fen = balance_fen + 7 WHERE account_no = '3100000002'").run();
    db.close();
    const ghost = { requestId: randomUUID(), paymentId: randomUUID(), amountFen: 500 };
    const report = checkInvariants({
      terminalDbPath,
      backendDbPath: path.join(clean, 'backend.db'),
      acknowledged: { payments: [...acknowledged.payments, ghost], vends: acknowledged.vends },
      compareViews: true,
    });
    expect(report.problems).toEqual([
      `acknowledged: payment ${ghost.paymentId} (500 fen) was confirmed to the clerk but is not in the terminal's database`,
      expect.stringMatching(/^view: account 3100000002: terminal shows balance \d+ fen, backend \d+ fen$/),
    ]);
  });
});
