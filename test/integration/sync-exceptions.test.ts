/**
 * The exceptions queue end to end against the reference backend (docs/exceptions.md): each case the
 * backend decides on its own records — a bill paid elsewhere while this terminal was offline (the
 * money becomes prepaid balance), an account closed or moved at the office (held in suspense), a
 * tariff changed under an offline vend — and an event it rejects outright come back to the terminal
 * and wait in the supervisors' queue with their facts; nothing behind them waits; a resolution is
 * journaled and reaches the backend; a rejected event can be sent again once its cause is fixed.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, PaymentView, SyncExceptionView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { peekOutbox } from '../../main/store/outbox.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let clerk: Session;
let supervisor: Session;
let changed: number[];

beforeEach(async () => {
  stack = await startStack();
  await stack.core.pullNow(); // the area cached: the payments below happen offline
  clerk = await signedIn(stack.core);
  supervisor = await signedIn(stack.core, 'S001', '9999');
  changed = [];
  stack.core.on('exceptions.changed', (p) => changed.push(p.openCount));
});
afterEach(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  await stack.dispose();
});

const lookup = (accountNo: string) => call(stack.core, 'account.lookup', { accountNo }, clerk);
const pay = (accountNo: string, amount: string): Promise<PaymentView> =>
  call(stack.core, 'payment.create', { requestId: randomUUID(), accountNo, method: 'cash', amount, tendered: amount }, clerk);
const queue = async (status: 'open' | 'resolved' = 'open') => call(stack.core, 'exceptions.list', { status }, supervisor);
/** Back online: push, then pull (the feed is read after the pull). */
async function backOnline(): Promise<void> {
  stack.backend.setKnobs({ down: false });
  await stack.core.syncNow();
  await stack.core.pullNow();
}
const backendRow = (sql: string, ...args: unknown[]) => stack.backend.db.prepare(sql).get(...args);
const backendBalance = (accountNo: string) => (backendRow('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?', accountNo) as { fen: number }).fen;

