/**
 * A new vend: validate everything (cash tendered, quote, agreed split, issuer, offline limit, the
 * card) before writing anything, then one `created` commit holding every token input, then the
 * machine takes over. A retried requestId continues the vend it already made.
 */
import { randomInt } from 'node:crypto';
import { AppError, type OperatorView } from '../../contract/index.js';
import type { VendView } from '../../contract/vending.js';
import { cashChange } from '../../domain/settlement.js';
import { fenToYuanText, formatFen } from '../../domain/money.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import { tidFromDate } from '../../vending/sts/index.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import { formatCkwh } from '../../vending/vend/vend-states.js';
import { moneyInput } from '../money-input.js';
import type { VendContext } from './vend-context.js';
import { cardForPurchase } from './vend-card.js';
import { advance } from './vend-machine.js';
import { checkOfflineLimit, quote, quoteIssuer, splitDigest, splitView } from './vend-quote.js';
import { getVendByRequest, nextTid, stepEventId, unfinishedCardVend, vendView, type StoredSplit } from './vend-store.js';
import type { PurchaseInput } from './vend-types.js';

/** How a vend is opened: by default driven on at once; the kiosk opens it unpaid for its QR order. */
export interface OpenVendOptions {
  /** false: stop after the `created` commit (the kiosk's order is paid later, by the customer's scan). */
  readonly advance?: boolean;
  /** Extra writes inside the `created` commit (the kiosk's order row), given the vend id and its out-trade number. */
  readonly inCreatedCommit?: (vendId: string, outTradeNo: string | null) => void;
}

