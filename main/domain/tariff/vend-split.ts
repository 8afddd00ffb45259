/**
 * The split of a prepaid purchase, shown to the customer before payment. In this order:
 *
 *   amount paid
 *   − channel fee                (per payment channel, vend.json)
 *   − arrears recovery           (percent of what is left, or a fixed amount; capped at the debt;
 *                                 the tariff's rule overrides the global one)
 *   − fixed charges not yet collected this period
 *   = money for energy           → energy under the tariff (energy-conversion.ts)
 *                                 + remainderFen (less than one energy step; goes to balance)
 *
 * channelFee + arrears + fixedCharges + energyFen + remainderFen === amountFen, always.
 * Pure: the caller supplies the tariff, rules, the debt, the period consumption and the fixed
 * charges already collected; it records the returned parts when the vend commits.
 */
import { consumptionThisPeriod, fixedChargesDue, periodKeyFor, type FixedChargeDue, type FixedChargeMark, type PeriodConsumption } from './billing-period.js';
import { moneyToEnergy, ENERGY_STEPS_CKWH, type EnergyBlockPart, type EnergyStepCkwh } from './energy-conversion.js';
import { TariffError, tariffFail, tariffOk, type TariffFailure, type TariffResult } from './error-codes.js';
import { divHalfUp, fenToYuanDetail, isSafeNonNegativeInteger, requireSafeNonNegativeInteger } from './integer-math.js';
import { priceLadder, type TierPosition } from './price-ladder.js';
import type { ArrearsRecoveryRule, ChannelFeeRule, EnergyRounding, Pricing, Tariff, VendLimits, VendRules } from './tariff-schema.js';

export interface VendContext {
  /** The terminal's local date, 'YYYY-MM-DD': picks the billing period. */
  readonly asOfDate: string;
  readonly tariff: Tariff;
  readonly rules: VendRules;
  /** Payment channel id, looked up in rules.channelFees.byChannel (else the default fee). */
  readonly channel: string;
  /**
   * Outstanding debt this purchase may recover, fen: every open bill's unpaid principal plus its
   * late fee as of asOfDate (`totalDue` in ../settlement.ts, as the counter shows it), less what
   * paid vends already earmarked. What is recovered is settled by the one settlement rule (each
   * bill's late fee before its principal), so leaving the fees out would let them go unpaid.
   */
  readonly arrearsFen: number;
  /** Last recorded consumption for the tier position; null = none this period. */
  readonly consumption: PeriodConsumption | null;
  /** Fixed charges already collected (any period; only the current one counts). */
  readonly fixedChargesCharged: readonly FixedChargeMark[];
  /** Energy resolution: 1 (0.01 kWh, default) or 10 (0.1 kWh, STS tokens). */
  readonly energyStepCkwh?: EnergyStepCkwh;
}

export interface VendInput extends VendContext {
  /** Money the customer pays, fen. */
  readonly amountFen: number;
}

export interface ChannelFeePart {
  readonly channel: string;
  readonly rule: ChannelFeeRule;
  readonly fen: number;
}

export interface ArrearsRecoveryPart {
  readonly rule: ArrearsRecoveryRule;
  /** Where the rule came from: the tariff's override or vend.json. */
  readonly ruleSource: 'tariff' | 'global';
  readonly debtBeforeFen: number;
  readonly fen: number;
  readonly debtAfterFen: number;
}

export interface VendBreakdown {
  readonly amountFen: number;
  readonly tariffId: string;
  readonly tariffNameKey: string;
  readonly pricingKind: Pricing['kind'];
  /** Tier period key ('2025-03' / '2025') for tiered tariffs, else null. */
  readonly tierPeriodKey: string | null;
  readonly channelFee: ChannelFeePart;
  readonly arrears: ArrearsRecoveryPart;
  /** Record these marks when the vend commits. */
  readonly fixedCharges: readonly FixedChargeDue[];
  readonly fixedChargesFen: number;
  /** Money converted to energy. */
  readonly energyFen: number;
  /** 0.01 kWh. */
  readonly energyCkwh: number;
  readonly blocks: readonly EnergyBlockPart[];
  /** Tier position before and after the purchase (flat/TOU: tier 1 of 1, nothing remaining to show). */
  readonly tierBefore: TierPosition;
  readonly tierAfter: TierPosition;
  readonly roundingRule: EnergyRounding;
  /** i18n key of the rounding rule's display name. */
  readonly roundingRuleKey: string;
  readonly energyStepCkwh: EnergyStepCkwh;
  /** Money buying less than one energy step; credit it to the customer's balance. */
  readonly remainderFen: number;
  readonly limits: VendLimits;
}

