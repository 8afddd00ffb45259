/**
 * Prepaid promotion as a use case: candidates ranked by the model (main/domain/credit/promotion.ts)
 * over the cached postpaid accounts, an offer per candidate recorded when made and answered (each
 * one transaction with its journal entry and outbox event), conversion read from the account
 * turning prepaid in a later snapshot.
 */
import { AppError, type CreditGradeView, type PromotionCandidateView, type PromotionListView, type PromotionOfferView } from '../../contract/index.js';
import { evaluateCredit, promotionCandidate, type CreditGradeLetter, type CreditRules, type PromotionRules } from '../../domain/credit/index.js';
import { cachedHistory } from '../../store/account-history.js';
import { creditFactsOf, currentGrade, gradingInputs } from '../../store/credit.js';
import type { Db } from '../../store/db.js';
import { uuidv7 } from '../../store/ids.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { accountName, answerOffer, insertOffer, latestOffers, offerById, offerByRequest, offerTotals, type OfferRow } from '../../store/promotion.js';
import { localDate, type Clock } from '../clock.js';

export interface PromotionServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly creditRules: CreditRules;
  readonly rules: PromotionRules;
}

export const PROMOTION_EVENTS = { offered: 'promotion.offered', answered: 'promotion.answered' } as const;

type Ranked = Omit<PromotionCandidateView, 'offer'>;

export class PromotionService {
  constructor(private readonly deps: PromotionServiceDeps) {}

  candidates(limit: number): PromotionListView {
    const { db } = this.deps;
    const asOf = localDate(this.deps.clock(), this.deps.timeZone);
    const found: Ranked[] = [];
    let after = '';
    for (;;) {
      const rows = gradingInputs(db, after, 2000);
      const last = rows.at(-1);
      if (last === undefined) break;
      after = last.accountNo;
      for (const row of rows) {
        if (row.paymentMode !== 'postpaid' || row.historyJson === null) continue;
        const ranked = this.rank(row.accountNo, row.historyJson, row.bills, row.currentGrade ?? row.overrideGrade, asOf);
        if (ranked !== null) found.push(ranked);
      }
    }
    found.sort((a, b) => b.rank - a.rank || a.accountNo.localeCompare(b.accountNo));
    const page = found.slice(0, limit);
    const offers = latestOffers(db, page.map((c) => c.accountNo));
    return {
      items: page.map((c) => {
        const offer = offers.get(c.accountNo);
        return { ...c, offer: offer === undefined ? null : offerView(offer) };
      }),
      candidates: found.length,
      totals: offerTotals(db),
    };
  }

  offer(requestId: string, accountNo: string, operatorId: string): PromotionOfferView {
    const { db, clock } = this.deps;
    return db.transaction(() => {
      const earlier = offerByRequest(db, requestId);
      if (earlier !== undefined) {
        if (earlier.accountNo !== accountNo) throw new AppError('promotion.request_conflict');
        return offerView(earlier);
      }
      const facts = creditFactsOf(db, accountNo);
      if (facts === undefined || facts.paymentMode !== 'postpaid' || facts.history === undefined) throw new AppError('promotion.not_candidate', { accountNo });
      const asOf = localDate(clock(), this.deps.timeZone);
      const billsText = facts.bills.map((b) => `${b.period}|${b.dueDate}|${b.status}|${b.paidOn ?? ''}`).join(',');
      const ranked = this.rank(accountNo, JSON.stringify(facts.history), billsText, currentGrade(db, accountNo)?.grade ?? null, asOf);
      if (ranked === null) throw new AppError('promotion.not_candidate', { accountNo });
      const at = clock().toISOString();
      const offerId = uuidv7(clock);
      const validUntil = new Date(clock().getTime() + this.deps.rules.offerValidDays * 86_400_000).toISOString().slice(0, 10);
      insertOffer(db, { offerId, requestId, accountNo, offerKind: ranked.offerKind, bonusFen: ranked.bonusFen, grade: ranked.grade, rank: ranked.rank, offeredBy: operatorId, offeredAt: at, validUntil });
      const payload = { offerId, accountNo, kind: ranked.offerKind, bonusFen: ranked.bonusFen, grade: ranked.grade, rank: ranked.rank, validUntil, operatorId, at };
      appendJournal(db, { type: PROMOTION_EVENTS.offered, ref: accountNo, actor: operatorId, at, payload });
      enqueueOutbox(db, { eventId: offerId, type: PROMOTION_EVENTS.offered, occurredAt: at, payload });
      const row = offerById(db, offerId);
      if (row === undefined) throw new Error('offer not written');
      return offerView(row);
    }).immediate();
  }

  respond(offerId: string, outcome: 'accepted' | 'declined', operatorId: string): PromotionOfferView {
    const { db, clock } = this.deps;
    return db.transaction(() => {
      const offer = offerById(db, offerId);
      if (offer === undefined) throw new AppError('promotion.offer_not_found');
      if (offer.status !== 'offered') throw new AppError('promotion.already_answered', { status: offer.status });
      const at = clock().toISOString();
      answerOffer(db, offerId, outcome, at);
      const payload = { offerId, accountNo: offer.accountNo, outcome, operatorId, at };
      appendJournal(db, { type: PROMOTION_EVENTS.answered, ref: offer.accountNo, actor: operatorId, at, payload });
      enqueueOutbox(db, { eventId: uuidv7(clock), type: PROMOTION_EVENTS.answered, occurredAt: at, payload });
      const row = offerById(db, offerId);
      if (row === undefined) throw new Error('offer vanished');
      return offerView(row);
    }).immediate();
  }

  private rank(accountNo: string, historyJson: string, billsText: string | null, gradeInForce: string | null, asOf: string): Ranked | null {
    const history = cachedHistory(historyJson);
    const bills = (billsText ?? '')
      .split(',')
      .filter((p) => p !== '')
      .map((part) => {
        const [period = '', dueDate = '', status = 'open', paidOn = ''] = part.split('|');
        const bill = { period, dueDate, status: status === 'paid' ? ('paid' as const) : ('open' as const) };
        return paidOn === '' ? bill : { ...bill, paidOn };
      });
    const evaluation = evaluateCredit({ asOf, paymentMode: 'postpaid', history, bills }, this.deps.creditRules);
    const grade = (gradeInForce ?? evaluation.grade) as CreditGradeLetter;
    const latePayments12 = evaluation.indicators.find((i) => i.indicator === 'late_payments')?.value ?? 0;
    const c = promotionCandidate({ paymentMode: 'postpaid', history, grade, latePayments12 }, this.deps.rules);
    if (c === null) return null;
    return {
      accountNo,
      name: accountName(this.deps.db, accountNo) ?? '',
      grade: grade as CreditGradeView,
      rank: c.rank,
      latePayments12: c.latePayments12,
      avgKwh: c.avgKwh,
      cvPercent: c.cvPercent,
      offerKind: c.offerId,
      bonusFen: c.bonusFen,
    };
  }
}

function offerView(row: OfferRow): PromotionOfferView {
  return {
    offerId: row.offerId,
    accountNo: row.accountNo,
    kind: row.offerKind,
    bonusFen: row.bonusFen,
    status: row.paymentMode === 'prepaid' ? 'converted' : row.status,
    offeredBy: row.offeredBy,
    offeredAt: row.offeredAt,
    validUntil: row.validUntil,
  };
}
