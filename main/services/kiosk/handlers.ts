/**
 * Kiosk handlers for the core's dispatch (the self-service visit, docs/kiosk.md). Owned by the
 * kiosk area; core.ts spreads them into the handler map.
 */
import { AppError } from '../../contract/index.js';
import type { TerminalConfig } from '../../config.js';

export interface KioskDeps {
  readonly config: TerminalConfig;
}

const notYet = (): never => {
  throw new AppError('kiosk.function_unavailable', { function: 'all', reason: 'not_built' });
};

/** The kiosk's handlers; the visit service behind them lands next (contract first). */
export function createKioskHandlers(deps: KioskDeps) {
  const guard = (): never => {
    if (deps.config.mode !== 'kiosk') throw new AppError('kiosk.not_kiosk_mode');
    return notYet();
  };
  return {
    'kiosk.status': guard,
    'kiosk.begin': guard,
    'kiosk.setLocale': guard,
    'kiosk.extend': guard,
    'kiosk.identify': guard,
    'kiosk.verify': guard,
    'kiosk.account': guard,
    'kiosk.quoteBills': guard,
    'kiosk.quoteVend': guard,
    'kiosk.order.create': guard,
    'kiosk.order.status': guard,
    'kiosk.order.cancel': guard,
    'kiosk.deliver': guard,
    'kiosk.rate': guard,
    'kiosk.end': guard,
    'kiosk.staffExit': guard,
    'kiosk.supplies': guard,
  } as const;
}
