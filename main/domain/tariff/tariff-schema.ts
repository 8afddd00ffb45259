/**
 * The configuration formats for tariffs (resources/tariffs/*.json) and vend rules
 * (resources/rules/vend.json), as zod schemas. Units are part of each field's name:
 *  - `…Fen`: integer fen (1 yuan = 100 fen);
 *  - `centifenPerKwh`: price per kWh in centifen, 1 centifen = 0.01 fen = 0.0001 yuan, so real
 *    four-decimal prices stay integers (0.5683 yuan/kWh = 5683);
 *  - `upToKwh`: block boundary in whole kWh of consumption in the billing period;
 *  - `basisPoints`: 1/10 000 (2000 = 20 %).
 */
import { z } from 'zod';
import { TariffError } from './error-codes.js';

/** Same values as the sync wire's CUSTOMER_CLASSES (main/wire/backend-wire.ts). */
export const CUSTOMER_CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;
export const CustomerClassSchema = z.enum(CUSTOMER_CLASSES);
export type CustomerClass = z.infer<typeof CustomerClassSchema>;

/** ¥10,000,000.00, the same ceiling as main/domain/money.ts MAX_AMOUNT_FEN. */
export const MAX_CONFIG_FEN = 1_000_000_000;
/** 1000 yuan per kWh: anything above is a typo in a price list. */
export const MAX_CENTIFEN_PER_KWH = 10_000_000;
/** 10 TWh: far beyond any billing period of any customer. */
export const MAX_BLOCK_BOUNDARY_KWH = 10_000_000_000;

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only');
const i18nKeySchema = z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/, 'a dotted i18n key');
const positiveFen = z.int().positive().max(MAX_CONFIG_FEN);
const nonNegativeFen = z.int().nonnegative().max(MAX_CONFIG_FEN);
export const CentifenPerKwhSchema = z
  .int()
  .positive()
  .max(MAX_CENTIFEN_PER_KWH)
  .describe('price per kWh in centifen (0.0001 yuan): 0.5683 yuan/kWh = 5683');
const basisPoints = z.int().min(1).max(10_000);

export const BILLING_PERIOD_BASES = ['month', 'year'] as const;
export const BillingPeriodBasisSchema = z.enum(BILLING_PERIOD_BASES);
export type BillingPeriodBasis = z.infer<typeof BillingPeriodBasisSchema>;

/**
 * How energy bought with money is rounded to the energy step (0.01 kWh, or 0.1 kWh for STS):
 * down (the utility's favour; the money that buys less than one step goes back as remainder), or
 * half up (a step at least half paid for is granted).
 */
export const ENERGY_ROUNDING_RULES = ['energy_round_down', 'energy_round_half_up'] as const;
export const EnergyRoundingSchema = z.enum(ENERGY_ROUNDING_RULES);
export type EnergyRounding = z.infer<typeof EnergyRoundingSchema>;

export const FixedChargeSchema = z.object({
  id: idSchema,
  nameKey: i18nKeySchema,
  amountFen: positiveFen,
  /** Charged at most once per calendar month or year. */
  per: BillingPeriodBasisSchema,
});
export type FixedCharge = z.infer<typeof FixedChargeSchema>;

export const ArrearsRecoverySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  /** This share of the money left after the channel fee, half up to the fen, capped at the debt. */
  z.object({ mode: z.literal('percent'), basisPoints }),
  /** This amount from every purchase, capped at the debt and at the money available. */
  z.object({ mode: z.literal('fixed'), amountFen: positiveFen }),
]);
export type ArrearsRecoveryRule = z.infer<typeof ArrearsRecoverySchema>;

export const VendLimitsSchema = z
  .object({ minimumFen: nonNegativeFen, maximumFen: positiveFen })
  .refine((l) => l.minimumFen <= l.maximumFen, { message: 'minimumFen must not exceed maximumFen' });
export type VendLimits = z.infer<typeof VendLimitsSchema>;

