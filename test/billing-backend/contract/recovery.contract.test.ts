/**
 * The recovery dashboard on both stores (docs/backend.md, "Storage"; docs/recovery.md): a server on
 * SQLite and one on PostgreSQL (a throwaway cluster), seeded alike, read through the terminal's real
 * BackendClient — the same cells and arrears from the rollup built at the seed, and after a payment
 * the same figures moved by it.
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import { RECOVERY_DASHBOARD_PATH, type RecoveryDashboardWire } from '../../../main/wire/recovery-wire.js';
import { createSignedClient } from '../signed-client.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, KINDS, type Kind } from './both-stores.js';

const TERMINAL = { id: 'T-RCV-01', secret: 'recovery-secret-0123456789abcdef01234567' } as const;

const { backends, onBoth } = bothStores({ accounts: 120, terminals: { [TERMINAL.id]: TERMINAL.secret } }, 90_000);
const client = (kind: Kind): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: TERMINAL.id, secret: TERMINAL.secret, now: () => TEST_NOW, log: () => undefined });

describe('the recovery dashboard on SQLite and on PostgreSQL', () => {
  it('the same cells and arrears from the rollup built at the seed, and a payment moves them alike', async () => {
    const before = await onBoth((kind) => client(kind).recoveryDashboard('2025-12', '2026-11', 5000));
    expect(before.pg).toEqual(before.sqlite);
    expect(before.pg.cells.length).toBeGreaterThan(10);
    expect(before.pg.arrears.length).toBeGreaterThan(0);
    expect(new Set(before.pg.cells.map((c) => c.grade)).size).toBeGreaterThan(1);
    // Built once per database: a later start (or a second server) finds it.
    expect(await onBoth((kind) => backends[kind].backend.store.ensureRecoveryRollup('2026-11-27'))).toEqual({ sqlite: 'present', pg: 'present' });

    // An open bill of the area, paid in full now at a terminal.
    const open = backends.sqlite.backend.db
      .prepare<[], { bill_id: string; account_no: string; period: string; due: number }>(
        "SELECT bill_id, account_no, period, amount_fen - paid_fen AS due FROM bills WHERE status = 'open' AND period >= '2025-12' AND amount_fen > paid_fen ORDER BY bill_id LIMIT 1",
      )
      .get();
    expect(open).toBeDefined();
    const bill = open as { bill_id: string; account_no: string; period: string; due: number };
    const pay = {
      eventId: '01937a2b-0000-7000-8000-0000000c0001', seq: 1, type: 'payment.created', occurredAt: TEST_NOW.toISOString(),
      payload: { paymentId: '01937a2b-0000-7000-8000-0000000c0001', accountNo: bill.account_no, method: 'cash', amountFen: bill.due, allocations: [{ billId: bill.bill_id, fen: bill.due }], toBalanceFen: 0, operatorId: 'C001', paidOn: '2026-11-27' },
    };
    const pushed = await onBoth(async (kind) => (await client(kind).pushEvents([pay], 5000)).results);
    expect(pushed).toEqual({ sqlite: [{ eventId: pay.eventId, status: 'accepted' }], pg: [{ eventId: pay.eventId, status: 'accepted' }] });

    const after = await onBoth((kind) => client(kind).recoveryDashboard('2025-12', '2026-11', 5000));
    expect(after.pg).toEqual(after.sqlite);
    const collected = (d: RecoveryDashboardWire): number => d.cells.filter((c) => c.period === bill.period).reduce((sum, c) => sum + c.collectedFen, 0);
    const owed = (d: RecoveryDashboardWire): number => d.arrears.filter((c) => c.period === bill.period).reduce((sum, c) => sum + c.outstandingFen, 0);
    expect(collected(after.pg) - collected(before.pg)).toBe(bill.due);
    expect(owed(before.pg) - owed(after.pg)).toBe(bill.due);
  });

  it('a bad range is refused 400 bad_range on both', async () => {
    for (const q of ['?from=2026-11&to=2025-12', '?from=2024-01&to=2026-11', '?from=2026-13&to=2026-11', '?from=2026-01', '']) {
      const answers = await onBoth((kind) => createSignedClient({ baseUrl: backends[kind].backend.url, terminalId: TERMINAL.id, secret: TERMINAL.secret, now: () => TEST_NOW }).get(`${RECOVERY_DASHBOARD_PATH}${q}`));
      for (const kind of KINDS) expect([answers[kind].status, answers[kind].json], `${kind} ${q}`).toEqual([400, { error: 'bad_range' }]);
    }
  });
});
