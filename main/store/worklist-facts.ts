/**
 * An account's worklist facts (the table worklist_facts: the few history fields the daily worklist
 * reads) computed from its history in JavaScript — for the initial pull's load window only.
 *
 * Everywhere else the facts follow account_history through its triggers (migrations v21–v23): one
 * write path that cannot drift. Those triggers re-read the stored JSON eight times per row
 * (json_each for every field), which was a third of a fresh terminal's initial pull of a million
 * accounts. So inside a load window the triggers stand aside (v23: `WHEN` no window) and the
 * history's writer, holding the parsed history already, writes the same row from it here. A test
 * holds this function to the triggers' SQL over generated histories and their edge cases.
 */
import type { AccountHistory } from '../wire/backend-wire.js';
import { stmt, type Db } from './db.js';

/** The consumption months the facts keep (the rules read at most rateMonths + 1 ≤ 13). */
const KWH_MONTHS = 13;

export interface WorklistFactsRow {
  readonly toPeriod: string;
  readonly lateMask: number;
  readonly vendLen: number | null;
  readonly vendMask: number;
  readonly kwhTail: string | null;
  readonly cutoffs: string | null;
  readonly kwhLast: number | null;
  readonly kwhPrevMax: number | null;
}

/** Bit 0 = the last month: set where the month's value is above zero. */
function mask(values: readonly number[] | undefined): number {
  if (values === undefined) return 0;
  let out = 0;
  // Arithmetic, not bit operators: 24 months is past what a signed 32-bit shift keeps safe to read.
  for (let i = 0; i < values.length; i++) if ((values[i] as number) > 0) out += 2 ** (values.length - 1 - i);
  return out;
}

export function worklistFactsOf(history: AccountHistory): WorklistFactsRow {
  const kwh = history.kwh;
  let kwhPrevMax: number | null = null;
  if (kwh !== undefined) {
    for (let i = Math.max(0, kwh.length - KWH_MONTHS); i < kwh.length - 1; i++) {
      const v = kwh[i] as number;
      if (kwhPrevMax === null || v > kwhPrevMax) kwhPrevMax = v;
    }
  }
  return {
    toPeriod: history.to,
    lateMask: mask(history.late),
    vendLen: history.vends === undefined ? null : history.vends.length,
    vendMask: mask(history.vends),
    kwhTail: kwh === undefined ? null : kwh.slice(-KWH_MONTHS).join(','),
    cutoffs: history.cutoffs === undefined ? null : history.cutoffs.join(','),
    kwhLast: kwh === undefined || kwh.length === 0 ? null : (kwh[kwh.length - 1] as number),
    kwhPrevMax,
  };
}

/** Writes (or replaces) one account's facts; inside the caller's transaction. */
export function writeWorklistFacts(db: Db, accountNo: string, history: AccountHistory): void {
  const f = worklistFactsOf(history);
  stmt(
    db,
    `INSERT OR REPLACE INTO worklist_facts (account_no, to_period, late_mask, vend_len, vend_mask, kwh_tail, cutoffs, kwh_last, kwh_prev_max)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(accountNo, f.toPeriod, f.lateMask, f.vendLen, f.vendMask, f.kwhTail, f.cutoffs, f.kwhLast, f.kwhPrevMax);
}
