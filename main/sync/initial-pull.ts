/**
 * The initial pull: the whole service area (a million accounts) from the backend's snapshot stream
 * (`GET /api/snapshots`, NDJSON, docs/backend.md) into the cache, before the change pages of
 * ./snapshot-puller.ts take over from the same cursor.
 *
 * Resumable after a cut at any byte: lines are applied in batches, each batch and the cursor of its
 * last line in one transaction, so the stored cursor only ever names applied accounts. A cut
 * mid-line loses that partial line (the reader never hands it on) and the next pull asks for the
 * stream after the stored cursor — nothing lost, nothing applied twice. The pull is complete when
 * a stream ends with its end line; the cursor then moves to the stream's `until`.
 *
 * Memory stays bounded whatever the area's size: one chunk of the body, one batch of parsed
 * snapshots and one line at most are held at a time.
 *
 * Into an empty cache (a fresh terminal) the pull runs in a load window (store/bulk-load.ts): the
 * random-keyed indexes and the name index are built once after the end line instead of row by
 * row, batches are larger and commit with `synchronous = NORMAL`. The end line's batch records
 * that the stream is done (`STREAMED_KEY`); the pull is complete once the indexes are built — a
 * cut during that build resumes it without asking the backend for anything.
 */
import { SnapshotStreamLineSchema, type AccountSnapshot, type SnapshotStreamLine } from '../wire/backend-wire.js';
import type { Db } from '../store/db.js';
import { applySnapshotBatch } from '../store/snapshot-batch.js';
import { buildDeferredIndexes, LOAD_WINDOW_CACHE_KIB, loadWindowOpen, openLoadWindow, type BuildOptions } from '../store/bulk-load.js';
import { BackendUnavailable, type BackendClient } from './backend-client.js';
import { eachLine } from './ndjson-stream.js';
import { PendingLines } from './pending-lines.js';

/** The change-feed cursor, shared with the change pages (snapshot-puller.ts's CURSOR_KEY). */
const CURSOR_KEY = 'sync.changes.cursor';
/** '1' once a stream ended with its end line: from then on change pages keep the cache current. */
const COMPLETE_KEY = 'sync.initial.complete';
/** Accounts applied by the initial pull so far, across cuts and restarts (for progress). */
const APPLIED_KEY = 'sync.initial.applied';
/** What the initial pull will have applied when complete: applied so far + what the last stream announced. */
const TOTAL_KEY = 'sync.initial.total';
/** '1' once a stream of a load window ended with its end line: what is left is building its indexes. */
const STREAMED_KEY = 'sync.initial.streamed';

/** Accounts per transaction: few fsyncs, and a lookup waits at most one batch (tens of ms). */
export const INITIAL_PULL_BATCH = 2000;
/** Accounts per transaction in a load window (no index kept per row: still about 0.2 s a batch). */
export const LOAD_WINDOW_BATCH = 5000;
/**
 * Lines parsed and written at a time inside a batch's transaction (see streamInto's applyLines):
 * about one young-generation collection's worth, so a sub-batch's snapshots die young (500 lived
 * through several and were promoted: V8's old space grew ~60 MB between full collections).
 */
const SUB_BATCH = 100;
/** Progress is reported at most this often (and at the end). */
const PROGRESS_EVERY_MS = 250;

export interface InitialPullProgress {
  /** Accounts of the initial pull applied so far (across cuts and restarts). */
  readonly accounts: number;
  /** What it will have applied when complete; null until a stream has said. */
  readonly total: number | null;
  /** Accounts per second in this run. */
  readonly perSecond: number;
  /** At the rate of this run; null when not known yet. */
  readonly secondsLeft: number | null;
  /** True while a stream is being read. */
  readonly running: boolean;
  readonly complete: boolean;
}

export interface InitialPullDeps {
  readonly db: Db;
  readonly client: BackendClient;
  /** Bounds the wait for the stream's head and every silence inside it. */
  readonly idleTimeoutMs: number;
  readonly now: () => Date;
  /** Accounts per transaction (default INITIAL_PULL_BATCH, LOAD_WINDOW_BATCH in a load window). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: InitialPullProgress) => void;
  /** The index build after a load window's stream (tests cut it). */
  readonly build?: BuildOptions;
  /** false: never open a load window (tests compare a pull with one against a pull without). */
  readonly loadWindow?: boolean;
  /** True once the core is shutting down: the pull stops at the next chunk or build step, all it applied kept. */
  readonly stopped?: () => boolean;
}

/** The pull stopped because its owner is shutting down (not a backend failure); it resumes at the next start. */
export class PullStopped extends Error {
  constructor() {
    super('initial pull stopped: shutting down');
  }
}

export interface InitialPullOutcome {
  readonly accounts: number;
  readonly batches: number;
}

