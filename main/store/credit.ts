/**
 * The credit tables (migration v14): the grade in force per account (credit_current), every change
 * of it (credit_grades: the history of grades), managers' overrides (credit_overrides), and the
 * facts the model reads from the cache — the 24-month history and the cached bills with the day
 * each paid bill was settled.
 */
import type { AccountHistory } from '../wire/backend-wire.js';
import { parseHistory } from './account-history.js';
import { stmt, type Db } from './db.js';

export type GradeTrigger = 'first' | 'monthly' | 'fact' | 'override' | 'override_lifted';

export interface CurrentGradeRow {
  readonly accountNo: string;
  readonly score: number;
  readonly modelGrade: string;
  readonly grade: string;
  readonly reasonsJson: string;
  readonly overrideId: string | null;
  readonly evaluatedAt: string;
  readonly evaluatedOn: string;
}

export interface OverrideRow {
  readonly overrideId: string;
  readonly accountNo: string;
  readonly grade: string;
  readonly modelGrade: string;
  readonly reason: string;
  readonly operatorId: string;
  readonly createdAt: string;
}

export interface CreditFactsRow {
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly history: AccountHistory | undefined;
  readonly bills: { period: string; dueDate: string; status: 'open' | 'paid'; paidOn?: string }[];
}

/** The model's inputs for one account from the cache; undefined when the account is not cached. */
export function creditFactsOf(db: Db, accountNo: string): CreditFactsRow | undefined {
  const account = stmt(db, 'SELECT payment_mode AS paymentMode FROM accounts WHERE account_no = ?').get(accountNo) as { paymentMode: 'postpaid' | 'prepaid' } | undefined;
  if (account === undefined) return undefined;
  const json = stmt(db, 'SELECT history_json FROM account_history WHERE account_no = ?').pluck().get(accountNo) as string | undefined;
  const bills = (
    stmt(
      db,
      `SELECT period, due_date AS dueDate, status,
         (SELECT MAX(paid_on) FROM bill_payments p WHERE p.bill_id = b.bill_id) AS paidOn
       FROM bills b WHERE account_no = ? ORDER BY period`,
    ).all(accountNo) as { period: string; dueDate: string; status: 'open' | 'paid'; paidOn: string | null }[]
  ).map((b) => (b.paidOn === null ? { period: b.period, dueDate: b.dueDate, status: b.status } : { ...b, paidOn: b.paidOn }));
  return { paymentMode: account.paymentMode, history: json === undefined ? undefined : parseHistory(json), bills };
}

export function currentGrade(db: Db, accountNo: string): CurrentGradeRow | undefined {
  return stmt(
    db,
    `SELECT account_no AS accountNo, score, model_grade AS modelGrade, grade, reasons_json AS reasonsJson, override_id AS overrideId,
       evaluated_at AS evaluatedAt, evaluated_on AS evaluatedOn FROM credit_current WHERE account_no = ?`,
  ).get(accountNo) as CurrentGradeRow | undefined;
}

/** Writes the grade in force; call inside the caller's transaction. */
export function saveCurrentGrade(db: Db, row: CurrentGradeRow): void {
  stmt(
    db,
    `INSERT INTO credit_current (account_no, score, model_grade, grade, reasons_json, override_id, evaluated_at, evaluated_on)
     VALUES (@accountNo, @score, @modelGrade, @grade, @reasonsJson, @overrideId, @evaluatedAt, @evaluatedOn)
     ON CONFLICT (account_no) DO UPDATE SET score = excluded.score, model_grade = excluded.model_grade, grade = excluded.grade,
       reasons_json = excluded.reasons_json, override_id = excluded.override_id, evaluated_at = excluded.evaluated_at,
       evaluated_on = excluded.evaluated_on`,
  ).run(row);
}

export function recordGradeChange(db: Db, row: CurrentGradeRow, trigger: GradeTrigger): void {
  stmt(
    db,
    `INSERT INTO credit_grades (account_no, score, model_grade, grade, trigger, reasons_json, evaluated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.accountNo, row.score, row.modelGrade, row.grade, trigger, row.reasonsJson, row.evaluatedAt);
}

export function gradeHistory(db: Db, accountNo: string, limit: number): { grade: string; modelGrade: string; score: number; trigger: GradeTrigger; at: string }[] {
  return stmt(
    db,
    `SELECT grade, model_grade AS modelGrade, score, trigger, evaluated_at AS at FROM credit_grades
     WHERE account_no = ? ORDER BY seq DESC LIMIT ?`,
  ).all(accountNo, limit) as { grade: string; modelGrade: string; score: number; trigger: GradeTrigger; at: string }[];
}

export function activeOverride(db: Db, accountNo: string): OverrideRow | undefined {
  return stmt(
    db,
    `SELECT override_id AS overrideId, account_no AS accountNo, grade, model_grade AS modelGrade, reason, operator_id AS operatorId,
       created_at AS createdAt FROM credit_overrides WHERE account_no = ? AND lifted_at IS NULL ORDER BY created_at DESC LIMIT 1`,
  ).get(accountNo) as OverrideRow | undefined;
}

export function insertOverride(db: Db, row: OverrideRow): void {
  stmt(
    db,
    `INSERT INTO credit_overrides (override_id, account_no, grade, model_grade, reason, operator_id, created_at)
     VALUES (@overrideId, @accountNo, @grade, @modelGrade, @reason, @operatorId, @createdAt)`,
  ).run(row);
}

export function liftOverrides(db: Db, accountNo: string, by: string, at: string): number {
  return stmt(db, 'UPDATE credit_overrides SET lifted_at = ?, lifted_by = ? WHERE account_no = ? AND lifted_at IS NULL').run(at, by, accountNo).changes;
}

export interface GradingInputRow {
  readonly accountNo: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly historyJson: string | null;
  /** Cached bills as 'period|dueDate|status|paidOn' joined by ',' (null: none). */
  readonly bills: string | null;
  readonly currentGrade: string | null;
  readonly currentScore: number | null;
  readonly currentReasons: string | null;
  readonly overrideGrade: string | null;
  readonly overrideId: string | null;
}

/**
 * Every cached account with what grading it needs, in account order, `limit` after `after` — one
 * range scan of the accounts with an index lookup each for its history, bills, grade and override.
 */
export function gradingInputs(db: Db, after: string, limit: number): GradingInputRow[] {
  return stmt(
    db,
    `SELECT a.account_no AS accountNo, a.payment_mode AS paymentMode, h.history_json AS historyJson,
       (SELECT group_concat(period || '|' || due_date || '|' || status || '|' ||
          iif(status = 'paid', coalesce((SELECT MAX(paid_on) FROM bill_payments p WHERE p.bill_id = b.bill_id), ''), ''), ',')
        FROM bills b WHERE b.account_no = a.account_no) AS bills,
       c.grade AS currentGrade, c.score AS currentScore, c.reasons_json AS currentReasons,
       o.grade AS overrideGrade, o.override_id AS overrideId
     FROM accounts a
     LEFT JOIN account_history h ON h.account_no = a.account_no
     LEFT JOIN credit_current c ON c.account_no = a.account_no
     LEFT JOIN credit_overrides o ON o.account_no = a.account_no AND o.lifted_at IS NULL
     WHERE a.account_no > ? ORDER BY a.account_no LIMIT ?`,
  ).all(after, limit) as GradingInputRow[];
}
