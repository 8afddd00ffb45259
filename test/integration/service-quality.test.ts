/**
 * Service quality against the real core, the reference backend and the printer simulator:
 * - a counter payment is rated once on the paired customer display (never by a staff session, the
 *   clerk's own included; never twice, from this display or another), and the rating reaches the
 *   backend with its hall and the transaction's outcome; the report groups it by clerk;
 * - a complaint's deadlines come from its category in working days; as the clock passes them it
 *   escalates (supervisor, then branch manager), lists first as overdue, and every step is synced;
 * - a name-change application is accepted with a reference number, its slip printed (read back from
 *   the printer simulator), and its events reach the backend.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { call, DEMO_NOW, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
/** The clock runs forward from the demo instant; `jump` moves it on by hours. */
let offsetMs = 0;
const started = Date.now();
const clock = () => new Date(DEMO_NOW.getTime() + offsetMs + (Date.now() - started));
const jumpHours = (h: number) => {
  offsetMs += h * 3_600_000;
};
const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);

beforeAll(async () => {
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack?.dispose();
});

function backendEvents(type: string): { payload: Record<string, unknown> }[] {
  return (stack.backend.db.prepare('SELECT payload_json FROM events WHERE type = ? ORDER BY rowid').all(type) as { payload_json: string }[]).map((r) => ({
    payload: JSON.parse(r.payload_json) as Record<string, unknown>,
  }));
}

