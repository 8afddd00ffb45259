/**
 * Quoting: the account and meter checks, the split of the money (fee, arrears, fixed charges,
 * energy on the token grid), who would issue, and the digest the customer agreed to. Nothing here
 * writes; a purchase calls quote() again and refuses a split that changed since the preview.
 */
import { createHash } from 'node:crypto';
import { AppError, type ErrorCode } from '../../contract/index.js';
import type { VendPreviewView, VendSplitView } from '../../contract/vending.js';
import { fenToYuanText } from '../../domain/money.js';
import { totalDue } from '../../domain/settlement.js';
import {
  previewVend,
  quoteVendForEnergy,
  periodKeyFor,
  priceLadder,
  type Tariff,
  type TariffFailure,
  type VendBreakdown,
} from '../../domain/tariff/index.js';
import type { CachedAccount } from '../../store/accounts.js';
import type { MeterSnapshot } from '../../wire/backend-wire.js';
import { meterIdentity } from '../../vending/secure-module/index.js';
import { tidFromDate } from '../../vending/sts/index.js';
import { parseEnergyKwh } from '../../vending/vend/vend-states.js';
import { alignToTokenGrid, ladderPosition, tokenEnergyAtOrAbove } from '../../vending/vend/token-energy.js';
import { localDate } from '../clock.js';
import { moneyInput } from '../money-input.js';
import { pendingKeyChange, withKeyChanges } from './meter-key-changes.js';
import type { VendContext } from './vend-context.js';
import { fixedChargeMarks, offlineExposureFen, pendingArrearsFen, vendedCkwhInPeriod } from './vend-store.js';
import type { VendServiceDeps } from './vend-types.js';

export interface Quote {
  readonly account: CachedAccount;
  readonly meter: VendMeter;
  readonly tariff: Tariff;
  readonly breakdown: VendBreakdown;
  readonly source: 'online' | 'cache';
  /** An STS meter whose key change (issued here) the backend may not have applied yet. */
  readonly keyChangePending: boolean;
}

/** A meter that can be vended: STS (token) or a card meter (purchase written to the prepaid card). */
export type VendMeter =
  | (MeterSnapshot & { readonly kind: 'sts'; readonly sts: NonNullable<MeterSnapshot['sts']> })
  | (MeterSnapshot & { readonly kind: 'card'; readonly cardGeneration: number });

const TARIFF_TO_VENDING: Readonly<Record<TariffFailure['code'], ErrorCode>> = {
  'tariff.amount_invalid': 'payment.amount_not_positive',
  'tariff.amount_below_minimum': 'vending.amount_below_minimum',
  'tariff.amount_above_maximum': 'vending.amount_above_maximum',
  'tariff.energy_invalid': 'vending.energy_invalid',
  'tariff.charges_exceed_amount': 'vending.charges_exceed_amount',
  'tariff.result_out_of_range': 'vending.amount_above_maximum',
  'tariff.input_invalid': 'vending.tariff_unknown',
  'tariff.date_invalid': 'vending.tariff_unknown',
  'tariff.config_invalid': 'vending.tariff_unknown',
};

export async function vendPreview(
  ctx: VendContext,
  p: { accountNo: string; meterNo?: string | undefined; method: 'cash' | 'qr'; amount?: string | undefined; energyKwh?: string | undefined; channel?: string | undefined },
): Promise<VendPreviewView> {
  let amountFen: number | null = null;
  let energyCkwh: number | null = null;
  if (p.amount !== undefined) amountFen = moneyInput(p.amount, 'amount');
  else {
    energyCkwh = parseEnergyKwh(p.energyKwh ?? '');
    if (energyCkwh === null) throw new AppError('vending.energy_invalid', { input: (p.energyKwh ?? '').slice(0, 24) });
  }
  const q = await quote(ctx, p.accountNo, p.meterNo, p.method, amountFen, energyCkwh, p.channel);
  const issuer = quoteIssuer(ctx.deps, q);
  return {
    ...splitView(q.breakdown),
    accountNo: q.account.accountNo,
    accountName: q.account.name,
    meterNo: q.meter.meterNo,
    meterKind: q.meter.kind,
    limits: { minimumFen: q.breakdown.limits.minimumFen, maximumFen: q.breakdown.limits.maximumFen },
    issuer: issuer ?? 'online',
    offlineAvailableFen: Math.max(0, ctx.deps.offlineCreditLimitFen - offlineExposureFen(ctx.deps.db)),
    source: q.source,
    splitDigest: splitDigest(q.meter.meterNo, splitView(q.breakdown)),
  };
}

