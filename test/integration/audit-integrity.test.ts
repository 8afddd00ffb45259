/**
 * The journal's integrity against someone who can write the database file (docs/audit.md): the
 * core is stopped, the file is edited with better-sqlite3 directly — an entry edited, two entries
 * swapped, the newest entries cut off, the whole chain rewritten with fresh hashes — and a fresh
 * core on it must notice at start (and refuse money), or the backend must refuse its head on the
 * next push (and raise an alarm). An auditor's acknowledgement lifts the local lock, is journaled
 * and reaches the backend as an alarm; a clerk cannot give it.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrityView, RpcResponse } from '../../main/contract/index.js';
import { entryHash, GENESIS_HASH } from '../../main/store/journal.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.dispose();
  stack = null;
});

const code = (r: RpcResponse) => (r.ok ? 'ok' : r.error.code);

/** A stack with a few payments pushed: the backend has acknowledged the head. */
async function pushedStack(): Promise<Stack> {
  const s = await startStack();
  const clerk = await signedIn(s.core, 'C001', '1234');
  for (const accountNo of ['3100000001', '3100000005']) {
    await call(s.core, 'account.lookup', { accountNo }, clerk);
    await call(s.core, 'payment.create', { requestId: randomUUID(), accountNo, method: 'cash', amount: '10' }, clerk);
  }
  await s.core.syncNow();
  return s;
}

/** Stop the core, run `edit` on its database file as an outsider would, start a fresh core. */
async function tamper(s: Stack, edit: (db: Database.Database) => void): Promise<void> {
  await s.core.close();
  const db = new Database(path.join(s.config.dataDir, `${s.config.terminalId}.db`));
  try {
    edit(db);
  } finally {
    db.close();
  }
  await s.restartCore();
}

/** Recompute every hash from `fromSeq` on, as a careful forger would. */
function rechain(db: Database.Database, fromSeq = 1): void {
  const rows = db.prepare('SELECT * FROM journal WHERE seq >= ? ORDER BY seq').all(fromSeq) as { seq: number; at: string; type: string; ref: string; actor: string; payload: string }[];
  let prev = fromSeq === 1 ? GENESIS_HASH : (db.prepare('SELECT hash FROM journal WHERE seq = ?').get(fromSeq - 1) as { hash: string }).hash;
  const update = db.prepare('UPDATE journal SET prev_hash = ?, hash = ?, hash_version = 2 WHERE seq = ?');
  for (const r of rows) {
    const hash = entryHash(prev, r.seq, r.at, r.type, r.ref, r.actor, r.payload);
    update.run(prev, hash, r.seq);
    prev = hash;
  }
}

const firstPaymentSeq = (db: Database.Database) => (db.prepare("SELECT seq FROM journal WHERE type = 'payment.created' ORDER BY seq LIMIT 1").get() as { seq: number }).seq;

async function status(s: Stack): Promise<IntegrityView> {
  return call(s.core, 'audit.status', {}, await signedIn(s.core, 'C001', '1234'));
}

async function tryPayment(s: Stack) {
  const clerk = await signedIn(s.core, 'C001', '1234');
  const count = () => (s.core.db.prepare("SELECT COUNT(*) AS n FROM payments").get() as { n: number }).n;
  const before = count();
  const r = await s.core.dispatch('payment.create', { requestId: randomUUID(), accountNo: '3100000001', method: 'cash', amount: '5' }, clerk);
  return { code: code(r), written: count() - before, error: r.ok ? null : r.error };
}

