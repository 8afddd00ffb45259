/**
 * Credit grading as a use case: evaluates an account from the cache's facts with the model
 * (main/domain/credit), keeps the grade in force and the history of its changes, and takes a
 * manager's override (one transaction with its journal entry and outbox event). Evaluation runs
 *
 * - when the grade is read (`view`): whatever new fact the cache holds — a snapshot, a payment
 *   taken here — shows at once and, if it moves the score, becomes a 'fact' row of the history;
 * - after this terminal's money commits for an account (`refresh`, wired in main/core.ts);
 * - monthly for every cached account (`evaluateAll`; `runMonthlyIfDue` on the first call of a month).
 */
import { AppError, type CreditEvaluateAllView, type CreditView } from '../../contract/index.js';
import {
  CREDIT_GRADES,
  evaluateCredit,
  visitAdvice,
  type CreditEvaluation,
  type CreditFacts,
  type CreditGradeLetter,
  type CreditRules,
} from '../../domain/credit/index.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import { cachedHistory } from '../../store/account-history.js';
import {
  activeOverride,
  creditFactsOf,
  currentGrade,
  gradeHistory,
  gradingInputs,
  insertOverride,
  liftOverrides,
  recordGradeChange,
  saveCurrentGrade,
  type CurrentGradeRow,
  type GradeTrigger,
} from '../../store/credit.js';
import type { Db } from '../../store/db.js';
import { localDate, type Clock } from '../clock.js';

export interface CreditServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly rules: CreditRules;
  readonly operatorName: (operatorId: string) => string;
}

/** Outbox event types of the credit area (the backend stores them; the next snapshot need not carry them). */
export const CREDIT_EVENTS = { overridden: 'credit.overridden', overrideLifted: 'credit.override_lifted' } as const;

const BATCH = 2000;
const MONTHLY_KEY = 'credit.monthly_run';

export class CreditService {
  constructor(private readonly deps: CreditServiceDeps) {}

  /** The account's grade now, re-evaluated from the cache. */
  view(accountNo: string): CreditView {
    this.refresh(accountNo, 'fact');
    return this.present(accountNo);
  }

  /**
   * Re-evaluates one account and keeps the result; a changed score or grade is a history row
   * (`trigger`, or 'first' for an account never graded). Returns the evaluation.
   */
  refresh(accountNo: string, trigger: GradeTrigger): CreditEvaluation {
    const { db } = this.deps;
    return db.transaction(() => {
      const facts = creditFactsOf(db, accountNo);
      if (facts === undefined) throw new AppError('credit.no_account', { accountNo });
      const asOf = this.today();
      const evaluation = evaluateCredit({ asOf, paymentMode: facts.paymentMode, history: facts.history, bills: facts.bills }, this.deps.rules);
      const override = activeOverride(db, accountNo);
      this.keep(accountNo, evaluation, override?.grade ?? null, override?.overrideId ?? null, currentGrade(db, accountNo), trigger, asOf);
      return evaluation;
    }).immediate();
  }

  override(accountNo: string, grade: CreditGradeLetter, reason: string, operatorId: string): CreditView {
    const { db, clock } = this.deps;
    if (reason.trim().length < 4) throw new AppError('credit.reason_required');
    const evaluation = this.refresh(accountNo, 'fact');
    db.transaction(() => {
      const existing = activeOverride(db, accountNo);
      if (existing === undefined && grade === evaluation.grade) throw new AppError('credit.same_grade', { grade });
      const at = clock().toISOString();
      liftOverrides(db, accountNo, operatorId, at);
      const overrideId = uuidv7(clock);
      insertOverride(db, { overrideId, accountNo, grade, modelGrade: evaluation.grade, reason: reason.trim(), operatorId, createdAt: at });
      const payload = { overrideId, accountNo, grade, modelGrade: evaluation.grade, score: evaluation.score, reason: reason.trim(), operatorId, at };
      appendJournal(db, { type: CREDIT_EVENTS.overridden, ref: accountNo, actor: operatorId, at, payload });
      enqueueOutbox(db, { eventId: overrideId, type: CREDIT_EVENTS.overridden, occurredAt: at, payload });
      this.keep(accountNo, evaluation, grade, overrideId, currentGrade(db, accountNo), 'override', this.today(), true);
    }).immediate();
    return this.present(accountNo);
  }

  liftOverride(accountNo: string, reason: string, operatorId: string): CreditView {
    const { db, clock } = this.deps;
    if (reason.trim().length < 4) throw new AppError('credit.reason_required');
    const evaluation = this.refresh(accountNo, 'fact');
    db.transaction(() => {
      const existing = activeOverride(db, accountNo);
      if (existing === undefined) throw new AppError('credit.no_override', { accountNo });
      const at = clock().toISOString();
      liftOverrides(db, accountNo, operatorId, at);
      const eventId = uuidv7(clock);
      const payload = { overrideId: existing.overrideId, accountNo, grade: evaluation.grade, reason: reason.trim(), operatorId, at };
      appendJournal(db, { type: CREDIT_EVENTS.overrideLifted, ref: accountNo, actor: operatorId, at, payload });
      enqueueOutbox(db, { eventId, type: CREDIT_EVENTS.overrideLifted, occurredAt: at, payload });
      this.keep(accountNo, evaluation, null, null, currentGrade(db, accountNo), 'override_lifted', this.today(), true);
    }).immediate();
    return this.present(accountNo);
  }

