/**
 * The kiosk visit (docs/kiosk.md): one customer at a time, a state machine in the core —
 *
 *   (none) ─begin─▶ started ─identify─▶ identified ─order─▶ awaiting_payment ─paid─▶ paid ─deliver─▶ delivered
 *                                          ▲                       │ cancel / expiry
 *                                          └───────────────────────┘
 *
 * every state ending on `end` or the idle limit with nothing half-done (an unpaid order is closed at
 * the gateway; a paid one stays the kiosk's pending transaction, offered first to the next visit).
 * A visit sees only its own account: identified by card (holder), or by number/barcode (payer: only
 * what paying needs) until the phone check. The sweeper polls the gateway, ends idle visits,
 * checks capabilities and sends the heartbeat.
 */
import { createHash } from 'node:crypto';
import {
  AppError,
  KIOSK_FUNCTIONS,
  KIOSK_STAFF_EXIT_ROLES,
  isErrorCode,
  type KioskAccountView,
  type KioskBillsQuoteView,
  type KioskBillView,
  type KioskCapabilityView,
  type KioskFunction,
  type KioskOrderView,
  type KioskPendingView,
  type KioskStaffCardView,
  type KioskStatusView,
  type KioskVendQuoteView,
  type KioskVisitView,
  type OperatorView,
  type WireError,
} from '../../contract/index.js';
import { chooseBills, kioskOffer, maskAddress, maskName, maskPhone, meterTail, settlementOrder, type KioskOffer } from '../../domain/kiosk/kiosk-rules.js';
import { periodKeyFor, priceLadder } from '../../domain/tariff/index.js';
import type { Locale } from '../../i18n/locales.js';
import { uuidv7 } from '../../store/ids.js';
import {
  accountByBill,
  accountByMeter,
  billConsumption,
  insertRating,
  kioskOrder,
  kioskOrderByPayment,
  kioskOrderByVend,
  kioskStepEventId,
  oldestOutboxAt,
  openKioskOrders,
  ratingOf,
  setKioskOrderColumns,
  undeliveredKioskOrders,
  unpresentedKioskOrders,
  vendedEnergyByMonth,
  type KioskOrderRow,
} from '../../store/kiosk.js';
import { ladderPosition } from '../../vending/vend/token-energy.js';
import type { Heartbeat } from '../../wire/kiosk-wire.js';
import { checkCredentials } from '../auth.js';
import { localDate } from '../clock.js';
import type { Session } from '../dispatch.js';
import { accountVends, vendedCkwhInPeriod } from '../vending/vend-store.js';
import { KioskContext, VERIFY_ATTEMPTS, type KioskDeps, type Visit } from './kiosk-context.js';
import { KioskOrders } from './kiosk-orders.js';
import { KioskStaffBadges } from './kiosk-staff.js';

export class KioskService {
  readonly ctx: KioskContext;
  readonly orders: KioskOrders;
  private readonly badges: KioskStaffBadges;
  private gatewayReachable: boolean | null = null;
  private gatewayCheckedAt = 0;
  private lastOffer: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private lastPollAt = 0;
  private lastHeartbeatAt = 0;
  /** The last heartbeat's outcome (null before the first): the kiosk's own view of the backend. */
  private heartbeatOk: boolean | null = null;
  private closed = false;

  constructor(deps: KioskDeps) {
    this.ctx = new KioskContext(deps);
    this.orders = new KioskOrders(this.ctx);
    this.badges = new KioskStaffBadges(this.ctx);
  }

  get enabled(): boolean {
    return this.ctx.deps.config.mode === 'kiosk';
  }

  /** The kiosk's own session identity (role 'kiosk'), or null on a counter. */
  sessionOperator(): OperatorView | null {
    return this.enabled ? this.ctx.operator : null;
  }

  private requireKiosk(): void {
    if (!this.enabled) throw new AppError('kiosk.not_kiosk_mode');
  }

  // ---- lifecycle: start (resume) and the sweeper ----

  /** Resume at start (every open order, as far as it goes), then sweep on an interval. Kiosk mode only. */
  start(): void {
    if (!this.enabled) return;
    const period = Math.min(1000, this.ctx.deps.config.kiosk.orderPollMs);
    setImmediate(() => void this.sweep(true));
    this.timer = setInterval(() => void this.sweep(false), period);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
    await this.orders.settled();
  }

