/**
 * The drawer's arithmetic. What the drawer should hold is derived from what the terminal recorded
 * (float, cash taken, cash paid out, cash in and out); the clerk counts it blind, before seeing
 * that figure; the difference decides whether a supervisor must approve the close.
 */
import type { ShiftRules } from './rules.js';

/** The cash movements of one shift, each a sum in fen (all ≥ 0). */
export interface DrawerMovements {
  readonly floatFen: number;
  /** Cash customers paid: counter payments in cash plus cash vends that were paid and not reversed. */
  readonly cashTakenFen: number;
  /** Cash put into the drawer during the shift (change fund, float top-up). */
  readonly cashInFen: number;
  /** Cash taken out (bank deposit, change returned) and cash paid back to customers (refunds, reversals). */
  readonly cashOutFen: number;
}

/** What the drawer should hold: float + taken + in − out. */
export function expectedCash(m: DrawerMovements): number {
  for (const v of [m.floatFen, m.cashTakenFen, m.cashInFen, m.cashOutFen]) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`drawer sums must be whole fen ≥ 0, got ${v}`);
  }
  return m.floatFen + m.cashTakenFen + m.cashInFen - m.cashOutFen;
}

export type DrawerOutcome = 'balanced' | 'short' | 'over';

export interface DrawerDifference {
  readonly expectedFen: number;
  readonly countedFen: number;
  /** counted − expected: negative = short (money missing), positive = over. */
  readonly differenceFen: number;
  readonly outcome: DrawerOutcome;
  /** |difference| above the rules' limit: closing needs a supervisor's approval and a reason. */
  readonly approvalRequired: boolean;
}

export function drawerDifference(rules: Pick<ShiftRules, 'differenceApprovalFen'>, expectedFen: number, countedFen: number): DrawerDifference {
  const differenceFen = countedFen - expectedFen;
  return {
    expectedFen,
    countedFen,
    differenceFen,
    outcome: differenceFen === 0 ? 'balanced' : differenceFen < 0 ? 'short' : 'over',
    approvalRequired: Math.abs(differenceFen) > rules.differenceApprovalFen,
  };
}
