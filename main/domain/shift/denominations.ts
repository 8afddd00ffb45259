/**
 * Counting a drawer by denomination (notes and coins): pieces × face value, exactly, in fen. The
 * float at open and the blind count at close are both counts.
 */
import type { Denomination, ShiftRules } from './rules.js';

/** Pieces per denomination id, as typed by the clerk. Absent ids count as zero. */
export type DenominationCounts = Readonly<Record<string, number>>;

export interface CountLine {
  readonly id: string;
  readonly kind: Denomination['kind'];
  readonly faceFen: number;
  readonly pieces: number;
  readonly fen: number;
}

export interface DrawerCount {
  readonly totalFen: number;
  /** Every configured denomination in the rules' order, zero pieces included (the report lists them all). */
  readonly lines: readonly CountLine[];
}

export type CountProblem =
  | { readonly problem: 'unknown_denomination'; readonly id: string }
  | { readonly problem: 'bad_pieces'; readonly id: string; readonly pieces: number };

export type CountResult = ({ readonly ok: true } & DrawerCount) | ({ readonly ok: false } & CountProblem);

/**
 * The total of a count. Refuses a denomination the rules do not know and a number of pieces that
 * is not a whole number from 0 to the rules' maximum — never rounds or guesses.
 */
export function countDrawer(rules: Pick<ShiftRules, 'denominations' | 'maxPiecesPerDenomination'>, counts: DenominationCounts): CountResult {
  const known = new Map(rules.denominations.map((d) => [d.id, d]));
  for (const [id, pieces] of Object.entries(counts)) {
    if (!known.has(id)) return { ok: false, problem: 'unknown_denomination', id };
    if (!Number.isSafeInteger(pieces) || pieces < 0 || pieces > rules.maxPiecesPerDenomination) return { ok: false, problem: 'bad_pieces', id, pieces };
  }
  let totalFen = 0;
  const lines = rules.denominations.map((d): CountLine => {
    const pieces = counts[d.id] ?? 0;
    const fen = pieces * d.fen;
    totalFen += fen;
    return { id: d.id, kind: d.kind, faceFen: d.fen, pieces, fen };
  });
  return { ok: true, totalFen, lines };
}