  /** Re-grades every cached account, a batch per transaction; the history records only changes. */
  async evaluateAll(trigger: GradeTrigger = 'monthly'): Promise<CreditEvaluateAllView> {
    const { db, rules } = this.deps;
    const asOf = this.today();
    const byGrade: Record<CreditGradeLetter, number> = { AAA: 0, AA: 0, A: 0, B: 0, C: 0 };
    let evaluated = 0;
    let changed = 0;
    let after = '';
    for (;;) {
      const rows = gradingInputs(db, after, BATCH);
      const last = rows.at(-1);
      if (last === undefined) break;
      after = last.accountNo;
      db.transaction(() => {
        for (const row of rows) {
          const facts: CreditFacts = {
            asOf,
            paymentMode: row.paymentMode,
            history: row.historyJson === null ? undefined : cachedHistory(row.historyJson),
            bills: parseBills(row.bills),
          };
          const evaluation = evaluateCredit(facts, rules);
          const current = row.currentGrade === null ? undefined : ({ grade: row.currentGrade, score: row.currentScore } as Pick<CurrentGradeRow, 'grade' | 'score'>);
          // Nothing moved (the common case of a monthly run): no write at all.
          if (current !== undefined && row.currentScore === evaluation.score && row.currentGrade === (row.overrideGrade ?? evaluation.grade) && row.currentReasons === JSON.stringify(evaluation.reasons)) {
            byGrade[(row.overrideGrade ?? evaluation.grade) as CreditGradeLetter] += 1;
            evaluated += 1;
            continue;
          }
          if (this.keep(row.accountNo, evaluation, row.overrideGrade, row.overrideId, current, trigger, asOf)) changed += 1;
          byGrade[(row.overrideGrade ?? evaluation.grade) as CreditGradeLetter] += 1;
          evaluated += 1;
        }
      }).immediate();
      // A million accounts take a while: let calls and I/O in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(MONTHLY_KEY, asOf.slice(0, 7));
    return { evaluated, changed, byGrade };
  }

  /** The monthly re-grading, once per calendar month of the terminal: null when this month's has run. */
  async runMonthlyIfDue(): Promise<CreditEvaluateAllView | null> {
    const done = this.deps.db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(MONTHLY_KEY) as string | undefined;
    if (done === this.today().slice(0, 7)) return null;
    return this.evaluateAll('monthly');
  }

  private today(): string {
    return localDate(this.deps.clock(), this.deps.timeZone);
  }

  /**
   * Saves the grade in force; a history row when the score or grade moved (or `force`). Returns
   * whether anything moved. Runs inside the caller's transaction.
   */
  private keep(
    accountNo: string,
    evaluation: CreditEvaluation,
    overrideGrade: string | null,
    overrideId: string | null,
    current: Pick<CurrentGradeRow, 'grade' | 'score'> | undefined,
    trigger: GradeTrigger,
    asOf: string,
    force = false,
  ): boolean {
    const row: CurrentGradeRow = {
      accountNo,
      score: evaluation.score,
      modelGrade: evaluation.grade,
      grade: overrideGrade ?? evaluation.grade,
      reasonsJson: JSON.stringify(evaluation.reasons),
      overrideId,
      evaluatedAt: this.deps.clock().toISOString(),
      evaluatedOn: asOf,
    };
    saveCurrentGrade(this.deps.db, row);
    const moved = current === undefined || current.grade !== row.grade || current.score !== row.score;
    if (moved || force) recordGradeChange(this.deps.db, row, current === undefined && !force ? 'first' : trigger);
    return moved;
  }

  private present(accountNo: string): CreditView {
    const { db, rules } = this.deps;
    const row = currentGrade(db, accountNo);
    if (row === undefined) throw new AppError('credit.no_account', { accountNo });
    const facts = creditFactsOf(db, accountNo);
    const overdue = (facts?.bills ?? []).some((b) => b.status === 'open' && b.dueDate < row.evaluatedOn);
    const grade = row.grade as CreditGradeLetter;
    const { grade: _g, ...advice } = visitAdvice(rules, grade, facts?.paymentMode === 'postpaid', overdue);
    const override = activeOverride(db, accountNo);
    return {
      accountNo,
      grade,
      modelGrade: row.modelGrade as CreditGradeLetter,
      score: row.score,
      reasons: JSON.parse(row.reasonsJson) as CreditView['reasons'],
      advice,
      override:
        override === undefined
          ? null
          : {
              overrideId: override.overrideId,
              grade: override.grade as CreditGradeLetter,
              reason: override.reason,
              operatorId: override.operatorId,
              operatorName: this.deps.operatorName(override.operatorId),
              createdAt: override.createdAt,
            },
      history: gradeHistory(db, accountNo, 24).map((h) => ({ ...h, grade: h.grade as CreditGradeLetter, modelGrade: h.modelGrade as CreditGradeLetter })),
      factsKnown: facts?.history !== undefined,
      evaluatedAt: row.evaluatedAt,
    };
  }
}

function parseBills(text: string | null): CreditFacts['bills'] {
  if (text === null || text === '') return [];
  return text.split(',').map((part) => {
    const [period = '', dueDate = '', status = 'open', paidOn = ''] = part.split('|');
    const bill = { period, dueDate, status: status === 'paid' ? ('paid' as const) : ('open' as const) };
    return paidOn === '' ? bill : { ...bill, paidOn };
  });
}

/** Grades in order, best first (for the UI's override picker and the dashboard's by-grade axis). */
export const GRADES_BEST_FIRST: readonly CreditGradeLetter[] = CREDIT_GRADES;
