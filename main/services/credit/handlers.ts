/** The credit area's RPC handlers (main/contract/credit.ts) on the CreditService. */
import path from 'node:path';
import type { CreditMethodResults } from '../../contract/index.js';
import type { CreditRules } from '../../domain/credit/index.js';
import type { PromotionRules } from '../../domain/credit/index.js';
import { loadCreditRules } from '../../loaders/credit-rules.js';
import { loadPromotionRules } from '../../loaders/promotion-rules.js';
import { loadPointsRules } from '../../loaders/points-rules.js';
import type { PointsRules } from '../../domain/credit/points.js';
import { pointsBalance, recentPoints } from '../../store/points.js';
import { PromotionService } from './promotion-service.js';
import { resourcesDir } from '../../resources-dir.js';
import type { Handlers, Session } from '../dispatch.js';
import { CreditService, type CreditServiceDeps } from './credit-service.js';

type CreditHandlers = Pick<Handlers, keyof CreditMethodResults>;

export interface CreditArea {
  readonly service: CreditService;
  readonly handlers: CreditHandlers;
  /** Wraps money handlers so a commit for an account re-grades it at once (a late payment is a new fact). */
  regradeAfter<H extends Record<string, (params: never, session: Session) => unknown>>(handlers: H): H;
  /** Runs the monthly re-grading when a new month began, then every `intervalMs` checks again. */
  start(intervalMs: number): void;
  stop(): void;
}

export interface CreditAreaDeps extends Omit<CreditServiceDeps, 'rules'> {
  /** The model and handling by grade; resources/rules/credit.json when absent. */
  readonly rules?: CreditRules;
  /** Who is offered a prepaid meter, and what; resources/rules/promotion.json when absent. */
  readonly promotionRules?: PromotionRules;
  /** What a prepaid purchase earns; resources/rules/points.json when absent. */
  readonly pointsRules?: PointsRules;
  readonly log?: (line: string) => void;
}

export function createCreditArea(deps: CreditAreaDeps): CreditArea {
  const rules = deps.rules ?? loadCreditRules(path.join(resourcesDir(), 'rules', 'credit.json'));
  const service = new CreditService({ ...deps, rules });
  const promotion = new PromotionService({
    db: deps.db,
    clock: deps.clock,
    timeZone: deps.timeZone,
    creditRules: rules,
    rules: deps.promotionRules ?? loadPromotionRules(path.join(resourcesDir(), 'rules', 'promotion.json')),
  });
  const pointsRules = deps.pointsRules ?? loadPointsRules(path.join(resourcesDir(), 'rules', 'points.json'));
  const operatorOf = (s: Session): string => {
    if (!s.operator) throw new Error('dispatch let an anonymous session through');
    return s.operator.operatorId;
  };
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const monthly = () => {
    if (running) return;
    running = true;
    service
      .runMonthlyIfDue()
      .catch((err: unknown) => deps.log?.(`[credit] monthly re-grading failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (running = false));
  };
  return {
    service,
    handlers: {
      'credit.get': (p) => service.view(p.accountNo),
      'credit.override': (p, s) => service.override(p.accountNo, p.grade, p.reason, operatorOf(s)),
      'credit.liftOverride': (p, s) => service.liftOverride(p.accountNo, p.reason, operatorOf(s)),
      'credit.evaluateAll': () => service.evaluateAll('monthly'),
      'promotion.candidates': (p) => promotion.candidates(p.limit),
      'promotion.offer': (p, s) => promotion.offer(p.requestId, p.accountNo, operatorOf(s)),
      'promotion.respond': (p, s) => promotion.respond(p.offerId, p.outcome, operatorOf(s)),
      'points.balance': (p) => ({
        accountNo: p.accountNo,
        balance: pointsBalance(deps.db, p.accountNo, deps.clock().toISOString()),
        pointsPerYuan: pointsRules.pointsPerYuan,
        recent: recentPoints(deps.db, p.accountNo, pointsRules.recentEntries),
      }),
    },
    regradeAfter<H extends Record<string, (params: never, session: Session) => unknown>>(handlers: H): H {
      const wrapped: Record<string, (params: never, session: Session) => unknown> = {};
      for (const [name, handler] of Object.entries(handlers)) {
        wrapped[name] = async (params: never, session: Session) => {
          const result: unknown = await handler(params, session);
          const accountNo = (params as { accountNo?: unknown } | undefined)?.accountNo;
          if (typeof accountNo === 'string') {
            try {
              service.refresh(accountNo, 'fact');
            } catch (err) {
              // The money is committed; a grade that could not be refreshed now is refreshed at the next read.
              deps.log?.(`[credit] re-grading ${accountNo} after ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
            }
          }
          return result;
        };
      }
      return wrapped as H;
    },
    start(intervalMs) {
      // Not at once: the core's start (resumes, the first pull) comes first.
      timer = setInterval(monthly, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
