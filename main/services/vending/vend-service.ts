/**
 * Prepaid vending: the vend state machine of ARCHITECTURE.md.
 *
 *   created ──pay──▶ paid ──issue──▶ token_issued ──deliver──▶ delivered
 *      │ (QR declined)                   │ before delivery, supervisor-approved:
 *      ▼                                 ▼
 *   cancelled                         reversed
 *
 * Each arrow is ONE SQLite transaction: the vends row, a hash-chained journal entry and an outbox
 * event. Every input of the token (meter, TID, RND, amount) is fixed at `created`, so issuing again
 * after a crash gives the byte-identical token, never a second credit. Devices (printer) and the
 * network (gateway, online secure module) are only touched between commits.
 */
import { createHash, randomInt } from 'node:crypto';
import type { WriteStep } from '../../../kiosk-drivers/card/prepaid-card-format.js';
import { AppError, type ErrorCode, type OperatorView, type WireError } from '../../contract/index.js';
import type { TokenExplainView, VendCardCheckView, VendPreviewView, VendResumeSummary, VendSplitView, VendView } from '../../contract/vending.js';
import { cashChange } from '../../domain/settlement.js';
import { fenToYuanText, formatFen } from '../../domain/money.js';
import {
  previewVend,
  quoteVendForEnergy,
  periodKeyFor,
  priceLadder,
  type Tariff,
  type TariffCatalog,
  type TariffFailure,
  type VendBreakdown,
  type VendRules,
} from '../../domain/tariff/index.js';
import type { Locale } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import type { CachedAccount } from '../../store/accounts.js';
import type { MeterSnapshot, PaymentCreatedPayload } from '../../sync/backend-wire.js';
import { explainToken, formatTokenGroups, normalizeTokenInput, tidFromDate } from '../../vending/sts/index.js';
import { meterIdentity, type IssuedCredit, type LocalSecureModule, type SecureModule } from '../../vending/secure-module/index.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import { formatCkwh, isReversible, parseEnergyKwh } from '../../vending/vend/vend-states.js';
import { alignToTokenGrid, ladderPosition, tokenEnergyAtOrAbove } from '../../vending/vend/token-energy.js';
import type { AccountService } from '../accounts.js';
import { verifyPin } from '../auth.js';
import { localDate, type Clock } from '../clock.js';
import { moneyInput } from '../money-input.js';
import { toWireError } from '../dispatch.js';
import { cardCrashPoint, cardRefusal, readCardForVend, writerForVend, type CardDevices } from './card-delivery.js';
import type { PaymentGateway } from './gateway-client.js';
import { pendingKeyChange, withKeyChanges } from './meter-key-changes.js';
import {
  fixedChargeMarks,
  FORMER_BASE_TID_MARGIN,
  newestTid,
  getVend,
  getVendByRequest,
  nextTid,
  offlineExposureFen,
  pendingArrearsFen,
  stepEventId,
  storedSplit,
  undeliveredCardVends,
  unfinishedCardVend,
  unfinishedVends,
  vendedCkwhInPeriod,
  vendReceiptView,
  vendView,
  type StoredSplit,
  type VendRow,
} from './vend-store.js';

export interface VendServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  /** This terminal: the help desk says where a token was issued. */
  readonly terminalId: string;
  readonly accounts: AccountService;
  readonly tariffs: TariffCatalog;
  readonly rules: VendRules;
  /** The configured issuer (online: the backend; local: this terminal's software module). */
  readonly secureModule: SecureModule;
  /** The local software module when a key file is configured: local mode, offline fallback, help desk. */
  readonly localModule: LocalSecureModule | null;
  readonly localFallback: boolean;
  readonly offlineCreditLimitFen: number;
  /** Cash vends still `created` older than this are cancelled by resume (see resume()). */
  readonly staleCashVendMs: number;
  readonly gateway: PaymentGateway;
  /** Prints a vend receipt; resolves to the device error, or null when printed. */
  readonly printVend: (vend: VendView, reprint: boolean, locale: Locale) => Promise<WireError | null>;
  readonly defaultLocale: Locale;
  /** The card reader/writer for card meters (local fee control); null = card vends are refused. */
  readonly cards: CardDevices | null;
  readonly afterCommit: () => void;
  /** RND for new tokens, 0..15. Injectable for tests. */
  readonly randomNibble?: () => number;
  readonly log?: (line: string) => void;
}

export interface PurchaseInput {
  readonly requestId: string;
  readonly accountNo: string;
  readonly meterNo?: string | undefined;
  readonly method: 'cash' | 'qr';
  readonly amount: string;
  readonly tendered?: string | undefined;
  readonly authCode?: string | undefined;
  readonly delivery: 'print' | 'screen';
  readonly receiptLocale?: Locale | undefined;
  readonly splitDigest?: string | undefined;
}

interface Quote {
  readonly account: CachedAccount;
  readonly meter: VendMeter;
  readonly tariff: Tariff;
  readonly breakdown: VendBreakdown;
  readonly source: 'online' | 'cache';
  /** An STS meter whose key change (issued here) the backend may not have applied yet. */
  readonly keyChangePending: boolean;
}

/** A meter that can be vended: STS (token) or a card meter (purchase written to the prepaid card). */
type VendMeter =
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