  /** A restart would cost no customer anything: no visit, no order open or paid and undelivered. */
  idleForUpdate(): boolean {
    return this.ctx.visit === null && openKioskOrders(this.ctx.deps.db).length === 0;
  }

  /** One pass: idle visits, due orders, capabilities, heartbeat. Never two at once. */
  sweep(force: boolean): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.sweepOnce(force)
      .catch((e: unknown) => this.ctx.log(`[kiosk] sweep failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(force: boolean): Promise<void> {
    const { db, config } = this.ctx.deps;
    if (this.closed || !db.open) return;
    const now = this.ctx.now().getTime();
    const v = this.ctx.visit;
    if (v && now - v.lastActivity > config.kiosk.visitTimeoutMs) await this.endVisit(v, 'idle_timeout');
    if (force || now - this.gatewayCheckedAt >= config.kiosk.healthCheckMs) await this.checkGateway();
    if (force || now - this.lastPollAt >= config.kiosk.orderPollMs) {
      this.lastPollAt = now;
      await this.orders.sweep(this.printReady());
    }
    this.emitStatusIfChanged();
    if (force || now - this.lastHeartbeatAt >= config.kiosk.heartbeatIntervalMs) {
      this.lastHeartbeatAt = now;
      await this.sendHeartbeat();
    }
  }

  private async checkGateway(): Promise<void> {
    this.gatewayCheckedAt = this.ctx.now().getTime();
    this.gatewayReachable = await this.ctx.deps.gateway.gatewayReachable();
  }

  // ---- status and capabilities ----

  printReady(): boolean {
    const { devices, printer } = this.ctx.deps;
    if (devices) {
      const h = devices.printerHealth();
      return h.configured && h.fault === null;
    }
    return printer !== null;
  }

  private printerFault(): string {
    const h = this.ctx.deps.devices?.printerHealth();
    return h?.fault ?? 'device.not_found';
  }

  private cardWriterReady(): boolean {
    const r = this.ctx.deps.devices?.list().find((d) => d.kind === 'cardReader');
    return r !== undefined && r.connection === 'connected' && r.health === 'ok';
  }

  private scannerReady(): boolean {
    return (this.ctx.deps.devices?.list() ?? []).some((d) => d.kind === 'scanner' && d.connection === 'connected');
  }

  /**
   * Whether the billing backend answers: the last heartbeat's outcome (every `heartbeatIntervalMs`,
   * and at start), before the first one the core's sync state.
   */
  private backendOnline(): boolean {
    return this.heartbeatOk ?? this.ctx.deps.backendOnline();
  }

  private offer(): KioskOffer {
    const backendOnline = this.backendOnline();
    return kioskOffer(
      {
        gatewayReachable: this.gatewayReachable === true,
        backendOnline,
        printerReady: this.printReady(),
        cardWriterReady: this.cardWriterReady(),
        tokenIssuerReady: this.ctx.deps.vends.canIssueTokens(backendOnline),
        offlineAvailableFen: this.ctx.deps.vends.offlineAvailableFen(),
        minimumVendFen: this.ctx.deps.vendRules.limits.minimumFen,
      },
      this.printerFault(),
    );
  }

  private capability(reason: string | null): KioskCapabilityView {
    if (reason === null) return { available: true, reason: null };
    const code = isErrorCode(reason) ? reason : 'kiosk.function_unavailable';
    return { available: false, reason: new AppError(code).toWire() };
  }

  /**
   * The pending transaction: a vend paid and not delivered, or delivered by resume and never shown.
   * Bills are not offered to the next customer: settled at `paid`, their receipt is printed by the
   * sweeper when nobody is there (another customer must not see it).
   */
  private pending(): { row: KioskOrderRow; view: KioskPendingView } | null {
    const { db, config } = this.ctx.deps;
    const paid = openKioskOrders(db).find((o) => o.state === 'paid' && o.what === 'vend');
    const since = new Date(this.ctx.now().getTime() - config.kiosk.presentWindowMs).toISOString();
    const row = paid ?? unpresentedKioskOrders(db, since).find((o) => o.what === 'vend');
    if (!row) return null;
    const cardVend = row.vend_id !== null && this.ctx.deps.vends.get(row.vend_id).meterKind === 'card';
    return {
      row,
      view: { orderId: row.order_id, what: row.what, state: row.state, amountFen: row.amount_fen, needs: cardVend && row.state === 'paid' ? 'card' : 'screen' },
    };
  }

  private statusWithoutVisit(): Omit<KioskStatusView, 'visit'> {
    const { config } = this.ctx.deps;
    const o = this.offer();
    const capabilities = Object.fromEntries(KIOSK_FUNCTIONS.map((f) => [f, this.capability(o[f])])) as Record<KioskFunction, KioskCapabilityView>;
    return {
      terminalId: config.terminalId,
      inService: o.inService,
      outOfServiceReason: o.inService ? null : new AppError('kiosk.out_of_service', { hotline: config.receipt.hotline }).toWire(),
      hotline: config.receipt.hotline,
      defaultLocale: config.defaultLocale,
      capabilities,
      identify: { card: this.cardWriterReady(), barcode: this.scannerReady(), number: true },
      backendOnline: this.backendOnline(),
      offlineAvailableFen: this.ctx.deps.vends.offlineAvailableFen(),
      pending: this.pending()?.view ?? null,
      idle: { warnAfterMs: config.kiosk.warnAfterMs, responseMs: config.kiosk.responseMs, visitTimeoutMs: config.kiosk.visitTimeoutMs },
      checkedAt: this.ctx.now().toISOString(),
    };
  }

  async status(session: Session): Promise<KioskStatusView> {
    this.requireKiosk();
    if (this.gatewayReachable === null) await this.checkGateway();
    const v = this.ctx.visit;
    return { ...this.statusWithoutVisit(), visit: v && v.sessionId === session.id ? this.visitView(v) : null };
  }

  private emitStatusIfChanged(): void {
    const s = this.statusWithoutVisit();
    const key = JSON.stringify({ ...s, checkedAt: null });
    if (key === this.lastOffer) return;
    this.lastOffer = key;
    this.ctx.deps.emit('kiosk.statusChanged', s);
  }

  // ---- the visit ----

  begin(session: Session, locale: Locale): Promise<KioskVisitView> {
    this.requireKiosk();
    return this.beginVisit(session, locale);
  }

  private async beginVisit(session: Session, locale: Locale): Promise<KioskVisitView> {
    if (this.ctx.visit) await this.endVisit(this.ctx.visit, 'replaced');
    const now = this.ctx.now();
    const visit: Visit = {
      visitId: uuidv7(() => now),
      sessionId: session.id,
      locale,
      state: 'started',
      access: 'none',
      identifiedBy: null,
      accountNo: null,
      verifyFailures: 0,
      orderId: null,
      delivered: [],
      startedAt: now.getTime(),
      lastActivity: now.getTime(),
    };
    // A paid transaction not yet delivered is finished first: this visit is bound to it.
    const pending = this.pending();
    if (pending) {
      visit.orderId = pending.row.order_id;
      visit.accountNo = pending.row.account_no;
      visit.state = pending.row.state === 'paid' ? 'paid' : 'delivered';
      setKioskOrderColumns(this.ctx.deps.db, pending.row.order_id, now.toISOString(), { visit_id: visit.visitId });
      const tx = pending.row.payment_id ?? pending.row.vend_id;
      if (pending.row.state === 'delivered' && tx) visit.delivered.push(tx);
    }
    this.ctx.visit = visit;
    this.ctx.journal('kiosk.visit_started', visit.visitId, { visitId: visit.visitId, locale, pendingOrderId: visit.orderId });
    return this.visitView(visit);
  }

  /** The visit of this session, or why not; intent calls count as activity (polls do not). */
  visitOf(session: Session, visitId: string, activity = true): Visit {
    this.requireKiosk();
    const v = this.ctx.visit;
    if (!v || v.visitId !== visitId || v.sessionId !== session.id) {
      if (this.ctx.ended.has(visitId)) throw new AppError('kiosk.visit_ended', { reason: this.ctx.ended.get(visitId) ?? 'ended' });
      throw new AppError('kiosk.visit_not_found');
    }
    const now = this.ctx.now().getTime();
    if (now - v.lastActivity > this.ctx.deps.config.kiosk.visitTimeoutMs) {
      void this.endVisit(v, 'idle_timeout');
      throw new AppError('kiosk.visit_ended', { reason: 'idle_timeout' });
    }
    if (activity) v.lastActivity = now;
    return v;
  }

  setLocale(v: Visit, locale: Locale): KioskVisitView {
    v.locale = locale;
    return this.visitView(v);
  }

  extend(v: Visit): KioskVisitView {
    return this.visitView(v);
  }

  /** End a visit; an unpaid order is cancelled at the gateway (or the cancel retried until it is). */
  async endVisit(v: Visit, reason: 'idle_timeout' | 'ended' | 'staff_exit' | 'replaced'): Promise<{ ended: true; orderCancelled: boolean }> {
    if (this.ctx.visit !== v) return { ended: true, orderCancelled: false };
    this.ctx.visit = null;
    this.ctx.ended.set(v.visitId, reason);
    if (this.ctx.ended.size > 50) this.ctx.ended.delete(this.ctx.ended.keys().next().value as string);
    let orderCancelled = false;
    if (v.orderId !== null) {
      const row = kioskOrder(this.ctx.deps.db, v.orderId);
      if (row && (row.state === 'creating' || row.state === 'awaiting_payment')) {
        const after = await this.orders.cancel(row.order_id, reason === 'idle_timeout' ? 'visit_ended' : 'cancelled');
        orderCancelled = after.state !== 'paid' && after.state !== 'delivered';
      }
    }
    this.ctx.journal('kiosk.visit_ended', v.visitId, { visitId: v.visitId, reason, orderId: v.orderId, orderCancelled });
    this.ctx.deps.emit('kiosk.visitEnded', { visitId: v.visitId, reason });
    return { ended: true, orderCancelled };
  }

  private openOrder(v: Visit): KioskOrderRow | null {
    if (v.orderId === null) return null;
    const row = kioskOrder(this.ctx.deps.db, v.orderId);
    return row && ['creating', 'awaiting_payment', 'paid'].includes(row.state) ? row : null;
  }

  // ---- identify, verify, account ----

  async identify(v: Visit, by: 'card' | 'barcode' | 'number', value: string | undefined): Promise<KioskVisitView> {
    if (this.openOrder(v)) throw new AppError('kiosk.order_open');
    const { accounts, db, devices } = this.ctx.deps;
    let accountNo: string | null = null;
    if (by === 'card') {
      if (!devices || !this.cardWriterReady()) throw new AppError('vending.card_writer_unavailable');
      const card = await devices.readCard();
      accountNo = card.snapshot.identity.accountNo;
      await this.lookupOrNotFound(accountNo, true);
    } else if (by === 'number' && value !== undefined && /^\d{10}$/.test(value)) {
      accountNo = value;
      await this.lookupOrNotFound(accountNo, false);
    } else if (value !== undefined) {
      // A meter number or a bill's barcode: the backend's exact match (cached), then the cache's record.
      await accounts.search(value).catch((e: unknown) => {
        if (!(e instanceof AppError)) throw e;
      });
      accountNo = by === 'number' ? accountByMeter(db, value) : accountByBill(db, value);
      if (accountNo === null) throw new AppError('kiosk.account_not_found');
      await this.lookupOrNotFound(accountNo, false);
    }
    if (accountNo === null) throw new AppError('kiosk.account_not_found');
    v.accountNo = accountNo;
    v.identifiedBy = by;
    v.access = by === 'card' ? 'holder' : 'payer';
    v.verifyFailures = 0;
    v.orderId = null;
    v.state = 'identified';
    this.ctx.journal('kiosk.identified', v.visitId, { visitId: v.visitId, by, accountNo });
    return this.visitView(v);
  }

  private async lookupOrNotFound(accountNo: string, fromCard: boolean): Promise<void> {
    try {
      await this.ctx.deps.accounts.lookup(accountNo);
    } catch (e) {
      if (e instanceof AppError && e.code === 'account.not_found') throw new AppError(fromCard ? 'kiosk.card_not_registered' : 'kiosk.account_not_found');
      throw e;
    }
  }

  verify(v: Visit, phoneLast4: string): KioskVisitView {
    if (v.accountNo === null) throw new AppError('kiosk.not_identified');
    if (v.access === 'holder') return this.visitView(v);
    if (v.verifyFailures >= VERIFY_ATTEMPTS) throw new AppError('kiosk.verify_locked');
    const phone = this.ctx.deps.accounts.cached(v.accountNo).phone;
    if (phone.slice(-4) !== phoneLast4) {
      v.verifyFailures += 1;
      // Never the digits: who, which account, which attempt.
      this.ctx.journal('kiosk.verify_failed', v.visitId, { visitId: v.visitId, accountNo: v.accountNo, attempt: v.verifyFailures });
      if (v.verifyFailures >= VERIFY_ATTEMPTS) throw new AppError('kiosk.verify_locked');
      throw new AppError('kiosk.verify_failed', { attemptsLeft: VERIFY_ATTEMPTS - v.verifyFailures });
    }
    v.access = 'holder';
    this.ctx.journal('kiosk.verified', v.visitId, { visitId: v.visitId, accountNo: v.accountNo });
    return this.visitView(v);
  }

  private requireAccount(v: Visit): string {
    if (v.accountNo === null || v.access === 'none') throw new AppError('kiosk.not_identified');
    return v.accountNo;
  }

  async account(v: Visit): Promise<KioskAccountView> {
    const accountNo = this.requireAccount(v);
    const { accounts, db } = this.ctx.deps;
    const view = await accounts.lookup(accountNo);
    const cached = accounts.cached(accountNo);
    const holder = v.access === 'holder';
    const vendMeter = cached.paymentMode === 'prepaid' ? cached.meters.find((m) => m.kind === 'sts' || m.kind === 'card') : undefined;
    const openBills = settlementOrder(view.openBills).map(kioskBill);
    return {
      access: holder ? 'holder' : 'payer',
      accountNo,
      nameMasked: maskName(cached.name),
      addressMasked: maskAddress(cached.address, holder ? 'holder' : 'payer'),
      phoneMasked: holder ? maskPhone(cached.phone) : null,
      paymentMode: cached.paymentMode,
      vendMeter: vendMeter ? { kind: vendMeter.kind === 'card' ? 'card' : 'sts', meterNoTail: meterTail(vendMeter.meterNo) } : null,
      balanceFen: holder ? cached.balanceFen : null,
      openBills,
      totalDueFen: view.totalDueFen,
      tier: this.tier(cached),
      purchases: holder
        ? accountVends(db, accountNo, 20)
            .filter((r) => r.state === 'delivered')
            .slice(0, 5)
            .map((r) => ({
              vendId: r.vend_id,
              at: r.created_at,
              amountFen: r.amount_fen,
              energyCkwh: (JSON.parse(r.split_json) as { split: { energyCkwh: number } }).split.energyCkwh,
              meterKind: r.meter_kind === 'card' ? ('card' as const) : ('sts' as const),
            }))
        : null,
      consumption: holder ? this.consumptionSeries(accountNo) : null,
      source: view.source,
      asOf: view.asOf,
    };
  }

  private tier(account: ReturnType<KioskDeps['accounts']['cached']>): KioskAccountView['tier'] {
    const tariff = this.ctx.deps.tariffs.get(account.tariffCode);
    if (!tariff) return null;
    const ladder = priceLadder(tariff);
    if (ladder.periodBasis === null || ladder.blocks.length < 2) return null;
    const asOfDate = localDate(this.ctx.now(), this.ctx.deps.config.timeZone);
    const periodKey = periodKeyFor(asOfDate, ladder.periodBasis);
    const base = ladder.periodBasis === 'year' ? account.consumptionYear : account.consumptionMonth;
    const consumed = base + vendedCkwhInPeriod(this.ctx.deps.db, account.accountNo, periodKey);
    const pos = ladderPosition(ladder, { periodKey, consumedCkwh: consumed }, asOfDate);
    const block = ladder.blocks.find((b) => b.startCkwh <= pos && (b.endCkwh === null || pos < b.endCkwh)) ?? ladder.blocks[ladder.blocks.length - 1];
    if (!block) return null;
    return { tier: block.tier, tierCount: ladder.blocks.length, remainingInTierCkwh: block.endCkwh === null ? null : block.endCkwh - pos };
  }

  /** The last 12 billing months (the one before this one backwards), from cached bills, else vended energy. */
  private consumptionSeries(accountNo: string): { period: string; consumptionCkwh: number | null }[] {
    const billed = billConsumption(this.ctx.deps.db, accountNo);
    const vended = vendedEnergyByMonth(this.ctx.deps.db, accountNo);
    const today = localDate(this.ctx.now(), this.ctx.deps.config.timeZone);
    let y = Number(today.slice(0, 4));
    let m = Number(today.slice(5, 7));
    const out: { period: string; consumptionCkwh: number | null }[] = [];
    for (let i = 0; i < 12; i++) {
      m -= 1;
      if (m === 0) {
        m = 12;
        y -= 1;
      }
      const period = `${y}-${String(m).padStart(2, '0')}`;
      out.unshift({ period, consumptionCkwh: billed.get(period) ?? vended.get(period) ?? null });
    }
    return out;
  }

  // ---- quotes and orders ----

  private requireFunction(f: KioskFunction): void {
    const o = this.offer();
    if (!o.inService) throw new AppError('kiosk.out_of_service', { hotline: this.ctx.deps.config.receipt.hotline });
    const reason = o[f];
    if (reason !== null) throw new AppError('kiosk.function_unavailable', { function: f, reason });
  }

  async quoteBills(v: Visit, choice: 'all' | readonly string[]): Promise<KioskBillsQuoteView> {
    const accountNo = this.requireAccount(v);
    const view = await this.ctx.deps.accounts.lookup(accountNo);
    const settlement = this.ctx.deps.accounts.settlementBills(accountNo);
    const chosen = chooseBills(settlement.bills, choice);
    if (!chosen.ok) {
      if (chosen.code === 'account.no_open_bills') throw new AppError('account.no_open_bills', { accountNo });
      if (chosen.code === 'kiosk.bill_not_open') throw new AppError('kiosk.bill_not_open', { billId: chosen.billId });
      throw new AppError('kiosk.bills_out_of_order', { olderBillId: chosen.olderBillId, period: chosen.period });
    }
    const byId = new Map(view.openBills.map((b) => [b.billId, b]));
    const bills = chosen.bills.map((b) => {
      const shown = byId.get(b.billId);
      return { billId: b.billId, period: b.period, outstandingFen: b.outstandingFen, lateFeeFen: b.lateFeeFen, dueDate: b.dueDate, daysOverdue: shown?.daysOverdue ?? 0, lateFeeRuleKey: shown?.lateFeeRuleKey ?? '' };
    });
    const principalFen = bills.reduce((s, b) => s + b.outstandingFen, 0);
    const lateFeeFen = bills.reduce((s, b) => s + b.lateFeeFen, 0);
    const quoteDigest = createHash('sha256')
      .update(JSON.stringify({ accountNo, asOfDate: settlement.asOfDate, bills: bills.map((b) => [b.billId, b.outstandingFen, b.lateFeeFen]) }))
      .digest('hex');
    return { accountNo, bills, principalFen, lateFeeFen, totalFen: principalFen + lateFeeFen, asOfDate: settlement.asOfDate, quoteDigest };
  }

  async quoteVend(v: Visit, amount: string): Promise<KioskVendQuoteView> {
    const accountNo = this.requireAccount(v);
    const p = await this.ctx.deps.vends.kioskPreview({ accountNo, amount });
    return { ...p, delivery: p.meterKind === 'card' ? 'card' : 'token', quoteDigest: p.splitDigest };
  }

  async createOrder(
    v: Visit,
    p: { what: 'bills'; bills: 'all' | readonly string[]; quoteDigest: string } | { what: 'vend'; amount: string; quoteDigest: string },
  ): Promise<KioskOrderView> {
    const accountNo = this.requireAccount(v);
    if (this.openOrder(v)) throw new AppError('kiosk.order_open');
    let row: KioskOrderRow;
    if (p.what === 'bills') {
      this.requireFunction('payBills');
      const q = await this.quoteBills(v, p.bills);
      if (q.quoteDigest !== p.quoteDigest) throw new AppError('kiosk.quote_changed', { totalFen: q.totalFen });
      row = await this.orders.createBills(v.visitId, accountNo, q.totalFen, q.bills.map((b) => b.billId), q.quoteDigest, v.locale);
    } else {
      const q = await this.quoteVend(v, p.amount);
      this.requireFunction(q.meterKind === 'card' ? 'cardTopUp' : 'buyToken');
      row = await this.orders.createVend(v.visitId, accountNo, p.amount, p.quoteDigest, v.locale);
    }
    v.orderId = row.order_id;
    v.state = row.state === 'paid' ? 'paid' : 'awaiting_payment';
    return this.orders.view(row);
  }

  private visitOrder(v: Visit): KioskOrderRow {
    if (v.orderId === null) throw new AppError('kiosk.no_order');
    const row = kioskOrder(this.ctx.deps.db, v.orderId);
    if (!row) throw new AppError('kiosk.no_order');
    return row;
  }

  async orderStatus(v: Visit): Promise<KioskOrderView> {
    const row = await this.orders.poll(this.visitOrder(v).order_id);
    this.syncVisit(v, row);
    return this.orders.view(row);
  }

  async cancelOrder(v: Visit): Promise<KioskOrderView> {
    const row = this.visitOrder(v);
    const after = await this.orders.cancel(row.order_id, 'cancelled');
    this.syncVisit(v, after);
    return this.orders.view(after);
  }

  private syncVisit(v: Visit, row: KioskOrderRow): void {
    if (row.state === 'paid') v.state = 'paid';
    else if (row.state === 'delivered') v.state = 'delivered';
    else if (row.state === 'awaiting_payment' || row.state === 'creating') v.state = 'awaiting_payment';
    else if (v.state === 'awaiting_payment') v.state = 'identified';
  }

  async deliver(v: Visit): Promise<KioskOrderView> {
    const row = this.visitOrder(v);
    const view = await this.orders.deliver(row.order_id, this.printReady());
    const after = this.orders.row(row.order_id);
    this.syncVisit(v, after);
    const tx = after.payment_id ?? after.vend_id;
    if (after.state === 'delivered' && tx && !v.delivered.includes(tx)) v.delivered.push(tx);
    return view;
  }

  // ---- rating ----

  rate(v: Visit, transactionId: string, score: number, reasons: readonly string[]): { ratingId: string; transactionId: string; score: number } {
    const { db } = this.ctx.deps;
    if (!v.delivered.includes(transactionId)) throw new AppError('kiosk.rating_not_allowed');
    const order = kioskOrderByPayment(db, transactionId) ?? kioskOrderByVend(db, transactionId);
    if (!order || order.state !== 'delivered') throw new AppError('kiosk.rating_not_allowed');
    if (ratingOf(db, transactionId)) throw new AppError('kiosk.already_rated');
    const now = this.ctx.now();
    const ratingId = uuidv7(() => now);
    const payload = {
      ratingId,
      transactionId,
      transactionKind: order.what === 'bills' ? ('payment' as const) : ('vend' as const),
      accountNo: order.account_no,
      score,
      reasons: [...reasons],
      operatorId: this.ctx.actor,
      channel: 'kiosk' as const,
      ratedAt: now.toISOString(),
    };
    db.transaction(() => {
      if (ratingOf(db, transactionId)) throw new AppError('kiosk.already_rated');
      insertRating(db, {
        rating_id: ratingId,
        transaction_id: transactionId,
        transaction_kind: payload.transactionKind,
        account_no: order.account_no,
        score,
        reasons_json: JSON.stringify(payload.reasons),
        operator_id: this.ctx.actor,
        channel: 'kiosk',
        created_at: payload.ratedAt,
      });
      this.ctx.record('rating.created', transactionId, ratingId, payload);
    }).immediate();
    this.ctx.deps.afterCommit();
    return { ratingId, transactionId, score };
  }

  // ---- staff exit and supplies ----

  /** The staff exit's card step: the badge in the reader names the operator (kiosk-staff.ts). */
  staffCard(session: Session): Promise<KioskStaffCardView> {
    this.requireKiosk();
    return this.badges.read(session);
  }

  async staffExit(session: Session, p: { via: 'keypad'; operatorId: string; pin: string } | { via: 'card'; pin: string }): Promise<OperatorView> {
    this.requireKiosk();
    const { db, clock } = this.ctx.deps;
    const badge = p.via === 'card' ? this.badges.current(session) : null;
    const operatorId = badge ? badge.operatorId : (p as { operatorId: string }).operatorId;
    const card = badge ? { cardSerial: badge.cardSerial, issue: badge.issue } : {};
    let op: OperatorView;
    try {
      op = checkCredentials({ db, clock }, operatorId, p.pin);
    } catch (e) {
      this.ctx.journal('kiosk.staff_exit_failed', operatorId, { operatorId, via: p.via, reason: e instanceof AppError ? e.code : 'error', ...card });
      throw e;
    }
    if (!KIOSK_STAFF_EXIT_ROLES.includes(op.role)) {
      this.ctx.journal('kiosk.staff_exit_failed', operatorId, { operatorId, via: p.via, reason: 'role', ...card });
      throw new AppError('kiosk.staff_role_refused', { role: op.role });
    }
    this.badges.spend(session);
    if (this.ctx.visit) await this.endVisit(this.ctx.visit, 'staff_exit');
    db.transaction(() => {
      const at = this.ctx.now();
      this.ctx.record('kiosk.staff_exit', op.operatorId, uuidv7(() => at), { operatorId: op.operatorId, role: op.role, via: p.via, terminalId: this.ctx.deps.config.terminalId, ...card }, op.operatorId);
    }).immediate();
    this.ctx.deps.afterCommit();
    session.operator = op;
    return op;
  }

  async supplies(session: Session): Promise<{ recorded: true }> {
    this.requireKiosk();
    const actor = session.operator?.operatorId ?? 'system';
    this.ctx.journal('kiosk.paper_loaded', this.ctx.deps.config.terminalId, { terminalId: this.ctx.deps.config.terminalId }, actor);
    await this.ctx.deps.devices?.refresh().catch(() => undefined);
    this.emitStatusIfChanged();
    return { recorded: true };
  }

  // ---- heartbeat ----

  heartbeatBody(): Heartbeat {
    const { config, devices, db } = this.ctx.deps;
    const o = this.offer();
    const h = devices?.printerHealth();
    const paper: Heartbeat['paper'] =
      !h || h.status === null ? 'unknown' : h.fault === 'printer.paper_out' ? 'out' : h.paperNearEnd ? 'near_end' : 'ok';
    return {
      terminalId: config.terminalId,
      mode: config.mode,
      at: this.ctx.now().toISOString(),
      version: this.ctx.deps.version,
      outboxBacklog: this.ctx.deps.outboxDepth(),
      oldestPendingAt: oldestOutboxAt(db),
      paper,
      inService: o.inService,
      functions: Object.fromEntries(KIOSK_FUNCTIONS.map((f) => [f, o[f] === null])),
      devices: (devices?.list() ?? []).map((d) => ({ deviceId: d.id, kind: d.kind, connected: d.connection === 'connected', fault: d.fault })),
      undelivered: undeliveredKioskOrders(db),
      ...(this.ctx.deps.syncFacts?.() ?? {}),
    };
  }

  private async sendHeartbeat(): Promise<void> {
    try {
      await this.ctx.deps.heartbeat(this.heartbeatBody(), this.ctx.deps.config.backend.pushTimeoutMs);
      this.heartbeatOk = true;
    } catch {
      // Offline: what needs the backend is offered only within the offline rules until one gets through.
      this.heartbeatOk = false;
    }
  }

  // ---- views ----

  visitView(v: Visit): KioskVisitView {
    const row = v.orderId === null ? null : (kioskOrder(this.ctx.deps.db, v.orderId) ?? null);
    const { db } = this.ctx.deps;
    return {
      visitId: v.visitId,
      state: v.state,
      locale: v.locale,
      access: v.access,
      identifiedBy: v.identifiedBy,
      verifyAttemptsLeft: Math.max(0, VERIFY_ATTEMPTS - v.verifyFailures),
      order: row ? this.orders.view(row) : null,
      ratable: v.delivered.filter((id) => ratingOf(db, id) === undefined),
      startedAt: new Date(v.startedAt).toISOString(),
      idleEndsAt: new Date(v.lastActivity + this.ctx.deps.config.kiosk.visitTimeoutMs).toISOString(),
    };
  }
}

function kioskBill(b: { billId: string; period: string; outstandingFen: number; lateFeeFen: number; dueDate: string; daysOverdue: number; lateFeeRuleKey: string }): KioskBillView {
  return { billId: b.billId, period: b.period, outstandingFen: b.outstandingFen, lateFeeFen: b.lateFeeFen, dueDate: b.dueDate, daysOverdue: b.daysOverdue, lateFeeRuleKey: b.lateFeeRuleKey };
}

export type { WireError };
