/**
 * The card meter steps: the card check before payment (and for the screen), the card write with
 * every step journaled, and asking the card whether an interrupted write landed.
 */
import type { WriteStep } from '../../../kiosk-drivers/card/prepaid-card-format.js';
import { AppError, type WireError } from '../../contract/index.js';
import type { VendCardCheckView } from '../../contract/vending.js';
import type { Locale } from '../../i18n/locales.js';
import { appendJournal } from '../../store/journal.js';
import { toWireError } from '../dispatch.js';
import { cardCrashPoint, cardRefusal, readCardForVend, writerForVend } from './card-delivery.js';
import type { VendContext } from './vend-context.js';
import { markDelivered } from './vend-delivery.js';
import { receiptView } from './vend-points.js';
import { unfinishedCardVend, type VendRow } from './vend-store.js';

/** The card for a new purchase, checked against the meter; throws the refusal, writes nothing. */
export async function cardForPurchase(ctx: VendContext, accountNo: string, meterNo: string, generation: number): Promise<{ serial: string; generation: number; counterBefore: number }> {
  const pending = unfinishedCardVend(ctx.deps.db, meterNo);
  if (pending) throw new AppError('vending.card_vend_pending', { vendId: pending.vend_id });
  const snap = await readCardForVend(ctx.deps.cards);
  const refusal = cardRefusal(snap, { accountNo, meterNo, generation });
  if (refusal) throw refusal;
  return { serial: snap.cardSerial, generation: snap.identity.generation, counterBefore: snap.purchase?.counter ?? 0 };
}

/**
 * Delivery to the card: write the purchase with read-back, every card step journaled. When an
 * earlier write of this vend was interrupted (card pulled, crash), the card decides first:
 * recoverPurchase finishes it (landed → delivered) or rolls it back (→ write again). The card's
 * counter and the meter's "next count only" rule make a second credit impossible.
 */
export async function deliverCard(ctx: VendContext, row: VendRow, locale: Locale, actor: string): Promise<WireError | null> {
  const { db } = ctx.deps;
  const counterBefore = row.card_counter_before;
  const generation = row.card_generation;
  if (counterBefore === null || generation === null || row.card_amount_fen === null || row.card_energy_ckwh === null) {
    throw new Error(`card vend ${row.vend_id} lacks its card inputs`);
  }
  try {
    const writer = writerForVend(ctx.deps.cards);
    let landed = false;
    if (ctx.journaled(row.vend_id, 'vend.card_write_started')) {
      const r = await writer.recoverPurchase({ purchaseId: row.vend_id, accountNo: row.account_no, meterNo: row.meter_no, counterBefore });
      ctx.journalOnly(row.vend_id, 'vend.card_recovered', actor, { outcome: r.outcome, landed: r.landed, counter: r.counter, cardSerial: r.cardSerial });
      landed = r.landed;
    }
    if (!landed) {
      const attempt = ctx.journalCount(row.vend_id, 'vend.card_write_started') + 1;
      ctx.journalOnly(row.vend_id, 'vend.card_write_started', actor, { attempt, counterBefore, cardSerial: row.card_serial });
      const w = await writer.writePurchase(
        {
          purchaseId: row.vend_id,
          accountNo: row.account_no,
          meterNo: row.meter_no,
          meterGeneration: generation,
          counterBefore,
          amountFen: row.card_amount_fen,
          energyCentiKwh: row.card_energy_ckwh,
        },
        (step) => journalCardStep(ctx, row.vend_id, step, attempt, actor),
      );
      if (w.outcome === 'already_written') ctx.journalOnly(row.vend_id, 'vend.card_already_written', actor, { counter: w.counter });
    }
    cardCrashPoint('vend.card_written');
  } catch (err) {
    const error = toWireError(err);
    if (error.code === 'internal') throw err;
    if (db.open) ctx.journalOnly(row.vend_id, 'vend.delivery_failed', actor, { via: 'card', code: error.code });
    return error;
  }
  markDelivered(ctx, row, 'card', actor, { card_counter_after: counterBefore + 1 });
  // The customer's paper record; the credit is already on the card, so a printer fault only journals.
  const printed = await ctx.deps.printVend(receiptView(ctx, ctx.row(row.vend_id)), false, locale);
  if (printed) ctx.journalOnly(row.vend_id, 'vend.receipt_failed', actor, { code: printed.code });
  return null;
}