export class VendService {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: VendServiceDeps) {}

  /** The local secure module (one instance, shared with management tokens), or null. */
  get localModule(): LocalSecureModule | null {
    return this.deps.localModule;
  }

  // ── preview ────────────────────────────────────────────────────────────────────────────────

  async preview(p: { accountNo: string; meterNo?: string | undefined; method: 'cash' | 'qr'; amount?: string | undefined; energyKwh?: string | undefined }): Promise<VendPreviewView> {
    let amountFen: number | null = null;
    let energyCkwh: number | null = null;
    if (p.amount !== undefined) amountFen = moneyInput(p.amount, 'amount');
    else {
      energyCkwh = parseEnergyKwh(p.energyKwh ?? '');
      if (energyCkwh === null) throw new AppError('vending.energy_invalid', { input: (p.energyKwh ?? '').slice(0, 24) });
    }
    const q = await this.quote(p.accountNo, p.meterNo, p.method, amountFen, energyCkwh);
    const issuer = q.meter.kind === 'card' ? cardIssuer(q.source) : this.issuerFor(q.source, q.keyChangePending);
    return {
      ...splitView(q.breakdown),
      accountNo: q.account.accountNo,
      accountName: q.account.name,
      meterNo: q.meter.meterNo,
      meterKind: q.meter.kind,
      limits: { minimumFen: q.breakdown.limits.minimumFen, maximumFen: q.breakdown.limits.maximumFen },
      issuer: issuer ?? 'online',
      offlineAvailableFen: Math.max(0, this.deps.offlineCreditLimitFen - offlineExposureFen(this.deps.db)),
      source: q.source,
      splitDigest: splitDigest(q.meter.meterNo, splitView(q.breakdown)),
    };
  }

  // ── purchase ───────────────────────────────────────────────────────────────────────────────

  async purchase(input: PurchaseInput, operator: OperatorView): Promise<VendView> {
    const existing = getVendByRequest(this.deps.db, input.requestId);
    if (existing) {
      if (existing.account_no !== input.accountNo || existing.method !== input.method || existing.amount_fen !== safeFen(input.amount)) {
        throw new AppError('vending.request_conflict');
      }
      return this.advance(existing.vend_id, { payCash: true, delivery: input.delivery, locale: input.receiptLocale });
    }

    // Validate everything before writing anything.
    const amountFen = moneyInput(input.amount, 'amount');
    let tenderedFen: number | null = null;
    let changeFen = 0;
    if (input.method === 'cash') {
      tenderedFen = input.tendered === undefined || input.tendered.trim() === '' ? amountFen : moneyInput(input.tendered, 'tendered');
      const change = cashChange(amountFen, tenderedFen);
      if (!change.ok) throw new AppError('payment.tendered_insufficient', { short: formatFen(change.shortFen) });
      changeFen = change.changeFen;
    }
    const q = await this.quote(input.accountNo, input.meterNo, input.method, amountFen, null);
    // The customer agreed to the previewed split: if it changed since (arrears paid elsewhere, a
    // vend in between moved the tier, a new period), they must see the new one first.
    if (input.splitDigest !== undefined && input.splitDigest !== splitDigest(q.meter.meterNo, splitView(q.breakdown))) {
      throw new AppError('vending.split_changed', { arrearsYuan: fenToYuanText(q.breakdown.arrears.fen), kwh: formatCkwh(q.breakdown.energyCkwh) });
    }
    const issuer = q.meter.kind === 'card' ? cardIssuer(q.source) : this.issuerFor(q.source, q.keyChangePending);
    if (issuer === null && q.keyChangePending) throw new AppError('vending.key_change_unsynced', { meterNo: q.meter.meterNo });
    if (issuer === null) throw new AppError('vending.secure_module_unavailable', { mode: 'online' });
    if (issuer === 'local') this.checkOfflineLimit(amountFen);
    // Card meters: the card in the reader must be this meter's and ready, before any money is taken.
    let card: { serial: string; generation: number; counterBefore: number } | null = null;
    if (q.meter.kind === 'card') card = await this.cardForPurchase(q.account.accountNo, q.meter.meterNo, q.meter.cardGeneration);

    const { db, clock } = this.deps;
    const now = clock();
    const at = now.toISOString();
    const vendId = uuidv7(() => now);
    const rnd = this.deps.randomNibble?.() ?? randomInt(16);
    const split = splitView(q.breakdown);
    const stored: StoredSplit = {
      split,
      tierPeriodKey: q.breakdown.tierPeriodKey,
      fixedChargePeriods: q.breakdown.fixedCharges.map((c) => ({ chargeId: c.chargeId, periodKey: c.periodKey })),
    };
    const locale = input.receiptLocale ?? this.deps.defaultLocale;
    const outTradeNo = input.method === 'qr' ? `V${vendId.replace(/-/g, '')}` : null;

    const meter = q.meter;
    db.transaction(() => {
      if (getVendByRequest(db, input.requestId)) throw new AppError('payment.duplicate_request');
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
        ...(card ? { card: { cardSerial: card.serial, generation: card.generation, counterBefore: card.counterBefore } } : {}),
      };
      appendJournal(db, { type: 'vend.created', ref: vendId, actor: operator.operatorId, at, payload });
      enqueueOutbox(db, { eventId: stepEventId(vendId, 'created'), type: 'vend.created', occurredAt: at, payload });
    }).immediate();
    this.deps.afterCommit();
    crashPoint('vend.created');
    return this.advance(vendId, { payCash: true, delivery: input.delivery, locale: input.receiptLocale });
  }

  // ── the machine ────────────────────────────────────────────────────────────────────────────

  /**
   * Drive one vend as far as it can go now. `payCash`: the clerk is at the counter with the money
   * (a resume on start never marks cash as paid by itself).
   */
  private advance(
    vendId: string,
    opts: { payCash: boolean; delivery: 'print' | 'screen' | 'none'; locale?: Locale | undefined; actor?: string | undefined },
  ): Promise<VendView> {
    return this.locked(vendId, async () => {
      let deliveryError: WireError | null = null;
      for (;;) {
        const row = this.row(vendId);
        switch (row.state) {
          case 'created':
            if (row.method === 'qr') {
              // A resume never starts a payment by itself: it only asks the gateway what happened.
              const outcome = await this.settleQr(row, opts.payCash);
              if (outcome === 'pending') throw new AppError('vending.payment_pending', { vendId });
              if (outcome === 'declined') throw new AppError('vending.payment_declined', { vendId });
              continue;
            }
            if (!opts.payCash) return vendView(row);
            this.markPaid(row, null);
            continue;
          case 'paid':
            if (row.meter_kind === 'card') this.issueCard(row);
            else await this.issue(row);
            continue;
          case 'token_issued': {
            if (opts.delivery === 'none') return vendView(row);
            deliveryError =
              row.meter_kind === 'card'
                ? await this.deliverCard(row, opts.locale ?? row.locale, opts.actor ?? row.operator_id)
                : await this.deliver(row, opts.delivery, opts.locale ?? row.locale, row.operator_id);
            if (deliveryError) return { ...vendView(this.row(vendId)), deliveryError };
            continue;
          }
          case 'delivered':
          case 'reversed':
          case 'cancelled':
            return { ...vendView(row), deliveryError };
          default: {
            const never: never = row.state;
            throw new Error(`unknown vend state ${String(never)}`);
          }
        }
      }
    });
  }

  /** QR: pay (first time) or ask the gateway by out-trade number (resume); never guess. */
  private async settleQr(row: VendRow, mayPay: boolean): Promise<'paid' | 'declined' | 'pending'> {
    const outTradeNo = row.out_trade_no as string;
    let status: 'success' | 'declined' | 'unknown' | 'not_found';
    let tradeNo: string | null = null;
    if (mayPay && row.auth_code !== null && !this.journaled(row.vend_id, 'vend.gateway_requested')) {
      this.journalOnly(row.vend_id, 'vend.gateway_requested', row.operator_id, { outTradeNo });
      const r = await this.deps.gateway.pay(outTradeNo, row.auth_code, row.amount_fen);
      status = r.status;
      if (r.status === 'success') tradeNo = r.tradeNo;
    } else {
      try {
        const q = await this.deps.gateway.query(outTradeNo);
        status = q.status === 'pending' ? 'unknown' : q.status;
        tradeNo = q.tradeNo ?? null;
        if (q.status === 'success' && q.amountFen !== undefined && q.amountFen !== row.amount_fen) {
          throw new Error(`gateway order ${outTradeNo} amount ${q.amountFen} ≠ vend ${row.amount_fen}`);
        }
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('gateway order')) throw e;
        status = 'unknown';
      }
    }
    crashPoint('vend.gateway_answered');
    if (status === 'success') {
      this.markPaid(row, tradeNo);
      return 'paid';
    }
    if (status === 'declined' || status === 'not_found') {
      this.transition(row, 'cancelled', 'vend.cancelled', row.operator_id, { reason: status }, {});
      return 'declined';
    }
    return 'pending';
  }

  private markPaid(row: VendRow, externalRef: string | null): void {
    const { db } = this.deps;
    const stored = storedSplit(row);
    this.transition(row, 'paid', 'vend.paid', row.operator_id, { method: row.method, amountFen: row.amount_fen, externalRef }, { external_ref: externalRef }, () => {
      const mark = db.prepare('INSERT OR IGNORE INTO vend_fixed_charges (vend_id, account_no, charge_id, period_key) VALUES (?, ?, ?, ?)');
      for (const c of stored.fixedChargePeriods) mark.run(row.vend_id, row.account_no, c.chargeId, c.periodKey);
    });
    crashPoint('vend.paid');
  }

  private async issue(row: VendRow): Promise<void> {
    const account = withKeyChanges(this.deps.db, this.deps.accounts.cached(row.account_no));
    const meter = account.meters.find((m) => m.meterNo === row.meter_no);
    if (!meter?.sts) throw new AppError('vending.meter_not_found', { meterNo: row.meter_no });
    let req = { vendId: row.vend_id, meterNo: row.meter_no, sts: meter.sts, amountTenths: row.amount_tenths, tid: row.tid, rnd: row.rnd };
    let issued: IssuedCredit;
    let offline = row.offline === 1;
    const local = this.deps.localModule;
    if (row.issuer === 'local') {
      if (!local) throw new AppError('vending.secure_module_unavailable', { mode: 'local' });
      issued = await local.issueCredit(req);
    } else {
      for (let attempt = 1; ; attempt++) {
        try {
          issued = await this.deps.secureModule.issueCredit(req);
          break;
        } catch (e) {
          if (isTidReused(e) && attempt < MAX_TID_REASSIGNMENTS) {
            req = { ...req, tid: this.reassignTid(row.vend_id, row.meter_no, req.tid) };
            continue;
          }
          // The vend is paid: deliver credit. The same stored inputs give the byte-identical token locally.
          if (!(e instanceof AppError && e.code === 'vending.secure_module_unavailable') || !local || !this.deps.localFallback) throw e;
          // The limit was not checked before payment (the backend was reachable then): check it
          // now. Over it, the vend stays paid and is issued online later; never a silent over-limit issue.
          this.checkFallbackLimit(row);
          issued = await local.issueCredit(req);
          offline = true;
          break;
        }
      }
    }
    crashPoint('vend.issue_answered');
    if (issued.tid !== req.tid || issued.rnd !== row.rnd) throw new Error(`secure module answered another TID/RND for vend ${row.vend_id}`);
    const payload = {
      vendId: row.vend_id,
      accountNo: row.account_no,
      meterNo: row.meter_no,
      tid: req.tid,
      amountTenths: row.amount_tenths,
      deliveredTenths: issued.deliveredTenths,
      amountFen: row.amount_fen,
      issuer: issued.issuer,
      offline,
    };
    // The token digits are customer credit: journaled (tamper-evident) but not sent in the outbox event.
    this.transition(row, 'token_issued', 'vend.token_issued', 'system', { ...payload, token: issued.digits }, {
      token: issued.digits,
      delivered_tenths: issued.deliveredTenths,
      offline: offline ? 1 : 0,
    }, undefined, payload);
    crashPoint('vend.token_issued');
  }

  /**
   * Print or show the token. The attempt is committed BEFORE the token leaves the terminal: after
   * a crash, a lost answer or a printer fault the customer may hold it, so the vend can then only
   * be delivered, never reversed.
   */
  private async deliver(row: VendRow, via: 'print' | 'screen', locale: Locale, actor: string): Promise<WireError | null> {
    // A print attempt already journaled (a crash, a lost answer, a printer fault mid-job) may have
    // put paper in the customer's hand: this print then carries the reprint mark.
    const printedBefore = this.printAttempts(row.vend_id) > 0;
    this.markDeliveryAttempted(row, via, actor);
    if (via === 'print') {
      const error = await this.deps.printVend(vendReceiptView(this.row(row.vend_id)), printedBefore, locale);
      if (error) {
        this.journalOnly(row.vend_id, 'vend.delivery_failed', actor, { via, code: error.code });
        return error;
      }
      crashPoint('vend.printed');
    }
    this.markDelivered(row, via === 'print' ? 'printed' : 'shown', actor);
    return null;
  }

  private printAttempts(vendId: string): number {
    return (this.deps.db
      .prepare("SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = 'vend.delivery_attempted' AND json_extract(payload, '$.via') = 'print'")
      .get(vendId) as { n: number }).n;
  }

  private markDeliveryAttempted(row: VendRow, via: 'print' | 'screen', actor: string): void {
    const { db } = this.deps;
    const at = this.deps.clock().toISOString();
    db.transaction(() => {
      const info = db.prepare("UPDATE vends SET delivery_attempts = delivery_attempts + 1, updated_at = ? WHERE vend_id = ? AND state = 'token_issued'").run(at, row.vend_id);
      if (info.changes !== 1) throw new Error(`vend ${row.vend_id} is no longer token_issued`);
      const attempt = (db.prepare('SELECT delivery_attempts AS n FROM vends WHERE vend_id = ?').get(row.vend_id) as { n: number }).n;
      appendJournal(db, { type: 'vend.delivery_attempted', ref: row.vend_id, actor, at, payload: { vendId: row.vend_id, via, attempt } });
    }).immediate();
  }

  // ── card meters ────────────────────────────────────────────────────────────────────────────

  /** The card for a new purchase, checked against the meter; throws the refusal, writes nothing. */
  private async cardForPurchase(accountNo: string, meterNo: string, generation: number): Promise<{ serial: string; generation: number; counterBefore: number }> {
    const pending = unfinishedCardVend(this.deps.db, meterNo);
    if (pending) throw new AppError('vending.card_vend_pending', { vendId: pending.vend_id });
    const snap = await readCardForVend(this.deps.cards);
    const refusal = cardRefusal(snap, { accountNo, meterNo, generation });
    if (refusal) throw refusal;
    return { serial: snap.cardSerial, generation: snap.identity.generation, counterBefore: snap.purchase?.counter ?? 0 };
  }

  /**
   * Credit issued, for a card: the purchase record (money for electricity and its energy) is fixed
   * in the vend row. Nothing external is asked, so this step is a pure commit.
   */
  private issueCard(row: VendRow): void {
    const split = storedSplit(row).split;
    const counterBefore = row.card_counter_before ?? 0;
    const payload = {
      vendId: row.vend_id,
      accountNo: row.account_no,
      meterNo: row.meter_no,
      meterKind: 'card',
      cardSerial: row.card_serial,
      counterBefore,
      counterAfter: counterBefore + 1,
      cardAmountFen: split.energyFen,
      energyCkwh: split.energyCkwh,
      amountFen: row.amount_fen,
      issuer: row.issuer,
      offline: row.offline === 1,
    };
    this.transition(row, 'token_issued', 'vend.token_issued', 'system', payload, {
      card_amount_fen: split.energyFen,
      card_energy_ckwh: split.energyCkwh,
    });
    crashPoint('vend.token_issued');
  }

  /**
   * Delivery to the card: write the purchase with read-back, every card step journaled. When an
   * earlier write of this vend was interrupted (card pulled, crash), the card decides first:
   * recoverPurchase finishes it (landed → delivered) or rolls it back (→ write again). The card's
   * counter and the meter's "next count only" rule make a second credit impossible.
   */
  private async deliverCard(row: VendRow, locale: Locale, actor: string): Promise<WireError | null> {
    const { db } = this.deps;
    const counterBefore = row.card_counter_before;
    const generation = row.card_generation;
    if (counterBefore === null || generation === null || row.card_amount_fen === null || row.card_energy_ckwh === null) {
      throw new Error(`card vend ${row.vend_id} lacks its card inputs`);
    }
    try {
      const writer = writerForVend(this.deps.cards);
      let landed = false;
      if (this.journaled(row.vend_id, 'vend.card_write_started')) {
        const r = await writer.recoverPurchase({ purchaseId: row.vend_id, accountNo: row.account_no, meterNo: row.meter_no, counterBefore });
        this.journalOnly(row.vend_id, 'vend.card_recovered', actor, { outcome: r.outcome, landed: r.landed, counter: r.counter, cardSerial: r.cardSerial });
        landed = r.landed;
      }
      if (!landed) {
        const attempt = this.journalCount(row.vend_id, 'vend.card_write_started') + 1;
        this.journalOnly(row.vend_id, 'vend.card_write_started', actor, { attempt, counterBefore, cardSerial: row.card_serial });
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
          (step) => this.journalCardStep(row.vend_id, step, attempt, actor),
        );
        if (w.outcome === 'already_written') this.journalOnly(row.vend_id, 'vend.card_already_written', actor, { counter: w.counter });
      }
      cardCrashPoint('vend.card_written');
    } catch (err) {
      const error = toWireError(err);
      if (error.code === 'internal') throw err;
      if (db.open) this.journalOnly(row.vend_id, 'vend.delivery_failed', actor, { via: 'card', code: error.code });
      return error;
    }
    this.markDelivered(row, 'card', actor, { card_counter_after: counterBefore + 1 });
    // The customer's paper record; the credit is already on the card, so a printer fault only journals.
    const printed = await this.deps.printVend(vendReceiptView(this.row(row.vend_id)), false, locale);
    if (printed) this.journalOnly(row.vend_id, 'vend.receipt_failed', actor, { code: printed.code });
    return null;
  }

  private journalCardStep(vendId: string, step: WriteStep, attempt: number, actor: string): void {
    const { db } = this.deps;
    const at = this.deps.clock().toISOString();
    db.transaction(() => {
      db.prepare('UPDATE vends SET card_step = ?, updated_at = ? WHERE vend_id = ?').run(step, at, vendId);
      appendJournal(db, { type: 'vend.card_step', ref: vendId, actor, at, payload: { vendId, step, attempt } });
    }).immediate();
    if (step === 'marked') cardCrashPoint('vend.card_marked');
  }

  /** The card in the reader against a card meter, for the screen: nothing is written. */
  async cardCheck(p: { accountNo: string; meterNo?: string | undefined }): Promise<VendCardCheckView> {
    const view = await this.deps.accounts.lookup(p.accountNo);
    const account = this.deps.accounts.cached(view.accountNo);
    const meter = p.meterNo === undefined ? account.meters.find((m) => m.kind === 'card') : account.meters.find((m) => m.meterNo === p.meterNo);
    if (!meter) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? '' });
    if (meter.kind !== 'card') throw new AppError('vending.meter_not_vendable', { meterNo: meter.meterNo });
    const pending = unfinishedCardVend(this.deps.db, meter.meterNo);
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
      writerForVend(this.deps.cards);
      snap = await readCardForVend(this.deps.cards);
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

  /**
   * A card entered the reader: finish every undelivered vend waiting for that card (an
   * interrupted write is recovered first). Failures stay on the vend for the clerk to see.
   */
  async onCardInserted(cardSerial: string | null): Promise<void> {
    if (cardSerial === null || !this.deps.db.open) return;
    for (const row of undeliveredCardVends(this.deps.db, cardSerial)) {
      try {
        await this.advance(row.vend_id, { payCash: false, delivery: 'print' });
      } catch (e) {
        if (!(e instanceof AppError)) this.deps.log?.(`[vend] card delivery of ${row.vend_id} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /**
   * Delivered: the vend is final. The arrears it recovered settle the oldest open bills and the
   * remainder goes to the balance — as a payment (payment.created), in the same commit.
   */
  private markDelivered(row: VendRow, delivery: 'printed' | 'shown' | 'card', actor: string, columns: Partial<Pick<VendRow, 'card_counter_after'>> = {}): void {
    const { db } = this.deps;
    const split = storedSplit(row).split;
    this.transition(row, 'delivered', 'vend.delivered', actor, {
      delivery,
      amountFen: row.amount_fen,
      channelFeeFen: split.channelFeeFen,
      arrearsFen: split.arrearsFen,
      fixedChargesFen: split.fixedChargesFen,
      energyFen: split.energyFen,
      energyCkwh: split.energyCkwh,
      remainderFen: split.remainderFen,
      ...(columns.card_counter_after !== undefined ? { cardCounterAfter: columns.card_counter_after, cardAmountFen: row.card_amount_fen } : {}),
    }, { delivery, ...columns }, () => {
      const toBills = split.arrearsFen;
      const toBalance = split.remainderFen;
      if (toBills + toBalance === 0) return;
      const paymentId = stepEventId(row.vend_id, 'settlement');
      const bills = db
        .prepare("SELECT bill_id, amount_fen - paid_fen AS due FROM bills WHERE account_no = ? AND status = 'open' ORDER BY due_date, period, bill_id")
        .all(row.account_no) as { bill_id: string; due: number }[];
      let left = toBills;
      const allocations: { billId: string; fen: number }[] = [];
      for (const b of bills) {
        if (left === 0) break;
        const fen = Math.min(left, b.due);
        if (fen > 0) allocations.push({ billId: b.bill_id, fen });
        left -= fen;
      }
      const toBalanceFen = toBalance + left;
      db.prepare(
        `INSERT INTO payments (payment_id, request_id, account_no, method, amount_fen, tendered_fen, change_fen, to_balance_fen,
           operator_id, external_ref, status, created_at) VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, 'completed', ?)`,
      ).run(paymentId, `vend:${row.vend_id}`, row.account_no, row.method, toBills + toBalance, toBalanceFen, row.operator_id, row.vend_id, this.deps.clock().toISOString());
      const alloc = db.prepare('INSERT INTO payment_allocations (payment_id, bill_id, principal_fen, late_fee_fen) VALUES (?, ?, ?, 0)');
      const settleBill = db.prepare(
        "UPDATE bills SET paid_fen = paid_fen + ?, status = CASE WHEN paid_fen + ? >= amount_fen THEN 'paid' ELSE 'open' END WHERE bill_id = ?",
      );
      for (const a of allocations) {
        alloc.run(paymentId, a.billId, a.fen);
        settleBill.run(a.fen, a.fen, a.billId);
      }
      if (toBalanceFen > 0) db.prepare('UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_no = ?').run(toBalanceFen, row.account_no);
      const payload: PaymentCreatedPayload = {
        paymentId,
        accountNo: row.account_no,
        method: row.method,
        amountFen: toBills + toBalance,
        allocations,
        lateFees: [],
        toBalanceFen,
        operatorId: row.operator_id,
        externalRef: row.vend_id,
      };
      enqueueOutbox(db, { eventId: paymentId, type: 'payment.created', occurredAt: this.deps.clock().toISOString(), payload });
    });
    crashPoint('vend.delivered');
  }

  /**
   * One journaled commit: state change guarded by the expected current state (a transition
   * happens at most once, whoever races), journal entry, outbox event, plus `extra` writes.
   */
  private transition(
    row: VendRow,
    to: VendRow['state'],
    type: string,
    actor: string,
    journalPayload: Record<string, unknown>,
    columns: Partial<
      Pick<VendRow, 'external_ref' | 'token' | 'delivered_tenths' | 'offline' | 'delivery' | 'approved_by' | 'card_amount_fen' | 'card_energy_ckwh' | 'card_counter_after'>
    >,
    extra?: () => void,
    outboxPayload?: Record<string, unknown>,
  ): void {
    const { db } = this.deps;
    const at = this.deps.clock().toISOString();
    const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
    db.transaction(() => {
      const info = db
        .prepare(`UPDATE vends SET state = @to, updated_at = @at${sets.length ? ', ' + sets.join(', ') : ''} WHERE vend_id = @id AND state = @from`)
        .run({ ...columns, to, at, id: row.vend_id, from: row.state });
      if (info.changes !== 1) throw new Error(`vend ${row.vend_id} is no longer ${row.state}`);
      extra?.();
      const payload = { vendId: row.vend_id, from: row.state, to, ...journalPayload };
      appendJournal(db, { type, ref: row.vend_id, actor, at, payload });
      enqueueOutbox(db, { eventId: stepEventId(row.vend_id, to), type, occurredAt: at, payload: { vendId: row.vend_id, from: row.state, to, ...(outboxPayload ?? journalPayload) } });
    }).immediate();
    this.deps.afterCommit();
  }

  /**
   * Another terminal already used this TID for the meter (the backend refused it) and no token
   * exists for this vend, so moving it to the next free minute cannot create a second credit.
   */
  private reassignTid(vendId: string, meterNo: string, usedTid: number): number {
    const { db } = this.deps;
    let tid = usedTid;
    db.transaction(() => {
      tid = nextTid(db, meterNo, usedTid + 1);
      const info = db.prepare('UPDATE vends SET tid = ? WHERE vend_id = ? AND token IS NULL').run(tid, vendId);
      if (info.changes !== 1) throw new Error(`vend ${vendId} already has a token; its TID must not change`);
      appendJournal(db, { type: 'vend.tid_reassigned', ref: vendId, actor: 'system', at: this.deps.clock().toISOString(), payload: { vendId, meterNo, from: usedTid, to: tid } });
    }).immediate();
    return tid;
  }

  private journalOnly(vendId: string, type: string, actor: string, payload: Record<string, unknown>): void {
    appendJournal(this.deps.db, { type, ref: vendId, actor, at: this.deps.clock().toISOString(), payload: { vendId, ...payload } });
  }

  private journalCount(vendId: string, type: string): number {
    return (this.deps.db.prepare('SELECT COUNT(*) AS n FROM journal WHERE ref = ? AND type = ?').get(vendId, type) as { n: number }).n;
  }

  private journaled(vendId: string, type: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM journal WHERE ref = ? AND type = ? LIMIT 1').get(vendId, type) !== undefined;
  }

  // ── other intents ──────────────────────────────────────────────────────────────────────────

  get(vendId: string): VendView {
    return vendView(this.row(vendId));
  }

  list(accountNo: string, limit: number): { items: VendView[] } {
    const rows = this.deps.db.prepare('SELECT * FROM vends WHERE account_no = ? ORDER BY created_at DESC LIMIT ?').all(accountNo, limit) as VendRow[];
    return { items: rows.map(vendView) };
  }

  async deliverAgain(vendId: string, via: 'print' | 'screen' | 'card', operator: OperatorView, locale?: Locale): Promise<VendView> {
    const first = this.row(vendId);
    // A card vend stopped between paid and credit issued (a crash) continues through the machine.
    if (first.meter_kind === 'card' && via === 'card' && first.state === 'paid') {
      return this.advance(vendId, { payCash: false, delivery: 'print', locale, actor: operator.operatorId });
    }
    return this.locked(vendId, async () => {
      const row = this.row(vendId);
      if (row.state !== 'token_issued') {
        if (row.state === 'delivered') return vendView(row);
        throw new AppError('vending.not_delivered_yet', { state: row.state });
      }
      const isCard = row.meter_kind === 'card';
      if (isCard !== (via === 'card')) throw new AppError('vending.card_delivery_only', { meterKind: row.meter_kind, via });
      const error =
        via === 'card'
          ? await this.deliverCard(row, locale ?? row.locale, operator.operatorId)
          : await this.deliver(row, via, locale ?? row.locale, operator.operatorId);
      return { ...vendView(this.row(vendId)), deliveryError: error };
    });
  }

  async reprint(vendId: string, operator: OperatorView, locale?: Locale): Promise<{ printed: boolean; error: WireError | null; reprints: number }> {
    const row = this.row(vendId);
    if (row.state === 'token_issued') {
      const v = await this.deliverAgain(vendId, 'print', operator, locale);
      return { printed: v.deliveryError === null, error: v.deliveryError, reprints: v.reprints };
    }
    if (row.state !== 'delivered') throw new AppError('vending.not_delivered_yet', { state: row.state });
    return this.locked(vendId, async () => {
      const current = this.row(vendId);
      const error = await this.deps.printVend(vendReceiptView(current), true, locale ?? current.locale);
      const at = this.deps.clock().toISOString();
      const { db } = this.deps;
      if (error) {
        this.journalOnly(vendId, 'vend.reprint_failed', operator.operatorId, { code: error.code });
        return { printed: false, error, reprints: current.reprints };
      }
      db.transaction(() => {
        db.prepare('UPDATE vends SET reprints = reprints + 1, updated_at = ? WHERE vend_id = ?').run(at, vendId);
        const n = current.reprints + 1;
        appendJournal(db, { type: 'vend.reprinted', ref: vendId, actor: operator.operatorId, at, payload: { vendId, reprint: n } });
        enqueueOutbox(db, { eventId: stepEventId(vendId, `reprint-${n}`), type: 'vend.reprinted', occurredAt: at, payload: { vendId, reprint: n, operatorId: operator.operatorId } });
      }).immediate();
      this.deps.afterCommit();
      return { printed: true, error: null, reprints: current.reprints + 1 };
    });
  }

  async reverse(p: { vendId: string; supervisorId: string; supervisorPin: string; reason: string }, operator: OperatorView): Promise<VendView> {
    const supervisor = this.deps.db
      .prepare("SELECT operator_id, role, pin_hash, active FROM operators WHERE operator_id = ?")
      .get(p.supervisorId) as { operator_id: string; role: string; pin_hash: string; active: number } | undefined;
    const approved =
      supervisor !== undefined &&
      supervisor.active === 1 &&
      (supervisor.role === 'supervisor' || supervisor.role === 'manager') &&
      /^\d{4,8}$/.test(p.supervisorPin) &&
      verifyPin(p.supervisorPin, supervisor.pin_hash);
    if (!approved) {
      this.journalOnly(p.vendId, 'vend.reversal_refused', operator.operatorId, { supervisorId: p.supervisorId });
      throw new AppError('vending.supervisor_required');
    }
    return this.locked(p.vendId, async () => {
      const row = this.row(p.vendId);
      if (!isReversible(row.state) || (row.state === 'created' && row.method === 'qr')) {
        throw new AppError('vending.not_reversible', { state: row.state });
      }
      if (row.meter_kind !== 'card' && row.delivery_attempts > 0) {
        // The token was printed or shown, or that was attempted: the customer may hold it. A refund
        // would be a second credit for one payment.
        this.journalOnly(row.vend_id, 'vend.reversal_refused', operator.operatorId, { supervisorId: p.supervisorId, reason: 'delivery_attempted', attempts: row.delivery_attempts });
        throw new AppError('vending.delivery_attempted', { attempts: row.delivery_attempts });
      }
      if (row.meter_kind === 'card' && row.state === 'token_issued' && this.journaled(row.vend_id, 'vend.card_write_started')) {
        // A write was attempted: only the card can say whether the purchase is on it. A purchase
        // that landed is delivered, never refunded.
        if (await this.cardLanded(row, operator.operatorId)) {
          this.markDelivered(row, 'card', operator.operatorId, { card_counter_after: (row.card_counter_before ?? 0) + 1 });
          throw new AppError('vending.not_reversible', { state: 'delivered' });
        }
      }
      const refundFen = row.state === 'created' ? 0 : row.amount_fen;
      this.transition(row, 'reversed', 'vend.reversed', operator.operatorId, {
        approvedBy: p.supervisorId,
        reason: p.reason,
        refundFen,
        tokenVoided: row.token !== null,
      }, { approved_by: p.supervisorId }, () => {
        this.deps.db.prepare('DELETE FROM vend_fixed_charges WHERE vend_id = ?').run(row.vend_id);
      });
      return vendView(this.row(p.vendId));
    });
  }

  /** Recovers the card of an interrupted write and says whether this vend's purchase is on it. */
  private async cardLanded(row: VendRow, actor: string): Promise<boolean> {
    try {
      const writer = writerForVend(this.deps.cards);
      const r = await writer.recoverPurchase({ purchaseId: row.vend_id, accountNo: row.account_no, meterNo: row.meter_no, counterBefore: row.card_counter_before ?? 0 });
      this.journalOnly(row.vend_id, 'vend.card_recovered', actor, { outcome: r.outcome, landed: r.landed, counter: r.counter, cardSerial: r.cardSerial });
      return r.landed;
    } catch (err) {
      const e = toWireError(err);
      if (e.code === 'internal') throw err;
      throw new AppError('vending.card_check_needed', { reason: e.code });
    }
  }

  /** Every unfinished vend, as far as it can go: used at start and by `vend.resume`. */
  async resume(): Promise<VendResumeSummary> {
    const { db } = this.deps;
    const counts = { examined: 0, paid: 0, issued: 0, delivered: 0, cancelled: 0, stillPending: 0 };
    for (const row of unfinishedVends(db)) {
      if (!db.open) break;
      counts.examined++;
      if (this.isStaleCash(row) && (await this.cancelStaleCash(row.vend_id))) {
        counts.cancelled++;
        continue;
      }
      try {
        const after = await this.advance(row.vend_id, { payCash: false, delivery: 'print' });
        if (row.state === 'created' && after.state !== 'created' && after.state !== 'cancelled') counts.paid++;
        if ((row.state === 'created' || row.state === 'paid') && after.token !== null) counts.issued++;
        if (after.state === 'delivered') counts.delivered++;
        if (after.state === 'cancelled') counts.cancelled++;
        if (after.state === 'created' || after.state === 'paid' || after.state === 'token_issued') counts.stillPending++;
      } catch (e) {
        counts.stillPending++;
        if (!(e instanceof AppError)) this.deps.log?.(`[vend] resume of ${row.vend_id} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return counts;
  }

  /**
   * A cash vend left at `created` (the process died between the created and the paid commits): the
   * clerk's retry of the same request continues it, but nobody came back. Cash is recorded as taken
   * only at `paid`, so nothing was taken here; left alone it would hold offline credit (and a card
   * meter's one pending purchase) for ever.
   */
  private isStaleCash(row: VendRow): boolean {
    return row.state === 'created' && row.method === 'cash' && this.deps.clock().getTime() - Date.parse(row.created_at) >= this.deps.staleCashVendMs;
  }

  private cancelStaleCash(vendId: string): Promise<boolean> {
    return this.locked(vendId, () => {
      const row = this.row(vendId);
      if (!this.isStaleCash(row)) return Promise.resolve(false);
      this.transition(row, 'cancelled', 'vend.cancelled', 'system', { reason: 'stale_cash_created', ageMs: this.deps.clock().getTime() - Date.parse(row.created_at) }, {});
      return Promise.resolve(true);
    });
  }

  // ── help desk ──────────────────────────────────────────────────────────────────────────────

  async explain(p: { token: string; accountNo?: string | undefined; meterNo?: string | undefined }): Promise<TokenExplainView> {
    const local = this.deps.localModule;
    if (!local) throw new AppError('vending.secure_module_unavailable', { mode: 'local' });
    const digits = normalizeTokenInput(p.token);
    let accountNo = p.accountNo;
    if (accountNo === undefined) {
      const owner = this.deps.db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').get(p.meterNo) as { account_no: string } | undefined;
      if (!owner) {
        const found = await this.deps.accounts.search(p.meterNo ?? '');
        accountNo = found.items[0]?.accountNo;
      } else accountNo = owner.account_no;
      if (accountNo === undefined) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? '' });
    }
    await this.deps.accounts.lookup(accountNo);
    const account = withKeyChanges(this.deps.db, this.deps.accounts.cached(accountNo));
    const meters = account.meters.filter((m) => m.sts && (p.meterNo === undefined || m.meterNo === p.meterNo));
    if (meters.length === 0) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? accountNo });
    const usedTids = (meterNo: string) =>
      (this.deps.db.prepare("SELECT tid FROM vends WHERE meter_no = ? AND token IS NOT NULL AND token != ?").all(meterNo, digits) as { tid: number }[]).map((r) => r.tid);
    const x = explainToken(
      digits,
      meters.map((m) => ({
        meterNo: m.meterNo,
        dk: local.decoderKey(m.sts as NonNullable<MeterSnapshot['sts']>),
        baseDate: (m.sts as NonNullable<MeterSnapshot['sts']>).baseDate,
        usedTids: usedTids(m.meterNo),
      })),
    );
    const vend = x.meterNo === null ? undefined : (this.deps.db.prepare('SELECT vend_id, created_at, state, delivery, operator_id FROM vends WHERE meter_no = ? AND token = ?').get(x.meterNo, digits) as
      | { vend_id: string; created_at: string; state: VendRow['state']; delivery: VendRow['delivery']; operator_id: string }
      | undefined);
    const at = (vendId: string, type: string) =>
      (this.deps.db.prepare('SELECT at FROM journal WHERE ref = ? AND type = ? ORDER BY seq LIMIT 1').get(vendId, type) as { at: string } | undefined)?.at ?? null;
    const tokenVend = vend
      ? {
          vendId: vend.vend_id,
          state: vend.state,
          delivery: vend.delivery,
          issuedAt: at(vend.vend_id, 'vend.token_issued'),
          deliveredAt: at(vend.vend_id, 'vend.delivered'),
          reversedAt: at(vend.vend_id, 'vend.reversed'),
          terminalId: this.deps.terminalId,
          operatorId: vend.operator_id,
        }
      : null;
    // Only TIDs of the token's own base date compare (a rolled-over meter's old TIDs are far above).
    const newest = x.meterNo === null ? null : newestTid(this.deps.db, x.meterNo, x.tid === undefined ? undefined : x.tid + FORMER_BASE_TID_MARGIN);
    return {
      digits,
      groups: formatTokenGroups(digits),
      meterNo: x.meterNo,
      accountNo: account.accountNo,
      tokenClass: x.tokenClass,
      subclass: x.subclass,
      kind: x.kind,
      tid: x.tid ?? null,
      tidDate: x.tidDate ?? null,
      baseDate: x.baseDate ?? null,
      amountTenths: x.amountTenths ?? null,
      tidAlreadyUsed: x.tidAlreadyUsed,
      vendId: vend?.vend_id ?? null,
      issuedAt: vend?.created_at ?? null,
      tokenVend,
      alreadyDelivered: vend?.state === 'delivered',
      newerTidExists: x.tid !== undefined && newest !== null && newest > x.tid,
      newestTid: newest,
    };
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────

  private row(vendId: string): VendRow {
    const row = getVend(this.deps.db, vendId);
    if (!row) throw new AppError('vending.vend_not_found', { vendId });
    return row;
  }

  /**
   * Who issues now: 'online', 'local' (local mode, or online mode offline with fallback), or null
   * (cannot). A meter whose key change the backend may not have applied yet is issued by the local
   * module (an offline vend, reported on sync): the backend would still issue under the old key.
   */
  private issuerFor(source: 'online' | 'cache', keyChangePending = false): 'online' | 'local' | null {
    if (this.deps.secureModule.mode === 'local') return 'local';
    if (source === 'online' && !keyChangePending) return 'online';
    return this.deps.localModule && this.deps.localFallback ? 'local' : null;
  }

  private checkFallbackLimit(row: VendRow): void {
    const available = this.deps.offlineCreditLimitFen - offlineExposureFen(this.deps.db);
    if (row.amount_fen <= available) return;
    const a = Math.max(0, available);
    this.journalOnly(row.vend_id, 'vend.offline_limit_held', 'system', { amountFen: row.amount_fen, availableFen: a });
    throw new AppError('vending.offline_limit_paid', { vendId: row.vend_id, availableFen: a, availableYuan: fenToYuanText(a) });
  }

  private checkOfflineLimit(amountFen: number): void {
    const available = this.deps.offlineCreditLimitFen - offlineExposureFen(this.deps.db);
    if (amountFen > available) {
      const a = Math.max(0, available);
      throw new AppError('vending.offline_limit_exceeded', { availableFen: a, availableYuan: fenToYuanText(a) });
    }
  }

  private async quote(accountNo: string, meterNo: string | undefined, method: 'cash' | 'qr', amountFen: number | null, energyCkwh: number | null): Promise<Quote> {
    const view = await this.deps.accounts.lookup(accountNo);
    const account = withKeyChanges(this.deps.db, this.deps.accounts.cached(view.accountNo));
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
      vendMeter = { ...meter, kind: 'sts', sts: meter.sts };
    } else throw new AppError('vending.meter_not_vendable', { meterNo: meter.meterNo });
    const tariff = this.deps.tariffs.get(account.tariffCode);
    if (!tariff) throw new AppError('vending.tariff_unknown', { tariffCode: account.tariffCode });

    const asOfDate = localDate(this.deps.clock(), this.deps.timeZone);
    const ladder = priceLadder(tariff);
    const debt = view.openBills.reduce((s, b) => s + b.outstandingFen, 0) - pendingArrearsFen(this.deps.db, account.accountNo);
    let consumption = null;
    if (ladder.periodBasis !== null) {
      const periodKey = periodKeyFor(asOfDate, ladder.periodBasis);
      const base = ladder.periodBasis === 'year' ? account.consumptionYear : account.consumptionMonth;
      consumption = { periodKey, consumedCkwh: base + vendedCkwhInPeriod(this.deps.db, account.accountNo, periodKey) };
    }
    const ctx = {
      asOfDate,
      tariff,
      rules: this.deps.rules,
      channel: method === 'qr' ? 'counter_qr' : 'counter_cash',
      arrearsFen: Math.max(0, debt),
      consumption,
      fixedChargesCharged: fixedChargeMarks(this.deps.db, account.accountNo),
      // A token carries 0.1 kWh; a card record carries 0.01 kWh.
      energyStepCkwh: vendMeter.kind === 'sts' ? (10 as const) : (1 as const),
    };
    const sts = vendMeter.kind === 'sts';
    // STS: the clerk's kWh is lifted to what a token carries exactly, so the quote buys at least that.
    const wanted = sts && energyCkwh !== null ? tokenEnergyAtOrAbove(energyCkwh) : (energyCkwh ?? 0);
    const r = amountFen !== null ? previewVend({ ...ctx, amountFen }) : quoteVendForEnergy({ ...ctx, energyCkwh: wanted });
    if (!r.ok) throw new AppError(TARIFF_TO_VENDING[r.code], r.details);
    // STS: sold energy on the token's grid under the tariff's rule, so delivered == sold (never an unconfigured round-up).
    const breakdown = sts ? alignToTokenGrid(r.value, ladder, ladderPosition(ladder, consumption, asOfDate), tariff.energyRounding) : r.value;
    if (breakdown.energyCkwh === 0) throw new AppError('vending.amount_below_minimum', { minimumFen: breakdown.limits.minimumFen, minimumYuan: fenToYuanText(breakdown.limits.minimumFen) });
    const keyChangePending = vendMeter.kind === 'sts' && pendingKeyChange(this.deps.db, vendMeter.meterNo, account.version) !== null;
    return { account, meter: vendMeter, tariff, breakdown, source: view.source, keyChangePending };
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

/**
 * Card vends need no secure module: the terminal writes the card itself. `issuer` records whether
 * the backend was reachable; an offline card vend counts against the offline credit limit.
 */
function cardIssuer(source: 'online' | 'cache'): 'online' | 'local' {
  return source === 'online' ? 'online' : 'local';
}

function safeFen(text: string): number | null {
  try {
    return moneyInput(text, 'amount');
  } catch {
    return null;
  }
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

/** Other terminals vending the same meter in the same minutes: a few steps forward always finds a free TID. */
const MAX_TID_REASSIGNMENTS = 10;

function isTidReused(e: unknown): boolean {
  return e instanceof AppError && e.code === 'vending.issue_rejected' && e.details.reason === 'tid_reused';
}
