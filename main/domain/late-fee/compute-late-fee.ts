/**
 * The late-payment penalty of one bill, with the day-by-day basis the clerk is shown.
 *
 * Accrual runs from the day after the due date through the payment date (asOfDate), inclusive;
 * paying on the due date costs nothing. Each day accrues on the principal outstanding ON THAT DAY:
 * the bill's part-payments are replayed, so a payment made on day D still counts for day D (it is
 * the payment date) and lowers the base from D + 1 on. Each day is charged at the rule's
 * current-year rate while it lies in the arrears' own year and at the previous-year rate once the
 * arrears have been carried into a later year. The exact total (Σ days × rate × base) is rounded
 * half up to the fen once; segment fen are the running total rounded the same way, so they add up
 * to it. A fee that accrues at all is at least the rule's minimum. The caller subtracts the fee
 * already paid.
 */
import { epochDay, fromEpochDay, requireCivilDate } from '../tariff/civil-date.js';
import { TariffError } from '../tariff/error-codes.js';
import { divHalfUp, requireSafeNonNegativeInteger, requireSafeNumber } from '../tariff/integer-math.js';
import type { CustomerClass } from '../tariff/tariff-schema.js';
import type { LateFeeRule, LateFeeRules } from './late-fee-schema.js';

const PPM = 1_000_000n;

/** A payment of the bill's principal (late fees paid are not part of the base). */
export interface LateFeePayment {
  /** 'YYYY-MM-DD', terminal's zone: the day the payment was made. */
  readonly date: string;
  /** Principal paid, fen. */
  readonly principalFen: number;
}

export interface LateFeeBill {
  readonly billId?: string;
  /** Billing month 'YYYY-MM'. */
  readonly period: string;
  /** 'YYYY-MM-DD', terminal's zone. */
  readonly dueDate: string;
  /** Principal unpaid after every payment in `payments`, fen. */
  readonly unpaidFen: number;
  /**
   * The principal payments to replay: on day d the base is `unpaidFen` plus every payment made on
   * d or later. Payments on or before the due date change nothing. Principal paid that is not
   * listed (e.g. history the backend does not have) counts as paid by the due date.
   */
  readonly payments?: readonly LateFeePayment[];
}

export type LateFeeSegmentKind = 'current_year' | 'previous_year';

export interface LateFeeSegment {
  /** First and last accrual day of this segment, inclusive. */
  readonly fromDate: string;
  readonly toDate: string;
  readonly days: number;
  readonly kind: LateFeeSegmentKind;
  /** i18n key: tariff.lateFee.segmentKinds.<kind> */
  readonly kindKey: string;
  readonly dailyRatePpm: number;
  /** Principal outstanding on each day of this segment (the base), fen. */
  readonly baseFen: number;
  /** This segment's share of accruedFen. */
  readonly fen: number;
}

export interface LateFeeComputation {
  readonly billId: string | null;
  readonly ruleId: string;
  readonly ruleNameKey: string;
  readonly customerClass: CustomerClass;
  readonly dueDate: string;
  readonly asOfDate: string;
  /** Year the arrears belong to (see arrearsYearBasis). */
  readonly arrearsYear: number;
  /** Principal unpaid as of asOfDate (the last segment's base); earlier days may have had more. */
  readonly baseFen: number;
  /** Days overdue (0 when paid on or before the due date). */
  readonly days: number;
  readonly segments: readonly LateFeeSegment[];
  /** Sum of the segments: the exact accrual rounded half up to the fen. */
  readonly accruedFen: number;
  readonly minimumFeeFen: number;
  readonly minimumApplied: boolean;
  /** What is owed. */
  readonly feeFen: number;
}

export function lateFeeRuleFor(rules: LateFeeRules, customerClass: CustomerClass): LateFeeRule {
  const rule = rules.rules.find((r) => r.customerClasses.includes(customerClass));
  if (!rule) throw new TariffError('tariff.config_invalid', { source: 'late-fee rules', detail: `no rule for ${customerClass}` });
  return rule;
}