describe('journal integrity at start', () => {
  it('an intact journal starts unlocked, anchored at the backend', async () => {
    stack = await pushedStack();
    const v = await status(stack);
    expect(v).toMatchObject({ state: 'ok', locked: false, breaks: [] });
    expect(v.anchor?.seq).toBeGreaterThan(0);
    expect(stack.backend.journal.anchor(stack.config.terminalId)).toEqual(v.anchor);
    expect((await tryPayment(stack)).code).toBe('ok');
  });

  it('an entry edited in place is found at start; money is refused with the reason, nothing written', async () => {
    stack = await pushedStack();
    let seq = 0;
    await tamper(stack, (db) => {
      seq = firstPaymentSeq(db);
      db.prepare("UPDATE journal SET payload = replace(payload, '\"amountFen\":1000', '\"amountFen\":100') WHERE seq = ?").run(seq);
    });
    const v = await status(stack);
    expect(v).toMatchObject({ state: 'broken', locked: true });
    expect(v.breaks[0]).toEqual({ problem: 'hash', seq, acknowledged: false });
    const tried = await tryPayment(stack);
    expect(tried).toMatchObject({ code: 'audit.integrity_locked', written: 0 });
    expect(tried.error?.details).toMatchObject({ problem: 'hash', seq });
    expect(tried.error?.i18nKey).toBe('errors.audit.integrity_locked');
  });

  it('two entries swapped are found at start', async () => {
    stack = await pushedStack();
    let seq = 0;
    await tamper(stack, (db) => {
      seq = firstPaymentSeq(db);
      const cols = 'at, type, ref, actor, payload, prev_hash, hash';
      const a = db.prepare(`SELECT ${cols} FROM journal WHERE seq = ?`).get(seq) as Record<string, string>;
      const b = db.prepare(`SELECT ${cols} FROM journal WHERE seq = ?`).get(seq + 1) as Record<string, string>;
      const put = db.prepare('UPDATE journal SET at = @at, type = @type, ref = @ref, actor = @actor, payload = @payload, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq');
      put.run({ ...b, seq });
      put.run({ ...a, seq: seq + 1 });
    });
    const v = await status(stack);
    expect(v.state).toBe('broken');
    expect(v.breaks[0]?.seq).toBe(seq);
    expect((await tryPayment(stack)).code).toBe('audit.integrity_locked');
  });

  it('the newest entries cut off are found at start (SQLite keeps the highest seq handed out)', async () => {
    stack = await pushedStack();
    let high = 0;
    await tamper(stack, (db) => {
      high = (db.prepare('SELECT MAX(seq) AS m FROM journal').get() as { m: number }).m;
      db.prepare('DELETE FROM journal WHERE seq > ?').run(high - 3);
    });
    const v = await status(stack);
    expect(v.state).toBe('broken');
    expect(v.breaks.find((b) => b.problem === 'truncated')?.seq).toBe(high);
  });
});

