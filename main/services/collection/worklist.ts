/**
 * The daily early-warning worklist: one pass over the cache through the pure rules
 * (domain/collection/worklist.ts), kept in memory for the day until the data under it changes
 * (a journaled change or a pulled page), then filtered, sorted and paged per request. Assignments
 * are read fresh on every request (a small table), so assigning never recomputes the list.
 */
import type { WorklistItemView, WorklistReasonKindView, WorklistView } from '../../contract/index.js';
import { WORKLIST_REASON_KINDS } from '../../contract/collection.js';
import { Worker } from 'node:worker_threads';
import { assessAccount, type LastTouchFact, type PromiseFact, type WorklistAssessment } from '../../domain/collection/index.js';
import { priceLadder } from '../../domain/tariff/price-ladder.js';
import { accountBrief, activeStaff, assignments, promisesDueBefore, worklistDataKey, worklistRow } from '../../store/collection.js';
import { lastTouches } from '../../store/follow-ups.js';
import { localDate } from '../clock.js';
import type { CollectionDeps } from './context.js';
import { assessRange, gradeTreatment, type PassInputs, type WorklistEntry } from './worklist-pass.js';
import type { WorkerJob } from './worklist-worker.js';

export interface WorklistFilter {
  readonly reasons?: readonly WorklistReasonKindView[] | undefined;
  readonly ageBucket?: number | undefined;
  readonly customerClass?: string | undefined;
  readonly grade?: string | undefined;
  readonly assignee?: string | undefined;
  readonly sort: 'priority' | 'overdue_fen' | 'overdue_days' | 'days_left' | 'account';
}

type Entry = WorklistEntry;

interface Computed {
  readonly key: string;
  readonly date: string;
  /** In account order: a sort's ties fall back to it (sortedBy). */
  readonly entries: readonly Entry[];
  readonly byReason: Record<WorklistReasonKindView, number>;
  readonly byBucket: number[];
  readonly ms: number;
}

/** Each sort's key, smaller first; ties are broken by account number. */
const SORT_KEYS: Record<Exclude<WorklistFilter['sort'], 'account'>, (e: Entry) => number> = {
  priority: (e) => -e.priority,
  overdue_fen: (e) => -e.overdueFen,
  overdue_days: (e) => -e.overdueDays,
  // Soonest to run out first; accounts without a forecast last.
  days_left: (e) => e.daysLeft ?? Number.MAX_SAFE_INTEGER,
};

/**
 * `entries` (in account order) sorted by `sort`, ties in account order. A list of a million is
 * sorted as numbers — key × n + position in a Float64Array, natively — rather than by a comparator
 * called twenty million times; keys too large for that exactly fall back to the comparator.
 */
export function sortedBy(entries: readonly Entry[], sort: WorklistFilter['sort']): Entry[] {
  if (sort === 'account') return [...entries];
  const key = SORT_KEYS[sort];
  const n = entries.length;
  let bound = 0;
  for (const e of entries) {
    const k = Math.abs(key(e));
    if (k > bound && k !== Number.MAX_SAFE_INTEGER) bound = k;
  }
  if ((bound + 2) * (n + 1) * 2 < Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(n);
    // Absent forecasts (MAX_SAFE_INTEGER) go just beyond the largest real key.
    for (let i = 0; i < n; i++) {
      const k = key(entries[i] as Entry);
      packed[i] = (k === Number.MAX_SAFE_INTEGER ? bound + 1 : k) * n + i;
    }
    packed.sort();
    const out = new Array<Entry>(n);
    for (let i = 0; i < n; i++) {
      const p = packed[i] as number;
      out[i] = entries[((p % n) + n) % n] as Entry;
    }
    return out;
  }
  return [...entries].sort((a, b) => key(a) - key(b) || (a.accountNo < b.accountNo ? -1 : a.accountNo > b.accountNo ? 1 : 0));
}

/** Base price per tariff (its first block), centifen per kWh: what a day of the customer's own use costs. */
function basePrices(deps: CollectionDeps): Map<string, number> {
  const prices = new Map<string, number>();
  for (const [id, tariff] of deps.tariffs) prices.set(id, priceLadder(tariff).blocks[0]?.centifenPerKwh ?? 0);
  return prices;
}

/** Promises dated before `today` and not kept: what this terminal took since falls short of the promise. */
export function lapsedPromises(deps: CollectionDeps, today: string): Map<string, PromiseFact[]> {
  const byAccount = new Map<string, PromiseFact[]>();
  for (const p of promisesDueBefore(deps.db, today)) {
    const kept = p.promiseFen === null ? p.paidSinceFen > 0 : p.paidSinceFen >= p.promiseFen;
    if (kept) continue;
    byAccount.set(p.accountNo, [{ contactId: p.contactId, promisedOn: p.promiseOn, promisedFen: p.promiseFen }]);
  }
  return byAccount;
}

