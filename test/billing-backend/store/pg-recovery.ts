/**
 * The recovery dashboard (GET /api/recovery/dashboard, recovery-dashboard.ts) on PostgreSQL: the
 * same rollup, built once from the seeded area (each account's history and bills, graded by the
 * credit model), with what terminals paid since read live from bill_payments on top — the same
 * sums (`addAccount`, `modelGrade`, `assembleDashboard` are shared).
 *
 * Built in one transaction under an advisory lock (two servers starting on one database: one
 * builds, the other finds it), reading the accounts a chunk at a time by account number so a large
 * area never sits in memory. Read in one REPEATABLE READ transaction, so the rollup, what is owed
 * and the live payments are one moment's; rows ordered as SQLite's tables give them.
 */
import type pg from 'pg';
import type { AccountHistory } from '../../../main/wire/backend-wire.js';
import type { RecoveryDashboardWire } from '../../../main/wire/recovery-wire.js';
import {
  addAccount,
  assembleDashboard,
  dashboardRange,
  modelGrade,
  rollupRows,
  ROLLUP_VERSION,
  shippedCreditRules,
  shippedLateFees,
  type LiveRow,
  type RollupOptions,
  type RollupRow,
  type Sums,
} from '../recovery-dashboard.js';

export const PG_RECOVERY_SCHEMA = `
CREATE TABLE IF NOT EXISTS recovery_rollup (
  period text NOT NULL, area text NOT NULL, customer_class text NOT NULL, grade text NOT NULL,
  billed_fen bigint NOT NULL, collected_fen bigint NOT NULL, collected_on_time_fen bigint NOT NULL,
  bills bigint NOT NULL, paid_bills bigint NOT NULL, late_fee_fen bigint NOT NULL,
  PRIMARY KEY (period, area, customer_class, grade));
CREATE TABLE IF NOT EXISTS recovery_grades (account_no text PRIMARY KEY, grade text NOT NULL);
`;

/** Accounts read (and their grades written) per round trip while building. */
const BUILD_CHUNK = 2000;
const ROLLUP_LOCK = 727002;
const CELL_ORDER = 'ORDER BY period COLLATE "C", area COLLATE "C", customer_class COLLATE "C", grade COLLATE "C"';

export class PgRecovery {
  constructor(private readonly pool: pg.Pool) {}

  /** As ensureRecoveryRollup: built once per database (its meta row), after the seed and before any payment. */
  async ensureRollup(opts: RollupOptions = {}): Promise<'built' | 'present'> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`);
      const meta = await c.query<{ value: string }>("SELECT value FROM meta WHERE key = 'recovery_rollup'");
      if (meta.rows[0]?.value === ROLLUP_VERSION) {
        await c.query('COMMIT');
        return 'present';
      }
      const lateFees = opts.lateFees ?? shippedLateFees();
      const credit = opts.credit ?? shippedCreditRules();
      const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
      await c.query('DELETE FROM recovery_rollup; DELETE FROM recovery_grades');
      const sums = new Map<string, Sums>();
      let after = '';
      for (;;) {
        const accounts = await c.query<{ account_no: string; address: string; customer_class: string; payment_mode: string; history_json: string | null }>(
          `SELECT account_no, address, customer_class, payment_mode, history_json FROM accounts WHERE account_no > $1 ORDER BY account_no LIMIT ${BUILD_CHUNK}`,
          [after],
        );
        if (accounts.rows.length === 0) break;
        const nos = accounts.rows.map((a) => a.account_no);
        const bills = await c.query<{ account_no: string; period: string; amount_fen: string; paid_fen: string; status: string; due_date: string }>(
          'SELECT account_no, period, amount_fen, paid_fen, status, due_date FROM bills WHERE account_no = ANY($1::text[]) ORDER BY account_no, period, bill_id',
          [nos],
        );
        const billsOf = new Map<string, { period: string; amountFen: number; paidFen: number; status: string; dueDate: string }[]>();
        for (const b of bills.rows) {
          const list = billsOf.get(b.account_no) ?? [];
          list.push({ period: b.period, amountFen: Number(b.amount_fen), paidFen: Number(b.paid_fen), status: b.status, dueDate: b.due_date });
          billsOf.set(b.account_no, list);
        }
        const grades: string[] = [];
        for (const a of accounts.rows) {
          const history = a.history_json === null ? null : (JSON.parse(a.history_json) as AccountHistory);
          const own = billsOf.get(a.account_no) ?? [];
          const grade = modelGrade({ paymentMode: a.payment_mode, history, bills: own }, asOf, credit);
          grades.push(grade);
          addAccount(sums, { address: a.address, customerClass: a.customer_class, grade, history, bills: () => own }, lateFees);
        }
        await c.query('INSERT INTO recovery_grades (account_no, grade) SELECT * FROM unnest($1::text[], $2::text[])', [nos, grades]);
        after = nos[nos.length - 1] as string;
      }
      const rows = rollupRows(sums);
      const col = <K extends keyof RollupRow>(k: K): RollupRow[K][] => rows.map((r) => r[k]);
      await c.query(
        `INSERT INTO recovery_rollup SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])`,
        [col('period'), col('area'), col('customer_class'), col('grade'), col('billed_fen'), col('collected_fen'), col('collected_on_time_fen'), col('bills'), col('paid_bills'), col('late_fee_fen')],
      );
      await c.query("INSERT INTO meta (key, value) VALUES ('recovery_rollup', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [ROLLUP_VERSION]);
      await c.query('COMMIT');
      return 'built';
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** As recoveryDashboard: null for a bad range. */
  async dashboard(search: URLSearchParams, nowIso: string): Promise<RecoveryDashboardWire | null> {
    const range = dashboardRange(search);
    if (range === null) return null;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const inRange = await c.query<RollupRow>(`SELECT * FROM recovery_rollup WHERE period >= $1 AND period <= $2 ${CELL_ORDER}`, [range.from, range.to]);
      const owed = await c.query<RollupRow>(`SELECT * FROM recovery_rollup WHERE bills > paid_bills OR billed_fen > collected_fen ${CELL_ORDER}`);
      const live = await c.query<LiveRow>(
        `SELECT b.period, b.due_date, b.status, b.late_fee_paid_fen, a.address, a.customer_class, COALESCE(g.grade, '—') AS grade,
                SUM(p.principal_fen) AS principal,
                SUM(CASE WHEN p.paid_on <= b.due_date THEN p.principal_fen ELSE 0 END) AS on_time
           FROM bill_payments p JOIN bills b ON b.bill_id = p.bill_id JOIN accounts a ON a.account_no = b.account_no
           LEFT JOIN recovery_grades g ON g.account_no = a.account_no
          GROUP BY b.bill_id, a.account_no, g.grade
          ORDER BY b.bill_id COLLATE "C"`,
      );
      await c.query('COMMIT');
      return assembleDashboard(range.from, range.to, nowIso, { range: inRange.rows.map(numbers), owed: owed.rows.map(numbers), live: live.rows.map(liveNumbers) });
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
}

/** bigint columns and sums come from `pg` as text. */
function numbers(r: RollupRow): RollupRow {
  return {
    ...r, billed_fen: Number(r.billed_fen), collected_fen: Number(r.collected_fen), collected_on_time_fen: Number(r.collected_on_time_fen),
    bills: Number(r.bills), paid_bills: Number(r.paid_bills), late_fee_fen: Number(r.late_fee_fen),
  };
}

function liveNumbers(l: LiveRow): LiveRow {
  return { ...l, late_fee_paid_fen: Number(l.late_fee_paid_fen), principal: Number(l.principal), on_time: Number(l.on_time) };
}
