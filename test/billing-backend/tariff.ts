/**
 * The backend's own bill arithmetic for the demo data. Prices are the illustrative defaults from
 * DOMAIN.md, kept as data here because the backend must not import the terminal's configuration.
 * Prices are in fen per kWh; consumption in 0.01 kWh, so a block's cost is in 0.01 fen until the
 * single rounding step (half up to the fen).
 */
export interface TariffBlock {
  /** Upper bound of the block in 0.01 kWh, or null for the last block. */
  readonly upTo: number | null;
  readonly fenPerKwh: number;
}

export const TARIFFS = {
  'RES-TIER-M': [
    { upTo: 18_000, fenPerKwh: 56 },
    { upTo: 26_000, fenPerKwh: 61 },
    { upTo: null, fenPerKwh: 86 },
  ],
  'COM-FLAT': [{ upTo: null, fenPerKwh: 72 }],
  'IND-FLAT': [{ upTo: null, fenPerKwh: 65 }],
  'AGR-FLAT': [{ upTo: null, fenPerKwh: 49 }],
} as const satisfies Record<string, readonly TariffBlock[]>;

export type TariffCode = keyof typeof TARIFFS;

/** Amount of a monthly bill in fen for `consumption` (0.01 kWh). */
export function billAmountFen(tariff: TariffCode, consumption: number): number {
  let centiFen = 0;
  let lower = 0;
  for (const block of TARIFFS[tariff] as readonly TariffBlock[]) {
    const upper = block.upTo ?? Number.POSITIVE_INFINITY;
    const inBlock = Math.max(0, Math.min(consumption, upper) - lower);
    centiFen += inBlock * block.fenPerKwh;
    lower = upper;
    if (consumption <= upper) break;
  }
  // Round half up to the fen: the one place this rule rounds.
  return Math.floor((centiFen + 50) / 100);
}