describe('the backend checks every head against the one it acknowledged', () => {
  it('cut off, with the traces covered locally, is refused as shorter and raised as an alarm', async () => {
    stack = await pushedStack();
    const anchored = stack.backend.journal.anchor(stack.config.terminalId);
    expect(anchored).not.toBeNull();
    await tamper(stack, (db) => {
      const high = (db.prepare('SELECT MAX(seq) AS m FROM journal').get() as { m: number }).m;
      db.prepare('DELETE FROM journal WHERE seq > ?').run(high - 3);
      db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'journal'").run(high - 3);
      db.prepare("DELETE FROM kv WHERE key = 'audit.anchor'").run();
    });
    expect((await status(stack)).state).toBe('ok'); // the file alone no longer shows it
    // New work after the cut, then the push: the head does not extend the acknowledged one.
    const clerk = await signedIn(stack.core, 'C001', '1234');
    await call(stack.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000001', method: 'cash', amount: '1' }, clerk);
    const sync = await stack.core.syncNow();
    expect(sync.lastError).toMatch(/journal_(shorter|rewritten)/);
    const v = await status(stack);
    expect(v).toMatchObject({ state: 'refused', locked: true });
    expect((await tryPayment(stack)).code).toBe('audit.refused_by_backend');
    const alarms = stack.backend.journal.alarms(stack.config.terminalId);
    expect(alarms.map((a) => a.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/shorter|rewritten/)]));
    // The refused batch waits in the outbox: nothing lost. The backend's operator clears it, and the next push is taken.
    expect(sync.pending).toBeGreaterThan(0);
    stack.backend.journal.reset(stack.config.terminalId);
    const after = await stack.core.syncNow();
    expect(after).toMatchObject({ pending: 0, lastError: null });
    expect((await status(stack)).state).toBe('ok');
  });

  it('the whole chain rewritten with fresh hashes verifies locally but is refused as rewritten', async () => {
    stack = await pushedStack();
    await tamper(stack, (db) => {
      const seq = firstPaymentSeq(db);
      db.prepare("UPDATE journal SET actor = 'S001' WHERE seq = ?").run(seq);
      rechain(db, seq);
      db.prepare("DELETE FROM kv WHERE key = 'audit.anchor'").run();
    });
    expect((await status(stack)).state).toBe('ok');
    const clerk = await signedIn(stack.core, 'C001', '1234');
    await call(stack.core, 'payment.create', { requestId: randomUUID(), accountNo: '3100000005', method: 'cash', amount: '1' }, clerk);
    const sync = await stack.core.syncNow();
    expect(sync.lastError).toMatch(/journal_rewritten/);
    expect(await status(stack)).toMatchObject({ state: 'refused', refusal: { reason: 'rewritten' } });
    expect(stack.backend.journal.alarms(stack.config.terminalId).map((a) => a.reason)).toContain('rewritten');
  });

  it('a journal-only entry (no event) is anchored too: the idle push sends the head alone', async () => {
    stack = await pushedStack();
    const before = stack.backend.journal.anchor(stack.config.terminalId);
    const clerk = await signedIn(stack.core, 'C001', '1234');
    await call(stack.core, 'account.lookup', { accountNo: '3100000001' }, clerk); // journaled, no outbox row
    await stack.core.syncNow();
    const after = stack.backend.journal.anchor(stack.config.terminalId);
    expect(after?.seq).toBeGreaterThan(before?.seq ?? 0);
  });
});

describe('resolving a broken chain', () => {
  it('a clerk may not acknowledge; the auditor does, with a reason — journaled, sent as an alarm, money allowed again', async () => {
    stack = await pushedStack();
    await tamper(stack, (db) => {
      db.prepare("UPDATE journal SET payload = replace(payload, '\"amountFen\":1000', '\"amountFen\":1') WHERE seq = ?").run(firstPaymentSeq(db));
    });
    const clerk = await signedIn(stack.core, 'C001', '1234');
    expect(code(await stack.core.dispatch('audit.acknowledge', { reason: 'x' }, clerk))).toBe('auth.forbidden');
    const auditor = await signedIn(stack.core, 'A001', '5555');
    expect(code(await stack.core.dispatch('audit.acknowledge', { reason: '' }, auditor))).toBe('validation.invalid_params');
    const v = await call(stack.core, 'audit.acknowledge', { reason: 'payment amount edited in the file; branch manager told' }, auditor);
    expect(v).toMatchObject({ state: 'ok', locked: false });
    expect(v.breaks).toEqual([expect.objectContaining({ problem: 'hash', acknowledged: true })]);
    expect((await tryPayment(stack)).code).toBe('ok');
    await stack.core.syncNow();
    expect(stack.backend.journal.alarms(stack.config.terminalId).map((a) => a.reason)).toContain('acknowledged_break');
    // Still acknowledged after a restart; a verify on demand agrees; a second acknowledgement has nothing to do.
    await stack.restartCore();
    expect(await call(stack.core, 'audit.verify', {}, await signedIn(stack.core, 'A001', '5555'))).toMatchObject({ state: 'ok' });
    expect(code(await stack.core.dispatch('audit.acknowledge', { reason: 'again' }, await signedIn(stack.core, 'A001', '5555')))).toBe('audit.nothing_to_acknowledge');
  });
});