export function vendLimitsFor(tariff: Tariff, rules: VendRules): VendLimits {
  return tariff.vendLimits ?? rules.limits;
}

export function channelFeeRuleFor(rules: VendRules, channel: string): ChannelFeeRule {
  return rules.channelFees.byChannel[channel] ?? rules.channelFees.default;
}

export function channelFeeFen(rule: ChannelFeeRule, amountFen: number): number {
  switch (rule.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return Math.min(rule.amountFen, amountFen);
    case 'percent': {
      const fee = Number(divHalfUp(BigInt(amountFen) * BigInt(rule.basisPoints), 10_000n));
      return Math.min(amountFen, Math.max(rule.minimumFen, Math.min(rule.maximumFen, fee)));
    }
    default: {
      const exhaustive: never = rule;
      return exhaustive;
    }
  }
}

/** Arrears recovered from `availableFen` (the money after the channel fee). */
export function arrearsRecoveryFen(rule: ArrearsRecoveryRule, availableFen: number, debtFen: number): number {
  switch (rule.mode) {
    case 'none':
      return 0;
    case 'percent':
      return Math.min(debtFen, Number(divHalfUp(BigInt(availableFen) * BigInt(rule.basisPoints), 10_000n)));
    case 'fixed':
      return Math.min(debtFen, rule.amountFen, availableFen);
    default: {
      const exhaustive: never = rule;
      return exhaustive;
    }
  }
}

interface MoneySplit {
  readonly channelFee: ChannelFeePart;
  readonly arrears: ArrearsRecoveryPart;
  readonly fixedCharges: readonly FixedChargeDue[];
  readonly fixedChargesFen: number;
  /** Money for energy, or negative when the fixed charges are not covered. */
  readonly energyMoneyFen: number;
}

function splitMoney(amountFen: number, ctx: VendContext, due: readonly FixedChargeDue[]): MoneySplit {
  const feeRule = channelFeeRuleFor(ctx.rules, ctx.channel);
  const fee = channelFeeFen(feeRule, amountFen);
  const arrearsRule = ctx.tariff.arrearsRecovery ?? ctx.rules.arrearsRecovery;
  const recovered = arrearsRecoveryFen(arrearsRule, amountFen - fee, ctx.arrearsFen);
  const fixedChargesFen = due.reduce((s, c) => s + c.fen, 0);
  return {
    channelFee: { channel: ctx.channel, rule: feeRule, fen: fee },
    arrears: {
      rule: arrearsRule,
      ruleSource: ctx.tariff.arrearsRecovery ? 'tariff' : 'global',
      debtBeforeFen: ctx.arrearsFen,
      fen: recovered,
      debtAfterFen: ctx.arrearsFen - recovered,
    },
    fixedCharges: due,
    fixedChargesFen,
    energyMoneyFen: amountFen - fee - recovered - fixedChargesFen,
  };
}

/**
 * Smallest amount within the limits whose split covers the fixed charges, or null. The money
 * left after fee and recovery never decreases as the amount grows, so bisection is exact.
 */