describe('exceptions queue', () => {
  it('a bill paid elsewhere while offline: the money becomes prepaid balance, the queue says so with the period', async () => {
    const account: AccountView = await lookup('3100000001');
    const bill = account.openBills[0]!;
    const balanceBefore = backendBalance('3100000001');
    stack.backend.setKnobs({ down: true });
    // In full: its late fee, then its principal.
    const p = await pay('3100000001', ((bill.outstandingFen + bill.lateFeeFen) / 100).toFixed(2));
    stack.backend.exceptions.payBillElsewhere(bill.billId); // the customer also paid at the bank

    expect((await queue()).items).toEqual([]);
    await backOnline();
    const { items, openCount } = await queue();
    expect(openCount).toBe(1);
    expect(items).toEqual([
      expect.objectContaining({
        source: 'backend',
        kind: 'bill_already_paid',
        eventId: p.paymentId,
        eventType: 'payment.created',
        accountNo: '3100000001',
        billId: bill.billId,
        fen: bill.outstandingFen,
        facts: { period: bill.period },
        resolutions: ['accepted', 'customer_contacted', 'corrected_at_backend'],
        resolved: null,
      }),
    ]);
    expect(changed.at(-1)).toBe(1);
    // Where the money went: the balance, at the backend and in the refreshed cache.
    expect(backendBalance('3100000001')).toBe(balanceBefore + bill.outstandingFen);
    expect((await lookup('3100000001')).balanceFen).toBe(balanceBefore + bill.outstandingFen);
    // Read again: nothing added twice.
    await stack.core.pullNow();
    expect((await queue()).openCount).toBe(1);
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'sync.exception_received'").get()).toEqual({ n: 1 });
  });

  it('a closed and a moved account: the payments are held in suspense, not credited, and said so', async () => {
    await lookup('3100000004');
    await lookup('3100000006');
    const closedBalance = backendBalance('3100000004');
    stack.backend.setKnobs({ down: true });
    const closedPay = await pay('3100000004', '30.00');
    const movedPay = await pay('3100000006', '40.00');
    stack.backend.exceptions.closeAccount('3100000004');
    stack.backend.exceptions.closeAccount('3100000006', '3100000099');
    await backOnline();

    const { items } = await queue();
    expect(items.map((x) => [x.kind, x.eventId, x.accountNo, x.fen, x.facts])).toEqual([
      ['account_closed', closedPay.paymentId, '3100000004', 3000, {}],
      ['account_moved', movedPay.paymentId, '3100000006', 4000, { movedTo: '3100000099' }],
    ]);
    expect(backendBalance('3100000004')).toBe(closedBalance);
    // Accepted (the money was taken): nothing waits in the outbox.
    expect(peekOutbox(stack.core.db, 10)).toEqual([]);
    expect(backendRow("SELECT COUNT(*) AS n FROM events WHERE type = 'payment.created'")).toEqual({ n: 2 });
  });

  it('a tariff changed under an offline vend: the token stands, the queue names both tariffs', async () => {
    const file = path.join(stack.dir, 'sm-local.json');
    writeFileSync(file, JSON.stringify({ mode: 'local', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 200000, onlineTimeoutMs: 1500 }));
    process.env.GRIDDESK_SECURE_MODULE_CONFIG = file;
    await stack.restartCore();
    clerk = await signedIn(stack.core);
    supervisor = await signedIn(stack.core, 'S001', '9999');
    await lookup('3100000003');
    stack.backend.setKnobs({ down: true });
    stack.backend.exceptions.changeTariff('3100000003', 'COM-FLAT');
    const vend = await call(stack.core, 'vend.purchase', { requestId: randomUUID(), accountNo: '3100000003', method: 'cash', amount: '50' }, clerk);
    expect(vend.token).toMatch(/^\d{20}$/);
    await backOnline();

    const { items } = await queue();
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'tariff_changed',
        eventType: 'vend.created',
        accountNo: '3100000003',
        fen: 5000,
        facts: { tariffFrom: 'RES-TIER-M', tariffTo: 'COM-FLAT' },
      }),
    ]);
  });

  it('a rejected event waits in the queue without holding up the next; resent once its cause is fixed; resolutions journaled and synced', async () => {
    await lookup('3100000002');
    stack.backend.setKnobs({ holdEvents: true });
    const first = await pay('3100000002', '11.00');
    const second = await pay('3100000002', '12.00');
    stack.backend.setKnobs({ holdEvents: false, failEventIds: [first.paymentId] });
    await stack.core.syncNow();
    // The second is at the backend although the first was refused.
    expect(backendRow('SELECT COUNT(*) AS n FROM events WHERE event_id = ?', second.paymentId)).toEqual({ n: 1 });
    expect(backendRow('SELECT COUNT(*) AS n FROM events WHERE event_id = ?', first.paymentId)).toEqual({ n: 0 });
    expect(changed).toContain(1);

    const [rejected] = (await queue()).items as SyncExceptionView[];
    expect(rejected).toMatchObject({
      source: 'rejected',
      kind: 'rejected',
      eventId: first.paymentId,
      eventType: 'payment.created',
      accountNo: '3100000002',
      fen: 1100,
      detail: 'knob',
      resolutions: ['accepted', 'customer_contacted', 'corrected_at_backend', 'resend'],
    });

    // Bad input is refused whole: a clerk, an empty note, a resolution it does not fit.
    expect(await stack.core.dispatch('exceptions.resolve', { id: rejected!.id, resolution: 'resend', note: 'x' }, clerk)).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    expect(await stack.core.dispatch('exceptions.resolve', { id: rejected!.id, resolution: 'resend', note: '  ' }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'validation.invalid_params' },
    });
    expect(await stack.core.dispatch('exceptions.resolve', { id: 999, resolution: 'accepted', note: 'x' }, supervisor)).toMatchObject({ ok: false, error: { code: 'exceptions.not_found' } });

    // The cause fixed; sent again, behind anything queued since.
    stack.backend.setKnobs({ failEventIds: [] });
    const resolved = await call(stack.core, 'exceptions.resolve', { id: rejected!.id, resolution: 'resend', note: 'knob cleared' }, supervisor);
    expect(resolved).toMatchObject({ resolved: { by: 'S001', resolution: 'resend', note: 'knob cleared' }, resolutions: [] });
    expect(await stack.core.dispatch('exceptions.resolve', { id: rejected!.id, resolution: 'accepted', note: 'again' }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'exceptions.already_resolved', details: { by: 'S001' } },
    });
    await stack.core.syncNow();
    expect(backendRow('SELECT COUNT(*) AS n FROM events WHERE event_id = ?', first.paymentId)).toEqual({ n: 1 });
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM sync_rejections').get()).toEqual({ n: 0 });
    expect(peekOutbox(stack.core.db, 10)).toEqual([]);
    expect((await queue()).openCount).toBe(0);
    expect((await queue('resolved')).items.map((x) => x.id)).toEqual([rejected!.id]);

    // Journaled, and the backend holds the resolution.
    const journal = stack.core.db.prepare("SELECT actor, payload FROM journal WHERE type = 'sync.exception_resolved'").all() as { actor: string; payload: string }[];
    expect(journal).toHaveLength(1);
    expect(journal[0]!.actor).toBe('S001');
    expect(JSON.parse(journal[0]!.payload)).toMatchObject({ eventId: first.paymentId, resolution: 'resend', backendId: null, itemId: rejected!.id });
    expect(backendRow('SELECT event_id, resolution, resolved_by FROM rejection_resolutions')).toEqual({ event_id: first.paymentId, resolution: 'resend', resolved_by: 'S001' });
  });

  it("a backend exception's resolution reaches the backend beside it", async () => {
    const account = await lookup('3100000001');
    const bill = account.openBills[0]!;
    stack.backend.setKnobs({ down: true });
    await pay('3100000001', ((bill.outstandingFen + bill.lateFeeFen) / 100).toFixed(2));
    stack.backend.exceptions.payBillElsewhere(bill.billId);
    await backOnline();
    const [item] = (await queue()).items;
    expect(await stack.core.dispatch('exceptions.resolve', { id: item!.id, resolution: 'resend', note: 'x' }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'exceptions.resolution_not_allowed' },
    });
    await call(stack.core, 'exceptions.resolve', { id: item!.id, resolution: 'accepted', note: '客户同意转入预存' }, supervisor);
    await stack.core.syncNow();
    const backendId = (backendRow("SELECT id FROM exceptions WHERE kind = 'bill_already_paid'") as { id: number }).id;
    expect(backendRow('SELECT exception_id, resolution, note, resolved_by FROM exception_resolutions')).toEqual({
      exception_id: backendId,
      resolution: 'accepted',
      note: '客户同意转入预存',
      resolved_by: 'S001',
    });
  });
});