export const ChannelFeeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('fixed'), amountFen: positiveFen }),
  /** Half up to the fen, then clamped to [minimumFen, maximumFen]. */
  z
    .object({ kind: z.literal('percent'), basisPoints, minimumFen: nonNegativeFen, maximumFen: positiveFen })
    .refine((f) => f.minimumFen <= f.maximumFen, { message: 'minimumFen must not exceed maximumFen' }),
]);
export type ChannelFeeRule = z.infer<typeof ChannelFeeSchema>;

export const FlatPricingSchema = z.object({ kind: z.literal('flat'), centifenPerKwh: CentifenPerKwhSchema });

export const TierBlockSchema = z.object({
  /** Upper boundary of the block in kWh consumed this period (inclusive); null for the last block. */
  upToKwh: z.int().positive().max(MAX_BLOCK_BOUNDARY_KWH).nullable(),
  centifenPerKwh: CentifenPerKwhSchema,
});
export type TierBlock = z.infer<typeof TierBlockSchema>;

export const TieredPricingSchema = z
  .object({
    kind: z.literal('tiered'),
    /** Consumption so far is counted per calendar month or per calendar year. */
    period: BillingPeriodBasisSchema,
    blocks: z.array(TierBlockSchema).min(1).max(10),
  })
  .superRefine((p, ctx) => {
    p.blocks.forEach((b, i) => {
      const last = i === p.blocks.length - 1;
      if (last && b.upToKwh !== null) ctx.addIssue({ code: 'custom', path: ['blocks', i, 'upToKwh'], message: 'the last block must be open (null)' });
      if (!last && b.upToKwh === null) ctx.addIssue({ code: 'custom', path: ['blocks', i, 'upToKwh'], message: 'only the last block may be open' });
      const prev = i > 0 ? p.blocks[i - 1]?.upToKwh : 0;
      if (b.upToKwh !== null && typeof prev === 'number' && b.upToKwh <= prev) {
        ctx.addIssue({ code: 'custom', path: ['blocks', i, 'upToKwh'], message: 'boundaries must increase' });
      }
    });
  });

export const HourRangeSchema = z
  .object({ from: z.int().min(0).max(23), to: z.int().min(1).max(24) })
  .refine((r) => r.from < r.to, { message: 'from must be before to (split ranges that cross midnight)' });

export const TouPeriodSchema = z.object({
  id: idSchema,
  nameKey: i18nKeySchema,
  centifenPerKwh: CentifenPerKwhSchema,
  /** Half-open local-time hour ranges [from, to). */
  hours: z.array(HourRangeSchema).min(1),
});
export type TouPeriod = z.infer<typeof TouPeriodSchema>;

/**
 * A prepaid purchase cannot know in which hours it will be used, so a TOU tariff names the one
 * price it vends at: the 24-hour time-weighted average, an average weighted by a configured
 * load profile (percent of energy per period), or a fixed flat-equivalent price. Derived averages
 * are rounded half up to the centifen.
 */
export const TouVendPriceSchema = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('hours_weighted') }),
  z.object({ rule: z.literal('load_share'), sharesPercent: z.record(z.string(), z.int().min(0).max(100)) }),
  z.object({ rule: z.literal('fixed'), centifenPerKwh: CentifenPerKwhSchema }),
]);
export type TouVendPrice = z.infer<typeof TouVendPriceSchema>;

