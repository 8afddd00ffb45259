/**
 * The anomaly rules over hand-made journal entries, with the shipped rules
 * (resources/rules/audit.json) and the hall in Asia/Shanghai (UTC+8): each kind found where it
 * should be and nowhere else, thresholds at their edges, and the per-clerk summary.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAnomalies, localClock, summariseByClerk, type AuditEntry } from '../../../main/domain/audit/anomalies.js';
import { parseAuditRules, type AuditRules } from '../../../main/domain/audit/rules.js';
import { loadAuditRules } from '../../../main/loaders/audit-rules.js';

const RULES: AuditRules = loadAuditRules(path.join(__dirname, '../../../resources/rules/audit.json'));
const TZ = 'Asia/Shanghai';

let seq = 0;
/** An entry at a local Shanghai time ('2026-11-25 10:00' is a Wednesday). */
function entry(local: string, type: string, actor: string, payload: object, ref = `ref-${seq + 1}`): AuditEntry {
  seq++;
  const at = new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();
  return { seq, at, type, ref, actor, payload: JSON.stringify(payload) };
}

const kinds = (entries: AuditEntry[], rules = RULES) => detectAnomalies(entries, rules, TZ).map((a) => [a.kind, a.seq]);

describe('anomaly rules', () => {
  it('ordinary daytime payments are no anomaly', () => {
    seq = 0;
    expect(kinds([entry('2026-11-25 10:00', 'payment.created', 'C001', { accountNo: '3100000001', amountFen: 1000 })])).toEqual([]);
  });

  it('voids and refunds, reprints, late-fee waivers — with the approver named', () => {
    seq = 0;
    const found = detectAnomalies(
      [
        entry('2026-11-25 10:00', 'payment.voided', 'C001', { accountNo: '3100000001', amountFen: 1000, approvedBy: 'S001' }),
        entry('2026-11-25 10:05', 'payment.refunded', 'C001', { accountNo: '3100000002', amountFen: 500, approvedBy: 'S001' }),
        entry('2026-11-25 10:10', 'receipt.reprinted', 'C001', { reprint: true, reprintNo: 1 }),
        entry('2026-11-25 10:15', 'vend.reprinted', 'C002', { vendId: 'v', reprint: 2 }),
        entry('2026-11-25 10:20', 'late_fee.waived', 'C002', { accountNo: '3100000003', fen: 230, approvedBy: 'S002' }),
      ],
      RULES,
      TZ,
    );
    expect(found.map((a) => a.kind)).toEqual(['reversal', 'approval', 'reversal', 'approval', 'reprint', 'reprint', 'late_fee_waiver', 'approval']);
    expect(found[1]).toMatchObject({ kind: 'approval', approver: 'S001', actor: 'C001', accountNo: '3100000001', fen: 1000 });
    expect(found[6]).toMatchObject({ kind: 'late_fee_waiver', fen: 230, accountNo: '3100000003' });
    expect(found[7]).toMatchObject({ approver: 'S002' });
  });

  it('one approval named by a void\'s request and its completion counts once', () => {
    seq = 0;
    expect(
      kinds([
        entry('2026-11-25 10:00', 'payment.reversal_requested', 'C001', { kind: 'void', amountFen: 1000, approvedBy: 'S001' }, 'pay-1'),
        entry('2026-11-25 10:00', 'payment.voided', 'C001', { accountNo: '3100000001', amountFen: 1000, approvedBy: 'S001' }, 'pay-1'),
      ]),
    ).toEqual([['approval', 1], ['reversal', 2]]);
  });

  it('a refused approval names whose approval was asked for', () => {
    seq = 0;
    const [a] = detectAnomalies([entry('2026-11-25 11:00', 'approval.failed', 'C001', { action: 'payment.void', approverId: 'C002', reason: 'self_approval' })], RULES, TZ);
    expect(a).toMatchObject({ kind: 'approval_refused', approver: 'C002', actor: 'C001' });
  });

  it('cash differences at or above the minimum, either way; none when even', () => {
    seq = 0;
    expect(
      kinds([
        entry('2026-11-25 17:00', 'shift.closed', 'C001', { differenceFen: -1, approvedBy: null }),
        entry('2026-11-25 17:01', 'shift.closed', 'C002', { differenceFen: 0, approvedBy: null }),
        entry('2026-11-25 17:02', 'shift.closed', 'C003', { differenceFen: 2500, approvedBy: 'S001' }),
      ]),
    ).toEqual([['cash_difference', 1], ['approval', 3], ['cash_difference', 3]]);
    const stricter = parseAuditRules({ ...RULES, cashDifference: { ...RULES.cashDifference, minAbsFen: 100 } }, 'test');
    seq = 0;
    expect(kinds([entry('2026-11-25 17:00', 'shift.closed', 'C001', { differenceFen: -99 })], stricter)).toEqual([]);
  });

  it('off-hours: before opening, at closing, on Sunday — in the hall\'s zone, not UTC; the kiosk is never off-hours', () => {
    seq = 0;
    const pay = (local: string, actor = 'C001') => entry(local, 'payment.created', actor, { accountNo: '3100000001', amountFen: 100 });
    expect(
      kinds([
        pay('2026-11-25 07:59'), // 1: before 08:00
        pay('2026-11-25 08:00'), // 2: open
        pay('2026-11-25 17:59'), // 3: open
        pay('2026-11-25 18:00'), // 4: closed
        pay('2026-11-29 10:00'), // 5: Sunday
        pay('2026-11-28 10:00'), // 6: Saturday, open
        pay('2026-11-25 23:00', 'kiosk'), // 7: the kiosk itself
        entry('2026-11-25 23:30', 'receipt.printed', 'C001', {}), // 8: not a transaction
      ]),
    ).toEqual([['off_hours', 1], ['off_hours', 4], ['off_hours', 5]]);
  });

  it('the local clock is the zone\'s, across midnight UTC', () => {
    const clock = localClock(TZ);
    expect(clock('2026-11-24T23:30:00.000Z')).toEqual({ minutes: 7 * 60 + 30, weekday: 3 });
    expect(localClock('UTC')('2026-11-29T10:00:00.000Z')).toEqual({ minutes: 600, weekday: 7 });
  });

  it('repeated lookups: the third of one account by one clerk within the hour, once per run', () => {
    seq = 0;
    const look = (local: string, accountNo = '3100000009', actor = 'C001') => entry(local, 'account.looked_up', actor, { accountNo, source: 'online' });
    const found = detectAnomalies(
      [
        look('2026-11-25 09:00'),
        look('2026-11-25 09:20'),
        look('2026-11-25 09:30', '3100000001'), // another account
        look('2026-11-25 09:40', '3100000009', 'C002'), // another clerk
        look('2026-11-25 09:50'), // 5: third within the hour
        look('2026-11-25 09:55'), // 6: same run, not reported again
        look('2026-11-25 12:00'), // alone again
      ],
      RULES,
      TZ,
    );
    expect(found.map((a) => [a.kind, a.seq, a.count])).toEqual([['repeated_lookup', 5, 3]]);
    expect(found[0]).toMatchObject({ accountNo: '3100000009', actor: 'C001', fen: null });
  });

  it('token re-issues from the second delivery on; card recoveries only when staff did them', () => {
    seq = 0;
    expect(
      kinds([
        entry('2026-11-25 10:00', 'vend.delivery_attempted', 'C001', { via: 'print', attempt: 1 }),
        entry('2026-11-25 10:01', 'vend.delivery_attempted', 'C001', { via: 'print', attempt: 2 }),
        entry('2026-11-25 10:02', 'vend.tid_reassigned', 'system', { from: 1, to: 2 }),
        entry('2026-11-25 10:03', 'vend.card_recovered', 'system', { landed: true }),
        entry('2026-11-25 10:04', 'vend.card_recovered', 'C001', { landed: false }),
      ]),
    ).toEqual([['token_reissue', 2], ['token_reissue', 3], ['card_recovery', 5]]);
  });

  it('a payload that is not JSON is skipped, not fatal', () => {
    seq = 0;
    const bad: AuditEntry = { seq: 1, at: '2026-11-25T02:00:00.000Z', type: 'payment.voided', ref: 'x', actor: 'C001', payload: '{not json' };
    expect(detectAnomalies([bad], RULES, TZ).map((a) => a.kind)).toEqual(['reversal']);
  });

  it('summarises per clerk, most first', () => {
    seq = 0;
    const found = detectAnomalies(
      [
        entry('2026-11-25 10:00', 'receipt.reprinted', 'C001', {}),
        entry('2026-11-25 10:01', 'receipt.reprinted', 'C002', {}),
        entry('2026-11-25 10:02', 'payment.voided', 'C002', { amountFen: 1, approvedBy: 'S001' }),
      ],
      RULES,
      TZ,
    );
    expect(summariseByClerk(found)).toEqual([
      { actor: 'C002', counts: { reprint: 1, reversal: 1, approval: 1 }, total: 3 },
      { actor: 'C001', counts: { reprint: 1 }, total: 1 },
    ]);
  });

  it('rules that do not hold are refused with where', () => {
    expect(() => parseAuditRules({ ...RULES, offHours: { ...RULES.offHours, open: '18:00', close: '08:00' } }, 'audit.json')).toThrow(/audit.json.*offHours/);
    expect(() => parseAuditRules({ ...RULES, repeatedLookups: { ...RULES.repeatedLookups, minLookups: 1 } }, 'audit.json')).toThrow(/repeatedLookups.minLookups/);
  });
});
