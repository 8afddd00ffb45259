/**
 * A shift's takings and drawer, read from the hash-chained journal alone (the X and Z reports, and
 * the figure a blind count is compared with). One pass over the entries since the shift opened:
 *
 *   float (shift.opened) + cash payments of the shift (payment.created, method cash, shiftId)
 *   + cash vends of the shift once paid (vend.created carries the shift, vend.paid the money)
 *   + cash in − cash out (cash.in / cash.out; a vend reversal refunded in cash is a cash.out)
 *   − the cash part of payments voided or refunded in the shift (payment.voided / payment.refunded
 *     with the shift's id; a split tender's parts come as `tenders`)
 *
 * Non-cash takings (payment code, bank card, …) are totalled per method but never reach the drawer.
 */
import { expectedCash } from './blind-count.js';

/** A journal entry as this module reads it (payload already parsed). */
export interface JournalRecord {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly ref: string;
  readonly actor: string;
  readonly payload: unknown;
}

export interface Tally {
  count: number;
  fen: number;
}

export interface ShiftTotals {
  readonly shiftId: string;
  readonly floatFen: number;
  /** Bill payments taken in the shift, per method ('cash', 'qr', 'card', …). */
  readonly payments: Readonly<Record<string, Tally>>;
  /** Prepaid vends paid in the shift, per method. */
  readonly vends: Readonly<Record<string, Tally>>;
  readonly cashIn: Tally;
  readonly cashOut: Tally;
  /** Cash customers paid into the drawer (cash payments + paid cash vends). */
  readonly cashTakenFen: number;
  /** Voids and refunds given back in the shift, per method. */
  readonly reversals: Readonly<Record<string, Tally>>;
  /** The cash part of those, paid out of the drawer. */
  readonly cashReturnedFen: number;
  /** float + taken + in − out. */
  readonly expectedCashFen: number;
  /** Everything taken, all methods (payments + vends). */
  readonly takingsFen: number;
  /** Operators who took money in the shift. */
  readonly operators: readonly string[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const fen = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The tenders of a payment (or of its reversal): `tenders` [{ method, fen }] for a split tender,
 * else the payment's own method and amount (`cashFen` when a reversal names its cash part).
 */
function tenders(p: Obj): { method: string; fen: number }[] {
  if (Array.isArray(p.tenders) && p.tenders.length > 0) {
    return p.tenders.map((t) => ({ method: str(obj(t).method) ?? 'unknown', fen: fen(obj(t).fen ?? obj(t).amountFen) }));
  }
  return [{ method: str(p.method) ?? 'unknown', fen: fen(p.amountFen) }];
}

function add(map: Record<string, Tally>, key: string, amount: number): void {
  const t = (map[key] ??= { count: 0, fen: 0 });
  t.count++;
  t.fen += amount;
}

/**
 * Totals of `shiftId` from journal entries that include everything since the shift opened
 * (earlier or later entries of other shifts are ignored by their shift id).
 */
export function shiftTotals(entries: Iterable<JournalRecord>, shiftId: string): ShiftTotals {
  let floatFen = 0;
  const payments: Record<string, Tally> = {};
  const vends: Record<string, Tally> = {};
  const cashIn: Tally = { count: 0, fen: 0 };
  const cashOut: Tally = { count: 0, fen: 0 };
  const vendMethods = new Map<string, string>();
  const operators = new Set<string>();
  const reversals: Record<string, Tally> = {};
  let cashTakenFen = 0;
  let cashReturnedFen = 0;
  for (const e of entries) {
    const p = obj(e.payload);
    switch (e.type) {
      case 'shift.opened':
        if (e.ref === shiftId) floatFen = fen(p.floatFen);
        break;
      case 'cash.in':
      case 'cash.out':
        if (p.shiftId !== shiftId) break;
        if (e.type === 'cash.in') {
          cashIn.count++;
          cashIn.fen += fen(p.amountFen);
        } else {
          cashOut.count++;
          cashOut.fen += fen(p.amountFen);
        }
        break;
      case 'payment.created': {
        if (p.shiftId !== shiftId) break;
        // A split tender (part cash, part code…) counts each part under its own method.
        for (const t of tenders(p)) {
          add(payments, t.method, t.fen);
          if (t.method === 'cash') cashTakenFen += t.fen;
        }
        operators.add(e.actor);
        break;
      }
      case 'payment.voided':
      case 'payment.refunded': {
        if (p.shiftId !== shiftId) break;
        // Money given back in this shift; the cash part leaves the drawer.
        for (const t of tenders(p)) {
          add(reversals, t.method, t.fen);
          if (t.method === 'cash') cashReturnedFen += t.fen;
        }
        break;
      }
      case 'vend.created':
        if (p.shiftId === shiftId) vendMethods.set(e.ref, str(p.method) ?? 'unknown');
        break;
      case 'vend.paid': {
        const method = vendMethods.get(e.ref);
        if (method === undefined) break;
        add(vends, method, fen(p.amountFen));
        if (method === 'cash') cashTakenFen += fen(p.amountFen);
        operators.add(e.actor);
        break;
      }
      default:
        break;
    }
  }
  const sum = (m: Record<string, Tally>) => Object.values(m).reduce((s, t) => s + t.fen, 0);
  return {
    shiftId,
    floatFen,
    payments,
    vends,
    cashIn,
    cashOut,
    cashTakenFen,
    reversals,
    cashReturnedFen,
    expectedCashFen: expectedCash({ floatFen, cashTakenFen, cashInFen: cashIn.fen, cashOutFen: cashOut.fen + cashReturnedFen }),
    takingsFen: sum(payments) + sum(vends) - sum(reversals),
    operators: [...operators].sort(),
  };
}