export const TouPricingSchema = z
  .object({
    kind: z.literal('tou'),
    periods: z.array(TouPeriodSchema).min(1).max(12),
    vendPrice: TouVendPriceSchema,
  })
  .superRefine((p, ctx) => {
    const owner: (string | undefined)[] = new Array<string | undefined>(24).fill(undefined);
    const ids = new Set<string>();
    for (const period of p.periods) {
      if (ids.has(period.id)) ctx.addIssue({ code: 'custom', path: ['periods'], message: `duplicate period id ${period.id}` });
      ids.add(period.id);
      for (const r of period.hours) {
        for (let h = r.from; h < r.to; h++) {
          if (owner[h] !== undefined) ctx.addIssue({ code: 'custom', path: ['periods'], message: `hour ${h} is in both ${owner[h]} and ${period.id}` });
          owner[h] = period.id;
        }
      }
    }
    const missing = owner.flatMap((o, h) => (o === undefined ? [h] : []));
    if (missing.length > 0) ctx.addIssue({ code: 'custom', path: ['periods'], message: `hours not covered: ${missing.join(', ')}` });
    if (p.vendPrice.rule === 'load_share') {
      const shares = p.vendPrice.sharesPercent;
      const keys = Object.keys(shares);
      const unknown = keys.filter((k) => !ids.has(k));
      if (unknown.length > 0) ctx.addIssue({ code: 'custom', path: ['vendPrice', 'sharesPercent'], message: `unknown periods: ${unknown.join(', ')}` });
      const total = keys.reduce((s, k) => s + (shares[k] ?? 0), 0);
      if (total !== 100) ctx.addIssue({ code: 'custom', path: ['vendPrice', 'sharesPercent'], message: `shares must add up to 100, got ${total}` });
    }
  });

export const PricingSchema = z.discriminatedUnion('kind', [FlatPricingSchema, TieredPricingSchema, TouPricingSchema]);
export type Pricing = z.infer<typeof PricingSchema>;
export type FlatPricing = z.infer<typeof FlatPricingSchema>;
export type TieredPricing = z.infer<typeof TieredPricingSchema>;
export type TouPricing = z.infer<typeof TouPricingSchema>;

export const TariffSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** The account's tariff code on the sync wire, e.g. 'RES-TIER-M'. */
    id: idSchema,
    nameKey: i18nKeySchema,
    customerClasses: z.array(CustomerClassSchema).min(1),
    energyRounding: EnergyRoundingSchema,
    pricing: PricingSchema,
    fixedCharges: z.array(FixedChargeSchema).default([]),
    /** Overrides the global rule in vend.json for accounts on this tariff. */
    arrearsRecovery: ArrearsRecoverySchema.optional(),
    /** Overrides the global limits in vend.json for accounts on this tariff. */
    vendLimits: VendLimitsSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    for (const c of t.fixedCharges) {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['fixedCharges'], message: `duplicate fixed charge id ${c.id}` });
      ids.add(c.id);
    }
  });
export type Tariff = z.infer<typeof TariffSchema>;

export const VendRulesSchema = z.object({
  schemaVersion: z.literal(1),
  limits: VendLimitsSchema,
  arrearsRecovery: ArrearsRecoverySchema,
  channelFees: z.object({
    /** For any channel not listed in byChannel. */
    default: ChannelFeeSchema,
    byChannel: z.record(z.string().min(1), ChannelFeeSchema).default({}),
  }),
});
export type VendRules = z.infer<typeof VendRulesSchema>;

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates with `schema` or throws `tariff.config_invalid` naming the source and the first issues. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, source: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new TariffError('tariff.config_invalid', { source, detail: describeZodError(parsed.error) });
  }
  return parsed.data;
}

export function parseTariff(input: unknown, source = 'tariff'): Tariff {
  return parseConfig(TariffSchema, input, source);
}

export function parseVendRules(input: unknown, source = 'vend rules'): VendRules {
  return parseConfig(VendRulesSchema, input, source);
}

export type TariffCatalog = ReadonlyMap<string, Tariff>;

/** Tariffs by id; a duplicate id is a configuration error. */
export function buildTariffCatalog(tariffs: readonly Tariff[]): TariffCatalog {
  const catalog = new Map<string, Tariff>();
  for (const t of tariffs) {
    if (catalog.has(t.id)) throw new TariffError('tariff.config_invalid', { source: 'tariff catalog', detail: `duplicate tariff id ${t.id}` });
    catalog.set(t.id, t);
  }
  return catalog;
}
