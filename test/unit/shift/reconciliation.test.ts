/**
 * Four-way reconciliation, classification only (pure): every difference gets exactly one cause,
 * and agreeing records give none.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE_SEVERITY, DIFFERENCE_CAUSES, eventMoneyFen, reconcile, type ReconciliationInput } from '../../../main/domain/shift/index.js';

const clean: ReconciliationInput = {
  shifts: [{ shiftId: 's1', operatorId: 'C001', state: 'closed', journalExpectedFen: 60000, countedExpectedFen: 60000, countedFen: 60000 }],
  events: [
    { eventId: 'e1', type: 'payment.created', ref: 'p1', amountFen: 10000, takings: true, sync: 'acknowledged' },
    { eventId: 'e2', type: 'vend.paid', ref: 'v1', amountFen: 5000, takings: true, sync: 'acknowledged' },
    // Not money taken: counted by the events, not by the money totals.
    { eventId: 'e0', type: 'shift.opened', ref: 's1', amountFen: 50000, sync: 'acknowledged' },
  ],
  ledger: [
    { eventId: 'e1', type: 'payment.created', ref: 'p1', amountFen: 10000, takings: true },
    { eventId: 'e2', type: 'vend.paid', ref: 'v1', amountFen: 5000, takings: true },
    { eventId: 'e0', type: 'shift.opened', ref: 's1', amountFen: 50000 },
  ],
  vends: [{ vendId: 'v1', amountFen: 5000, paid: 1, credits: 1, cardWrites: 0, reversed: false, refundFen: 0 }],
  adjustments: [],
};

const causes = (input: ReconciliationInput) => reconcile(input).differences.map((d) => [d.cause, d.ref, d.amountFen]);

describe('reconciliation classification', () => {
  it('agreeing drawer, journal, ledger and credits: no differences, everything matched', () => {
    const r = reconcile(clean);
    expect(r.differences).toEqual([]);
    expect(r.summary).toMatchObject({
      cashExpectedFen: 60000, cashCountedFen: 60000, shiftsCounted: 1, shiftsOpen: 0,
      journal: { count: 3, fen: 15000 }, backend: { count: 3, fen: 15000 }, pending: 0, rejected: 0,
      vendsPaid: { count: 1, fen: 5000 }, creditsIssued: { count: 1, fen: 5000 }, creditsMatched: 1, problems: 0, warnings: 0,
    });
  });

  it('drawer: counted short, counted over, not counted, and a recorded expectation the journal no longer gives', () => {
    expect(causes({ ...clean, shifts: [{ ...clean.shifts[0]!, countedFen: 59000 }] })).toEqual([['counted_short', 's1', 1000]]);
    expect(causes({ ...clean, shifts: [{ ...clean.shifts[0]!, countedFen: 60050 }] })).toEqual([['counted_over', 's1', 50]]);
    expect(causes({ ...clean, shifts: [{ ...clean.shifts[0]!, state: 'open', countedFen: null, countedExpectedFen: null }] })).toEqual([['not_counted', 's1', 60000]]);
    // Someone edited a payment after the count: the journal's figure moved, the count's did not.
    expect(causes({ ...clean, shifts: [{ ...clean.shifts[0]!, journalExpectedFen: 61000 }] })).toEqual([
      ['counted_short', 's1', 1000],
      ['journal_mismatch', 's1', 1000],
    ]);
  });

  it('journal against ledger: not yet synced, rejected, missing at the backend, unknown to the terminal, amounts differing', () => {
    const r = reconcile({
      ...clean,
      events: [
        { eventId: 'e1', type: 'payment.created', ref: 'p1', amountFen: 10000, sync: 'pending' },
        { eventId: 'e2', type: 'vend.paid', ref: 'v1', amountFen: 5000, sync: 'rejected', rejectReason: 'malformed_payload: x' },
        { eventId: 'e3', type: 'payment.created', ref: 'p3', amountFen: 700, sync: 'acknowledged' },
        { eventId: 'e4', type: 'cash.out', ref: 'm4', amountFen: 800, sync: 'acknowledged' },
      ],
      ledger: [
        { eventId: 'e4', type: 'cash.out', ref: 'm4', amountFen: 900 },
        { eventId: 'e9', type: 'payment.created', ref: 'p9', amountFen: 4200 },
      ],
    });
    expect(r.differences.map((d) => [d.cause, d.ref, d.amountFen, d.severity, d.detail])).toEqual([
      ['amount_mismatch', 'm4', 800, 'problem', '900'],
      ['missing_at_backend', 'p3', 700, 'problem', 'e3'],
      ['unknown_at_terminal', 'p9', 4200, 'problem', 'e9'],
      ['rejected', 'v1', 5000, 'warning', 'malformed_payload: x'],
      ['not_synced', 'p1', 10000, 'info', null],
    ]);
    expect(r.summary).toMatchObject({ pending: 1, rejected: 1, backend: { count: 1, fen: 0 }, problems: 3, warnings: 1 });
  });

  it('an unreachable backend leaves the ledger column empty instead of calling everything missing', () => {
    const r = reconcile({ ...clean, ledger: null });
    expect(r.differences).toEqual([]);
    expect(r.summary.backend).toBeNull();
  });

  it('credits: each token or card write matched to exactly one paid vend', () => {
    const v = clean.vends[0]!;
    expect(causes({ ...clean, vends: [{ ...v, paid: 1, credits: 0 }] })).toEqual([['credit_pending', 'v1', 5000]]);
    expect(causes({ ...clean, vends: [{ ...v, paid: 0, credits: 1 }] })).toEqual([['credit_without_payment', 'v1', 5000]]);
    expect(causes({ ...clean, vends: [{ ...v, credits: 2 }] })).toEqual([['credit_twice', 'v1', 5000]]);
    expect(causes({ ...clean, vends: [{ ...v, cardWrites: 2 }] })).toEqual([['credit_twice', 'v1', 5000]]);
    expect(causes({ ...clean, vends: [{ ...v, credits: 0, reversed: true, refundFen: 5000 }] })).toEqual([['void', 'v1', 5000]]);
    // A reversed card vend whose purchase still landed on the card is credit given for nothing.
    expect(causes({ ...clean, vends: [{ ...v, reversed: true, refundFen: 5000, cardWrites: 1 }] })).toEqual([
      ['credit_without_payment', 'v1', 5000],
      ['void', 'v1', 5000],
    ]);
  });

  it('voids and waivers are listed as info with their amounts', () => {
    const r = reconcile({ ...clean, adjustments: [{ kind: 'waived', type: 'latefee.waived', ref: 'b1', amountFen: 300 }, { kind: 'void', type: 'payment.voided', ref: 'p2', amountFen: 1200 }] });
    expect(r.differences.map((d) => [d.cause, d.severity, d.amountFen])).toEqual([['void', 'info', 1200], ['waived', 'info', 300]]);
    expect(r.summary.problems).toBe(0);
  });

  it('every cause has a severity; event money reads the same fields on both sides', () => {
    for (const c of DIFFERENCE_CAUSES) expect(['info', 'warning', 'problem']).toContain(CAUSE_SEVERITY[c]);
    expect(eventMoneyFen('payment.created', { amountFen: 12 })).toBe(12);
    expect(eventMoneyFen('vend.reversed', { refundFen: 7 })).toBe(7);
    expect(eventMoneyFen('shift.opened', { floatFen: 5 })).toBe(5);
    expect(eventMoneyFen('vend.created', { amountFen: 12 })).toBeNull();
    expect(eventMoneyFen('payment.voided', { amountFen: 3 })).toBe(3);
    expect(eventMoneyFen('late_fee.waived', { fen: 4 })).toBe(4);
  });
});
