/**
 * The monthly arrays of an account's history are checked in one loop each (a million of them pass
 * in an initial pull): whole numbers, at least the field's minimum, at most 24 — anything else is
 * refused with the field's path, like every other off-schema value on the wire.
 */
import { describe, expect, it } from 'vitest';
import { AccountHistorySchema } from '../../../main/wire/backend-wire.js';

const base = { since: '2020-01-01', to: '2026-11' };

describe('history monthly arrays', () => {
  it('takes whole numbers within bounds, up to 24 months, and leaves them as they are', () => {
    const h = { ...base, billed: [0, 1200, 99999], late: [-1, 0, 30], kwh: Array.from({ length: 24 }, (_, i) => i), vends: [] };
    expect(AccountHistorySchema.parse(h)).toEqual(h);
  });

  it.each([
    ['a fraction', { late: [0, 1.5] }, 'late'],
    ['below −1 days late', { late: [-2] }, 'late'],
    ['a negative amount', { billed: [-1] }, 'billed'],
    ['a negative kWh', { kwh: [3, -4] }, 'kwh'],
    ['25 months', { vends: Array.from({ length: 25 }, () => 0) }, 'vends'],
    ['a string', { due: ['60'] }, 'due'],
    ['null', { due: [null] }, 'due'],
    ['not an array', { kwh: 350 }, 'kwh'],
    ['an unsafe integer', { billed: [2 ** 60] }, 'billed'],
  ])('refuses %s, naming the field', (_what, field, path) => {
    const r = AccountHistorySchema.safeParse({ ...base, ...field });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([path]);
  });
});