/** `channel`: the payment channel of vend.json's fees; the counter's by method unless given (the kiosk's is 'kiosk_qr'). */
export async function quote(
  ctx: VendContext,
  accountNo: string,
  meterNo: string | undefined,
  method: 'cash' | 'qr',
  amountFen: number | null,
  energyCkwh: number | null,
  channel?: string,
): Promise<Quote> {
  const view = await ctx.deps.accounts.lookup(accountNo);
  const account = withKeyChanges(ctx.deps.db, ctx.deps.accounts.cached(view.accountNo));
  if (account.paymentMode !== 'prepaid') throw new AppError('vending.not_prepaid', { accountNo });
  const meter = meterNo === undefined ? account.meters.find((m) => m.kind === 'sts' || m.kind === 'card') : account.meters.find((m) => m.meterNo === meterNo);
  if (!meter) throw new AppError('vending.meter_not_found', { meterNo: meterNo ?? '' });
  let vendMeter: VendMeter;
  if (meter.kind === 'card') {
    if (meter.cardGeneration === undefined) throw new AppError('vending.card_meter_unconfigured', { meterNo: meter.meterNo });
    vendMeter = { ...meter, kind: 'card', cardGeneration: meter.cardGeneration };
  } else if (meter.kind === 'sts' && meter.sts) {
    // The engine's own check (typed vending.bad_meter_identity), before anything is written: a
    // meter it would refuse at issue time must never get as far as taking money.
    meterIdentity(meter.sts);
    // A meter whose base date has no TIDs left (a 1993 meter after 2024-11-24) could never take
    // this token: say so at the preview, before the clerk asks for money, not at the purchase.
    tidFromDate(ctx.deps.clock(), meter.sts.baseDate);
    vendMeter = { ...meter, kind: 'sts', sts: meter.sts };
  } else throw new AppError('vending.meter_not_vendable', { meterNo: meter.meterNo });
  const tariff = ctx.deps.tariffs.get(account.tariffCode);
  if (!tariff) throw new AppError('vending.tariff_unknown', { tariffCode: account.tariffCode });

  const asOfDate = localDate(ctx.deps.clock(), ctx.deps.timeZone);
  const ladder = priceLadder(tariff);
  // The debt a vend may recover is what the counter would ask for: every open bill's principal AND
  // its late fee as of today (the settlement at delivery takes each bill's fee before its
  // principal), less what paid vends have already earmarked.
  const debt = totalDue(view.openBills) - pendingArrearsFen(ctx.deps.db, account.accountNo);
  let consumption = null;
  if (ladder.periodBasis !== null) {
    const periodKey = periodKeyFor(asOfDate, ladder.periodBasis);
    const base = ladder.periodBasis === 'year' ? account.consumptionYear : account.consumptionMonth;
    consumption = { periodKey, consumedCkwh: base + vendedCkwhInPeriod(ctx.deps.db, account.accountNo, periodKey) };
  }
  const tariffInput = {
    asOfDate,
    tariff,
    rules: ctx.deps.rules,
    channel: channel ?? (method === 'qr' ? 'counter_qr' : 'counter_cash'),
    arrearsFen: Math.max(0, debt),
    consumption,
    fixedChargesCharged: fixedChargeMarks(ctx.deps.db, account.accountNo),
    // A token carries 0.1 kWh; a card record carries 0.01 kWh.
    energyStepCkwh: vendMeter.kind === 'sts' ? (10 as const) : (1 as const),
  };
  const sts = vendMeter.kind === 'sts';
  // STS: the clerk's kWh is lifted to what a token carries exactly, so the quote buys at least that.
  const wanted = sts && energyCkwh !== null ? tokenEnergyAtOrAbove(energyCkwh) : (energyCkwh ?? 0);
  const r = amountFen !== null ? previewVend({ ...tariffInput, amountFen }) : quoteVendForEnergy({ ...tariffInput, energyCkwh: wanted });
  if (!r.ok) throw new AppError(TARIFF_TO_VENDING[r.code], r.details);
  // STS: sold energy on the token's grid under the tariff's rule, so delivered == sold (never an unconfigured round-up).
  const breakdown = sts ? alignToTokenGrid(r.value, ladder, ladderPosition(ladder, consumption, asOfDate), tariff.energyRounding) : r.value;
  if (breakdown.energyCkwh === 0) throw new AppError('vending.amount_below_minimum', { minimumFen: breakdown.limits.minimumFen, minimumYuan: fenToYuanText(breakdown.limits.minimumFen) });
  const keyChangePending = vendMeter.kind === 'sts' && pendingKeyChange(ctx.deps.db, vendMeter.meterNo, account.version) !== null;
  return { account, meter: vendMeter, tariff, breakdown, source: view.source, keyChangePending };
}