describe('ratings bound to the transaction', () => {
  it('the customer rates a counter payment once on the paired display; staff sessions never can', async () => {
    const { core } = stack;
    const clerk = await signedIn(core, 'C001', '1234');
    const { code: pairCode } = await call(core, 'display.pair', {}, clerk);
    const display: Session = core.newSession(`display-${randomUUID()}`);
    expect(await call(core, 'display.attach', { code: pairCode }, display)).toMatchObject({ state: 'idle', transaction: null });
    // The clerk's own session cannot become the display, nor can any signed-in session.
    expect(code(await core.dispatch('display.attach', { code: pairCode }, clerk))).toBe('display.staff_session');
    expect(code(await core.dispatch('display.attach', { code: 'f'.repeat(32) }, core.newSession('x')))).toBe('display.not_paired');

    await call(core, 'account.lookup', { accountNo: '3100000001' }, clerk);
    const payment = await call(core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000001', method: 'cash', amount: '10.00' }, clerk);
    const shown = await call(core, 'display.current', {}, display);
    // Only what rating needs: no account, no customer name.
    expect(shown).toEqual({
      state: 'rate',
      clerkName: expect.any(String),
      transaction: { transactionId: payment.paymentId, kind: 'payment', amountFen: 1000, at: expect.any(String) },
      reasons: expect.arrayContaining(['fast', 'slow']),
    });
    expect(JSON.stringify(shown)).not.toContain('3100000001');

    expect(code(await core.dispatch('display.rate', { transactionId: payment.paymentId, score: 5 }, clerk))).toBe('display.staff_session');
    const rated = await call(core, 'display.rate', { transactionId: payment.paymentId, score: 2, reasons: ['slow'] }, display);
    expect(rated).toMatchObject({ transactionId: payment.paymentId, score: 2 });
    expect(code(await core.dispatch('display.rate', { transactionId: payment.paymentId, score: 5 }, display))).toBe('rating.already_rated');
    expect((await call(core, 'display.current', {}, display)).state).toBe('thanks');

    // A new pairing (another display) cannot rate it again either.
    const second: Session = core.newSession(`display-${randomUUID()}`);
    await call(core, 'display.attach', { code: (await call(core, 'display.pair', {}, clerk)).code }, second);
    expect(code(await core.dispatch('display.rate', { transactionId: payment.paymentId, score: 5 }, second))).toBe('rating.already_rated');
    expect(code(await core.dispatch('display.current', {}, display))).toBe('display.not_paired');

    const rows = core.db.prepare('SELECT transaction_id, score, channel, operator_id, hall_id, terminal_id, outcome_json FROM ratings').all();
    expect(rows).toEqual([
      {
        transaction_id: payment.paymentId,
        score: 2,
        channel: 'counter',
        operator_id: 'C001',
        hall_id: stack.config.terminalId,
        terminal_id: stack.config.terminalId,
        outcome_json: expect.stringMatching(/"printFailed":false/),
      },
    ]);
    const journal = core.db.prepare("SELECT ref FROM journal WHERE type = 'rating.created'").all();
    expect(journal).toEqual([{ ref: payment.paymentId }]);

    await core.syncNow();
    expect(stack.backend.kiosk.ratings()).toEqual([expect.objectContaining({ transactionId: payment.paymentId, score: 2, channel: 'counter', terminalId: stack.config.terminalId })]);

    const supervisor = await signedIn(core, 'S001', '9999');
    const report = await call(core, 'rating.report', { from: '2026-11-27', to: '2026-11-27', groupBy: 'clerk' }, supervisor);
    expect(report.groups).toEqual([expect.objectContaining({ key: 'C001', count: 1, averageX100: 200, distribution: [0, 1, 0, 0, 0] })]);
    expect(report.low).toEqual([expect.objectContaining({ transactionId: payment.paymentId, score: 2, reasons: ['slow'], outcome: expect.objectContaining({ printFailed: false }) })]);
    expect(code(await core.dispatch('rating.report', { from: '2026-11-27', to: '2026-11-27', groupBy: 'clerk' }, clerk))).toBe('auth.forbidden');
  });
});

describe('complaints', () => {
  it('deadlines by category in working days, escalation as they near and pass, overdue first, every step synced', async () => {
    const { core } = stack;
    let clerk = await signedIn(core, 'C001', '1234');
    const billing = await call(core, 'complaint.create', { requestId: randomUUID(), category: 'billing', text: '电费比上月高很多', contactPhone: '13800138000', accountNo: '3100000001' }, clerk);
    // Friday 27 November, 10:00 local: reply by the end of Monday, resolve by the end of Friday 4 December.
    expect(billing).toMatchObject({ status: 'open', replyDueAt: '2026-11-30T16:00:00.000Z', resolveDueAt: '2026-12-04T16:00:00.000Z', escalationLevel: 0, overdue: false });
    expect(billing.trackingNo).toMatch(/^TS-20261127-\d{4}$/);
    const suggestion = await call(core, 'complaint.create', { requestId: randomUUID(), category: 'suggestion', text: '希望增加自助终端' }, clerk);
    expect(suggestion.replyDueAt).toBe('2026-12-02T16:00:00.000Z');
    expect(code(await core.dispatch('complaint.create', { requestId: randomUUID(), category: 'weather', text: 'x' }, clerk))).toBe('complaint.unknown_category');
    expect(code(await core.dispatch('complaint.create', { requestId: randomUUID(), category: 'billing', text: '' }, clerk))).toBe('validation.invalid_params');

    // Monday 30 November, 21:00 local: within 4 hours of the reply deadline → to the supervisor.
    jumpHours(3 * 24 + 11);
    // Days later: a new sign-in (the old session has long timed out).
    clerk = await signedIn(core, 'C001', '1234');
    let list = (await call(core, 'complaint.list', {}, clerk)).items;
    expect(list.find((c) => c.complaintId === billing.complaintId)).toMatchObject({ escalationLevel: 1, overdue: false });
    // Tuesday 1 December 10:00 local: the reply is overdue → to the branch manager; it lists first.
    jumpHours(13);
    clerk = await signedIn(core, 'C001', '1234');
    list = (await call(core, 'complaint.list', {}, clerk)).items;
    expect(list[0]).toMatchObject({ complaintId: billing.complaintId, overdue: true, escalationLevel: 2 });
    expect(list[0]?.history.filter((h) => h.action === 'escalated').map((h) => h.note)).toEqual(['reply_near', 'reply_overdue']);
    // A second sweep records nothing new.
    await call(core, 'complaint.list', {}, clerk);
    expect(core.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'complaint.escalated' AND ref = ?").get(billing.complaintId)).toEqual({ n: 2 });

    await call(core, 'complaint.reply', { complaintId: billing.complaintId, note: '已电话联系客户，核对抄表数' }, clerk);
    const resolved = await call(core, 'complaint.resolve', { complaintId: billing.complaintId, closingNote: '抄表无误，夏季空调用电增加' }, clerk);
    expect(resolved).toMatchObject({ status: 'resolved', overdue: false });
    expect(code(await core.dispatch('complaint.reply', { complaintId: billing.complaintId, note: 'again' }, clerk))).toBe('complaint.bad_transition');
    const closed = await call(core, 'complaint.confirm', { complaintId: billing.complaintId, satisfied: true }, clerk);
    expect(closed).toMatchObject({ status: 'closed', customerSatisfied: true, closingNote: '抄表无误，夏季空调用电增加' });
    expect(closed.history.map((h) => h.action)).toEqual(['created', 'escalated', 'escalated', 'replied', 'resolved', 'confirmed_satisfied']);

    await core.syncNow();
    expect(backendEvents('complaint.escalated').map((e) => [e.payload.stage, e.payload.to])).toEqual([
      ['reply_near', 'supervisor'],
      ['reply_overdue', 'manager'],
    ]);
    expect(backendEvents('complaint.closed').at(-1)?.payload).toMatchObject({ trackingNo: billing.trackingNo, status: 'closed', customerSatisfied: true });
  });
});

describe('service applications', () => {
  it('a name change: minimal form, checklist, accepted with a reference number, slip printed, synced', async () => {
    const { core } = stack;
    const clerk = await signedIn(core, 'C001', '1234');
    const { types } = await call(core, 'application.types', {}, clerk);
    const nameChange = types.find((t) => t.id === 'name_change');
    expect(nameChange).toMatchObject({ fields: ['applicantName', 'idNumber', 'phone'], documents: ['id_card', 'name_change_proof'], counterForm: { fields: 3, steps: 4 } });
    expect(nameChange && nameChange.counterForm.fields < nameChange.paperForm.fields && nameChange.counterForm.steps < nameChange.paperForm.steps).toBe(true);

    const fields = { applicantName: '王小明', idNumber: '11010519491231002X', phone: '13800138000' };
    expect(code(await core.dispatch('application.create', { requestId: randomUUID(), type: 'name_change', fields, documents: [] }, clerk))).toBe('application.account_required');
    const bad = await core.dispatch('application.create', { requestId: randomUUID(), type: 'name_change', accountNo: '3100000001', fields: { ...fields, idNumber: '110105194912310021' }, documents: [] }, clerk);
    expect(bad).toMatchObject({ ok: false, error: { code: 'application.field_invalid', details: { field: 'idNumber', problem: 'invalid' } } });
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM service_applications').get()).toEqual({ n: 0 });

    const pending = await call(core, 'application.create', { requestId: randomUUID(), type: 'name_change', accountNo: '3100000001', fields, documents: ['id_card'] }, clerk);
    expect(pending).toMatchObject({ status: 'documents_pending', documents: [{ id: 'id_card', received: true }, { id: 'name_change_proof', received: false }] });
    const accepted = await call(core, 'application.documents', { applicationId: pending.applicationId, documents: ['name_change_proof'] }, clerk);
    expect(accepted.status).toBe('accepted');
    expect(accepted.referenceNo).toMatch(/^YK-\d{8}-0001$/);

    const jobsBefore = stack.printer.jobs().length;
    const slip = await call(core, 'application.printSlip', { applicationId: accepted.applicationId, locale: 'zh-CN' }, clerk);
    expect(slip).toMatchObject({ printed: true, error: null });
    const job = await stack.printer.waitForJob(jobsBefore);
    expect(job.text).toContain('业务受理回执');
    expect(job.text).toContain(accepted.referenceNo);
    expect(job.text).toContain('更名');
    expect(job.text).toContain('110105********002X');
    expect(job.text).not.toContain('11010519491231002X');
    expect(job.commands).toContain(`GS k CODE128 "${accepted.referenceNo}"`);

    const reviewed = await call(core, 'application.advance', { applicationId: accepted.applicationId, status: 'in_review', note: '资料齐全' }, clerk);
    expect(reviewed.history.map((h) => h.status)).toEqual(['documents_pending', 'accepted', 'in_review']);
    expect(code(await core.dispatch('application.advance', { applicationId: accepted.applicationId, status: 'completed', note: 'x' }, clerk))).toBe('application.bad_transition');

    await core.syncNow();
    expect(backendEvents('application.created')).toEqual([{ payload: expect.objectContaining({ referenceNo: accepted.referenceNo, type: 'name_change', accountNo: '3100000001', status: 'documents_pending' }) }]);
    expect(backendEvents('application.updated').map((e) => e.payload.status)).toEqual(['accepted', 'in_review']);
  });

  it('closing an account with open bills is refused before anything is written', async () => {
    const { core } = stack;
    const clerk = await signedIn(core, 'C001', '1234');
    expect(code(await core.dispatch('application.create', { requestId: randomUUID(), type: 'closure', accountNo: '3100009999', fields: { phone: '13800138000' }, documents: ['id_card'] }, clerk))).toBe('account.not_found');
    await call(core, 'account.lookup', { accountNo: '3100000005' }, clerk);
    const before = core.db.prepare('SELECT COUNT(*) AS n FROM outbox').get();
    const r = await core.dispatch('application.create', { requestId: randomUUID(), type: 'closure', accountNo: '3100000005', fields: { phone: '13800138000' }, documents: ['id_card'] }, clerk);
    expect(r).toMatchObject({ ok: false, error: { code: 'application.open_bills' } });
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual(before);
  });
});

describe('recommendations', () => {
  it('are listed with their reasons and the answer is recorded and synced', async () => {
    const { core } = stack;
    const clerk = await signedIn(core, 'C001', '1234');
    await call(core, 'account.lookup', { accountNo: '3100000001' }, clerk);
    const { items } = await call(core, 'recommendation.list', { accountNo: '3100000001' }, clerk);
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(i.reasonKey).toMatch(/^service\.recommend\.reasons\./);
    const tip = items.find((i) => i.kind === 'season_tip');
    expect(tip).toBeDefined();
    await call(core, 'recommendation.respond', { accountNo: '3100000001', kind: 'season_tip', response: 'accepted' }, clerk);
    expect((await call(core, 'recommendation.list', { accountNo: '3100000001' }, clerk)).items.find((i) => i.kind === 'season_tip')?.accepted).toBe(true);
    await core.syncNow();
    expect(backendEvents('recommendation.responded').map((e) => [e.payload.kind, e.payload.response])).toEqual([['season_tip', 'accepted']]);
  });
});
