/**
 * Arrears ageing (账龄): what is still owed, by how long past its due date, as of a day. Buckets
 * come from the rules: with bounds [30, 60, 90] the buckets are not due yet, 1–30, 31–60, 61–90 and
 * over 90 days. A bill due today is not overdue (paying on the due date costs nothing).
 */

/** Outstanding principal of bills sharing a due date (the backend's bills of a month fall due together). */
export interface ArrearsLine {
  readonly dueDate: string;
  readonly outstandingFen: number;
  /** Bills not fully paid. */
  readonly bills: number;
}

export interface AgeingBucket {
  /** Stable id: 'not_due', 'd1_30', …, 'over_365'. */
  readonly id: string;
  /** First and last day past due in the bucket; `toDays` null for the last, open-ended bucket; both 0 for not due. */
  readonly fromDays: number;
  readonly toDays: number | null;
  readonly outstandingFen: number;
  readonly bills: number;
}

function epochDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

/** Whole days from the due date to `asOf`: 0 on the due date, negative before it. */
export function daysPastDue(dueDate: string, asOf: string): number {
  return epochDay(asOf) - epochDay(dueDate);
}

/** The empty buckets for these bounds, in order. */
export function ageingBuckets(bounds: readonly number[]): AgeingBucket[] {
  const out: AgeingBucket[] = [{ id: 'not_due', fromDays: 0, toDays: 0, outstandingFen: 0, bills: 0 }];
  let from = 1;
  for (const to of bounds) {
    out.push({ id: `d${from}_${to}`, fromDays: from, toDays: to, outstandingFen: 0, bills: 0 });
    from = to + 1;
  }
  out.push({ id: `over_${from - 1}`, fromDays: from, toDays: null, outstandingFen: 0, bills: 0 });
  return out;
}

/** Index into ageingBuckets(bounds) of a bill `days` past due. */
export function bucketIndex(days: number, bounds: readonly number[]): number {
  if (days <= 0) return 0;
  const i = bounds.findIndex((to) => days <= to);
  return i === -1 ? bounds.length + 1 : i + 1;
}

export function ageArrears(lines: readonly ArrearsLine[], asOf: string, bounds: readonly number[]): AgeingBucket[] {
  const buckets = ageingBuckets(bounds).map((b) => ({ ...b }));
  for (const line of lines) {
    if (line.outstandingFen <= 0) continue;
    const b = buckets[bucketIndex(daysPastDue(line.dueDate, asOf), bounds)] as { outstandingFen: number; bills: number };
    b.outstandingFen += line.outstandingFen;
    b.bills += line.bills;
  }
  return buckets;
}