/** Each account's last contact or notice, dated in the terminal's zone (the worklist's days are local). */
export function lastTouchFacts(deps: CollectionDeps, accountNo?: string): Map<string, LastTouchFact> {
  const byAccount = new Map<string, LastTouchFact>();
  for (const t of lastTouches(deps.db, accountNo)) {
    byAccount.set(t.accountNo, { on: localDate(new Date(t.at), deps.timeZone), via: t.via, promised: t.promised === 1, paidSinceFen: t.paidSinceFen });
  }
  return byAccount;
}

/** Up to 4 GiB of the cache mapped (the address space is reserved, not memory used). */
const MMAP_BYTES = 4 * 1024 * 1024 * 1024;

/** Below this many accounts one thread does the pass (a worker's start costs more than it saves). */
const PARALLEL_FROM = 200_000;
/** The share of the accounts this thread assesses when the pass is split. */
const HERE_SHARE = 0.56;

export class Worklist {
  private computed: Computed | null = null;
  private computing: { key: string; done: Promise<Computed> } | null = null;
  private readonly prices: Map<string, number>;

  constructor(private readonly deps: CollectionDeps) {
    this.prices = basePrices(deps);
  }

  today(): string {
    return localDate(this.deps.clock(), this.deps.timeZone);
  }

  /**
   * The whole day's list, recomputed only when the day or the data changed. Requests arriving while
   * it is computed wait for the same computation.
   */
  async entries(): Promise<Computed> {
    const date = this.today();
    const key = `${date}|${worklistDataKey(this.deps.db)}`;
    if (this.computed?.key === key) return this.computed;
    if (this.computing?.key === key) return this.computing.done;
    const done = this.compute(key, date);
    this.computing = { key, done };
    try {
      this.computed = await done;
      return this.computed;
    } finally {
      if (this.computing?.done === done) this.computing = null;
    }
  }

  private async compute(key: string, date: string): Promise<Computed> {
    const started = performance.now();
    // The pass reads the whole cache once: memory-mapped reads spare a system call per page
    // (a quarter of its CPU time in the benchmark). Reads only; writes still go through the WAL.
    this.deps.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    const inputs: PassInputs = {
      today: date,
      rules: this.deps.rules,
      prices: this.prices,
      reminderLeadDays: this.deps.reminderLeadDays,
      followUpDays: this.deps.followUpDays ?? {},
      promises: lapsedPromises(this.deps, date),
      touches: lastTouchFacts(this.deps),
    };
    const split = this.splitPoint();
    let entries: Entry[];
    if (split === null) entries = assessRange(this.deps.db, inputs, null, null);
    else {
      // A large cache on a file: the last accounts in a worker thread (its own connection), the
      // first ones here meanwhile; both parts come in account order.
      const upper = this.inWorker({ dbPath: this.deps.db.name, inputs, from: split, to: null, mmapBytes: MMAP_BYTES });
      upper.catch(() => undefined);
      const lower = assessRange(this.deps.db, inputs, null, split);
      // A worker that could not run (no thread, a broken build) costs time, never the list.
      entries = lower.concat(await upper.catch(() => assessRange(this.deps.db, inputs, split, null)));
    }
    const byReason = Object.fromEntries(WORKLIST_REASON_KINDS.map((k) => [k, 0])) as Record<WorklistReasonKindView, number>;
    const byBucket = new Array<number>(this.deps.rules.worklist.ageBuckets.length + 1).fill(0);
    for (const e of entries) {
      let seen = 0;
      for (const r of e.reasons) {
        // Each kind once per account (a kind can repeat: promises).
        const bit = 1 << WORKLIST_REASON_KINDS.indexOf(r.kind);
        if ((seen & bit) === 0) byReason[r.kind]++;
        seen |= bit;
      }
      if (e.ageBucket !== null) byBucket[e.ageBucket] = (byBucket[e.ageBucket] ?? 0) + 1;
    }
    return { key, date, entries, byReason, byBucket, ms: performance.now() - started };
  }

