/**
 * Prepaid points (issue 11 item 5) end to end: core + reference backend + printer simulator. A
 * delivered vend earns its points once, in the delivered commit (journal + outbox beside it); the
 * receipt says them; `points.balance` answers the counter's panel; a reversal takes back whatever
 * a vend earned and nothing more.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointsBalanceView, RpcResponse, VendView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { pointsBalance, reversePoints } from '../../main/store/points.js';
import { signedIn, startStack, type Stack } from '../support/stack.js';

const STS = '3100000003';
let stack: Stack;
let clerk: Session;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

const ledger = (vendId: string) => stack.core.db.prepare('SELECT kind, points, energy_fen FROM points_ledger WHERE vend_id = ? ORDER BY kind').all(vendId) as { kind: string; points: number; energy_fen: number }[];
const outbox = (type: string) => stack.core.db.prepare('SELECT event_id, payload FROM outbox WHERE type = ?').all(type) as { event_id: string; payload: string }[];
const balance = async (accountNo = STS) => ok<PointsBalanceView>(await stack.core.dispatch('points.balance', { accountNo }, clerk));

beforeAll(async () => {
  stack = await startStack();
  clerk = await signedIn(stack.core);
});

afterAll(async () => stack.dispose());

describe('prepaid points', () => {
  it('a delivered vend earns one point per whole yuan of energy, once, with its journal and outbox rows; the receipt says so in zh-CN and en', async () => {
    const before = (await balance()).balance;
    const v = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS, method: 'cash', amount: '100', tendered: '100' }, clerk));
    expect(v.state).toBe('delivered');
    const earned = Math.floor(v.split.energyFen / 100);
    expect(earned).toBeGreaterThan(0);
    expect(ledger(v.vendId)).toEqual([{ kind: 'accrual', points: earned, energy_fen: v.split.energyFen }]);
    const entries = journalEntries(stack.core.db, v.vendId);
    expect(entries.filter((e) => e.type === 'points.accrued').map((e) => e.payload)).toEqual([
      { vendId: v.vendId, accountNo: STS, points: earned, energyFen: v.split.energyFen, expiresAt: null, balance: before + earned },
    ]);
    // In the delivered commit: the accrual sits right before vend.delivered in the chain.
    const types = entries.map((e) => e.type);
    expect(types.indexOf('points.accrued')).toBe(types.indexOf('vend.delivered') - 1);
    expect(outbox('points.accrued').filter((o) => (JSON.parse(o.payload) as { vendId: string }).vendId === v.vendId)).toHaveLength(1);

    // The receipt printed before the delivered commit already counts the points about to be earned.
    const job = stack.printer.jobs().at(-1);
    expect(job?.text).toMatch(new RegExp(`本次积分\\s+${earned}\\b`));
    expect(job?.text).toMatch(new RegExp(`积分余额\\s+${before + earned}\\b`));

    const b = await balance();
    expect(b).toMatchObject({ accountNo: STS, balance: before + earned, pointsPerYuan: 1 });
    expect(b.recent[0]).toMatchObject({ vendId: v.vendId, kind: 'accrual', points: earned });

    // A reprint does not earn again; its receipt (English) shows the same points and balance.
    const re = await stack.core.dispatch('vend.reprint', { vendId: v.vendId, receiptLocale: 'en' }, clerk);
    expect(re.ok).toBe(true);
    expect(ledger(v.vendId)).toHaveLength(1);
    const copy = stack.printer.jobs().at(-1)?.text ?? '';
    expect(copy).toMatch(new RegExp(`Points earned\\s+${earned}\\b`));
    expect(copy).toMatch(new RegExp(`Points balance\\s+${before + earned}\\b`));
    expect((await balance()).balance).toBe(before + earned);
    expect(verifyJournal(stack.core.db).ok).toBe(true);
  });

  it('a reversal takes back exactly what the vend earned, once, with its journal and outbox rows', async () => {
    const v = ok<VendView>(await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS, method: 'cash', amount: '30', tendered: '30' }, clerk));
    const earned = ledger(v.vendId)[0]?.points ?? 0;
    const db = stack.core.db;
    const at = new Date().toISOString();
    const before = pointsBalance(db, STS, at);
    // The reversal path (vend-reversal.ts calls it inside the vend.reversed commit) on a vend that earned.
    const take = () => db.transaction(() => reversePoints(db, { vendId: v.vendId, at, actor: 'S001', eventId: randomUUID() })).immediate();
    expect(take()).toBe(true);
    expect(take()).toBe(false);
    expect(ledger(v.vendId)).toEqual([
      { kind: 'accrual', points: earned, energy_fen: v.split.energyFen },
      { kind: 'reversal', points: -earned, energy_fen: v.split.energyFen },
    ]);
    expect(pointsBalance(db, STS, at)).toBe(before - earned);
    expect(journalEntries(db, v.vendId).filter((e) => e.type === 'points.reversed')).toHaveLength(1);
    expect(outbox('points.reversed').filter((o) => (JSON.parse(o.payload) as { vendId: string }).vendId === v.vendId)).toHaveLength(1);
  });

  it('a vend reversed before delivery earned nothing and its reversal writes no points', async () => {
    const file = path.join(stack.dir, `sm-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify({ mode: 'online', keyFile: 'demo-vending-key.json', localFallback: false, offlineCreditLimitFen: 200000, onlineTimeoutMs: 250 }));
    process.env.GRIDDESK_SECURE_MODULE_CONFIG = file;
    try {
      await stack.restartCore();
      clerk = await signedIn(stack.core);
      const before = (await balance()).balance;
      // The token request times out: paid, no token, nothing delivered.
      stack.backend.setKnobs({ delayMs: 500 });
      const r = await stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: STS, method: 'cash', amount: '40' }, clerk);
      expect(r.ok).toBe(false);
      stack.backend.setKnobs({ delayMs: 0 });
      const row = stack.core.db.prepare('SELECT vend_id, state FROM vends ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as { vend_id: string; state: string };
      expect(row.state).toBe('paid');
      const reversed = ok<VendView>(await stack.core.dispatch('vend.reverse', { vendId: row.vend_id, supervisorId: 'S001', supervisorPin: '9999', reason: 'token service down' }, clerk));
      expect(reversed.state).toBe('reversed');
      expect(ledger(row.vend_id)).toEqual([]);
      expect(journalEntries(stack.core.db, row.vend_id).filter((e) => e.type.startsWith('points.'))).toEqual([]);
      expect((await balance()).balance).toBe(before);
    } finally {
      stack.backend.setKnobs({ delayMs: 0 });
      delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
      await stack.restartCore();
      clerk = await signedIn(stack.core);
    }
  });

  it('points.balance: an account with none has 0; bad input is refused at the boundary', async () => {
    expect(await balance('3100000001')).toMatchObject({ balance: 0, recent: [] });
    const bad = await stack.core.dispatch('points.balance', { accountNo: 'x1' }, clerk);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('validation.invalid_params');
  });
});