function journalCardStep(ctx: VendContext, vendId: string, step: WriteStep, attempt: number, actor: string): void {
  const { db } = ctx.deps;
  const at = ctx.deps.clock().toISOString();
  db.transaction(() => {
    db.prepare('UPDATE vends SET card_step = ?, updated_at = ? WHERE vend_id = ?').run(step, at, vendId);
    appendJournal(db, { type: 'vend.card_step', ref: vendId, actor, at, payload: { vendId, step, attempt } });
  }).immediate();
  if (step === 'marked') cardCrashPoint('vend.card_marked');
}

/** Recovers the card of an interrupted write and says whether this vend's purchase is on it. */
export async function cardLanded(ctx: VendContext, row: VendRow, actor: string): Promise<boolean> {
  try {
    const writer = writerForVend(ctx.deps.cards);
    const r = await writer.recoverPurchase({ purchaseId: row.vend_id, accountNo: row.account_no, meterNo: row.meter_no, counterBefore: row.card_counter_before ?? 0 });
    ctx.journalOnly(row.vend_id, 'vend.card_recovered', actor, { outcome: r.outcome, landed: r.landed, counter: r.counter, cardSerial: r.cardSerial });
    return r.landed;
  } catch (err) {
    const e = toWireError(err);
    if (e.code === 'internal') throw err;
    throw new AppError('vending.card_check_needed', { reason: e.code });
  }
}

/** The card in the reader against a card meter, for the screen: nothing is written. */
export async function cardCheck(ctx: VendContext, p: { accountNo: string; meterNo?: string | undefined }): Promise<VendCardCheckView> {
  const view = await ctx.deps.accounts.lookup(p.accountNo);
  const account = ctx.deps.accounts.cached(view.accountNo);
  const meter = p.meterNo === undefined ? account.meters.find((m) => m.kind === 'card') : account.meters.find((m) => m.meterNo === p.meterNo);
  if (!meter) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? '' });
  if (meter.kind !== 'card') throw new AppError('vending.meter_not_vendable', { meterNo: meter.meterNo });
  const pending = unfinishedCardVend(ctx.deps.db, meter.meterNo);
  const base: VendCardCheckView = {
    accountNo: account.accountNo,
    meterNo: meter.meterNo,
    meterGeneration: meter.cardGeneration ?? null,
    writerAvailable: false,
    present: false,
    cardSerial: null,
    cardAccountNo: null,
    cardMeterNo: null,
    cardGeneration: null,
    counter: null,
    previousLoaded: null,
    greyLocked: null,
    meterCreditFen: null,
    pendingVendId: pending?.vend_id ?? null,
    problem: null,
  };
  let snap;
  try {
    writerForVend(ctx.deps.cards);
    snap = await readCardForVend(ctx.deps.cards);
  } catch (err) {
    const problem = toWireError(err);
    if (problem.code === 'internal') throw err;
    return { ...base, writerAvailable: problem.code !== 'vending.card_writer_unavailable', present: problem.code.startsWith('card.'), problem };
  }
  const refusal =
    meter.cardGeneration === undefined
      ? new AppError('vending.card_meter_unconfigured', { meterNo: meter.meterNo })
      : pending && pending.card_serial === snap.cardSerial
        ? new AppError('vending.card_vend_pending', { vendId: pending.vend_id })
        : cardRefusal(snap, { accountNo: account.accountNo, meterNo: meter.meterNo, generation: meter.cardGeneration });
  return {
    ...base,
    writerAvailable: true,
    present: true,
    cardSerial: snap.cardSerial,
    cardAccountNo: snap.identity.accountNo,
    cardMeterNo: snap.identity.meterNo,
    cardGeneration: snap.identity.generation,
    counter: snap.purchase?.counter ?? null,
    previousLoaded: snap.previousLoaded,
    greyLocked: snap.greyLocked,
    meterCreditFen: snap.meter.loadedAt === 0 ? null : snap.meter.remainingCreditFen,
    problem: refusal ? refusal.toWire() : pending ? new AppError('vending.card_vend_pending', { vendId: pending.vend_id }).toWire() : null,
  };
}