  /** Where a cache large enough to be worth a second thread is split; null: one pass here. */
  private splitPoint(): string | null {
    const db = this.deps.db;
    const from = this.deps.parallelWorklistFrom ?? PARALLEL_FROM;
    if (db.memory || db.name === '' || from === Infinity) return null;
    const n = db.prepare('SELECT COUNT(*) FROM accounts').pluck().get() as number;
    if (n < from) return null;
    // The worker starts later (a thread, its modules, its connection) and its half is copied back
    // to this thread: it takes the smaller share, so both finish together.
    return (db.prepare('SELECT account_no FROM accounts ORDER BY account_no LIMIT 1 OFFSET ?').pluck().get(Math.floor(n * HERE_SHARE)) as string | undefined) ?? null;
  }

  private inWorker(job: WorkerJob): Promise<Entry[]> {
    // Built (dist/…/worklist-worker.js), or run from source as this module is: then the worker
    // registers tsx's loader in its own thread before importing the TypeScript.
    const source = import.meta.url.endsWith('.ts');
    const url = new URL(`./worklist-worker.${source ? 'ts' : 'js'}`, import.meta.url);
    const worker = source
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData: job })
      : new Worker(url, { workerData: job });
    return new Promise<Entry[]>((resolve, reject) => {
      worker.once('message', (m: { ok: true; entries: string } | { ok: false; message: string }) => (m.ok ? resolve(JSON.parse(m.entries) as Entry[]) : reject(new Error(`worklist worker: ${m.message}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worklist worker exited (${code})`)));
    });
  }

  /** The matching entries, sorted (every page of them). */
  async select(filter: WorklistFilter): Promise<{ computed: Computed; matching: Entry[]; assigned: Map<string, string> }> {
    const computed = await this.entries();
    const assigned = assignments(this.deps.db);
    const reasons = filter.reasons && filter.reasons.length > 0 ? new Set(filter.reasons) : null;
    const unfiltered = reasons === null && filter.ageBucket === undefined && filter.customerClass === undefined && filter.grade === undefined && filter.assignee === undefined;
    const kept = unfiltered
      ? computed.entries
      : computed.entries.filter(
          (e) =>
            (reasons === null || e.reasons.some((r) => reasons.has(r.kind))) &&
            (filter.ageBucket === undefined || e.ageBucket === filter.ageBucket) &&
            (filter.customerClass === undefined || e.customerClass === filter.customerClass) &&
            (filter.grade === undefined || e.grade === filter.grade) &&
            (filter.assignee === undefined || (filter.assignee === 'unassigned' ? !assigned.has(e.accountNo) : assigned.get(e.accountNo) === filter.assignee)),
        );
    const matching = sortedBy(kept, filter.sort);
    return { computed, matching, assigned };
  }

  async view(filter: WorklistFilter, offset: number, limit: number): Promise<WorklistView> {
    const { computed, matching, assigned } = await this.select(filter);
    const { byReason, byBucket } = computed;
    const staff = activeStaff(this.deps.db);
    const names = new Map(staff.map((s) => [s.operatorId, s.name]));
    return {
      date: computed.date,
      bucketBounds: this.deps.rules.worklist.ageBuckets,
      total: matching.length,
      all: computed.entries.length,
      byReason,
      byBucket,
      items: matching.slice(offset, offset + limit).map((e) => this.item(e, assigned.get(e.accountNo) ?? null, names)),
      staff,
    };
  }

  item(e: Entry, assigneeId: string | null, names: ReadonlyMap<string, string>): WorklistItemView {
    const brief = accountBrief(this.deps.db, e.accountNo);
    return {
      accountNo: e.accountNo,
      name: brief?.name ?? '',
      address: brief?.address ?? '',
      phone: brief?.phone ?? '',
      customerClass: brief?.customerClass ?? 'residential',
      paymentMode: brief?.paymentMode ?? 'postpaid',
      reasons: e.reasons,
      overdueFen: e.overdueFen,
      overdueDays: e.overdueDays,
      ageBucket: e.ageBucket,
      daysLeft: e.daysLeft,
      priority: e.priority,
      grade: e.grade,
      assigneeId,
      assigneeName: assigneeId === null ? null : (names.get(assigneeId) ?? null),
    };
  }

  /** The reasons today's rules find for one account (none: it would not be on the list). */
  reasonsOf(accountNo: string): WorklistAssessment['reasons'] {
    const row = worklistRow(this.deps.db, accountNo);
    if (!row) return [];
    const date = this.today();
    const promises = lapsedPromises(this.deps, date).get(accountNo) ?? [];
    const touch = lastTouchFacts(this.deps, accountNo).get(accountNo) ?? null;
    return assessAccount({ ...row, centifenPerKwh: this.prices.get(row.tariffCode) ?? 0, ...gradeTreatment(this.deps, row.grade) }, date, this.deps.rules, promises, touch)?.reasons ?? [];
  }
}
