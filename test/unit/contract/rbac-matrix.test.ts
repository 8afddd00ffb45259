/**
 * The RBAC matrix: every RPC method of the contract × every role (and no one signed in) is called
 * through the real dispatch and must be allowed or refused exactly as the table below says. The
 * cases are generated from the contract's method map and ROLES, so a new method without a row here
 * fails, and so does any change of who may call what that the table does not make too.
 *
 * Calls carry a field no schema knows: the access check comes first, so a refused role gets
 * `auth.forbidden` / `auth.not_signed_in`, and an allowed one reaches validation and gets
 * `validation.invalid_params` — no handler runs, nothing is written, no device is touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodAccess, methodSchemas, ROLES, type MethodName, type Role } from '../../../main/contract/index.js';
import type { Core } from '../../../main/core.js';
import { buildCore } from '../../../main/compose/index.js';
import { cacheOperators } from '../../../main/services/auth.js';
import type { Session } from '../../../main/services/dispatch.js';
import { shippedLateFees, testTerminalConfig } from '../../support/config.js';

const COUNTER = 'clerk supervisor manager';
const STAFF = 'clerk supervisor manager auditor technician';

/** Who may call each method: 'public' (anyone, signed in or not) or the roles, space-separated. */
const EXPECTED: Readonly<Record<string, string>> = {
  'system.info': 'public',
  'session.signIn': 'public',
  'session.signOut': 'public',
  'session.current': 'public',
  'clock.status': 'public',
  'exceptions.list': 'supervisor manager auditor',
  'exceptions.resolve': 'supervisor manager',
  'receipt.verify': 'clerk supervisor manager auditor',
  'account.lookup': STAFF,
  'account.search': STAFF,
  'payment.create': COUNTER,
  'payment.get': STAFF,
  'payment.listForAccount': STAFF,
  'payment.void': COUNTER,
  'payment.refund': COUNTER,
  'lateFee.explain': STAFF,
  'lateFee.waive': COUNTER,
  'receipt.reprint': COUNTER,
  'receipt.preview': STAFF,
  'sync.status': STAFF,
  'sync.force': 'supervisor manager',
  'updates.status': 'clerk supervisor manager auditor technician',
  'updates.defer': 'supervisor manager technician',
  'vend.preview': COUNTER,
  'vend.purchase': COUNTER,
  'vend.get': STAFF,
  'vend.list': STAFF,
  'vend.deliver': COUNTER,
  'vend.cardCheck': COUNTER,
  'vend.reprint': COUNTER,
  'vend.reverse': COUNTER,
  'vend.resume': 'supervisor manager technician',
  'token.explain': STAFF,
  'token.manage': 'supervisor manager technician',
  'devices.status': 'supervisor manager technician',
  'devices.health': `${STAFF} kiosk`,
  'devices.refresh': 'supervisor manager technician',
  'devices.testPrint': 'supervisor manager technician',
  'devices.testCardRead': 'supervisor manager technician',
  'devices.testScan': 'supervisor manager technician',
  'shift.current': 'clerk supervisor manager auditor',
  'shift.open': COUNTER,
  'shift.cashIn': COUNTER,
  'shift.cashOut': COUNTER,
  'shift.count': COUNTER,
  'shift.close': COUNTER,
  'shift.report': 'clerk supervisor manager auditor',
  'shift.printReport': COUNTER,
  'shift.list': 'clerk supervisor manager auditor',
  'reconciliation.run': 'supervisor manager auditor',
  'reconciliation.print': 'supervisor manager',
  'reconciliation.export': 'supervisor manager auditor',
  'audit.status': STAFF,
  'audit.verify': 'supervisor manager auditor',
  'audit.acknowledge': 'auditor manager',
  'audit.entries': 'auditor manager',
  'audit.anomalies': 'auditor manager',
  'audit.export': 'auditor manager',
  'recovery.dashboard': 'supervisor manager',
  'recovery.dashboardExport': 'supervisor manager',
  'collection.worklist': 'supervisor manager',
  'collection.assign': 'supervisor manager',
  'collection.export': 'supervisor manager',
  'collection.noticePreview': 'supervisor manager',
  'collection.issueNotice': 'supervisor manager',
  'collection.printNotice': 'supervisor manager',
  'collection.notices': 'supervisor manager',
  'collection.logContact': 'supervisor manager',
  'collection.contacts': 'supervisor manager',
  'credit.get': 'clerk supervisor manager auditor',
  'credit.override': 'manager',
  'credit.liftOverride': 'manager',
  'credit.evaluateAll': 'supervisor manager',
  'promotion.candidates': 'supervisor manager',
  'promotion.offer': 'supervisor manager',
  'promotion.respond': 'supervisor manager',
  'points.balance': 'clerk supervisor manager auditor',
  'kiosk.status': 'kiosk',
  'kiosk.begin': 'kiosk',
  'kiosk.setLocale': 'kiosk',
  'kiosk.extend': 'kiosk',
  'kiosk.identify': 'kiosk',
  'kiosk.verify': 'kiosk',
  'kiosk.account': 'kiosk',
  'kiosk.quoteBills': 'kiosk',
  'kiosk.quoteVend': 'kiosk',
  'kiosk.order.create': 'kiosk',
  'kiosk.order.status': 'kiosk',
  'kiosk.order.cancel': 'kiosk',
  'kiosk.deliver': 'kiosk',
  'kiosk.rate': 'kiosk',
  'kiosk.end': 'kiosk',
  'kiosk.staffCard': 'kiosk',
  'kiosk.staffExit': 'kiosk',
  'kiosk.supplies': 'supervisor manager technician',
  'display.pair': COUNTER,
  'display.attach': 'public',
  'display.current': 'public',
  'display.rate': 'public',
  'rating.report': 'supervisor manager auditor',
  'complaint.create': COUNTER,
  'complaint.list': 'clerk supervisor manager auditor',
  'complaint.get': 'clerk supervisor manager auditor',
  'complaint.reply': COUNTER,
  'complaint.resolve': COUNTER,
  'complaint.confirm': COUNTER,
  'application.types': COUNTER,
  'application.create': COUNTER,
  'application.documents': COUNTER,
  'application.advance': COUNTER,
  'application.get': 'clerk supervisor manager auditor',
  'application.list': 'clerk supervisor manager auditor',
  'application.printSlip': COUNTER,
  'recommendation.list': COUNTER,
  'recommendation.respond': COUNTER,
};