function kv(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

function setKv(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function initialPullComplete(db: Db): boolean {
  return kv(db, COMPLETE_KEY) === '1';
}

/** Where the initial pull stands (for `sync.status` before any pull ran in this process). */
export function initialPullProgress(db: Db): InitialPullProgress {
  const total = kv(db, TOTAL_KEY);
  return {
    accounts: Number(kv(db, APPLIED_KEY) ?? 0),
    total: total === undefined ? null : Number(total),
    perSecond: 0,
    secondsLeft: null,
    running: false,
    complete: initialPullComplete(db),
  };
}

/**
 * Starts the initial pull over (a supervisor's full re-sync): the next pull streams the whole area
 * again from the start. The cache keeps its data meanwhile; every account is rewritten.
 */
export function restartInitialPull(db: Db): void {
  db.transaction(() => {
    db.prepare('DELETE FROM kv WHERE key IN (?, ?, ?, ?, ?)').run(CURSOR_KEY, COMPLETE_KEY, APPLIED_KEY, TOTAL_KEY, STREAMED_KEY);
  })();
}

/**
 * Reads the snapshot stream after the stored cursor and applies it. Resolves when the stream ended
 * with its end line (the pull is complete); throws `BackendUnavailable` otherwise — after applying
 * every complete line received, so the next call resumes right after them.
 */
export async function pullSnapshotStream(deps: InitialPullDeps): Promise<InitialPullOutcome> {
  const { db } = deps;
  // A fresh terminal's pull opens a load window; a pull that finds one open goes on in it.
  const windowed = deps.loadWindow === false ? false : kv(db, CURSOR_KEY) === undefined ? openLoadWindow(db) : loadWindowOpen(db);
  if (!windowed) return streamInto(deps, false);
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${LOAD_WINDOW_CACHE_KIB}`);
  try {
    let last = initialPullProgress(db);
    const onProgress = (p: InitialPullProgress): void => {
      last = p;
      deps.onProgress?.(p);
    };
    const outcome = kv(db, STREAMED_KEY) === '1' ? { accounts: 0, batches: 0 } : await streamInto({ ...deps, onProgress }, true);
    // Every account is in; the index build is still part of the pull (running, not complete).
    deps.onProgress?.({ ...last, running: true, secondsLeft: null });
    await buildDeferredIndexes(db, {
      between: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        if (deps.stopped?.() === true) throw new PullStopped();
      },
      ...deps.build,
    });
    db.transaction(() => {
      setKv(db, COMPLETE_KEY, '1');
      db.prepare('DELETE FROM kv WHERE key = ?').run(STREAMED_KEY);
    })();
    deps.onProgress?.({ ...last, running: false, complete: true, secondsLeft: 0 });
    return outcome;
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    // The window's page cache goes back to the system (the core's RSS after the pull is a target).
    db.pragma('shrink_memory');
  }
}

async function streamInto(deps: InitialPullDeps, windowed: boolean): Promise<InitialPullOutcome> {
  const { db, client, now } = deps;
  const batchSize = deps.batchSize ?? (windowed ? LOAD_WINDOW_BATCH : INITIAL_PULL_BATCH);
  const after = kv(db, CURSOR_KEY) ?? '';
  const startedAt = Date.now();
  const appliedBefore = Number(kv(db, APPLIED_KEY) ?? 0);
  let applied = appliedBefore;
  let total: number | null = null;
  let lastReport = 0;
  const report = (running: boolean, complete: boolean, force = false): void => {
    if (!deps.onProgress) return;
    const t = Date.now();
    if (!force && t - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = t;
    const perSecond = (applied - appliedBefore) / Math.max(0.001, (t - startedAt) / 1000);
    const left = total === null ? null : Math.max(0, total - applied);
    deps.onProgress({
      accounts: applied,
      total,
      perSecond: Math.round(perSecond),
      secondsLeft: left === null || perSecond <= 0 ? null : Math.ceil(left / perSecond),
      running,
      complete,
    });
  };

  let began = false;
  let ended = false;
  let last = cursorNumber(after);
  let batches = 0;

  /**
   * Parses, checks and applies the lines of `chunks` (a batch: at most `batchSize` lines of the
   * stream) in one transaction with the cursor of the last account applied. Lines wait as bytes
   * until here and are decoded one at a time as they are parsed, and written SUB_BATCH at a time:
   * what JavaScript holds of a batch lives a moment and dies young, where a batch's strings or
   * parsed snapshots held longer were promoted and piled up in V8's old generation (the core's RSS
   * after a million). A line that fails its checks ends the batch: everything before it is
   * applied, then its error is thrown.
   */
  const applyLines = (chunks: readonly Buffer[]): void => {
    let failure: unknown = null;
    let count = 0;
    let cursor: string | null = null;
    const at = now().getTime();
    const write = db.transaction(() => {
      // The last line of each account within a sub-batch (an account never comes twice in one stream, but the writer must not depend on it).
      let sub = new Map<string, AccountSnapshot>();
      const applySub = (): void => {
        if (sub.size === 0) return;
        applySnapshotBatch(db, [...sub.values()], at);
        count += sub.size;
        sub = new Map();
      };
      for (const text of linesIn(chunks)) {
        try {
          const line = parseLine(text);
          if (line.kind === 'begin') {
            if (began || line.after !== after) throw offSchema(`a begin line after ${JSON.stringify(line.after)} in a stream asked after ${JSON.stringify(after)}`);
            began = true;
            total = applied + line.total;
            setKv(db, TOTAL_KEY, String(total));
          } else if (line.kind === 'account') {
            if (!began) throw offSchema('an account line before the begin line');
            // Change order only: a line at or before the last one is a replay or a bug, never applied.
            const n = cursorNumber(line.cursor);
            if (n <= last) throw new BackendUnavailable('off_schema', `stream cursor went backwards (${line.cursor} after ${last})`);
            last = n;
            sub.set(line.account.accountNo, line.account);
            cursor = line.cursor;
            if (sub.size >= SUB_BATCH) applySub();
          } else if (line.kind === 'end') {
            if (!began) throw offSchema('an end line before the begin line');
            if (cursorNumber(line.cursor) < last) throw new BackendUnavailable('off_schema', `stream end cursor ${line.cursor} before its last account (${last})`);
            ended = true;
            cursor = line.cursor;
            break;
          } else {
            const exhaustive: never = line;
            throw new Error(`unhandled stream line ${JSON.stringify(exhaustive)}`);
          }
        } catch (err) {
          failure = err;
          break;
        }
      }
      applySub();
      if (cursor === null) return;
      setKv(db, CURSOR_KEY, cursor);
      setKv(db, APPLIED_KEY, String(applied + count));
      if (ended) setKv(db, windowed ? STREAMED_KEY : COMPLETE_KEY, '1');
    });
    if (windowed) {
      // This commit only (see store/bulk-load.ts); the connection's own setting is back before anything else runs.
      const synchronous = db.pragma('synchronous', { simple: true }) as number;
      db.pragma('synchronous = NORMAL');
      try {
        write();
      } finally {
        db.pragma(`synchronous = ${synchronous}`);
      }
    } else {
      write();
    }
    if (cursor !== null) {
      applied += count;
      batches += 1;
    }
    if (failure !== null) {
      // Nothing after a line that failed is applied: the next pull asks again from the last good cursor.
      pending = new PendingLines();
      throw failure;
    }
  };

  // Complete lines received and not applied yet, in stream order, as bytes: outside V8's heap until
  // a batch decodes them (held as strings they were promoted, then collected in the old generation).
  let pending = new PendingLines();
  const take = (n: number): Buffer[] => pending.take(n);
  report(true, false, true);
  try {
    const stream = client.snapshotStreamBytes(after, deps.idleTimeoutMs);
    try {
      for await (const bytes of stream) {
        pending.push(bytes);
        if (deps.stopped?.() === true) {
          while (pending.length > 0 && !ended) applyLines(take(batchSize));
          throw new PullStopped();
        }
        while (pending.length >= batchSize && !ended) {
          applyLines(take(batchSize));
          report(true, false);
        }
        if (ended) break;
      }
    } catch (err) {
      // Every complete line that arrived counts: the next pull resumes after the last of them.
      if (err instanceof BackendUnavailable) while (pending.length > 0 && !ended) applyLines(take(batchSize));
      throw err;
    }
    while (pending.length > 0 && !ended) applyLines(take(batchSize));
    if (!ended) throw new BackendUnavailable('truncated', `snapshot stream ended without its end line after ${applied - appliedBefore} accounts`);
  } catch (err) {
    report(false, false, true);
    throw err;
  }
  report(false, !windowed, true);
  return { accounts: applied - appliedBefore, batches };
}

/** The lines of `chunks`, decoded one at a time as the caller takes them. */
function* linesIn(chunks: readonly Buffer[]): Generator<string, void, undefined> {
  for (const chunk of chunks) yield* eachLine(chunk);
}

function parseLine(text: string): SnapshotStreamLine {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new BackendUnavailable('not_json', `stream line: ${err instanceof Error ? err.message : 'unparseable'}`);
  }
  const parsed = SnapshotStreamLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw offSchema(issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid');
  }
  return parsed.data;
}

function offSchema(detail: string): BackendUnavailable {
  return new BackendUnavailable('off_schema', `stream line: ${detail}`);
}

/** '' (the start) is 0; cursors are decimal change sequences. */
function cursorNumber(cursor: string): number {
  return cursor === '' ? 0 : Number(cursor);
}
