/**
 * The service area (docs/service.md), built by core.ts: the customer display and its ratings,
 * ratings reports, complaints (with the escalation sweep on a timer), service applications and
 * recommendations, behind the contract's methods.
 */
import type { Handlers, Session } from '../dispatch.js';
import type { OperatorView, ServiceMethodResults } from '../../contract/index.js';
import { Applications } from './applications.js';
import { Complaints } from './complaints.js';
import { CustomerDisplay } from './customer-display.js';
import { ratingReport } from './rating-report.js';
import { Recommendations } from './recommendations.js';
import { ServiceContext, type ServiceDeps } from './service-context.js';

type ServiceHandlers = Pick<Handlers, keyof ServiceMethodResults>;

export interface ServiceArea {
  readonly handlers: ServiceHandlers;
  readonly display: CustomerDisplay;
  readonly complaints: Complaints;
  /** Starts the escalation sweep (every `sweepMs`). */
  start(sweepMs: number): void;
  close(): void;
}

export function createServiceArea(deps: ServiceDeps): ServiceArea {
  const ctx = new ServiceContext(deps);
  const display = new CustomerDisplay(ctx);
  const complaints = new Complaints(ctx);
  const applications = new Applications(ctx);
  const recommendations = new Recommendations(ctx);
  const op = (s: Session): OperatorView => {
    if (!s.operator) throw new Error('dispatch let an anonymous session through');
    return s.operator;
  };
  let timer: NodeJS.Timeout | null = null;

  const handlers: ServiceHandlers = {
    'display.pair': (_p, s) => display.pair(s),
    'display.attach': (p, s) => display.attach(s, p.code),
    'display.current': (_p, s) => display.current(s),
    'display.rate': (p, s) => display.rate(s, p.transactionId, p.score, p.reasons),
    'rating.report': (p) => ratingReport(ctx, p.from, p.to, p.groupBy),
    'complaint.create': (p, s) => complaints.create(p, op(s)),
    'complaint.list': (p) => ({ items: complaints.list(p.include), categories: deps.rules.complaints.categories }),
    'complaint.get': (p) => complaints.get(p.complaintId),
    'complaint.reply': (p, s) => complaints.reply(p.complaintId, p.note, op(s)),
    'complaint.resolve': (p, s) => complaints.resolve(p.complaintId, p.closingNote, op(s)),
    'complaint.confirm': (p, s) => complaints.confirm(p.complaintId, p.satisfied, p.note, op(s)),
    'application.types': () => ({ types: applications.types() }),
    'application.create': (p, s) => applications.create(p, op(s)),
    'application.documents': (p, s) => applications.documents(p.applicationId, p.documents, op(s)),
    'application.advance': (p, s) => applications.advance(p.applicationId, p.status, p.note, op(s)),
    'application.get': (p) => applications.get(p.applicationId),
    'application.list': (p) => ({ items: applications.list(p.accountNo ?? null) }),
    'application.printSlip': (p, s) => applications.printSlip(p.applicationId, p.locale, op(s)),
    'recommendation.list': (p) => recommendations.list(p.accountNo),
    'recommendation.respond': (p, s) => recommendations.respond(p.accountNo, p.kind, p.response, op(s)),
  };

  return {
    handlers,
    display,
    complaints,
    start(sweepMs) {
      timer = setInterval(() => {
        try {
          complaints.sweep();
        } catch (err) {
          console.error('[service] complaint sweep failed:', err);
        }
      }, sweepMs);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
