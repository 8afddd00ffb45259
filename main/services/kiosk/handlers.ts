/**
 * Kiosk handlers for the core's dispatch (the self-service visit, docs/kiosk.md), and the kiosk's
 * rules for sessions: in `mode: "kiosk"` every new session is the kiosk's customer session (role
 * 'kiosk', no PIN), staff sign-in is refused except through `kiosk.staffExit`, and a staff session
 * that ends (sign-out, idle, revoked) returns to the kiosk. Owned by the kiosk area; core.ts
 * spreads the handlers into its map.
 */
import { AppError, type KioskOrderView, type OperatorView } from '../../contract/index.js';
import type { Locale } from '../../i18n/locales.js';
import type { Session, SessionGuard } from '../dispatch.js';
import type { KioskService } from './kiosk-service.js';

export { KioskService } from './kiosk-service.js';

/** Sign-in on a kiosk goes through the staff exit only; the kiosk's own role never signs in by PIN. */
export function refuseSignInOnKiosk(kiosk: KioskService): void {
  if (kiosk.enabled) throw new AppError('kiosk.staff_exit_only');
}

/** A signed-in operator with the kiosk role from a staff list is not a person: refused on a counter too. */
export function refuseKioskRoleSignIn(op: OperatorView): OperatorView {
  if (op.role === 'kiosk') throw new AppError('auth.forbidden', { role: op.role });
  return op;
}

/**
 * The session guard on a kiosk: the kiosk's own session never idles out nor leaves the staff list
 * (it is not on it; a visit has its own idle limit); a staff session that ends returns to the kiosk.
 */
export function kioskSessionGuard(kiosk: KioskService, staffGuard: SessionGuard): SessionGuard {
  return {
    admit(session: Session) {
      const kioskOp = kiosk.sessionOperator();
      if (kioskOp !== null && session.operator?.operatorId === kioskOp.operatorId) return null;
      const ended = staffGuard.admit(session);
      if (session.operator === null && kioskOp !== null) session.operator = kioskOp;
      return ended;
    },
  };
}

type BillsChoice = 'all' | string[];
type OrderParams =
  | { visitId: string; what: 'bills'; bills: BillsChoice; quoteDigest: string }
  | { visitId: string; what: 'vend'; amount: string; quoteDigest: string };

export function createKioskHandlers(kiosk: KioskService) {
  const visit = (s: Session, visitId: string, activity = true) => kiosk.visitOf(s, visitId, activity);
  return {
    'kiosk.status': (_p: Record<string, never>, s: Session) => kiosk.status(s),
    'kiosk.begin': (p: { locale: Locale }, s: Session) => kiosk.begin(s, p.locale),
    'kiosk.setLocale': (p: { visitId: string; locale: Locale }, s: Session) => kiosk.setLocale(visit(s, p.visitId), p.locale),
    'kiosk.extend': (p: { visitId: string }, s: Session) => kiosk.extend(visit(s, p.visitId)),
    'kiosk.identify': (p: { visitId: string; by: 'card' | 'barcode' | 'number'; value?: string | undefined }, s: Session) =>
      kiosk.identify(visit(s, p.visitId), p.by, p.value),
    'kiosk.verify': (p: { visitId: string; phoneLast4: string }, s: Session) => kiosk.verify(visit(s, p.visitId), p.phoneLast4),
    'kiosk.account': (p: { visitId: string }, s: Session) => kiosk.account(visit(s, p.visitId)),
    'kiosk.quoteBills': (p: { visitId: string; bills: BillsChoice }, s: Session) => kiosk.quoteBills(visit(s, p.visitId), p.bills),
    'kiosk.quoteVend': (p: { visitId: string; amount: string }, s: Session) => kiosk.quoteVend(visit(s, p.visitId), p.amount),
    'kiosk.order.create': (p: OrderParams, s: Session): Promise<KioskOrderView> => {
      const v = visit(s, p.visitId);
      return p.what === 'bills'
        ? kiosk.createOrder(v, { what: 'bills', bills: p.bills, quoteDigest: p.quoteDigest })
        : kiosk.createOrder(v, { what: 'vend', amount: p.amount, quoteDigest: p.quoteDigest });
    },
    // Polling is not activity: a customer who walked away from the QR code is not kept "present".
    'kiosk.order.status': (p: { visitId: string }, s: Session) => kiosk.orderStatus(visit(s, p.visitId, false)),
    'kiosk.order.cancel': (p: { visitId: string }, s: Session) => kiosk.cancelOrder(visit(s, p.visitId)),
    'kiosk.deliver': (p: { visitId: string }, s: Session) => kiosk.deliver(visit(s, p.visitId)),
    'kiosk.rate': (p: { visitId: string; transactionId: string; score: number; reasons: string[] }, s: Session) =>
      kiosk.rate(visit(s, p.visitId), p.transactionId, p.score, p.reasons),
    'kiosk.end': (p: { visitId: string }, s: Session) => kiosk.endVisit(visit(s, p.visitId), 'ended'),
    'kiosk.staffCard': (_p: Record<string, never>, s: Session) => kiosk.staffCard(s),
    'kiosk.staffExit': (p: { via: 'keypad'; operatorId: string; pin: string } | { via: 'card'; pin: string }, s: Session) => kiosk.staffExit(s, p),
    'kiosk.supplies': (_p: { paperLoaded: true }, s: Session) => kiosk.supplies(s),
  } as const;
}
