/**
 * Collection against the real core, reference backend and printer simulator: a disconnection
 * notice served with its lawful date, printed on A4 (PDF) and on the receipt printer, journaled
 * and synced to the backend; the contact log with a promise to pay that lapses and is on the next
 * day's worklist (and one that is kept, which is not); assignment and export of the worklist.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pdfText } from '../support/pdf-text.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

const LATE = '3100000005'; // residential, arrears including the previous year
const RECENT = '3100000001'; // residential, one bill overdue since 2026-10-31

let stack: Stack;
let now = new Date('2026-11-27T02:00:00.000Z'); // Friday, 10:00 in Shanghai
beforeEach(async () => {
  now = new Date('2026-11-27T02:00:00.000Z');
  stack = await startStack({ clock: () => now });
  await stack.core.pullNow(); // the whole (small) service area into the cache
});
afterEach(async () => stack.dispose());

describe('collection notices', () => {
  it('a disconnection notice: lawful date, A4 PDF and receipt, journaled and synced', async () => {
    const s = await signedIn(stack.core, 'S001', '9999');
    const pre = await call(stack.core, 'collection.noticePreview', { accountNo: LATE, kind: 'disconnection' }, s);
    expect(pre).toMatchObject({ eligible: true, servedOn: '2026-11-27', earliestDisconnectOn: '2026-12-04', noticeDays: 7, customerClass: 'residential' });
    expect(pre.steps).toEqual([{ rule: 'notice_days', days: 7, from: '2026-11-27', to: '2026-12-04' }]);
    expect(pre.bills.length).toBeGreaterThan(0);

    const issued = await call(stack.core, 'collection.issueNotice', { requestId: crypto.randomUUID(), accountNo: LATE, kind: 'disconnection', output: 'pdf', locale: 'zh-CN' }, s);
    expect(issued.notice).toMatchObject({ accountNo: LATE, kind: 'disconnection', earliestDisconnectOn: '2026-12-04', printedCount: 1 });
    expect(issued.notice.noticeNo).toMatch(/^TD20261127-.+-001$/);
    const pdf = Buffer.from(issued.pdf!.base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // What the A4 page says (pdf.js reads the embedded font's text back): title, date, publicity.
    const { text } = await pdfText(pdf);
    const all = text.join('').replace(/\s+/g, '');
    for (const s of ['欠费停电通知书', issued.notice.noticeNo, '2026-12-04', '最早停电日期', '您的权利', '您的义务', '为什么要按时缴费', '违法用电的后果', '不少于7天']) expect(all).toContain(s);

    // The same notice on the receipt printer, in English: its date and the publicity text.
    const again = await call(stack.core, 'collection.printNotice', { noticeId: issued.notice.noticeId, output: 'receipt', locale: 'en' }, s);
    expect(again.printed).toEqual({ printed: true, error: null });
    const job = await stack.printer.waitForJob(0, 5000);
    expect(job.text).toContain('Notice of Disconnection');
    expect(job.text).toContain('2026-12-04');
    expect(job.text).toContain('Unlawful use of electricity');
    expect(job.text).toContain(issued.notice.noticeNo);

    const journal = stack.core.db.prepare("SELECT type FROM journal WHERE ref = ? ORDER BY seq").all(issued.notice.noticeId);
    expect(journal).toEqual([{ type: 'notice.issued' }, { type: 'notice.printed' }, { type: 'notice.reprinted' }]);
    await stack.core.syncNow();
    expect(stack.backend.collection.notices()).toEqual([
      expect.objectContaining({ noticeId: issued.notice.noticeId, accountNo: LATE, kind: 'disconnection', servedOn: '2026-11-27', earliestDisconnectOn: '2026-12-04', terminalId: stack.config.terminalId }),
    ]);
    // A retry of the same request is the same notice, not a second one.
    const list = await call(stack.core, 'collection.notices', { accountNo: LATE }, s);
    expect(list.items).toHaveLength(1);
  });

  it('not before the oldest bill is more than 30 days overdue; nothing written', async () => {
    const s = await signedIn(stack.core, 'S001', '9999');
    const r = await stack.core.dispatch('collection.issueNotice', { requestId: crypto.randomUUID(), accountNo: RECENT, kind: 'disconnection', output: 'pdf' }, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'collection.not_yet_eligible', details: { from: '2026-12-01', days: 30 } } });
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM collection_notices').get()).toEqual({ n: 0 });
    // A reminder may go today.
    const reminder = await call(stack.core, 'collection.issueNotice', { requestId: crypto.randomUUID(), accountNo: RECENT, kind: 'reminder', output: 'receipt' }, s);
    expect(reminder.printed?.printed).toBe(true);
    expect((await stack.printer.waitForJob(0, 5000)).text).toContain('电费催缴通知书');
  });

  it('clerks may not use the desk', async () => {
    const clerk = await signedIn(stack.core);
    const r = await stack.core.dispatch('collection.worklist', {}, clerk);
    expect(r).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
  });
});

describe('contact log and promises', () => {
  it('a promise that lapses is on the next day\'s worklist; synced', async () => {
    let s = await signedIn(stack.core, 'S001', '9999');
    const logged = await call(
      stack.core,
      'collection.logContact',
      { requestId: crypto.randomUUID(), accountNo: RECENT, channel: 'call', outcome: 'promised', note: '下周一前缴清', promiseOn: '2026-11-28', promiseAmount: '203.77' },
      s,
    );
    expect(logged).toMatchObject({ promiseOn: '2026-11-28', promiseFen: 20377, promiseState: 'open', operatorName: '李强' });
    const lapsedNow = async () => (await call(stack.core, 'collection.worklist', { reasons: ['promise_lapsed'] }, s)).items.map((i) => i.accountNo);
    expect(await lapsedNow()).toEqual([]);
    now = new Date('2026-11-28T02:00:00.000Z'); // the promised day: not yet
    s = await signedIn(stack.core, 'S001', '9999'); // a day later the session has long timed out
    expect(await lapsedNow()).toEqual([]);
    now = new Date('2026-11-29T01:00:00.000Z'); // the next day
    s = await signedIn(stack.core, 'S001', '9999');
    expect(await lapsedNow()).toEqual([RECENT]);
    const contacts = await call(stack.core, 'collection.contacts', { accountNo: RECENT, locale: 'en' }, s);
    expect(contacts.items[0]?.promiseState).toBe('lapsed');
    expect(contacts.script.id).toBe('promise_follow_up');
    expect(contacts.script.text).toContain('2026-11-28');

    await stack.core.syncNow();
    expect(stack.backend.collection.contacts()).toEqual([expect.objectContaining({ contactId: logged.contactId, outcome: 'promised', promiseOn: '2026-11-28', promiseFen: 20377 })]);
  });

  it('a promise kept by a payment is not followed up', async () => {
    let s = await signedIn(stack.core, 'S001', '9999');
    await call(stack.core, 'collection.logContact', { requestId: crypto.randomUUID(), accountNo: LATE, channel: 'visit', outcome: 'promised', promiseOn: '2026-11-28', promiseAmount: '10.00' }, s);
    await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: LATE, method: 'cash', amount: '10.00' }, s);
    now = new Date('2026-11-29T02:00:00.000Z');
    s = await signedIn(stack.core, 'S001', '9999');
    const list = await call(stack.core, 'collection.worklist', { reasons: ['promise_lapsed'] }, s);
    expect(list.items.map((i) => i.accountNo)).not.toContain(LATE);
    expect((await call(stack.core, 'collection.contacts', { accountNo: LATE }, s)).items[0]?.promiseState).toBe('kept');
  });

  it("a call without an answer comes back after the grade's follow-up interval, until the customer pays", async () => {
    let s = await signedIn(stack.core, 'S001', '9999');
    const interval = (await call(stack.core, 'credit.get', { accountNo: RECENT }, s)).advice.followUpDays;
    await call(stack.core, 'collection.logContact', { requestId: crypto.randomUUID(), accountNo: RECENT, channel: 'call', outcome: 'no_answer' }, s);
    const followUps = async () => (await call(stack.core, 'collection.worklist', { reasons: ['follow_up_due'] }, s)).items;
    expect(await followUps()).toEqual([]);
    const day = 86_400_000;
    now = new Date(now.getTime() + (interval - 1) * day); // a day early
    s = await signedIn(stack.core, 'S001', '9999');
    expect((await followUps()).map((i) => i.accountNo)).not.toContain(RECENT);
    now = new Date(now.getTime() + day);
    s = await signedIn(stack.core, 'S001', '9999');
    const due = (await followUps()).find((i) => i.accountNo === RECENT);
    expect(due?.reasons).toContainEqual({ kind: 'follow_up_due', lastOn: '2026-11-27', via: 'call', days: interval });
    // Spelled out in the export, in both languages.
    const csv = await call(stack.core, 'collection.export', { reasons: ['follow_up_due'], format: 'csv', locale: 'en' }, s);
    expect(Buffer.from(csv.base64, 'base64').toString('utf8')).toContain(`last reached by phone call on 2026-11-27 (${interval} days ago)`);
    await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: RECENT, method: 'cash', amount: '10.00' }, s);
    expect((await followUps()).map((i) => i.accountNo)).not.toContain(RECENT);
  });

  it('bad contact input is refused with nothing written', async () => {
    const s = await signedIn(stack.core, 'S001', '9999');
    const bad = (p: Record<string, unknown>) => stack.core.dispatch('collection.logContact', { requestId: crypto.randomUUID(), accountNo: RECENT, channel: 'call', ...p } as never, s);
    expect(await bad({ outcome: 'promised' })).toMatchObject({ ok: false, error: { code: 'collection.promise_mismatch' } });
    expect(await bad({ outcome: 'reached', promiseOn: '2026-11-30' })).toMatchObject({ ok: false, error: { code: 'collection.promise_mismatch' } });
    expect(await bad({ outcome: 'promised', promiseOn: '2026-11-01' })).toMatchObject({ ok: false, error: { code: 'collection.promise_date_invalid' } });
    expect(await bad({ outcome: 'promised', promiseOn: '2026-11-30', promiseAmount: 'abc' })).toMatchObject({ ok: false, error: { code: 'payment.amount_not_numeric' } });
    expect(await bad({ outcome: 'reached', channel: 'sms' })).toMatchObject({ ok: false, error: { code: 'collection.sms_text_required' } });
    expect(await bad({ outcome: 'reached', channel: 'fax' })).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM collection_contacts').get()).toEqual({ n: 0 });
    expect(stack.core.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE type = 'contact.logged'").get()).toEqual({ n: 0 });
  });
});

describe('worklist', () => {
  it('lists overdue accounts by age, assigns them and exports', async () => {
    const s = await signedIn(stack.core, 'S001', '9999');
    const list = await call(stack.core, 'collection.worklist', { reasons: ['overdue'], sort: 'overdue_days', limit: 200 }, s);
    expect(list.date).toBe('2026-11-27');
    expect(list.bucketBounds).toEqual([30, 60, 90]);
    const late = list.items.find((i) => i.accountNo === LATE);
    expect(late?.ageBucket).toBe(3);
    expect(list.items.find((i) => i.accountNo === RECENT)).toMatchObject({ overdueFen: 20377, overdueDays: 27, ageBucket: 0 });
    // Sorted oldest first.
    const days = list.items.map((i) => i.overdueDays);
    expect([...days].sort((a, b) => b - a)).toEqual(days);

    await call(stack.core, 'collection.assign', { accountNos: [LATE, RECENT], assigneeId: 'C001' }, s);
    const mine = await call(stack.core, 'collection.worklist', { assignee: 'C001' }, s);
    expect(mine.items.map((i) => i.accountNo).sort()).toEqual([RECENT, LATE].sort());
    expect(mine.items[0]?.assigneeName).toBe('张敏');
    const refused = await stack.core.dispatch('collection.assign', { accountNos: [LATE], assigneeId: 'X999' }, s);
    expect(refused).toMatchObject({ ok: false, error: { code: 'collection.unknown_assignee' } });

    const csv = await call(stack.core, 'collection.export', { assignee: 'C001', format: 'csv', locale: 'zh-CN' }, s);
    const text = Buffer.from(csv.base64, 'base64').toString('utf8');
    expect(text.startsWith('\uFEFF户号,户名')).toBe(true);
    expect(text).toContain(RECENT);
    expect(text).toContain('张敏');
    const xlsx = await call(stack.core, 'collection.export', { format: 'xlsx', locale: 'en' }, s);
    expect(Buffer.from(xlsx.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
  });
});
