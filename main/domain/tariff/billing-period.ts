/**
 * Billing periods for tier positions and fixed charges: calendar months ('2025-03') and calendar
 * years ('2025') of the terminal's local date. A stored consumption-so-far or fixed-charge mark
 * belongs to one period key; a new period starts from zero.
 */
import { requireCivilDate } from './civil-date.js';
import { TariffError } from './error-codes.js';
import { requireSafeNonNegativeInteger } from './integer-math.js';
import type { BillingPeriodBasis, FixedCharge, Tariff } from './tariff-schema.js';

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR_KEY = /^\d{4}$/;

export function periodKeyFor(date: string, basis: BillingPeriodBasis): string {
  const { year, month } = requireCivilDate(date, 'date');
  const y = year.toString().padStart(4, '0');
  return basis === 'year' ? y : `${y}-${month.toString().padStart(2, '0')}`;
}

/** Consumption counted towards the tier position, as last recorded for one period. */
export interface PeriodConsumption {
  /** '2025-03' for a monthly tariff, '2025' for a yearly one. */
  readonly periodKey: string;
  /** 0.01 kWh consumed (or vended, for prepaid tier tracking) in that period. */
  readonly consumedCkwh: number;
}

/**
 * Consumption so far in the period containing `asOfDate`: the recorded figure when it is for this
 * period, zero after a rollover (or with no record). A record from a later period than the
 * terminal's date means the clock or the data is wrong, and is refused rather than guessed at.
 */
export function consumptionThisPeriod(record: PeriodConsumption | null, asOfDate: string, basis: BillingPeriodBasis): number {
  const current = periodKeyFor(asOfDate, basis);
  if (record === null) return 0;
  const consumed = requireSafeNonNegativeInteger(record.consumedCkwh, 'tariff.input_invalid', 'consumedCkwh');
  const pattern = basis === 'year' ? YEAR_KEY : MONTH_KEY;
  if (!pattern.test(record.periodKey)) {
    throw new TariffError('tariff.input_invalid', { field: 'periodKey', value: record.periodKey, expected: basis });
  }
  if (record.periodKey === current) return consumed;
  if (record.periodKey < current) return 0;
  throw new TariffError('tariff.input_invalid', { field: 'periodKey', value: record.periodKey, asOfDate });
}

/** Records that a fixed charge was collected for one period; the vend store keeps these. */
export interface FixedChargeMark {
  readonly chargeId: string;
  readonly periodKey: string;
}

export interface FixedChargeDue {
  readonly chargeId: string;
  readonly nameKey: string;
  readonly periodKey: string;
  readonly fen: number;
}

/**
 * The tariff's fixed charges not yet collected in the current period. Periods with no purchase
 * are not back-charged here: unpaid standing charges of past periods are arrears.
 */
export function fixedChargesDue(tariff: Tariff, asOfDate: string, charged: readonly FixedChargeMark[]): FixedChargeDue[] {
  return tariff.fixedCharges.flatMap((c: FixedCharge) => {
    const periodKey = periodKeyFor(asOfDate, c.per);
    const done = charged.some((m) => m.chargeId === c.id && m.periodKey === periodKey);
    return done ? [] : [{ chargeId: c.id, nameKey: c.nameKey, periodKey, fen: c.amountFen }];
  });
}
