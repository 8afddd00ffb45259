/**
 * Counter vends end to end: core + reference backend (online secure module, gateway) + ESC/POS
 * printer simulator over real sockets and a real SQLite file. Tokens are checked by decoding them
 * with the meter's decoder key derived independently from the demo vending key.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, VendPreviewView, VendView, TokenExplainView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { blockFromHex, dateFromTid, decodeToken, deriveDecoderKeyDkga02, formatTokenGroups, tidFromDate } from '../../main/vending/sts/index.js';
import { StsIssuer } from '../../test/billing-backend/sts-issue.js';
import { loadLocale, translator } from '../../main/i18n/locales.js';
import { signedIn, startStack, type Stack } from '../support/stack.js';

const STS_2014 = '3100000003';
const STS_ARREARS = '3100000008';
const STS_1993 = '3100000002';
const CARD = '3100000004';
const POSTPAID = '3100000001';

let stack: Stack;
let clerk: Session;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

function code(r: RpcResponse): string {
  if (r.ok) throw new Error('expected an error');
  return r.error.code;
}

async function meterSts(accountNo: string) {
  const cached = stack.core.db.prepare("SELECT meter_no, sts_json FROM meters WHERE account_no = ? AND kind = 'sts'").get(accountNo) as { meter_no: string; sts_json: string };
  return { meterNo: cached.meter_no, sts: JSON.parse(cached.sts_json) as { iin: string; drn: string; keyType: number; sgc: string; ti: string; krn: number; baseDate: '1993-01-01' | '2014-01-01'; algorithm: 'EA07' } };
}

/** Decoder key from the TEST vending key, derived here independently of the service. */
function dkFor(sts: { iin: string; drn: string; keyType: number; sgc: string; ti: string; krn: number; baseDate: '1993-01-01' | '2014-01-01'; algorithm: 'EA07' }) {
  return deriveDecoderKeyDkga02(blockFromHex('ABABABABABABABAB'), sts);
}

function counts() {
  const db = stack.core.db;
  return {
    vends: (db.prepare('SELECT COUNT(*) AS n FROM vends').get() as { n: number }).n,
    journal: (db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n,
    outbox: (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n,
  };
}

async function purchase(accountNo: string, amount: string, extra: Record<string, unknown> = {}): Promise<RpcResponse> {
  return stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo, method: 'cash', amount, ...extra }, clerk);
}

