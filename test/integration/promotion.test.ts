/**
 * Prepaid promotion against the real core and reference backend: candidates ranked by the model
 * (postpaid, repeatedly late, steady use), an offer recorded and answered (journaled, synced, a
 * retry returning the same offer), and conversion seen when the account's snapshot turns prepaid.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextCounter } from '../billing-backend/db.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => stack.dispose());

describe('prepaid promotion', () => {
  it('ranks postpaid late payers with steady use, records the offer and the answer, and sees the conversion', async () => {
    const manager = await signedIn(stack.core, 'M001', '5678');
    await stack.core.pullNow();
    const list = await call(stack.core, 'promotion.candidates', { limit: 20 }, manager);
    expect(list.candidates).toBeGreaterThan(5);
    expect(list.items.length).toBeGreaterThan(5);
    const ranks = list.items.map((c) => c.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const modes = stack.core.db.prepare('SELECT account_no, payment_mode FROM accounts').all() as { account_no: string; payment_mode: string }[];
    const mode = new Map(modes.map((m) => [m.account_no, m.payment_mode]));
    for (const c of list.items) {
      expect(mode.get(c.accountNo)).toBe('postpaid');
      expect(c.latePayments12).toBeGreaterThanOrEqual(2);
      expect(c.cvPercent).toBeLessThanOrEqual(40);
      expect(c.offerKind).toBe(['C', 'B'].includes(c.grade) ? 'meter_and_bonus' : 'meter_free');
      expect(c.offer).toBeNull();
    }

    const top = list.items[0]!;
    const requestId = crypto.randomUUID();
    const offer = await call(stack.core, 'promotion.offer', { requestId, accountNo: top.accountNo }, manager);
    expect(offer).toMatchObject({ accountNo: top.accountNo, kind: top.offerKind, status: 'offered', offeredBy: 'M001', validUntil: '2026-12-27' });
    expect(await call(stack.core, 'promotion.offer', { requestId, accountNo: top.accountNo }, manager)).toEqual(offer);
    const conflict = await stack.core.dispatch('promotion.offer', { requestId, accountNo: list.items[1]!.accountNo }, manager);
    expect(conflict).toMatchObject({ ok: false, error: { code: 'promotion.request_conflict' } });
    const prepaid = await stack.core.dispatch('promotion.offer', { requestId: crypto.randomUUID(), accountNo: '3100000002' }, manager);
    expect(prepaid).toMatchObject({ ok: false, error: { code: 'promotion.not_candidate' } });

    const accepted = await call(stack.core, 'promotion.respond', { offerId: offer.offerId, outcome: 'accepted' }, manager);
    expect(accepted.status).toBe('accepted');
    const twice = await stack.core.dispatch('promotion.respond', { offerId: offer.offerId, outcome: 'declined' }, manager);
    expect(twice).toMatchObject({ ok: false, error: { code: 'promotion.already_answered' } });
    const journal = stack.core.db.prepare("SELECT type FROM journal WHERE type LIKE 'promotion.%' ORDER BY seq").pluck().all();
    expect(journal).toEqual(['promotion.offered', 'promotion.answered']);
    await stack.core.syncNow();
    const synced = stack.backend.db.prepare("SELECT type FROM events WHERE type LIKE 'promotion.%' ORDER BY seq").pluck().all();
    expect(synced).toEqual(['promotion.offered', 'promotion.answered']);

    // The meter is swapped: the backend's next snapshot says prepaid, and the offer counts as converted.
    stack.backend.db.prepare("UPDATE accounts SET payment_mode = 'prepaid', version = version + 1, change_seq = ? WHERE account_no = ?").run(nextCounter(stack.backend.db, 'change'), top.accountNo);
    await call(stack.core, 'account.lookup', { accountNo: top.accountNo }, manager);
    const after = await call(stack.core, 'promotion.candidates', { limit: 20 }, manager);
    expect(after.totals).toEqual({ offered: 1, accepted: 1, declined: 0, converted: 1 });
    expect(after.items.map((c) => c.accountNo)).not.toContain(top.accountNo);
  });
});