const METHODS = Object.keys(methodSchemas) as MethodName[];
type Caller = Role | 'anonymous';
const CALLERS: readonly Caller[] = [...ROLES, 'anonymous'];

function allowed(method: string, caller: Caller): boolean {
  const rule = EXPECTED[method];
  if (rule === undefined) throw new Error(`no expected rule for ${method}`);
  if (rule === 'public') return true;
  return caller !== 'anonymous' && rule.split(' ').includes(caller);
}

let dir: string;
let core: Core;
const sessions = new Map<Caller, Session>();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-rbac-'));
  core = buildCore(testTerminalConfig({ dataDir: dir, backend: { lookupTimeoutMs: 200 } }), { printer: null, withoutDevices: true, lateFees: shippedLateFees() });
  // One operator per role, as the staff list would bring them; sessions signed in as each.
  cacheOperators(core.db, ROLES.map((role) => ({ operatorId: `R-${role}`, name: role, role, pinHash: `scrypt$00$${'00'.repeat(32)}`, active: true })));
  for (const caller of CALLERS) {
    const s = core.newSession(`rbac-${caller}`);
    if (caller !== 'anonymous') s.operator = { operatorId: `R-${caller}`, name: caller, role: caller };
    sessions.set(caller, s);
  }
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RBAC matrix', () => {
  // A row may name a method an area is still adding; a method without a row always fails.
  it('the table has a rule for every method of the contract', () => {
    expect(METHODS.filter((m) => EXPECTED[m] === undefined)).toEqual([]);
  });

  it('the contract states the same rules as the table', () => {
    for (const m of METHODS) {
      const a = methodAccess[m];
      const stated = a === 'public' ? 'public' : [...a].sort().join(' ');
      const expected = EXPECTED[m] === 'public' ? 'public' : (EXPECTED[m] ?? '').split(' ').sort().join(' ');
      expect([m, stated]).toEqual([m, expected]);
    }
  });

  const cases = METHODS.flatMap((m) => CALLERS.map((c) => [m, c] as const));
  it.each(cases)('%s × %s', async (method, caller) => {
    const r = await core.dispatch(method, { __rbacProbe: true }, sessions.get(caller) as Session);
    const got = r.ok ? 'ran' : r.error.code;
    if (allowed(method, caller)) expect(got).toBe('validation.invalid_params');
    else expect(got).toBe(caller === 'anonymous' ? 'auth.not_signed_in' : 'auth.forbidden');
  });
});