function useSecureModuleConfig(cfg: Record<string, unknown> | null): void {
  if (cfg === null) {
    delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
    return;
  }
  const file = path.join(stack.dir, `sm-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ mode: 'online', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 200000, onlineTimeoutMs: 1500, ...cfg }));
  process.env.GRIDDESK_SECURE_MODULE_CONFIG = file;
}

beforeAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  stack = await startStack();
  clerk = await signedIn(stack.core);
});

afterAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  await stack.dispose();
});

afterEach(() => {
  stack.printer.setFault(null);
  stack.backend.setKnobs({ down: false, delayMs: 0 });
});

describe('counter vend, online secure module', () => {
  it('previews the split before paying, with arrears recovered first', async () => {
    const before = counts();
    const p = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_ARREARS, amount: '100' }, clerk));
    expect(p.amountFen).toBe(10000);
    expect(p.debtBeforeFen).toBeGreaterThan(0);
    // vend.json: 20 % of each purchase goes to the debt (capped at the debt).
    expect(p.arrearsFen).toBe(Math.min(2000, p.debtBeforeFen));
    expect(p.channelFeeFen + p.arrearsFen + p.fixedChargesFen + p.energyFen + p.remainderFen).toBe(10000);
    expect(p.energyCkwh % 10).toBe(0);
    expect(p.blocks.reduce((s, b) => s + b.energyCkwh, 0)).toBe(p.energyCkwh);
    expect(p.issuer).toBe('online');
    expect(counts()).toEqual(before);
  });

  it('quotes by energy: the least amount buying at least that much', async () => {
    const p = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_2014, energyKwh: '100' }, clerk));
    expect(p.energyCkwh).toBeGreaterThanOrEqual(10000);
    const less = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_2014, amount: ((p.amountFen - 1) / 100).toFixed(2) }, clerk));
    expect(less.energyCkwh).toBeLessThan(10000);
  });

  it('vends for cash: token on the printed receipt decodes with the meter key to the amount and TID', async () => {
    const { meterNo, sts } = await meterSts(STS_2014);
    const requestId = randomUUID();
    const v = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId, accountNo: STS_2014, method: 'cash', amount: '100', tendered: '120' }, clerk));
    expect(v.state).toBe('delivered');
    expect(v.delivery).toBe('printed');
    expect(v.changeFen).toBe(2000);
    expect(v.issuer).toBe('online');
    expect(v.offline).toBe(false);
    expect(v.meterNo).toBe(meterNo);
    expect(v.token).toMatch(/^\d{20}$/);

    const job = stack.printer.jobs().at(-1);
    expect(job?.text).toContain(formatTokenGroups(v.token as string));
    expect(job?.text).toContain('购电凭证');
    expect(job?.text).toContain('取整规则');
    const printed = /(\d{4} \d{4} \d{4} \d{4} \d{4})/.exec(job?.text ?? '')?.[1]?.replace(/ /g, '') ?? '';
    const decoded = decodeToken(dkFor(sts), printed);
    expect(decoded.crcOk).toBe(true);
    expect(decoded.tokenClass).toBe(0);
    expect(decoded.tid).toBe(v.tid);
    expect(decoded.amount?.tenths).toBe(v.deliveredTenths);
    expect(decoded.amount?.tenths).toBeGreaterThanOrEqual(v.split.energyCkwh / 10);
    expect(v.tid).toBe(tidFromDate(new Date(v.createdAt), sts.baseDate));

    // The backend issued it and keeps it per vend.
    const issued = new StsIssuer(stack.backend.db, () => new Date().toISOString()).issuedFor(meterNo);
    expect(issued).toContainEqual({ vendId: v.vendId, tid: v.tid, digits: v.token });

    // A retry of the same request is the same vend and the same token.
    const again = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId, accountNo: STS_2014, method: 'cash', amount: '100', tendered: '120' }, clerk));
    expect(again.vendId).toBe(v.vendId);
    expect(again.token).toBe(v.token);
    const types = journalEntries(stack.core.db, v.vendId).map((e) => e.type);
    expect(types).toEqual(['vend.created', 'vend.paid', 'vend.token_issued', 'vend.delivery_attempted', 'points.accrued', 'vend.delivered']);
    expect(verifyJournal(stack.core.db).ok).toBe(true);
  });

  it('above 1638.3 kWh the token carries exactly the energy sold (no unconfigured round-up)', async () => {
    const v = ok<VendView>(await purchase(STS_2014, '2000'));
    expect(v.split.energyCkwh).toBeGreaterThan(163_830);
    expect(v.deliveredTenths! * 10).toBe(v.split.energyCkwh);
    expect(v.split.energyFen + v.split.remainderFen + v.split.arrearsFen + v.split.channelFeeFen + v.split.fixedChargesFen).toBe(200_000);
    // By energy: 1700.5 kWh is not carried exactly; the quote buys the next value a token carries.
    const p = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_2014, energyKwh: '1700.5' }, clerk));
    expect(p.energyCkwh).toBe(170_140);
  });

  it('reprints any past token byte-identically, journaled and counted', async () => {
    const v = ok<VendView>(await purchase(STS_2014, '50'));
    const first = stack.printer.jobs().length;
    const r = ok<{ printed: boolean; reprints: number }>(await stack.core.dispatch('vend.reprint', { vendId: v.vendId }, clerk));
    expect(r).toMatchObject({ printed: true, reprints: 1 });
    const job = await stack.printer.waitForJob(first);
    expect(job.text).toContain(formatTokenGroups(v.token as string));
    expect(job.text).toContain('补打');
    ok(await stack.core.dispatch('vend.reprint', { vendId: v.vendId, receiptLocale: 'en' }, clerk));
    const en = await stack.printer.waitForJob(first + 1);
    expect(en.text).toContain('REPRINT (copy 2)');
    expect(en.text).toContain(formatTokenGroups(v.token as string));
    const after = ok<VendView>(await stack.core.dispatch('vend.get', { vendId: v.vendId }, clerk));
    expect(after.reprints).toBe(2);
    expect(journalEntries(stack.core.db, v.vendId).filter((e) => e.type === 'vend.reprinted')).toHaveLength(2);
  });

  it('never reuses a TID for a meter, even for vends in the same minute', async () => {
    const a = ok<VendView>(await purchase(STS_2014, '20'));
    const b = ok<VendView>(await purchase(STS_2014, '20'));
    expect(b.tid).toBeGreaterThan(a.tid);
    const dup = stack.core.db.prepare('SELECT meter_no, tid, COUNT(*) AS n FROM vends GROUP BY meter_no, tid HAVING n > 1').all();
    expect(dup).toEqual([]);
  });

  it('moves to the next free TID when another terminal already used this minute for the meter', async () => {
    const { meterNo, sts } = await meterSts(STS_2014);
    const localMax = (stack.core.db.prepare('SELECT MAX(tid) AS t FROM vends WHERE meter_no = ?').get(meterNo) as { t: number | null }).t ?? 0;
    const first = Math.max(tidFromDate(stack.clock(), sts.baseDate), localMax + 1);
    // Another terminal's vends took the next three minutes at the backend.
    const taken = stack.backend.db.prepare(
      `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at)
       VALUES (?, 'T-HALL-02', ?, ?, 0, 10, '00000000000000000000', 10, 10, '2026-11-27T02:00:00Z')`,
    );
    for (let i = 0; i < 3; i++) taken.run(randomUUID(), meterNo, first + i);

    const v = ok<VendView>(await purchase(STS_2014, '20'));
    expect(v.tid).toBe(first + 3);
    expect(decodeToken(dkFor(sts), v.token!).tid).toBe(first + 3);
    const moves = journalEntries(stack.core.db, v.vendId).filter((e) => e.type === 'vend.tid_reassigned').map((e) => e.payload);
    expect(moves).toEqual([
      { vendId: v.vendId, meterNo, from: first, to: first + 1 },
      { vendId: v.vendId, meterNo, from: first + 1, to: first + 2 },
      { vendId: v.vendId, meterNo, from: first + 2, to: first + 3 },
    ]);
  });

  it('settles recovered arrears into the oldest bill at delivery and tells the backend', async () => {
    const before = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_ARREARS, amount: '100' }, clerk));
    const v = ok<VendView>(await purchase(STS_ARREARS, '100'));
    expect(v.split.arrearsFen).toBe(before.arrearsFen);
    const after = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_ARREARS, amount: '100' }, clerk));
    expect(after.debtBeforeFen).toBe(before.debtBeforeFen - before.arrearsFen);
    await stack.core.syncNow();
    const ledger = (stack.backend.db.prepare("SELECT payload_json FROM events WHERE type = 'payment.created'").all() as { payload_json: string }[]).map(
      (r) => JSON.parse(r.payload_json) as { externalRef?: string; allocations: { fen: number }[]; lateFees: { fen: number }[] },
    );
    // The debt recovered is principal and late fee, settled by the one rule (each bill's fee first).
    const settlement = ledger.find((p) => p.externalRef === v.vendId);
    const recovered = [...(settlement?.allocations ?? []), ...(settlement?.lateFees ?? [])].reduce((s, a) => s + a.fen, 0);
    expect(recovered).toBe(v.split.arrearsFen);
    expect(settlement?.lateFees.length).toBeGreaterThan(0);
  });

  it('pays by customer QR code through the gateway', async () => {
    const v = ok<VendView>(await purchase(STS_2014, '30', { method: 'qr', authCode: '134567890123456789' }));
    expect(v.state).toBe('delivered');
    expect(v.externalRef).toMatch(/^GW/);
    stack.backend.setKnobs({ gatewayOutcome: 'declined' });
    const before = counts();
    const r = await purchase(STS_2014, '30', { method: 'qr', authCode: '134567890123456780' });
    stack.backend.setKnobs({ gatewayOutcome: 'success' });
    expect(code(r)).toBe('vending.payment_declined');
    const declined = stack.core.db.prepare("SELECT state, token FROM vends ORDER BY created_at DESC, rowid DESC LIMIT 1").get() as { state: string; token: string | null };
    expect(declined).toEqual({ state: 'cancelled', token: null });
    expect(counts().vends).toBe(before.vends + 1);
  });
});

describe('reversal before delivery', () => {
  it('a token whose print was attempted may be with the customer: never shown before delivery, never reversed', async () => {
    stack.printer.setFault('paper_out');
    const v = ok<VendView>(await purchase(STS_2014, '40'));
    expect(v.state).toBe('token_issued');
    expect(v.deliveryError?.code).toBe('printer.paper_out');
    // The screen never gets the digits of an undelivered token.
    expect(v).toMatchObject({ token: null, tokenGroups: null, deliveryAttempted: true });
    const types = journalEntries(stack.core.db, v.vendId).map((e) => e.type);
    expect(types.indexOf('vend.delivery_attempted')).toBeGreaterThan(types.indexOf('vend.token_issued'));
    expect(types.indexOf('vend.delivery_attempted')).toBeLessThan(types.indexOf('vend.delivery_failed'));

    // The request is refused before any PIN is tried: no approval attempt is counted or journaled.
    expect(code(await stack.core.dispatch('vend.reverse', { vendId: v.vendId, supervisorId: 'C001', supervisorPin: '1234', reason: 'printer' }, clerk))).toBe('vending.delivery_attempted');
    expect(code(await stack.core.dispatch('vend.reverse', { vendId: v.vendId, supervisorId: 'S001', supervisorPin: '0000', reason: 'printer' }, clerk))).toBe('vending.delivery_attempted');
    expect(journalEntries(stack.core.db, v.vendId).filter((e) => e.type === 'approval.failed')).toEqual([]);
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM credential_lockouts').get()).toEqual({ n: 0 });
    // Even a supervisor cannot refund it: the paper may have come out, or the process may have died after printing.
    const refused = await stack.core.dispatch('vend.reverse', { vendId: v.vendId, supervisorId: 'S001', supervisorPin: '9999', reason: 'printer out of paper' }, clerk);
    expect(code(refused)).toBe('vending.delivery_attempted');
    const still = ok<VendView>(await stack.core.dispatch('vend.get', { vendId: v.vendId }, clerk));
    expect(still).toMatchObject({ state: 'token_issued', token: null });
    expect(journalEntries(stack.core.db, v.vendId).filter((e) => e.type === 'vend.reversed')).toEqual([]);

    // It is finished by delivering it: the explicit, journaled "show on screen".
    const shown = ok<VendView>(await stack.core.dispatch('vend.deliver', { vendId: v.vendId, via: 'screen' }, clerk));
    expect(shown).toMatchObject({ state: 'delivered', delivery: 'shown' });
    expect(shown.token).toMatch(/^\d{20}$/);
    expect(journalEntries(stack.core.db, v.vendId).filter((e) => e.type === 'vend.delivery_attempted').map((e) => e.payload)).toEqual([
      { vendId: v.vendId, via: 'print', attempt: 1 },
      { vendId: v.vendId, via: 'screen', attempt: 2 },
    ]);

    stack.printer.setFault(null);
    const delivered = ok<VendView>(await purchase(STS_2014, '40'));
    expect(code(await stack.core.dispatch('vend.reverse', { vendId: delivered.vendId, supervisorId: 'S001', supervisorPin: '9999', reason: 'changed mind' }, clerk))).toBe('vending.not_reversible');
  });

  it('a paid vend whose token could not be issued (nothing delivered) is reversed with a supervisor', async () => {
    useSecureModuleConfig({ localFallback: false, onlineTimeoutMs: 250 });
    try {
      await stack.restartCore();
      clerk = await signedIn(stack.core);
      // The backend answers the lookup (1.5 s timeout) but the token request times out.
      stack.backend.setKnobs({ delayMs: 500 });
      const r = await purchase(STS_2014, '40');
      expect(code(r)).toBe('vending.secure_module_unavailable');
      stack.backend.setKnobs({ delayMs: 0 });
      const row = stack.core.db.prepare('SELECT vend_id, state, token FROM vends ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as { vend_id: string; state: string; token: string | null };
      expect(row).toMatchObject({ state: 'paid', token: null });
      const reversed = ok<VendView>(await stack.core.dispatch('vend.reverse', { vendId: row.vend_id, supervisorId: 'S001', supervisorPin: '9999', reason: 'token service down' }, clerk));
      expect(reversed).toMatchObject({ state: 'reversed', approvedBy: 'S001', token: null });
      expect(journalEntries(stack.core.db, row.vend_id).find((e) => e.type === 'vend.reversed')?.payload).toMatchObject({ refundFen: 4000, tokenVoided: false, approvedBy: 'S001' });
    } finally {
      stack.backend.setKnobs({ delayMs: 0 });
      useSecureModuleConfig(null);
      await stack.restartCore();
      clerk = await signedIn(stack.core);
    }
  });

  it('printing again after a failed print attempt carries the reprint mark (the first may have come out)', async () => {
    stack.printer.setFault('paper_out');
    const v = ok<VendView>(await purchase(STS_2014, '35'));
    expect(v.state).toBe('token_issued');
    stack.printer.setFault(null);
    const jobs = stack.printer.jobs().length;
    const d = ok<VendView>(await stack.core.dispatch('vend.deliver', { vendId: v.vendId, via: 'print' }, clerk));
    expect(d).toMatchObject({ state: 'delivered', delivery: 'printed' });
    const job = await stack.printer.waitForJob(jobs);
    expect(job.text).toContain(formatTokenGroups(d.token as string));
    expect(job.text).toContain('补打');
    // A first print is an original.
    const fresh = ok<VendView>(await purchase(STS_2014, '35'));
    expect(stack.printer.jobs().at(-1)?.text).toContain(formatTokenGroups(fresh.token as string));
    expect(stack.printer.jobs().at(-1)?.text).not.toContain('补打');
  });

  it('delivers an unprinted token by showing it on screen', async () => {
    stack.printer.setFault('cover_open');
    const v = ok<VendView>(await purchase(STS_2014, '25'));
    expect(v).toMatchObject({ state: 'token_issued', token: null });
    const shown = ok<VendView>(await stack.core.dispatch('vend.deliver', { vendId: v.vendId, via: 'screen' }, clerk));
    expect(shown).toMatchObject({ state: 'delivered', delivery: 'shown' });
    const stored = stack.core.db.prepare('SELECT token FROM vends WHERE vend_id = ?').get(v.vendId) as { token: string };
    expect(shown.token).toBe(stored.token);
  });
});

describe('local secure module and offline vending', () => {
  it('local mode: the terminal issues from the key file; the vend is reported on sync', async () => {
    useSecureModuleConfig({ mode: 'local' });
    try {
      await stack.restartCore();
      clerk = await signedIn(stack.core);
      const { meterNo, sts } = await meterSts(STS_2014);
      // The backend is unreachable while the terminal vends from its own key file.
      stack.backend.setKnobs({ down: true });
      const v = ok<VendView>(await purchase(STS_2014, '60'));
      expect(v).toMatchObject({ state: 'delivered', issuer: 'local', offline: true });
      expect(decodeToken(dkFor(sts), v.token as string)).toMatchObject({ crcOk: true, tid: v.tid });
      expect(new StsIssuer(stack.backend.db, () => '').issuedFor(meterNo).map((x) => x.vendId)).not.toContain(v.vendId);
      stack.backend.setKnobs({ down: false });
      await stack.core.syncNow();
      const reported = stack.backend.db.prepare("SELECT payload_json FROM events WHERE type = 'vend.token_issued'").all() as { payload_json: string }[];
      expect(reported.map((r) => JSON.parse(r.payload_json) as { vendId: string; offline: boolean })).toContainEqual(expect.objectContaining({ vendId: v.vendId, offline: true }));
      // The digits are credit: the sync event does not carry them.
      expect(reported.some((r) => r.payload_json.includes(v.token as string))).toBe(false);
    } finally {
      useSecureModuleConfig(null);
      await stack.restartCore();
      clerk = await signedIn(stack.core);
    }
  });

  it('online mode with the backend down: vends offline within the limit, refuses over it, writes nothing then', async () => {
    useSecureModuleConfig({ offlineCreditLimitFen: 10000 });
    try {
      await stack.restartCore();
      clerk = await signedIn(stack.core);
      await stack.core.dispatch('account.lookup', { accountNo: STS_2014 }, clerk);
      stack.backend.setKnobs({ down: true });
      const p = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_2014, amount: '60' }, clerk));
      expect(p).toMatchObject({ issuer: 'local', source: 'cache', offlineAvailableFen: 10000 });
      const v = ok<VendView>(await purchase(STS_2014, '60'));
      expect(v).toMatchObject({ state: 'delivered', offline: true, issuer: 'local' });
      const before = counts();
      const over = await purchase(STS_2014, '50');
      expect(code(over)).toBe('vending.offline_limit_exceeded');
      if (!over.ok) expect(over.error.details.availableFen).toBe(4000);
      expect(counts()).toEqual(before);
      // Once synced, the offline exposure is acknowledged and the limit is free again.
      stack.backend.setKnobs({ down: false });
      await stack.core.syncNow();
      const fresh = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_2014, amount: '50' }, clerk));
      expect(fresh.offlineAvailableFen).toBe(10000);
    } finally {
      useSecureModuleConfig(null);
      await stack.restartCore();
      clerk = await signedIn(stack.core);
    }
  });
});

describe('offline limit on the online → local fallback', () => {
  it('a paid vend whose online issue fails is not issued locally over the limit: it stays paid and the clerk is told', async () => {
    useSecureModuleConfig({ offlineCreditLimitFen: 5000, onlineTimeoutMs: 250 });
    try {
      await stack.restartCore();
      clerk = await signedIn(stack.core);
      // The lookup answers (online issuer chosen, limit not checked before payment) but the token request times out.
      stack.backend.setKnobs({ delayMs: 500 });
      const requestId = randomUUID();
      const params = { requestId, accountNo: STS_2014, method: 'cash', amount: '60' };
      const r = await stack.core.dispatch('vend.purchase', params, clerk);
      expect(code(r)).toBe('vending.offline_limit_paid');
      if (!r.ok) expect(r.error.details).toMatchObject({ availableFen: 5000 });
      const row = stack.core.db.prepare('SELECT vend_id, state, token, offline FROM vends WHERE request_id = ?').get(requestId) as { vend_id: string; state: string; token: string | null; offline: number };
      expect(row).toMatchObject({ state: 'paid', token: null, offline: 0 });
      expect(journalEntries(stack.core.db, row.vend_id).map((e) => e.type)).toContain('vend.offline_limit_held');
      // The backend is back: the clerk's retry of the same request issues it online, once.
      stack.backend.setKnobs({ delayMs: 0 });
      const done = ok<VendView>(await stack.core.dispatch('vend.purchase', params, clerk));
      expect(done).toMatchObject({ vendId: row.vend_id, state: 'delivered', offline: false, issuer: 'online' });
    } finally {
      stack.backend.setKnobs({ delayMs: 0 });
      useSecureModuleConfig(null);
      await stack.restartCore();
      clerk = await signedIn(stack.core);
    }
  });
});

describe('bad input: typed, translated, nothing written', () => {
  it.each([
    ['unknown account', { accountNo: '3199999999', amount: '100' }, 'account.not_found'],
    ['unknown meter', { accountNo: STS_2014, meterNo: '600727000000000017', amount: '100' }, 'vending.meter_not_found'],
    ['below minimum', { accountNo: STS_2014, amount: '5' }, 'vending.amount_below_minimum'],
    ['above maximum', { accountNo: STS_2014, amount: '6000' }, 'vending.amount_above_maximum'],
    ['not a number', { accountNo: STS_2014, amount: 'abc' }, 'payment.amount_not_numeric'],
    ['postpaid account', { accountNo: POSTPAID, amount: '100' }, 'vending.not_prepaid'],
    ['card meter with no card in the reader', { accountNo: CARD, amount: '100' }, 'vending.card_absent'],
    ['1993 meter after the TID rollover', { accountNo: STS_1993, amount: '100' }, 'vending.tid_out_of_range'],
    ['qr without code', { accountNo: STS_2014, amount: '100', method: 'qr' }, 'validation.invalid_params'],
  ])('%s', async (_name, params, expected) => {
    const before = counts();
    const jobs = stack.printer.jobs().length;
    expect(code(await purchase(params.accountNo, params.amount, params))).toBe(expected);
    expect(counts()).toEqual(before);
    expect(stack.printer.jobs().length).toBe(jobs);
  });

  it('a 1993 meter past the TID rollover is refused at the preview, before the clerk asks for money, with the next step', async () => {
    const before = counts();
    const jobs = stack.printer.jobs().length;
    const preview = await stack.core.dispatch('vend.preview', { accountNo: STS_1993, amount: '100' }, clerk);
    expect(code(preview)).toBe('vending.tid_out_of_range');
    expect(counts()).toEqual(before);
    expect(stack.printer.jobs().length).toBe(jobs);
    if (preview.ok) return;
    // The clerk reads what to do next: the key change, issued from the help desk, in either language.
    const en = translator(loadLocale('en'))(preview.error.i18nKey, preview.error.details as Record<string, string>);
    expect(en).toMatch(/key change/i);
    expect(en).toMatch(/help desk/i);
    expect(en).toContain('2014');
    const zh = translator(loadLocale('zh-CN'))(preview.error.i18nKey, preview.error.details as Record<string, string>);
    expect(zh).toContain('更换密钥');
    expect(zh).toContain('电费码查询');
    expect(zh).toContain('2014');
  });

  it('a meter whose STS parameters the engine refuses is refused before payment (cached data, backend down)', async () => {
    const { meterNo, sts } = await meterSts(STS_2014);
    await stack.core.dispatch('account.lookup', { accountNo: STS_2014 }, clerk);
    const setSts = (v: object) => stack.core.db.prepare('UPDATE meters SET sts_json = ? WHERE meter_no = ?').run(JSON.stringify(v), meterNo);
    stack.backend.setKnobs({ down: true });
    setSts({ ...sts, krn: 0 });
    try {
      const before = counts();
      const jobs = stack.printer.jobs().length;
      const preview = await stack.core.dispatch('vend.preview', { accountNo: STS_2014, amount: '50' }, clerk);
      expect(code(preview)).toBe('vending.bad_meter_identity');
      const r = await purchase(STS_2014, '50');
      expect(code(r)).toBe('vending.bad_meter_identity');
      if (!r.ok) expect(r.error.details).toMatchObject({ field: 'krn' });
      expect(counts()).toEqual(before);
      expect(stack.printer.jobs().length).toBe(jobs);
    } finally {
      setSts(sts);
      stack.backend.setKnobs({ down: false });
    }
  });

  it('the paid split must be the previewed one: arrears changed meanwhile → vending.split_changed, nothing written', async () => {
    const seen = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_ARREARS, amount: '100' }, clerk));
    expect(seen.splitDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.arrearsFen).toBeGreaterThan(0);
    // Another purchase on the account recovers arrears in between.
    ok<VendView>(await purchase(STS_ARREARS, '50'));
    const before = counts();
    const jobs = stack.printer.jobs().length;
    const r = await purchase(STS_ARREARS, '100', { splitDigest: seen.splitDigest });
    expect(code(r)).toBe('vending.split_changed');
    expect(counts()).toEqual(before);
    expect(stack.printer.jobs().length).toBe(jobs);
    // With the split shown again, the purchase goes through and pays exactly that split.
    const fresh = ok<VendPreviewView>(await stack.core.dispatch('vend.preview', { accountNo: STS_ARREARS, amount: '100' }, clerk));
    expect(fresh.splitDigest).not.toBe(seen.splitDigest);
    const v = ok<VendView>(await purchase(STS_ARREARS, '100', { splitDigest: fresh.splitDigest }));
    expect(v.split.arrearsFen).toBe(fresh.arrearsFen);
    expect(v.split.energyCkwh).toBe(fresh.energyCkwh);
  });

  it('a cashier cannot take less cash than the amount', async () => {
    const before = counts();
    expect(code(await purchase(STS_2014, '100', { tendered: '50' }))).toBe('payment.tendered_insufficient');
    expect(counts()).toEqual(before);
  });
});

describe('token help desk', () => {
  it('explains a token: meter, TID as a date, amount, and whether it was used', async () => {
    const v = ok<VendView>(await purchase(STS_2014, '70'));
    const x = ok<TokenExplainView>(await stack.core.dispatch('token.explain', { token: v.tokenGroups as string, accountNo: STS_2014 }, clerk));
    expect(x).toMatchObject({ meterNo: v.meterNo, tid: v.tid, amountTenths: v.deliveredTenths, kind: 'credit', vendId: v.vendId, tidAlreadyUsed: false });
    // The token's own vend: delivered, when and where. A meter accepts each token once.
    const deliveredAt = journalEntries(stack.core.db, v.vendId).find((e) => e.type === 'vend.delivered')?.at;
    expect(x).toMatchObject({ alreadyDelivered: true, newerTidExists: false, newestTid: v.tid });
    expect(x.tokenVend).toEqual({
      vendId: v.vendId,
      state: 'delivered',
      delivery: 'printed',
      issuedAt: journalEntries(stack.core.db, v.vendId).find((e) => e.type === 'vend.token_issued')?.at,
      deliveredAt,
      reversedAt: null,
      terminalId: 'T-HALL-01',
      operatorId: 'C001',
    });
    // A later vend to the same meter: the help desk says newer TIDs exist.
    const later = ok<VendView>(await purchase(STS_2014, '20'));
    const again = ok<TokenExplainView>(await stack.core.dispatch('token.explain', { token: v.token as string, accountNo: STS_2014 }, clerk));
    expect(again).toMatchObject({ newerTidExists: true, newestTid: later.tid, alreadyDelivered: true });
    expect(x.tidDate).toBe(dateFromTid(v.tid, '2014-01-01').toISOString());
    // TIDs are minutes since the base date, bumped past the meter's last TID when vends share a minute.
    expect(v.tid).toBeGreaterThanOrEqual(tidFromDate(new Date(v.createdAt), '2014-01-01'));
  });

  it('rejects wrong length and wrong checksum with their own codes', async () => {
    const v = ok<VendView>(await purchase(STS_2014, '70'));
    const token = v.token as string;
    expect(code(await stack.core.dispatch('token.explain', { token: token.slice(1), accountNo: STS_2014 }, clerk))).toBe('vending.token_length');
    const flipped = token.slice(0, 19) + String((Number(token[19]) + 1) % 10);
    expect(code(await stack.core.dispatch('token.explain', { token: flipped, accountNo: STS_2014 }, clerk))).toBe('vending.token_crc');
    // A token of this meter checked against another account's meter does not fit.
    expect(code(await stack.core.dispatch('token.explain', { token, accountNo: STS_ARREARS }, clerk))).toBe('vending.token_crc');
  });
});
