/**
 * The staff exit by staff badge (docs/kiosk.md "Staff exit", docs/devices/staff-badge.md), against
 * the real core, the simulated HID reader and the real credential check: a good badge names the
 * operator and only the PIN is asked; a customer's prepaid card, a stranger's card, an altered badge
 * and an expired one are refused, each with its own code, and journaled with the card's serial; a
 * wrong PIN after the badge counts towards the shared lockout; the badge belongs to the session that
 * read it and lapses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_LAYOUT } from '../../kiosk-drivers/card/staff-badge.js';
import { KIOSK_STAFF_BADGE_TTL_MS } from '../../main/contract/index.js';
import { journalEntries } from '../../main/store/journal.js';
import { runningClock, type Stack } from '../support/stack.js';
import { cardFor, insertCard, KioskScreen, removeCard, staffBadgeFor, startKioskStack } from '../support/kiosk-stack.js';

let stack: Stack;
let skewMs = 0;
beforeAll(async () => {
  const base = runningClock();
  stack = await startKioskStack({ clock: () => new Date(base().getTime() + skewMs) });
});
afterAll(async () => {
  await stack.dispose();
});

const journal = (type: string) => journalEntries(stack.core.db).filter((e) => e.type === type).map((e) => e.payload as Record<string, unknown>);
const serialOf = (uid: Uint8Array) => Buffer.from(uid).toString('hex').toUpperCase();

describe('staff exit by badge', () => {
  it('a customer prepaid card, a stranger card, an altered badge and an expired one are refused with their own codes, journaled', async () => {
    const screen = new KioskScreen(stack);
    const prepaid = cardFor(stack, '3100000004', 0x41);
    await insertCard(stack, prepaid);
    expect(await screen.code('kiosk.staffCard', {})).toBe('kiosk.staff_card_customer');
    // Without a badge read, the card way asks for the badge (not for an ID the screen could send).
    expect(await screen.code('kiosk.staffExit', { via: 'card', pin: '9999' })).toBe('kiosk.staff_card_required');
    await removeCard(stack);

    await insertCard(stack, staffBadgeFor('S001', 0x01, { masterKey: new Uint8Array(16).fill(0x5a) }));
    expect(await screen.code('kiosk.staffCard', {})).toBe('kiosk.staff_card_unknown');
    await removeCard(stack);

    // A genuine S001 badge rewritten to say M001 (someone holding its sector key, not the badge key).
    const altered = staffBadgeFor('S001', 0x02);
    const b4 = altered.peek(BADGE_LAYOUT.header);
    b4.set(Buffer.from('M001'), 4);
    altered.poke(BADGE_LAYOUT.header, b4);
    await insertCard(stack, altered);
    expect(await screen.code('kiosk.staffCard', {})).toBe('kiosk.staff_badge_invalid');
    await removeCard(stack);

    const expired = staffBadgeFor('S001', 0x03, { validUntil: Math.floor(stack.clock().getTime() / 1000) - 86_400 });
    await insertCard(stack, expired);
    const r = await screen.raw('kiosk.staffCard', {});
    expect(r.ok ? null : r.error).toMatchObject({ code: 'kiosk.staff_badge_expired', details: { validUntil: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) } });
    await removeCard(stack);

    expect(journal('kiosk.staff_exit_failed')).toEqual([
      expect.objectContaining({ via: 'card', reason: 'kiosk.staff_card_customer', cardSerial: serialOf(prepaid.uid) }),
      expect.objectContaining({ via: 'card', reason: 'kiosk.staff_card_required', cardSerial: null }),
      expect.objectContaining({ via: 'card', reason: 'kiosk.staff_card_unknown' }),
      expect.objectContaining({ via: 'card', reason: 'kiosk.staff_badge_invalid', check: 'mac', cardSerial: serialOf(altered.uid) }),
      expect.objectContaining({ via: 'card', reason: 'kiosk.staff_badge_expired', operatorId: 'S001', cardSerial: serialOf(expired.uid) }),
    ]);
    expect(journal('kiosk.staff_card_read')).toEqual([]);
    // No reader, no card: said as the device's own error.
    expect(await screen.code('kiosk.staffCard', {})).toBe('card.absent');
  });

  it('a good badge names the operator; a wrong PIN is refused and journaled; the right PIN opens diagnostics; sign-out returns to the kiosk', async () => {
    const screen = new KioskScreen(stack);
    const visit = await screen.call('kiosk.begin', { locale: 'en' });
    const badge = staffBadgeFor('S001', 0x10);
    await insertCard(stack, badge);
    const read = await screen.call('kiosk.staffCard', {});
    expect(read).toMatchObject({ operatorId: 'S001', issue: 1, cardSerial: serialOf(badge.uid) });
    expect(journal('kiosk.staff_card_read').at(-1)).toEqual({ operatorId: 'S001', issue: 1, cardSerial: serialOf(badge.uid) });
    // The badge may leave the reader while the PIN is keyed.
    await removeCard(stack);

    // Another screen's session has no badge of its own.
    expect(await new KioskScreen(stack).code('kiosk.staffExit', { via: 'card', pin: '9999' })).toBe('kiosk.staff_card_required');
    // The card way takes no operator ID from the screen.
    expect((await screen.raw('kiosk.staffExit', { via: 'card', pin: '9999', operatorId: 'M001' } as never)).ok).toBe(false);

    expect(await screen.code('kiosk.staffExit', { via: 'card', pin: '0000' })).toBe('auth.bad_pin');
    const failed = journal('kiosk.staff_exit_failed').at(-1);
    expect(failed).toEqual({ operatorId: 'S001', via: 'card', reason: 'auth.bad_pin', cardSerial: serialOf(badge.uid), issue: 1 });
    expect(JSON.stringify(journal('kiosk.staff_exit_failed'))).not.toContain('0000');

    const op = await screen.call('kiosk.staffExit', { via: 'card', pin: '9999' });
    expect(op).toMatchObject({ operatorId: 'S001', role: 'supervisor' });
    expect(journal('kiosk.staff_exit').at(-1)).toMatchObject({ operatorId: 'S001', role: 'supervisor', via: 'card', cardSerial: serialOf(badge.uid), issue: 1 });
    expect(await screen.code('kiosk.extend', { visitId: visit.visitId })).toBe('auth.forbidden');
    expect((await screen.raw('devices.status', {})).ok).toBe(true);
    expect(await screen.call('kiosk.supplies', { paperLoaded: true })).toEqual({ recorded: true });
    await screen.call('session.signOut', {});
    expect(await screen.call('session.current', {})).toMatchObject({ role: 'kiosk' });
    // The badge was spent by the exit: leaving again needs the card again.
    expect(await screen.code('kiosk.staffExit', { via: 'card', pin: '9999' })).toBe('kiosk.staff_card_required');
  });

  it('wrong PINs after a badge count towards the shared lockout (the 5th locks, the right PIN is then refused too)', async () => {
    const screen = new KioskScreen(stack);
    await insertCard(stack, staffBadgeFor('M001', 0x20));
    await screen.call('kiosk.staffCard', {});
    await removeCard(stack);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await screen.code('kiosk.staffExit', { via: 'card', pin: '1111' }));
    expect(codes).toEqual(['auth.bad_pin', 'auth.bad_pin', 'auth.bad_pin', 'auth.bad_pin', 'auth.locked']);
    const r = await screen.raw('kiosk.staffExit', { via: 'card', pin: '5678' });
    expect(r.ok ? null : r.error).toMatchObject({ code: 'auth.locked', details: { minutes: 1 } });
    // The same lockout as the keyed ID: it is the operator that is locked, not the way in.
    expect(await screen.code('kiosk.staffExit', { via: 'keypad', operatorId: 'M001', pin: '5678' })).toBe('auth.locked');
    expect(journal('kiosk.staff_exit_failed').filter((e) => e.operatorId === 'M001').map((e) => e.reason)).toEqual([
      ...Array(4).fill('auth.bad_pin'),
      'auth.locked',
      'auth.locked',
      'auth.locked',
    ]);
  });

  it('a badge read stands for its operator only a short while', async () => {
    const screen = new KioskScreen(stack);
    await insertCard(stack, staffBadgeFor('S001', 0x30));
    await screen.call('kiosk.staffCard', {});
    await removeCard(stack);
    skewMs += KIOSK_STAFF_BADGE_TTL_MS + 1000;
    expect(await screen.code('kiosk.staffExit', { via: 'card', pin: '9999' })).toBe('kiosk.staff_card_required');
  });
});
