/**
 * Provisional receipts (issue #8 item 4) with the printer simulator's decoded bytes: a payment
 * printed while the backend has not acknowledged it says "临时凭证 — 待同步" / "PROVISIONAL — PENDING
 * SYNC" and carries the verify code the terminal's key gives (payment, amount, terminal); staff
 * check it through the backend (good code; forged, moved to another amount, or another terminal's
 * refused), and once synced the backend says so. A payment acknowledged before it prints gets a
 * final receipt, and so does a reprint after the sync.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../main/services/dispatch.js';
import { receiptVerifyCode } from '../../main/sync/receipt-verify.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let clerk: Session;
beforeEach(async () => {
  stack = await startStack();
  clerk = await signedIn(stack.core);
});
afterEach(async () => stack.dispose());

const pay = (amount: string, receiptLocale: 'zh-CN' | 'en' = 'zh-CN') =>
  call(stack.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000002', method: 'cash', amount, tendered: amount, receiptLocale }, clerk);
const verify = (paymentId: string, amount: string, code: string, terminalId?: string) =>
  stack.core.dispatch('receipt.verify', { paymentId, amount, code, ...(terminalId ? { terminalId } : {}) }, clerk);

describe('provisional receipts', () => {
  it('not yet acknowledged: marked, with a verify code the backend checks; forged codes refused; synced later', async () => {
    stack.backend.setKnobs({ holdEvents: true });
    const p = await pay('25.00');
    const code = receiptVerifyCode(DEMO_TERMINAL.secret, DEMO_TERMINAL.id, p.paymentId, 2500);
    const receipt = (await stack.printer.waitForJob(0, 15_000)).text;
    expect(receipt).toContain('临时凭证 — 待同步');
    expect(receipt).toMatch(new RegExp(`校验码\\s+${code}`));
    const en = await pay('26.00', 'en');
    const enCode = receiptVerifyCode(DEMO_TERMINAL.secret, DEMO_TERMINAL.id, en.paymentId, 2600);
    const enReceipt = (await stack.printer.waitForJob(1, 15_000)).text;
    expect(enReceipt).toContain('PROVISIONAL — PENDING SYNC');
    expect(enReceipt).toMatch(new RegExp(`Verify code\\s+${enCode}`));

    // Checked at the backend: the real code (as typed, in lower case), not yet synced.
    expect(await verify(p.paymentId, '25.00', code.toLowerCase())).toEqual({ ok: true, result: { valid: true, synced: false } });
    // Made up, moved to another amount or payment, or claimed for another terminal: not valid.
    expect(await verify(p.paymentId, '25.00', '0000-0000')).toEqual({ ok: true, result: { valid: false, synced: false } });
    expect(await verify(p.paymentId, '250.00', code)).toEqual({ ok: true, result: { valid: false, synced: false } });
    expect(await verify(en.paymentId, '25.00', code)).toEqual({ ok: true, result: { valid: false, synced: false } });
    expect(await verify(p.paymentId, '25.00', code, 'T-HALL-99')).toEqual({ ok: true, result: { valid: false, synced: false } });
    // Bad input gets a clear error.
    expect(await verify(p.paymentId, 'abc', code)).toMatchObject({ ok: false, error: { code: 'payment.amount_not_numeric' } });
    expect(await stack.core.dispatch('receipt.verify', { paymentId: 'nope', amount: '1', code }, clerk)).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });

    stack.backend.setKnobs({ holdEvents: false });
    await stack.core.syncNow();
    expect(await verify(p.paymentId, '25.00', code)).toEqual({ ok: true, result: { valid: true, synced: true } });
    // A reprint after the sync is final.
    await call(stack.core, 'receipt.reprint', { paymentId: p.paymentId }, clerk);
    const reprint = (await stack.printer.waitForJob(2, 15_000)).text;
    expect(reprint).not.toContain('临时凭证');
    expect(reprint).not.toContain('校验码');
  });

  it('acknowledged before it prints: a final receipt', async () => {
    await stack.core.syncNow(); // online
    await pay('10.00');
    const receipt = (await stack.printer.waitForJob(0, 15_000)).text;
    expect(receipt).not.toContain('临时凭证');
    expect(receipt).not.toContain('校验码');
  });

  it('offline: provisional; receipt.verify says the backend is unreachable', async () => {
    await call(stack.core, 'account.lookup', { accountNo: '3100000002' }, clerk); // cached first
    stack.backend.setKnobs({ down: true });
    const p = await pay('12.00');
    expect((await stack.printer.waitForJob(0, 15_000)).text).toContain('临时凭证 — 待同步');
    const code = receiptVerifyCode(DEMO_TERMINAL.secret, DEMO_TERMINAL.id, p.paymentId, 1200);
    expect(await verify(p.paymentId, '12.00', code)).toMatchObject({ ok: false, error: { code: 'backend.unreachable' } });
  });
});
