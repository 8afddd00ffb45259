/**
 * The daily early-warning worklist: one pass over the cache through the pure rules
 * (domain/collection/worklist.ts), kept in memory for the day until the data under it changes
 * (a journaled change or a pulled page), then filtered, sorted and paged per request. Assignments
 * are read fresh on every request (a small table), so assigning never recomputes the list.
 */
import type { WorklistItemView, WorklistReasonKindView, WorklistView } from '../../contract/index.js';
import { WORKLIST_REASON_KINDS } from '../../contract/collection.js';
import { assessAccount, assessSums, dueSoonUntil, worklistDay, type LastTouchFact, type PromiseFact, type WorklistAssessment } from '../../domain/collection/index.js';
import { priceLadder } from '../../domain/tariff/price-ladder.js';
import { accountBrief, activeStaff, assignments, promisesDueBefore, worklistDataKey, worklistRow } from '../../store/collection.js';
import { worklistCandidates } from '../../store/worklist-candidates.js';
import { lastTouches } from '../../store/follow-ups.js';
import { localDate } from '../clock.js';
import type { CollectionDeps } from './context.js';

export interface WorklistFilter {
  readonly reasons?: readonly WorklistReasonKindView[] | undefined;
  readonly ageBucket?: number | undefined;
  readonly customerClass?: string | undefined;
  readonly grade?: string | undefined;
  readonly assignee?: string | undefined;
  readonly sort: 'priority' | 'overdue_fen' | 'overdue_days' | 'days_left' | 'account';
}

interface Entry extends WorklistAssessment {
  readonly customerClass: string;
  readonly grade: string | null;
}

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

export class Worklist {
  private computed: Computed | null = null;
  private readonly prices: Map<string, number>;

  constructor(private readonly deps: CollectionDeps) {
    this.prices = basePrices(deps);
  }

  today(): string {
    return localDate(this.deps.clock(), this.deps.timeZone);
  }

  /** The whole day's list, recomputed only when the day or the data changed. */
  entries(): Computed {
    const date = this.today();
    const key = `${date}|${worklistDataKey(this.deps.db)}`;
    if (this.computed?.key === key) return this.computed;
    const started = performance.now();
    // The pass reads the whole cache once: memory-mapped reads spare a system call per page
    // (a quarter of its CPU time in the benchmark). Reads only; writes still go through the WAL.
    this.deps.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    const promises = lapsedPromises(this.deps, date);
    const touches = lastTouchFacts(this.deps);
    const entries: Entry[] = [];
    const day = worklistDay(date, this.deps.rules);
    const w = this.deps.rules.worklist;
    const soonUntilByGrade = new Map(Object.entries(this.deps.reminderLeadDays).map(([grade, lead]) => [grade, dueSoonUntil(day, lead)]));
    // SQLite sums the bills and passes over the accounts that cannot be on the list; the rules
    // read at most the last rateMonths + 1 months of consumption.
    const candidates = worklistCandidates(this.deps.db, {
      today: date,
      soonUntilByGrade,
      soonUntil: day.soonUntil,
      usuallyLateMonths: w.usuallyLateMonths,
      usuallyLateTimes: w.usuallyLateTimes,
      occupiedMinKwh: w.occupiedMinKwh,
      nearZeroShare: w.nearZeroShare,
      tokensStoppedMonths: w.tokensStoppedMonths,
      prepaidRunOutDays: w.prepaidRunOutDays,
      maxCentifenPerKwh: Math.max(0, ...this.prices.values()),
      kwhMonths: w.rateMonths + 1,
    });
    const byReason = Object.fromEntries(WORKLIST_REASON_KINDS.map((k) => [k, 0])) as Record<WorklistReasonKindView, number>;
    const byBucket = new Array<number>(this.deps.rules.worklist.ageBuckets.length + 1).fill(0);
    for (const row of candidates) {
      const treatment = this.gradeTreatment(row.grade);
      const a = assessSums(
        {
          accountNo: row.accountNo,
          customerClass: row.customerClass,
          paymentMode: row.paymentMode,
          balanceFen: row.balanceFen,
          history: row.history,
          centifenPerKwh: this.prices.get(row.tariffCode) ?? 0,
          reminderLeadDays: treatment.reminderLeadDays,
          followUpDays: treatment.followUpDays,
        },
        row.sums,
        day,
        this.deps.rules,
        promises.get(row.accountNo) ?? [],
        touches.get(row.accountNo) ?? null,
      );
      if (!a) continue;
      entries.push({ ...a, customerClass: row.customerClass, grade: row.grade });
      let seen = 0;
      for (const r of a.reasons) {
        // Each kind once per account (a reason kind appears at most once but for promises).
        const bit = 1 << WORKLIST_REASON_KINDS.indexOf(r.kind);
        if ((seen & bit) === 0) byReason[r.kind]++;
        seen |= bit;
      }
      if (a.ageBucket !== null) byBucket[a.ageBucket] = (byBucket[a.ageBucket] ?? 0) + 1;
    }
    this.computed = { key, date, entries, byReason, byBucket, ms: performance.now() - started };
    return this.computed;
  }

  /** The matching entries, sorted (every page of them). */
  select(filter: WorklistFilter): { computed: Computed; matching: Entry[]; assigned: Map<string, string> } {
    const computed = this.entries();
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

  view(filter: WorklistFilter, offset: number, limit: number): WorklistView {
    const { computed, matching, assigned } = this.select(filter);
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
    return assessAccount({ ...row, centifenPerKwh: this.prices.get(row.tariffCode) ?? 0, ...this.gradeTreatment(row.grade) }, date, this.deps.rules, promises, touch)?.reasons ?? [];
  }

  /** What the account's credit grade changes in the rules: the reminder lead and the follow-up interval. */
  private gradeTreatment(grade: string | null): { reminderLeadDays: number | undefined; followUpDays: number | undefined } {
    if (grade === null) return { reminderLeadDays: undefined, followUpDays: undefined };
    return { reminderLeadDays: this.deps.reminderLeadDays[grade], followUpDays: this.deps.followUpDays?.[grade] };
  }
}
