/**
 * The customer display and counter ratings (docs/service.md). The clerk's session pairs a display
 * with a one-time code; the display's own session (never signed in) attaches with it and from then
 * on sees the clerk's newest counter transaction within the rating window, until it is rated. The
 * pairing lives in memory: a restart, a new pairing by the clerk or the clerk's sign-out ends it.
 *
 * A rating is one SQLite transaction: the ratings row (the kiosk's table, with hall, terminal and
 * the transaction's outcome), its journal entry and the rating.created outbox event.
 */
import { randomBytes } from 'node:crypto';
import { AppError, RATING_REASONS, type DisplayView, type RatingOutcomeView } from '../../contract/index.js';
import { counterTransaction, insertCounterRating, latestCounterTransaction, operatorName, printFailedFor, ratedAt, ratingExists, type CounterTransaction } from '../../store/service.js';
import type { Session } from '../dispatch.js';
import type { ServiceContext } from './service-context.js';

/** How long the display thanks the customer before it returns to idle. */
const THANKS_MS = 8_000;

interface Pairing {
  readonly code: string;
  /** The clerk's session and operator: the display shows their transactions. */
  readonly clerkSessionId: string;
  readonly operatorId: string;
  /** Transactions before the pairing are not offered. */
  readonly since: string;
  displaySessionId: string | null;
  /** The last transaction rated on this display, shown as "thanks" until the next one. */
  lastRated: string | null;
}

export class CustomerDisplay {
  private readonly byCode = new Map<string, Pairing>();
  /** First look at an account per clerk (operator → account → ms), for the service time outcome. */
  private readonly firstLook = new Map<string, Map<string, number>>();

  constructor(private readonly ctx: ServiceContext) {}

  pair(clerk: Session): { code: string } {
    const operator = clerk.operator;
    if (!operator) throw new AppError('auth.not_signed_in');
    for (const [code, p] of this.byCode) if (p.operatorId === operator.operatorId || p.clerkSessionId === clerk.id) this.byCode.delete(code);
    const code = randomBytes(16).toString('hex');
    this.byCode.set(code, { code, clerkSessionId: clerk.id, operatorId: operator.operatorId, since: this.ctx.now().toISOString(), displaySessionId: null, lastRated: null });
    return { code };
  }

  attach(display: Session, code: string): DisplayView {
    if (display.operator) throw new AppError('display.staff_session');
    const p = this.byCode.get(code);
    if (!p || p.clerkSessionId === display.id) throw new AppError('display.not_paired');
    // One display per pairing: a second window with the same code takes over (the old one is idle).
    p.displaySessionId = display.id;
    return this.view(p);
  }

  current(display: Session): DisplayView {
    return this.view(this.pairingOf(display));
  }

  /** The clerk looked at an account: the start of serving that customer. */
  noteLookup(session: Session, accountNo: string): void {
    const op = session.operator?.operatorId;
    if (!op) return;
    const looks = this.firstLook.get(op) ?? new Map<string, number>();
    if (!looks.has(accountNo)) looks.set(accountNo, this.ctx.now().getTime());
    // Bounded: a clerk serves a handful of customers at a time.
    if (looks.size > 50) looks.delete(looks.keys().next().value as string);
    this.firstLook.set(op, looks);
  }

  rate(display: Session, transactionId: string, score: number, reasons: readonly string[]): { ratingId: string; transactionId: string; score: number } {
    if (display.operator) throw new AppError('display.staff_session');
    const p = this.pairingOf(display);
    const open = this.ratable(p);
    if (!open || open.transactionId !== transactionId) {
      if (ratingExists(this.ctx.db, transactionId)) throw new AppError('rating.already_rated');
      throw new AppError('rating.not_open');
    }
    const tx = counterTransaction(this.ctx.db, transactionId);
    if (!tx || tx.operatorId !== p.operatorId) throw new AppError('rating.not_open');
    const outcome = this.outcomeOf(tx);
    const ratingId = this.ctx.newId();
    const ratedAt = this.ctx.now().toISOString();
    const { config } = this.ctx.deps;
    const payload = {
      ratingId,
      transactionId,
      transactionKind: tx.kind,
      accountNo: tx.accountNo,
      score,
      reasons: [...reasons],
      operatorId: p.operatorId,
      channel: 'counter' as const,
      ratedAt,
      hallId: this.ctx.hallId,
      outcome,
    };
    this.ctx.db
      .transaction(() => {
        // Checked again inside the write lock: two displays (or a retry) racing get one rating.
        if (ratingExists(this.ctx.db, transactionId)) throw new AppError('rating.already_rated');
        insertCounterRating(this.ctx.db, {
          rating_id: ratingId,
          transaction_id: transactionId,
          transaction_kind: tx.kind,
          account_no: tx.accountNo,
          score,
          reasons_json: JSON.stringify(payload.reasons),
          operator_id: p.operatorId,
          channel: 'counter',
          created_at: ratedAt,
          hall_id: this.ctx.hallId,
          terminal_id: config.terminalId,
          outcome_json: JSON.stringify(outcome),
        });
        this.ctx.record('rating.created', transactionId, `display:${config.terminalId}`, payload);
      })
      .immediate();
    p.lastRated = transactionId;
    this.firstLook.get(p.operatorId)?.delete(tx.accountNo);
    this.ctx.deps.afterCommit();
    return { ratingId, transactionId, score };
  }

  /** A clerk's session ended or signed out: their display pairing ends with it. */
  endFor(sessionId: string): void {
    for (const [code, p] of this.byCode) if (p.clerkSessionId === sessionId) this.byCode.delete(code);
  }

  private pairingOf(display: Session): Pairing {
    for (const p of this.byCode.values()) if (p.displaySessionId === display.id) return p;
    throw new AppError('display.not_paired');
  }

  private ratable(p: Pairing): CounterTransaction | null {
    const windowMs = this.ctx.deps.rules.ratings.windowMinutes * 60_000;
    const since = new Date(Math.max(Date.parse(p.since), this.ctx.now().getTime() - windowMs)).toISOString();
    const tx = latestCounterTransaction(this.ctx.db, p.operatorId, since);
    if (!tx || ratingExists(this.ctx.db, tx.transactionId)) return null;
    return tx;
  }

  private outcomeOf(tx: CounterTransaction & { readonly operatorId: string }): RatingOutcomeView {
    const looked = this.firstLook.get(tx.operatorId)?.get(tx.accountNo);
    const at = Date.parse(tx.at);
    const serviceSeconds = looked !== undefined && looked <= at ? Math.round((at - looked) / 1000) : null;
    return {
      printFailed: printFailedFor(this.ctx.db, tx.transactionId),
      longService: serviceSeconds !== null && serviceSeconds > this.ctx.deps.rules.ratings.longServiceMinutes * 60,
      serviceSeconds,
    };
  }

  private view(p: Pairing): DisplayView {
    const clerkName = operatorName(this.ctx.db, p.operatorId);
    const tx = this.ratable(p);
    if (tx) return { state: 'rate', clerkName, transaction: { transactionId: tx.transactionId, kind: tx.kind, amountFen: tx.amountFen, at: tx.at }, reasons: RATING_REASONS };
    return { state: this.recentlyRated(p) ? 'thanks' : 'idle', clerkName, transaction: null, reasons: RATING_REASONS };
  }

  private recentlyRated(p: Pairing): boolean {
    // The thanks screen shows briefly; the display then returns to idle for the next customer.
    const at = p.lastRated === null ? null : ratedAt(this.ctx.db, p.lastRated);
    return at !== null && this.ctx.now().getTime() - Date.parse(at) < THANKS_MS;
  }
}
