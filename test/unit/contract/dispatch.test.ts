/**
 * The boundary: bad params never reach a service, and nothing is written. Runs the real core on a
 * real SQLite file; the backend address points nowhere, so any handler that did run would show.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedLateFees, testTerminalConfig } from '../../support/config.js';
import type { Core } from '../../../main/core.js';
import { buildCore } from '../../../main/compose/index.js';
import { cacheOperators } from '../../../main/services/auth.js';
import { hashPin } from '../../billing-backend/pin-hash.js';
import { ERROR_CODES, methodSchemas } from '../../../main/contract/index.js';

let core: Core;
const snapshot = () =>
  ['payments', 'journal', 'outbox', 'accounts', 'bills'].map(
    (t) => (core.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
  );

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-contract-'));
  const config = testTerminalConfig({ dataDir: dir, backend: { lookupTimeoutMs: 200 } });
  core = buildCore(config, { printer: null, withoutDevices: true, lateFees: shippedLateFees() });
  cacheOperators(core.db, [
    { operatorId: 'C001', name: '张敏', role: 'clerk', pinHash: hashPin('1234', Buffer.from('00112233445566778899aabbccddeeff', 'hex')), active: true },
    { operatorId: 'A001', name: '王审', role: 'auditor', pinHash: hashPin('5678', Buffer.from('ffeeddccbbaa99887766554433221100', 'hex')), active: true },
  ]);
});
afterAll(async () => core.close());

async function session(operatorId: string, pin: string) {
  const s = core.newSession(operatorId);
  const r = await core.dispatch('session.signIn', { operatorId, pin }, s);
  expect(r.ok).toBe(true);
  return s;
}

describe('dispatch at the boundary', () => {
  it('refuses unknown methods', async () => {
    const r = await core.dispatch('payment.steal', {}, core.newSession('x'));
    expect(r).toMatchObject({ ok: false, error: { code: 'rpc.unknown_method' } });
  });

  it('refuses protected methods before sign-in', async () => {
    const r = await core.dispatch('account.lookup', { accountNo: '3100000001' }, core.newSession('x'));
    expect(r).toMatchObject({ ok: false, error: { code: 'auth.not_signed_in', i18nKey: 'errors.auth.not_signed_in' } });
  });

  it('refuses roles that may not take payments', async () => {
    const s = await session('A001', '5678');
    const r = await core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '10' }, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
  });

  it('a wrong PIN is refused and locks after five tries', async () => {
    const s = core.newSession('y');
    for (let i = 0; i < 4; i++) expect(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '0000' }, s)).toMatchObject({ ok: false, error: { code: 'auth.bad_pin' } });
    expect(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '0000' }, s)).toMatchObject({ ok: false, error: { code: 'auth.locked' } });
    expect(await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, s)).toMatchObject({ ok: false, error: { code: 'auth.locked' } });
    core.db.prepare("DELETE FROM credential_lockouts WHERE operator_id = 'C001'").run();
  });

  const bad: [string, unknown, string][] = [
    ['missing requestId', { accountNo: '3100000001', method: 'cash', amount: '10' }, 'requestId'],
    ['requestId not a uuid', { requestId: 'abc', accountNo: '3100000001', method: 'cash', amount: '10' }, 'requestId'],
    ['amount as a number', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: 10 }, 'amount'],
    ['unknown method of payment', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'bitcoin', amount: '10' }, 'method'],
    ['extra field', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount: '10', discount: '5' }, '(root)'],
    ['empty account', { requestId: crypto.randomUUID(), accountNo: '  ', method: 'cash', amount: '10' }, 'accountNo'],
    ['params not an object', 'pay me', '(root)'],
  ];
  it.each(bad)('payment.create with %s is refused as invalid params and writes nothing', async (_name, params, field) => {
    const s = await session('C001', '1234');
    const before = snapshot();
    const r = await core.dispatch('payment.create', params, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'validation.invalid_params', details: { field } } });
    expect(snapshot()).toEqual(before);
  });

  it.each([
    ['0', 'payment.amount_not_positive'],
    ['-3', 'payment.amount_not_positive'],
    ['ten', 'payment.amount_not_numeric'],
    ['1.001', 'payment.amount_too_many_decimals'],
    ['12345678901234567890', 'payment.amount_too_large'],
  ])('payment.create with amount %j is refused as %s and writes nothing', async (amount, code) => {
    const s = await session('C001', '1234');
    const before = snapshot();
    const r = await core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3100000001', method: 'cash', amount }, s);
    expect(r).toMatchObject({ ok: false, error: { code, i18nKey: `errors.${code}` } });
    expect(snapshot()).toEqual(before);
  });

  it('an account that is not cached while the backend is down: account.not_cached (not "not found"), nothing written', async () => {
    const s = await session('C001', '1234');
    const before = snapshot();
    const r = await core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: '3199999999', method: 'cash', amount: '10' }, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'account.not_cached', details: { accountNo: '3199999999' } } });
    expect(snapshot()).toEqual(before);
  });

  it('every method has an access rule and every error code a contract entry', () => {
    expect(Object.keys(methodSchemas).length).toBeGreaterThan(5);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