export async function openVend(ctx: VendContext, input: PurchaseInput, operator: OperatorView, opts: OpenVendOptions = {}): Promise<VendView> {
  const existing = getVendByRequest(ctx.deps.db, input.requestId);
  if (existing) {
    if (existing.account_no !== input.accountNo || existing.method !== input.method || existing.amount_fen !== safeFen(input.amount)) {
      throw new AppError('vending.request_conflict');
    }
    if (opts.advance === false) return vendView(existing);
    return advance(ctx, existing.vend_id, { payCash: true, delivery: input.delivery, locale: input.receiptLocale });
  }

  // Validate everything before writing anything.
  const amountFen = moneyInput(input.amount, 'amount');
  // No open shift, no money (counter mode): refused before anything is asked or written.
  ctx.deps.shifts?.shiftForPayment();
  let tenderedFen: number | null = null;
  let changeFen = 0;
  if (input.method === 'cash') {
    tenderedFen = input.tendered === undefined || input.tendered.trim() === '' ? amountFen : moneyInput(input.tendered, 'tendered');
    const change = cashChange(amountFen, tenderedFen);
    if (!change.ok) throw new AppError('payment.tendered_insufficient', { short: formatFen(change.shortFen) });
    changeFen = change.changeFen;
  }
  const q = await quote(ctx, input.accountNo, input.meterNo, input.method, amountFen, null, input.channel);
  // The customer agreed to the previewed split: if it changed since (arrears paid elsewhere, a
  // vend in between moved the tier, a new period), they must see the new one first.
  if (input.splitDigest !== undefined && input.splitDigest !== splitDigest(q.meter.meterNo, splitView(q.breakdown))) {
    throw new AppError('vending.split_changed', { arrearsYuan: fenToYuanText(q.breakdown.arrears.fen), kwh: formatCkwh(q.breakdown.energyCkwh) });
  }
  const issuer = quoteIssuer(ctx.deps, q);
  if (issuer === null && q.keyChangePending) throw new AppError('vending.key_change_unsynced', { meterNo: q.meter.meterNo });
  if (issuer === null) throw new AppError('vending.secure_module_unavailable', { mode: 'online' });
  if (issuer === 'local') checkOfflineLimit(ctx, amountFen);
  // Card meters: the card in the reader must be this meter's and ready, before any money is taken.
  let card: { serial: string; generation: number; counterBefore: number } | null = null;
  if (q.meter.kind === 'card') card = await cardForPurchase(ctx, q.account.accountNo, q.meter.meterNo, q.meter.cardGeneration);

  const { db, clock } = ctx.deps;
  const now = clock();
  const at = now.toISOString();
  const vendId = uuidv7(() => now);
  const rnd = ctx.deps.randomNibble?.() ?? randomInt(16);
  const split = splitView(q.breakdown);
  const stored: StoredSplit = {
    split,
    tierPeriodKey: q.breakdown.tierPeriodKey,
    fixedChargePeriods: q.breakdown.fixedCharges.map((c) => ({ chargeId: c.chargeId, periodKey: c.periodKey })),
  };
  const locale = input.receiptLocale ?? ctx.deps.defaultLocale;
  const outTradeNo = input.method === 'qr' ? `V${vendId.replace(/-/g, '')}` : null;

  const meter = q.meter;
  db.transaction(() => {
    if (getVendByRequest(db, input.requestId)) throw new AppError('payment.duplicate_request');
    // The drawer the money goes into, read in this commit: a drawer counted meanwhile cannot take it.
    const shiftId = ctx.deps.shifts?.shiftForPayment() ?? null;
    // One pending purchase per card: a second would be refused by the card's counter anyway.
    const pending = card ? unfinishedCardVend(db, meter.meterNo) : undefined;
    if (pending) throw new AppError('vending.card_vend_pending', { vendId: pending.vend_id });
    // TIDs are never reused for a meter: the UNIQUE (meter_no, tid) index backs this up. A card
    // vend carries no STS TID; its number is the same minute sequence, just an ordering key.
    const tid = nextTid(db, meter.meterNo, tidFromDate(now, meter.kind === 'sts' ? meter.sts.baseDate : '2014-01-01'));
    db.prepare(
      `INSERT INTO vends (vend_id, request_id, account_no, meter_no, meter_kind, state, method, amount_fen, tendered_fen,
         change_fen, out_trade_no, auth_code, issuer, offline, tid, rnd, amount_tenths, split_json, locale, operator_id,
         created_at, updated_at, card_serial, card_generation, card_counter_before)
       VALUES (?, ?, ?, ?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(vendId, input.requestId, q.account.accountNo, meter.meterNo, meter.kind, input.method, amountFen, tenderedFen, changeFen,
      outTradeNo, input.authCode ?? null, issuer, issuer === 'local' ? 1 : 0, tid, card ? 0 : rnd, Math.floor(split.energyCkwh / 10),
      JSON.stringify(stored), locale, operator.operatorId, at, at, card?.serial ?? null, card?.generation ?? null, card?.counterBefore ?? null);
    const payload = {
      vendId,
      accountNo: q.account.accountNo,
      meterNo: meter.meterNo,
      meterKind: meter.kind,
      method: input.method,
      amountFen,
      tid,
      issuer,
      outTradeNo,
      split,
      ...(shiftId !== null ? { shiftId } : {}),
      ...(card ? { card: { cardSerial: card.serial, generation: card.generation, counterBefore: card.counterBefore } } : {}),
    };
    if (shiftId !== null) db.prepare('UPDATE vends SET shift_id = ? WHERE vend_id = ?').run(shiftId, vendId);
    appendJournal(db, { type: 'vend.created', ref: vendId, actor: operator.operatorId, at, payload });
    enqueueOutbox(db, { eventId: stepEventId(vendId, 'created'), type: 'vend.created', occurredAt: at, payload });
    opts.inCreatedCommit?.(vendId, outTradeNo);
  }).immediate();
  ctx.deps.afterCommit();
  crashPoint('vend.created');
  if (opts.advance === false) return vendView(ctx.row(vendId));
  return advance(ctx, vendId, { payCash: true, delivery: input.delivery, locale: input.receiptLocale });
}

function safeFen(text: string): number | null {
  try {
    return moneyInput(text, 'amount');
  } catch {
    return null;
  }
}
