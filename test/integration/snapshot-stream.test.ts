/**
 * The initial pull of the whole service area through the snapshot stream (#8 item 1):
 *
 * - resumable after a cut at any byte: a proxy cuts the stream at random bytes, again and again;
 *   each pull resumes after the last applied batch, the cursor never goes back, no account is
 *   applied twice, and the end state equals a clean pull's — then the change pages go on from the
 *   stream's cursor;
 * - through the core: progress on `sync.progressed` (accounts so far of the total, rate, time
 *   left), and `sync.force` for supervisors only, validated, journaled; `full` pulls it all again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/store/db.js';
import { findByExactKey, findByName, SEARCH_SQL } from '../../main/store/account-search.js';
import { BackendClient, BackendUnavailable } from '../../main/sync/backend-client.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { initialPullComplete, pullSnapshotStream, type InitialPullProgress } from '../../main/sync/initial-pull.js';
import { SnapshotPuller } from '../../main/sync/snapshot-puller.js';
import type { SyncStatusView } from '../../main/contract/index.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { startCuttingProxy } from '../support/cutting-proxy.js';
import { mulberry32 } from '../support/prng.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';
import { runningClock } from '../support/stack.js';

const ACCOUNTS = 2000;
let dir: string;
let backend: RunningBackend;
const clock = runningClock();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-stream-'));
  backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), accounts: ACCOUNTS, now: clock, seedDate: '2026-11-27' });
});
afterAll(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const clientFor = (baseUrl: string) => new BackendClient({ baseUrl, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: clock });
const kv = (db: Db, key: string) => (db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;

/** The cache as data: what a clean pull and a cut-and-resumed one must agree on. */
function dump(db: Db) {
  return {
    accounts: db.prepare('SELECT account_no, name, address, phone, balance_fen, credit_grade, card_no, version FROM accounts ORDER BY account_no').all(),
    meters: db.prepare('SELECT * FROM meters ORDER BY meter_no').all(),
    bills: db.prepare('SELECT * FROM bills ORDER BY bill_id').all(),
    billPayments: db.prepare('SELECT * FROM bill_payments ORDER BY bill_id, payment_id').all(),
    closed: db.prepare('SELECT * FROM closed_accounts ORDER BY account_no').all(),
    // Written by the triggers outside a load window, by the history's writer inside one (migration v23).
    history: db.prepare('SELECT * FROM account_history ORDER BY account_no').all(),
    worklistFacts: db.prepare('SELECT * FROM worklist_facts ORDER BY account_no').all(),
    cursor: kv(db, 'sync.changes.cursor'),
    names: ['王', '洋子', '记大药', '三门峡宏达'].map((q) => findByName(db, q, 30)),
  };
}