/**
 * Who issues now: 'online', 'local' (local mode, or online mode offline with fallback), or null
 * (cannot). A meter whose key change the backend may not have applied yet is issued by the local
 * module (an offline vend, reported on sync): the backend would still issue under the old key.
 */
function issuerFor(deps: VendServiceDeps, source: 'online' | 'cache', keyChangePending = false): 'online' | 'local' | null {
  if (deps.secureModule.mode === 'local') return 'local';
  if (source === 'online' && !keyChangePending) return 'online';
  return deps.localModule && deps.localFallback ? 'local' : null;
}

export function checkOfflineLimit(ctx: VendContext, amountFen: number): void {
  const available = ctx.deps.offlineCreditLimitFen - offlineExposureFen(ctx.deps.db);
  if (amountFen > available) {
    const a = Math.max(0, available);
    throw new AppError('vending.offline_limit_exceeded', { availableFen: a, availableYuan: fenToYuanText(a) });
  }
}

/** Who would issue the quoted vend now, or null when nobody can. */
export function quoteIssuer(deps: VendServiceDeps, q: Quote): 'online' | 'local' | null {
  return q.meter.kind === 'card' ? cardIssuer(q.source) : issuerFor(deps, q.source, q.keyChangePending);
}

/**
 * Card vends need no secure module: the terminal writes the card itself. `issuer` records whether
 * the backend was reachable; an offline card vend counts against the offline credit limit.
 */
function cardIssuer(source: 'online' | 'cache'): 'online' | 'local' {
  return source === 'online' ? 'online' : 'local';
}

/** Digest of a split as previewed: canonical JSON (fixed key order from splitView) of the meter and the split. */
export function splitDigest(meterNo: string, split: VendSplitView): string {
  return createHash('sha256').update(JSON.stringify({ meterNo, split })).digest('hex');
}

export function splitView(b: VendBreakdown): VendSplitView {
  return {
    amountFen: b.amountFen,
    tariffId: b.tariffId,
    tariffNameKey: b.tariffNameKey,
    channelFeeFen: b.channelFee.fen,
    debtBeforeFen: b.arrears.debtBeforeFen,
    arrearsFen: b.arrears.fen,
    debtAfterFen: b.arrears.debtAfterFen,
    fixedCharges: b.fixedCharges.map((c) => ({ chargeId: c.chargeId, nameKey: c.nameKey, fen: c.fen })),
    fixedChargesFen: b.fixedChargesFen,
    energyFen: b.energyFen,
    energyCkwh: b.energyCkwh,
    blocks: b.blocks.map((x) => ({ tier: x.tier, centifenPerKwh: x.centifenPerKwh, energyCkwh: x.energyCkwh, fen: x.fen })),
    tierAfter: { tier: b.tierAfter.tier, tierCount: b.tierAfter.tierCount, remainingInTierCkwh: b.tierAfter.remainingInTierCkwh },
    roundingRuleKey: b.roundingRuleKey,
    remainderFen: b.remainderFen,
  };
}
