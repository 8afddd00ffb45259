/**
 * Recommendations at the counter (docs/service.md): each with the reason the clerk reads out, the
 * time-of-use saving computed from the customer's own last 12 months (main/domain/service/
 * recommendations.ts on resources/tariffs), and the customer's answer recorded (journal + outbox).
 * A declined recommendation rests for the rules' quiet days; an accepted one is shown as accepted.
 */
import { AppError, type OperatorView, type RecommendationKind, type RecommendationView } from '../../contract/index.js';
import { compareTou, seasonOf } from '../../domain/service/recommendations.js';
import { localDateIn } from '../../domain/service/working-days.js';
import { formatFen } from '../../domain/money.js';
import { getHistory } from '../../store/account-history.js';
import { accountFacts, billedConsumption, counterPaymentsSince, insertResponse, latestResponses } from '../../store/service.js';
import type { AccountHistory } from '../../wire/backend-wire.js';
import type { ServiceContext } from './service-context.js';

const DAY_MS = 86_400_000;

/** The 12 billing periods before the current month, oldest first ('YYYY-MM'). */
export function lastTwelvePeriods(today: string): string[] {
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
    out.unshift(`${y}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

/** Months of the history's window by period (its arrays end at `to`). */
function historyMonths<T>(h: AccountHistory, series: readonly T[] | undefined): Map<string, T> {
  const out = new Map<string, T>();
  if (!series) return out;
  let y = Number(h.to.slice(0, 4));
  let m = Number(h.to.slice(5, 7));
  for (let i = series.length - 1; i >= 0; i--) {
    out.set(`${y}-${String(m).padStart(2, '0')}`, series[i] as T);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}

export class Recommendations {
  constructor(private readonly ctx: ServiceContext) {}

  async list(accountNo: string): Promise<{ items: RecommendationView[]; source: 'online' | 'cache' }> {
    const fresh = await this.ctx.deps.fetchAccount(accountNo).catch(() => null);
    const facts = accountFacts(this.ctx.db, accountNo);
    if (!facts && !fresh) throw new AppError('account.not_found');
    const history = fresh?.history ?? getHistory(this.ctx.db, accountNo) ?? null;
    return { items: this.offers(accountNo, facts ?? { customer_class: fresh?.customerClass ?? '', payment_mode: fresh?.paymentMode ?? '', tariff_code: fresh?.tariffCode ?? '', credit_grade: fresh?.creditGrade ?? '' }, history), source: fresh ? 'online' : 'cache' };
  }

  async respond(accountNo: string, kind: RecommendationKind, response: 'accepted' | 'declined', op: OperatorView): Promise<{ recorded: true }> {
    const { items } = await this.list(accountNo);
    const offer = items.find((i) => i.kind === kind);
    if (!offer) throw new AppError('recommendation.not_offered', { kind });
    const at = this.ctx.now().toISOString();
    const responseId = this.ctx.newId();
    this.ctx.db
      .transaction(() => {
        insertResponse(this.ctx.db, { response_id: responseId, account_no: accountNo, kind, response, reason_key: offer.reasonKey, saving_fen: offer.tou?.savingFen ?? null, operator_id: op.operatorId, created_at: at });
        this.ctx.record('recommendation.responded', responseId, op.operatorId, {
          responseId,
          accountNo,
          kind,
          response,
          reasonKey: offer.reasonKey,
          savingFen: offer.tou?.savingFen ?? null,
          operatorId: op.operatorId,
          hallId: this.ctx.hallId,
          respondedAt: at,
        });
      })
      .immediate();
    this.ctx.deps.afterCommit();
    return { recorded: true };
  }

  private offers(accountNo: string, facts: { customer_class: string; payment_mode: string; tariff_code: string; credit_grade: string }, history: AccountHistory | null): RecommendationView[] {
    const { rules, tariffs, config } = this.ctx.deps;
    const r = rules.recommendations;
    const now = this.ctx.now();
    const today = localDateIn(now, config.timeZone);
    const periods = lastTwelvePeriods(today);
    const kwh = history ? historyMonths(history, history.kwh) : new Map<string, number>();
    const billed = billedConsumption(this.ctx.db, accountNo);
    const months = periods.map((p) => (kwh.has(p) ? (kwh.get(p) as number) * 100 : (billed.get(p) ?? null)));
    const out: RecommendationView[] = [];

    const current = tariffs.get(facts.tariff_code);
    const tou = tariffs.get(r.tou.touTariff);
    if (current && tou && r.tou.fromTariffs.includes(facts.tariff_code)) {
      const cmp = compareTou(current, tou, months);
      if (cmp && cmp.savingFen >= r.tou.minAnnualSavingFen) {
        out.push({
          kind: 'tou',
          reasonKey: 'service.recommend.reasons.tou',
          reasonVars: { saving: formatFen(cmp.savingFen), current: formatFen(cmp.currentFen), tou: formatFen(cmp.touFen) },
          tou: { currentFen: cmp.currentFen, touFen: cmp.touFen, savingFen: cmp.savingFen, monthsKwh: cmp.monthsCkwh.map((c) => Math.round(c / 100)) },
          accepted: false,
        });
      }
    }
    if (facts.payment_mode === 'postpaid') {
      const late = history ? historyMonths(history, history.late) : new Map<string, number>();
      const bills = history ? historyMonths(history, history.billed) : new Map<string, number>();
      const lateBills = periods.filter((p) => (bills.get(p) ?? 0) > 0 && (late.get(p) ?? 0) !== 0).length;
      if (lateBills >= r.prepaid.minLateBills) out.push(plain('prepaid', 'service.recommend.reasons.prepaid', { late: lateBills }));
      else if (!history && (facts.credit_grade === 'C' || facts.credit_grade === 'D')) out.push(plain('prepaid', 'service.recommend.reasons.prepaidGrade', { grade: facts.credit_grade }));
      const paid = counterPaymentsSince(this.ctx.db, accountNo, new Date(now.getTime() - 365 * DAY_MS).toISOString());
      if (paid >= r.ebilling.minCounterPayments) out.push(plain('ebilling', 'service.recommend.reasons.ebilling', { payments: paid }));
    }
    const season = seasonOf(Number(today.slice(5, 7)), r.seasons);
    const lastYearSame = months[0] === null ? null : Math.round((months[0] as number) / 100);
    out.push(plain('season_tip', `service.recommend.reasons.season_${season}`, { kwh: lastYearSame ?? '—' }));

    // The customer's answers: accepted ones stay (marked), declined ones rest for the quiet days.
    const answers = latestResponses(this.ctx.db, accountNo);
    return out.flatMap((o) => {
      const a = answers.get(o.kind);
      if (!a) return [o];
      if (a.response === 'accepted') return [{ ...o, accepted: true }];
      return now.getTime() - Date.parse(a.created_at) < r.declinedQuietDays * DAY_MS ? [] : [o];
    });
  }
}

function plain(kind: RecommendationKind, reasonKey: string, reasonVars: Record<string, string | number>): RecommendationView {
  return { kind, reasonKey, reasonVars, tou: null, accepted: false };
}