describe('the snapshot stream', () => {
  it('a pull cut at random bytes again and again resumes each time and ends as a clean pull ends', async () => {
    const clean = openDatabase(path.join(dir, 'clean.db'));
    expect(await pullSnapshotStream({ db: clean, client: clientFor(backend.url), idleTimeoutMs: 5000, now: clock, batchSize: 100 })).toEqual({
      accounts: ACCOUNTS,
      batches: ACCOUNTS / 100 + 1,
    });
    expect(initialPullComplete(clean)).toBe(true);

    // Eight cuts, each at a random byte of what is left of the answer (its head included): lines
    // are ~700 bytes, so almost every cut falls inside a line.
    const rng = mulberry32(20261127);
    const cut = openDatabase(path.join(dir, 'cut.db'));
    const left = () => (ACCOUNTS - Number(kv(cut, 'sync.initial.applied') ?? 0)) * 650;
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: backend.port }, () => (proxy.cuts.length < 8 ? 1 + Math.floor(rng() * left()) : null));
    const client = clientFor(proxy.url);
    const cursors: number[] = [];
    let applied = 0;
    let attempts = 0;
    while (!initialPullComplete(cut)) {
      attempts++;
      expect(attempts).toBeLessThan(20);
      const before = Number(kv(cut, 'sync.changes.cursor') ?? 0);
      try {
        applied += (await pullSnapshotStream({ db: cut, client, idleTimeoutMs: 5000, now: clock, batchSize: 100 })).accounts;
      } catch (err) {
        expect(err).toBeInstanceOf(BackendUnavailable);
        applied = Number(kv(cut, 'sync.initial.applied'));
      }
      const after = Number(kv(cut, 'sync.changes.cursor') ?? 0);
      expect(after).toBeGreaterThanOrEqual(before);
      cursors.push(after);
    }
    await proxy.close();
    expect(proxy.cuts.length).toBe(8);
    // Nothing lost, nothing applied twice: exactly one application per account.
    expect(Number(kv(cut, 'sync.initial.applied'))).toBe(ACCOUNTS);
    expect(applied).toBe(ACCOUNTS);
    expect(dump(cut)).toEqual(dump(clean));
    clean.close();

    // Then the change feed from the stream's cursor: an account changed after the stream comes once.
    backend.db.prepare("UPDATE accounts SET balance_fen = balance_fen + 1, version = version + 1, change_seq = (SELECT MAX(change_seq) + 1 FROM accounts) WHERE account_no = '3100000009'").run();
    const puller = new SnapshotPuller({ db: cut, client: clientFor(backend.url), pageSize: 100, timeoutMs: 5000, now: clock, maxPages: 10 });
    expect(await puller.pull()).toMatchObject({ accounts: 1, done: true });
    cut.close();
  });

  it('a fresh cache loads in a load window: indexes built after the stream, a cut during the build resumes without the backend, lookups right meanwhile', async () => {
    const reference = openDatabase(path.join(dir, 'no-window.db'));
    await pullSnapshotStream({ db: reference, client: clientFor(backend.url), idleTimeoutMs: 5000, now: clock, loadWindow: false });
    const indexes = (db: Db) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('accounts_phone', 'accounts_card', 'meters_no') ORDER BY name").pluck().all() as string[]);
    expect(indexes(reference)).toEqual(['accounts_card', 'accounts_phone', 'meters_no']);

    const db = openDatabase(path.join(dir, 'window.db'));
    const steps: string[] = [];
    const cutAt = (kind: string, nth: number) => ({
      chunk: 500,
      onStep: (step: { kind: string }) => {
        steps.push(step.kind);
        // Thrown inside the step's transaction: what a crash there leaves (the step rolled back).
        if (step.kind === kind && steps.filter((k) => k === kind).length === nth) throw new Error(`cut in ${kind} ${nth}`);
      },
    });
    await expect(pullSnapshotStream({ db, client: clientFor(backend.url), idleTimeoutMs: 5000, now: clock, build: cutAt('names', 2) })).rejects.toThrow('cut in names 2');
    // Every account is in, the stream is done, the build is half-way: not complete, the window still open.
    expect(initialPullComplete(db)).toBe(false);
    expect(kv(db, 'sync.initial.streamed')).toBe('1');
    expect(Number(kv(db, 'sync.initial.applied'))).toBe(ACCOUNTS);
    expect(kv(db, 'sync.initial.names_through')).toBe(db.prepare('SELECT account_no FROM accounts ORDER BY account_no LIMIT 1 OFFSET 499').pluck().get());
    expect(indexes(db)).toEqual([]);
    // Meanwhile the cache answers as the finished one does: names by a ranked scan, phones and meters without their index.
    const phone = reference.prepare('SELECT phone FROM accounts ORDER BY account_no LIMIT 1 OFFSET 1234').pluck().get() as string;
    for (const q of ['王', '洋子', '记大药', '三门峡宏达', '张']) expect(findByName(db, q, 30), q).toEqual(findByName(reference, q, 30));
    expect(findByExactKey(db, phone)).toEqual(findByExactKey(reference, phone));
    const meter = reference.prepare('SELECT meter_no FROM meters ORDER BY account_no LIMIT 1 OFFSET 1234').pluck().get() as string;
    expect(findByExactKey(db, meter)).toEqual(findByExactKey(reference, meter));

    // A second cut, in the first index; then the rest with the backend gone: nothing is fetched again.
    steps.length = 0;
    await expect(pullSnapshotStream({ db, client: clientFor(backend.url), idleTimeoutMs: 5000, now: clock, build: cutAt('index', 1) })).rejects.toThrow('cut in index 1');
    expect(steps.filter((k) => k === 'names')).toHaveLength(3);
    expect(indexes(db)).toEqual([]);
    expect(await pullSnapshotStream({ db, client: clientFor('http://127.0.0.1:1'), idleTimeoutMs: 1000, now: clock })).toEqual({ accounts: 0, batches: 0 });
    expect(initialPullComplete(db)).toBe(true);
    expect(kv(db, 'sync.initial.bulk')).toBeUndefined();
    expect(indexes(db)).toEqual(['accounts_card', 'accounts_phone', 'meters_no']);
    expect(dump(db)).toEqual(dump(reference));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_SQL.exactKeys}`).all({ q: phone }) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/accounts_phone/);
    expect(findByName(db, '洋子', 30)).toEqual(findByName(reference, '洋子', 30));
    reference.close();
    db.close();
  });

  it('refuses a stream whose lines go back, and keeps what it applied before', async () => {
    const db = openDatabase(path.join(dir, 'backwards.db'));
    const lines = async function* (): AsyncGenerator<string[], void, undefined> {
      const account = { accountNo: '3100000001', name: '雷洋子', address: '', phone: '13800000000', customerClass: 'residential', paymentMode: 'postpaid', tariffCode: 'RES-TIER-M', balanceFen: 0, creditGrade: 'A', meters: [], bills: [], consumptionThisYear: 0, consumptionThisMonth: 0, version: 1, updatedAt: '2026-11-27T00:00:00.000Z' };
      yield [JSON.stringify({ kind: 'begin', after: '', until: '9', total: 3 }), JSON.stringify({ kind: 'account', cursor: '5', account })];
      // Lines after the one going back, in the same batch and in the next: none is applied.
      yield [4, 6, 7].map((cursor, i) => JSON.stringify({ kind: 'account', cursor: String(cursor), account: { ...account, accountNo: `310000000${i + 2}` } }));
    };
    // The client's byte stream: each chunk's complete lines, each with its newline.
    const bytes = async function* (): AsyncGenerator<Buffer, void, undefined> {
      for await (const chunk of lines()) yield Buffer.from(chunk.map((l) => `${l}\n`).join(''));
    };
    const client = { snapshotStreamBytes: bytes } as unknown as BackendClient;
    await expect(pullSnapshotStream({ db, client, idleTimeoutMs: 1000, now: clock, batchSize: 2 })).rejects.toMatchObject({ reason: 'off_schema' });
    expect(kv(db, 'sync.changes.cursor')).toBe('5');
    expect(db.prepare('SELECT account_no FROM accounts').all()).toEqual([{ account_no: '3100000001' }]);
    db.close();
  });

  it('the backend: a begin line, every account once in change order with its open bills only, an end line; after a cursor, the rest', async () => {
    const read = async (after: string) => {
      const out: string[] = [];
      for await (const chunk of clientFor(backend.url).snapshotStream(after, 5000)) out.push(...chunk);
      return out.map((l) => JSON.parse(l) as { kind: string; cursor?: string; total?: number; count?: number; account?: { bills: { status: string }[] } });
    };
    const all = await read('');
    expect(all[0]).toMatchObject({ kind: 'begin', after: '', total: ACCOUNTS });
    const accounts = all.filter((l) => l.kind === 'account');
    expect(accounts).toHaveLength(ACCOUNTS);
    expect(accounts.every((l) => l.account?.bills.every((b) => b.status === 'open'))).toBe(true);
    expect(all.at(-1)).toMatchObject({ kind: 'end', count: ACCOUNTS });
    const rest = await read(accounts[1499]?.cursor as string);
    expect(rest.filter((l) => l.kind === 'account').map((l) => l.cursor)).toEqual(accounts.slice(1500).map((l) => l.cursor));
  });
});

describe('through the core', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.dispose());

  it('reports progress on sync.progressed: accounts so far of the total, rate, time left, complete', async () => {
    const seen: SyncStatusView['initialPull'][] = [];
    const off = stack.core.on('sync.progressed', (s) => seen.push(s.initialPull));
    expect(await stack.core.pullNow()).toMatchObject({ accounts: 300, done: true });
    off();
    expect(seen[0]).toMatchObject({ running: true, complete: false });
    expect(seen.some((p: InitialPullProgress) => p.total === 300)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ accounts: 300, total: 300, running: false, complete: true, secondsLeft: 0 });
    const s = await signedIn(stack.core);
    expect((await call(stack.core, 'sync.status', {}, s)).initialPull).toMatchObject({ accounts: 300, complete: true });
  });

  it('sync.force: supervisors only, validated, journaled; full pulls the whole area again', async () => {
    const clerk = await signedIn(stack.core);
    expect(await stack.core.dispatch('sync.force', {}, clerk)).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    const supervisor = await signedIn(stack.core, 'S001', '9999');
    expect(await stack.core.dispatch('sync.force', { full: 'yes' } as never, supervisor)).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });
    expect(await stack.core.dispatch('sync.force', { full: false, extra: 1 } as never, supervisor)).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });

    const done = new Promise<void>((resolve) => {
      const off = stack.core.on('sync.progressed', (st) => {
        if (st.initialPull.complete && st.initialPull.accounts === 300) {
          off();
          resolve();
        }
      });
    });
    const status = await call(stack.core, 'sync.force', { full: true }, supervisor);
    expect(status.initialPull).toMatchObject({ accounts: 0, complete: false });
    await done;
    const forced = stack.core.db.prepare("SELECT actor, payload FROM journal WHERE type = 'sync.forced'").all();
    expect(forced).toEqual([{ actor: 'S001', payload: JSON.stringify({ full: true }) }]);
  });
});
