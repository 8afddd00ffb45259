/**
 * The worklist's fast path: SQLite sums every account's open bills and keeps only the accounts that
 * can be on today's list — money overdue, money due soon for a customer who usually pays late (or
 * who promised), prepaid accounts whose balance may run out or whose buying looks wrong, and
 * consumption that may have dropped — so the rules (domain/collection/worklist.ts) run on those
 * alone. Each condition here is necessary for its reason, never sufficient: the rules decide.
 */
import type { BillSums } from '../domain/collection/worklist.js';
import { FactsHistory, type WorklistRow } from './collection.js';
import type { Db } from './db.js';

export interface CandidateQuery {
  readonly today: string;
  /** The last due date counted as "due soon" per credit grade, and for accounts without one. */
  readonly soonUntilByGrade: ReadonlyMap<string, string>;
  readonly soonUntil: string;
  readonly usuallyLateMonths: number;
  readonly usuallyLateTimes: number;
  readonly occupiedMinKwh: number;
  readonly nearZeroShare: number;
  readonly tokensStoppedMonths: number;
  readonly prepaidRunOutDays: number;
  /** The highest base price of any tariff (centifen per kWh): what bounds a day's cost from above. */
  readonly maxCentifenPerKwh: number;
  /** kWh months the rows' histories hold (rateMonths + 1, at most 13). */
  readonly kwhMonths: number;
  /** Only accounts numbered in [from, to) (an end left open when null). */
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface CandidateRow extends Omit<WorklistRow, 'openBills'> {
  readonly sums: BillSums;
}

/** Months paid late among the last `months` (bit 0 = the last month of late_mask). */
function lateCount(months: number): string {
  return Array.from({ length: months }, (_, i) => `((f.late_mask >> ${i}) & 1)`).join(' + ');
}

/** Consumption may have dropped: the last month below the share of the highest month before it. */
const DROP = 'f.kwh_prev_max >= @occupiedMinKwh AND f.kwh_last < f.kwh_prev_max * @nearZeroShare';

function sql(q: CandidateQuery): { text: string; params: unknown[] } {
  const grades = [...q.soonUntilByGrade];
  const until = grades.length === 0 ? '?' : `CASE c.grade ${grades.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ? END`;
  const untilParams = [...grades.flat(), q.soonUntil];
  const maxUntil = [q.soonUntil, ...q.soonUntilByGrade.values()].reduce((a, b) => (b > a ? b : a));
  const m = q.tokensStoppedMonths;
  const from = q.from ?? null;
  const to = q.to ?? null;
  const range = (t: string) => `${from === null ? '' : ` AND ${t}.account_no >= @from`}${to === null ? '' : ` AND ${t}.account_no < @to`}`;
  const text = `
    WITH owed AS (
      SELECT b.account_no,
        SUM(CASE WHEN b.due_date < ? THEN b.amount_fen - b.paid_fen END) AS overdue_fen,
        SUM(b.due_date < ?) AS overdue_bills,
        MIN(CASE WHEN b.due_date < ? THEN b.due_date END) AS oldest_due,
        SUM(CASE WHEN b.due_date >= ? AND b.due_date <= ${until} THEN b.amount_fen - b.paid_fen END) AS soon_fen,
        MIN(CASE WHEN b.due_date >= ? AND b.due_date <= ${until} THEN b.due_date END) AS soon_date
      FROM bills b INDEXED BY bills_open_dues LEFT JOIN credit_current c ON c.account_no = b.account_no
      WHERE b.status = 'open' AND b.due_date <= ? AND b.amount_fen > b.paid_fen${range('b')}
      GROUP BY b.account_no
    )
    SELECT a.account_no, a.customer_class, a.payment_mode, a.balance_fen, a.tariff_code, c.grade,
      f.to_period, f.late_mask, f.vend_len, f.vend_mask,
      -- A postpaid account's consumption matters only when it may have dropped (checked here):
      -- otherwise it is not read, nor parsed for the rules to find nothing in it.
      CASE WHEN a.payment_mode = 'prepaid' OR (${DROP}) THEN f.kwh_tail END, f.cutoffs,
      o.overdue_fen, o.overdue_bills, o.oldest_due, o.soon_fen, o.soon_date
    FROM accounts a
      LEFT JOIN owed o ON o.account_no = a.account_no
      LEFT JOIN worklist_facts f ON f.account_no = a.account_no
      LEFT JOIN credit_current c ON c.account_no = a.account_no
    WHERE NOT EXISTS (SELECT 1 FROM closed_accounts x WHERE x.account_no = a.account_no)${range('a')}
      AND (
        o.overdue_fen IS NOT NULL
        OR (o.soon_fen IS NOT NULL AND (
          (f.late_mask IS NOT NULL AND ${lateCount(q.usuallyLateMonths)} >= ?)
          OR EXISTS (SELECT 1 FROM collection_contacts p WHERE p.account_no = a.account_no AND p.promise_on IS NOT NULL)))
        OR (${DROP})
        OR (a.payment_mode = 'prepaid' AND f.to_period IS NOT NULL AND (
          (f.cutoffs IS NOT NULL AND f.cutoffs <> '')
          OR (f.vend_len >= ${m} AND (f.vend_mask & ${(1 << m) - 1}) = 0 AND (f.vend_mask >> ${m}) <> 0)
          OR (f.kwh_last IS NOT NULL AND (a.balance_fen <= 0
            OR a.balance_fen * 100.0 * 28 <= ? * MAX(f.kwh_last, COALESCE(f.kwh_prev_max, 0)) * ?))))
      )
    ORDER BY a.account_no`;
  const params = [
    q.today,
    q.today,
    q.today,
    q.today,
    ...untilParams,
    q.today,
    ...untilParams,
    maxUntil,
    q.usuallyLateTimes,
    q.prepaidRunOutDays + 1,
    q.maxCentifenPerKwh,
    { occupiedMinKwh: q.occupiedMinKwh, nearZeroShare: q.nearZeroShare, ...(from === null ? {} : { from }), ...(to === null ? {} : { to }) },
  ];
  return { text, params };
}

type Raw = [
  string,
  string,
  'postpaid' | 'prepaid',
  number,
  string,
  string | null,
  string | null,
  number,
  number | null,
  number,
  string | null,
  string | null,
  number | null,
  number | null,
  string | null,
  number | null,
  string | null,
];

export function* worklistCandidates(db: Db, q: CandidateQuery): Generator<CandidateRow> {
  if (q.kwhMonths > 13) throw new Error(`the worklist facts keep 13 months of consumption, not ${q.kwhMonths}`);
  const { text, params } = sql(q);
  const rows = db.prepare(text).raw().iterate(...params) as IterableIterator<Raw>;
  for (const [accountNo, customerClass, paymentMode, balanceFen, tariffCode, grade, to, lateMask, vendLen, vendMask, kwhTail, cutoffs, overdueFen, overdueBills, oldestDue, soonFen, soonDate] of rows) {
    yield {
      accountNo,
      customerClass,
      paymentMode,
      balanceFen,
      tariffCode,
      grade,
      history: to === null ? null : new FactsHistory(to, lateMask, vendLen, vendMask, kwhTail, cutoffs, q.kwhMonths),
      sums: { overdueFen: overdueFen ?? 0, overdueBills: overdueBills ?? 0, oldestDue, dueSoonFen: soonFen ?? 0, dueSoonDate: soonDate },
    };
  }
}