function minimumAmountCoveringCharges(ctx: VendContext, due: readonly FixedChargeDue[], limits: VendLimits): number | null {
  const covers = (a: number): boolean => splitMoney(a, ctx, due).energyMoneyFen >= 0;
  if (!covers(limits.maximumFen)) return null;
  let lo = limits.minimumFen;
  let hi = limits.maximumFen;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (covers(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkContext(ctx: VendContext): EnergyStepCkwh {
  requireSafeNonNegativeInteger(ctx.arrearsFen, 'tariff.input_invalid', 'arrearsFen');
  const step = ctx.energyStepCkwh ?? 1;
  if (!(ENERGY_STEPS_CKWH as readonly number[]).includes(step)) {
    throw new TariffError('tariff.input_invalid', { field: 'energyStepCkwh', value: step });
  }
  return step;
}

function asFailure(error: unknown): TariffFailure {
  if (error instanceof TariffError) return tariffFail(error.code, error.details);
  throw error;
}

/** The full split of `amountFen`, or a typed failure (amount invalid / outside limits / charges not covered). */
export function previewVend(input: VendInput): TariffResult<VendBreakdown> {
  try {
    return previewVendOrThrow(input);
  } catch (error) {
    return asFailure(error);
  }
}

function previewVendOrThrow(input: VendInput): TariffResult<VendBreakdown> {
  const { amountFen, tariff } = input;
  if (!isSafeNonNegativeInteger(amountFen)) return tariffFail('tariff.amount_invalid', { field: 'amountFen' });
  const step = checkContext(input);
  const limits = vendLimitsFor(tariff, input.rules);
  if (amountFen < limits.minimumFen) {
    return tariffFail('tariff.amount_below_minimum', { minimumFen: limits.minimumFen, minimumYuan: fenToYuanDetail(limits.minimumFen) });
  }
  if (amountFen > limits.maximumFen) {
    return tariffFail('tariff.amount_above_maximum', { maximumFen: limits.maximumFen, maximumYuan: fenToYuanDetail(limits.maximumFen) });
  }
  const ladder = priceLadder(tariff);
  const consumed = ladder.periodBasis === null ? 0 : consumptionThisPeriod(input.consumption, input.asOfDate, ladder.periodBasis);
  const due = fixedChargesDue(tariff, input.asOfDate, input.fixedChargesCharged);
  const split = splitMoney(amountFen, input, due);
  if (split.energyMoneyFen < 0) {
    const minimum = minimumAmountCoveringCharges(input, due, limits);
    return tariffFail('tariff.charges_exceed_amount', {
      chargesFen: split.fixedChargesFen,
      chargesYuan: fenToYuanDetail(split.fixedChargesFen),
      availableFen: split.energyMoneyFen + split.fixedChargesFen,
      minimumAmountFen: minimum,
      minimumAmountYuan: minimum === null ? null : fenToYuanDetail(minimum),
    });
  }
  const purchase = moneyToEnergy(ladder, consumed, split.energyMoneyFen, { rounding: tariff.energyRounding, energyStepCkwh: step });
  return tariffOk({
    amountFen,
    tariffId: tariff.id,
    tariffNameKey: tariff.nameKey,
    pricingKind: ladder.kind,
    tierPeriodKey: ladder.periodBasis === null ? null : periodKeyFor(input.asOfDate, ladder.periodBasis),
    channelFee: split.channelFee,
    arrears: split.arrears,
    fixedCharges: split.fixedCharges,
    fixedChargesFen: split.fixedChargesFen,
    energyFen: purchase.energyFen,
    energyCkwh: purchase.energyCkwh,
    blocks: purchase.blocks,
    tierBefore: purchase.tierBefore,
    tierAfter: purchase.tierAfter,
    roundingRule: purchase.rounding,
    roundingRuleKey: `tariff.roundingRules.${purchase.rounding}`,
    energyStepCkwh: step,
    remainderFen: purchase.remainderFen,
    limits,
  });
}

/**
 * "I want N kWh": the least amount within the limits whose split grants at least `energyCkwh`
 * (after fee, arrears and fixed charges), with that amount's breakdown. Energy never decreases
 * as the amount grows, so bisection finds the exact minimum.
 */
export function quoteVendForEnergy(input: VendContext & { readonly energyCkwh: number }): TariffResult<VendBreakdown> {
  try {
    const step = checkContext(input);
    const wanted = input.energyCkwh;
    if (!isSafeNonNegativeInteger(wanted) || wanted === 0 || wanted % step !== 0) {
      return tariffFail('tariff.energy_invalid', { field: 'energyCkwh', stepCkwh: step });
    }
    const limits = vendLimitsFor(input.tariff, input.rules);
    const at = (amountFen: number): TariffResult<VendBreakdown> => previewVendOrThrow({ ...input, amountFen });
    const best = at(limits.maximumFen);
    if (!best.ok) return best;
    if (best.value.energyCkwh < wanted) {
      return tariffFail('tariff.amount_above_maximum', { maximumFen: limits.maximumFen, maximumYuan: fenToYuanDetail(limits.maximumFen) });
    }
    let lo = limits.minimumFen;
    let hi = limits.maximumFen;
    let found = best;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const r = at(mid);
      if (r.ok && r.value.energyCkwh >= wanted) {
        hi = mid;
        found = r;
      } else lo = mid + 1;
    }
    return found.ok && found.value.amountFen === lo ? found : at(lo);
  } catch (error) {
    return asFailure(error);
  }
}