export function computeLateFee(bill: LateFeeBill, asOfDate: string, customerClass: CustomerClass, rules: LateFeeRules): LateFeeComputation {
  const rule = lateFeeRuleFor(rules, customerClass);
  const base = requireSafeNonNegativeInteger(bill.unpaidFen, 'tariff.input_invalid', 'unpaidFen');
  const due = requireCivilDate(bill.dueDate, 'dueDate');
  const asOf = requireCivilDate(asOfDate, 'asOfDate');
  const periodMatch = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(bill.period);
  if (!periodMatch) throw new TariffError('tariff.date_invalid', { field: 'period', value: bill.period });
  const arrearsYear = rules.arrearsYearBasis === 'due_date' ? due.year : Number(periodMatch[1]);
  // Each payment as (the last day it still counts for, principal): paid on day P, it is part of
  // the base through P.
  const paid = (bill.payments ?? []).map((p, i) => ({
    through: epochDay(requireCivilDate(p.date, `payments[${i}].date`)),
    fen: requireSafeNonNegativeInteger(p.principalFen, 'tariff.input_invalid', `payments[${i}].principalFen`),
  }));
  const baseOn = (day: number): number => {
    let fen = BigInt(base);
    for (const p of paid) if (p.through >= day) fen += BigInt(p.fen);
    return requireSafeNumber(fen, 'baseFen');
  };

  const firstDay = epochDay(due) + 1;
  const lastDay = epochDay(asOf);
  const segments: { from: number; to: number; kind: LateFeeSegmentKind; ppm: number; base: number }[] = [];
  for (let start = firstDay; start <= lastDay; ) {
    const year = Number(fromEpochDay(start).slice(0, 4));
    const yearEnd = epochDay({ year, month: 12, day: 31 });
    // A segment ends at the year's end, or the day a payment was made (the base drops the day after).
    const paidWithin = paid.filter((p) => p.through >= start && p.through < Math.min(lastDay, yearEnd)).map((p) => p.through);
    const end = Math.min(lastDay, yearEnd, ...paidWithin);
    const kind: LateFeeSegmentKind = year > arrearsYear ? 'previous_year' : 'current_year';
    segments.push({ from: start, to: end, kind, ppm: kind === 'previous_year' ? rule.previousYearDailyRatePpm : rule.currentYearDailyRatePpm, base: baseOn(start) });
    start = end + 1;
  }

  // Exact amounts in millionths of a fen; rounded half up to the fen here and nowhere else.
  let cumulative = 0n;
  let allocated = 0n;
  const shown = segments.map((s): LateFeeSegment => {
    const days = s.to - s.from + 1;
    cumulative += BigInt(days) * BigInt(s.ppm) * BigInt(s.base);
    const upTo = divHalfUp(cumulative, PPM);
    const fen = upTo - allocated;
    allocated = upTo;
    return {
      fromDate: fromEpochDay(s.from),
      toDate: fromEpochDay(s.to),
      days,
      kind: s.kind,
      kindKey: `tariff.lateFee.segmentKinds.${s.kind}`,
      dailyRatePpm: s.ppm,
      baseFen: s.base,
      fen: requireSafeNumber(fen, 'fen'),
    };
  });
  const accruedFen = requireSafeNumber(allocated, 'accruedFen');
  const minimumApplied = cumulative > 0n && accruedFen < rule.minimumFeeFen;
  return {
    billId: bill.billId ?? null,
    ruleId: rule.id,
    ruleNameKey: rule.nameKey,
    customerClass,
    dueDate: bill.dueDate,
    asOfDate,
    arrearsYear,
    baseFen: base,
    days: Math.max(0, lastDay - firstDay + 1),
    segments: shown,
    accruedFen,
    minimumFeeFen: rule.minimumFeeFen,
    minimumApplied,
    feeFen: minimumApplied ? rule.minimumFeeFen : accruedFen,
  };
}
