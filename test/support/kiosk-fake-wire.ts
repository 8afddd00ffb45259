/**
 * The kiosk's screens against a scripted core: the page's WebSocket to the host is routed through
 * Playwright, `kiosk.*` calls are answered from fixtures below and everything else goes to the
 * real host. For what is purely the renderer's — layout at both screen sizes, accessibility, the
 * idle warning's timing (with Playwright's clock), voice, large text, the keypad — without
 * depending on the visit service's timing. The journeys themselves run against the real core
 * (kiosk-journeys.spec.ts).
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import type {
  KioskAccountView,
  KioskBillsQuoteView,
  KioskOrderView,
  KioskStatusView,
  KioskVendQuoteView,
  KioskVisitView,
  MethodName,
} from '../../main/contract/index.js';

export const VISIT_ID = '018f0000-0000-7000-8000-000000000001';
export const ORDER_ID = '018f0000-0000-7000-8000-0000000000aa';
export const TX_ID = '018f0000-0000-7000-8000-0000000000bb';
export const QR_CONTENT = 'http://127.0.0.1:8780/gateway/native/pay/3f9a1c0e5b7d2a4c6e8f0a1b';

const cap = { available: true, reason: null } as const;

export function fakeStatus(over: Partial<KioskStatusView> = {}): KioskStatusView {
  return {
    terminalId: 'T-KIOSK-01',
    inService: true,
    outOfServiceReason: null,
    hotline: '95598',
    defaultLocale: 'zh-CN',
    capabilities: { payBills: cap, buyToken: cap, cardTopUp: cap, print: cap, qr: cap },
    identify: { card: true, barcode: true, number: true },
    backendOnline: true,
    offlineAvailableFen: 50_000,
    pending: null,
    idle: { warnAfterMs: 60_000, responseMs: 30_000, visitTimeoutMs: 120_000 },
    visit: null,
    checkedAt: '2026-11-27T02:00:00.000Z',
    ...over,
  };
}

export function fakeVisit(over: Partial<KioskVisitView> = {}): KioskVisitView {
  return {
    visitId: VISIT_ID,
    state: 'started',
    locale: 'zh-CN',
    access: 'none',
    identifiedBy: null,
    verifyAttemptsLeft: 3,
    order: null,
    ratable: [],
    startedAt: '2026-11-27T02:00:00.000Z',
    idleEndsAt: '2026-11-27T02:02:00.000Z',
    ...over,
  };
}

const MONTHS = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

export function fakeAccount(over: Partial<KioskAccountView> = {}): KioskAccountView {
  return {
    access: 'holder',
    accountNo: '3100000002',
    nameMasked: '闫*海',
    addressMasked: '河南省三门峡市湖滨区黄河中路12号3栋2单元***室',
    phoneMasked: '138****1234',
    paymentMode: 'prepaid',
    vendMeter: { kind: 'sts', meterNoTail: '0009' },
    balanceFen: 27_974,
    openBills: [
      { billId: 'B2026090000007', period: '2026-09', outstandingFen: 20_377, lateFeeFen: 550, dueDate: '2026-10-31', daysOverdue: 27, lateFeeRuleKey: 'lateFee.rule.residential' },
      { billId: 'B2026100000008', period: '2026-10', outstandingFen: 21_954, lateFeeFen: 0, dueDate: '2026-11-30', daysOverdue: 0, lateFeeRuleKey: '' },
    ],
    totalDueFen: 42_881,
    tier: { tier: 1, tierCount: 3, remainingInTierCkwh: 4_250 },
    purchases: [
      { vendId: '018f0000-0000-7000-8000-0000000000c1', at: '2026-10-03T06:12:00.000Z', amountFen: 10_000, energyCkwh: 17_850, meterKind: 'sts' },
      { vendId: '018f0000-0000-7000-8000-0000000000c2', at: '2026-08-21T09:40:00.000Z', amountFen: 20_000, energyCkwh: 35_710, meterKind: 'sts' },
    ],
    consumption: MONTHS.map((period, i) => ({ period, consumptionCkwh: [21_000, 26_500, 30_200, 24_800, 19_000, 16_500, 17_800, 25_600, 33_900, 35_200, 24_100, 19_800][i]! })),
    source: 'online',
    asOf: '2026-11-27T02:00:00.000Z',
    ...over,
  };
}

export function fakeBillsQuote(): KioskBillsQuoteView {
  const a = fakeAccount();
  return { accountNo: a.accountNo, bills: a.openBills, principalFen: 42_331, lateFeeFen: 550, totalFen: 42_881, asOfDate: '2026-11-27', quoteDigest: 'a'.repeat(64) };
}

export function fakeVendQuote(amountFen = 10_000): KioskVendQuoteView {
  return {
    amountFen,
    tariffId: 'RES-TIERED',
    tariffNameKey: 'tariff.names.RES-TIERED',
    channelFeeFen: 0,
    debtBeforeFen: 0,
    arrearsFen: 0,
    debtAfterFen: 0,
    fixedCharges: [],
    fixedChargesFen: 0,
    energyFen: amountFen,
    energyCkwh: 17_850,
    blocks: [{ tier: 1, centifenPerKwh: 5_600, energyCkwh: 17_850, fen: amountFen }],
    tierAfter: { tier: 1, tierCount: 3, remainingInTierCkwh: 4_250 },
    roundingRuleKey: 'vending.rounding.down_tenth',
    remainderFen: 4,
    accountNo: '3100000002',
    accountName: '闫*海',
    meterNo: '600727000000000009',
    meterKind: 'sts',
    limits: { minimumFen: 1_000, maximumFen: 500_000 },
    issuer: 'online',
    offlineAvailableFen: 50_000,
    source: 'online',
    splitDigest: 'b'.repeat(64),
    delivery: 'token',
    quoteDigest: 'c'.repeat(64),
  };
}

export function fakeOrder(over: Partial<KioskOrderView> = {}): KioskOrderView {
  return {
    orderId: ORDER_ID,
    what: 'vend',
    state: 'awaiting_payment',
    amountFen: 10_000,
    qr: { codeUrl: QR_CONTENT, expiresAt: '2026-11-27T02:05:00.000Z' },
    paidAt: null,
    transactionId: null,
    honoured: false,
    delivery: null,
    createdAt: '2026-11-27T02:00:00.000Z',
    ...over,
  };
}

export function fakeDelivered(): KioskOrderView {
  return fakeOrder({
    state: 'delivered',
    qr: null,
    paidAt: '2026-11-27T02:01:00.000Z',
    transactionId: TX_ID,
    delivery: {
      done: true,
      token: '12345678901234567890',
      tokenGroups: '1234 5678 9012 3456 7890',
      energyCkwh: 17_850,
      printed: true,
      printing: false,
      printError: null,
      needsCard: false,
      cardError: null,
      allocations: null,
      toBalanceFen: null,
      receiptLines: null,
    },
  });
}

type Handler = (params: Record<string, unknown>) => { ok: true; result: unknown } | { ok: false; error: { code: string; i18nKey: string; details: Record<string, unknown> } };

export interface FakeKiosk {
  /** Methods called, in order, with their params. */
  readonly calls: { method: string; params: Record<string, unknown> }[];
  /** Replace how a method answers. */
  on(method: MethodName, h: Handler): void;
  /** Push an event to the page as the core would. */
  emit(event: string, payload: unknown): void;
}

/** Default answers: a visit that identifies 3100000002 as a card holder and pays by QR. */
export async function fakeKioskWire(page: Page, status: KioskStatusView = fakeStatus()): Promise<FakeKiosk> {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  let route: WebSocketRoute | null = null;
  const ok = (result: unknown) => ({ ok: true as const, result });
  const handlers = new Map<string, Handler>([
    ['kiosk.status', () => ok(status)],
    ['kiosk.begin', (p) => ok(fakeVisit({ locale: p.locale as 'zh-CN' }))],
    ['kiosk.setLocale', (p) => ok(fakeVisit({ locale: p.locale as 'zh-CN' }))],
    ['kiosk.extend', () => ok(fakeVisit())],
    ['kiosk.identify', (p) => ok(fakeVisit({ state: 'identified', access: p.by === 'card' ? 'holder' : 'payer', identifiedBy: p.by as 'card' }))],
    ['kiosk.verify', () => ok(fakeVisit({ state: 'identified', access: 'holder', identifiedBy: 'number' }))],
    ['kiosk.account', () => ok(fakeAccount())],
    ['kiosk.quoteBills', () => ok(fakeBillsQuote())],
    ['kiosk.quoteVend', () => ok(fakeVendQuote())],
    ['kiosk.order.create', () => ok(fakeOrder())],
    ['kiosk.order.status', () => ok(fakeOrder())],
    ['kiosk.order.cancel', () => ok(fakeOrder({ state: 'cancelled', qr: null }))],
    ['kiosk.deliver', () => ok(fakeDelivered())],
    ['kiosk.rate', (p) => ok({ ratingId: '018f0000-0000-7000-8000-0000000000dd', transactionId: p.transactionId, score: p.score })],
    ['kiosk.end', () => ok({ ended: true, orderCancelled: false })],
  ]);
  await page.routeWebSocket(/\/rpc/, (ws) => {
    route = ws;
    const server = ws.connectToServer();
    ws.onMessage((raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; method: string; params: Record<string, unknown> };
      const h = handlers.get(msg.method);
      if (!h) {
        server.send(raw);
        return;
      }
      calls.push({ method: msg.method, params: msg.params });
      ws.send(JSON.stringify({ id: msg.id, ...h(msg.params) }));
    });
    server.onMessage((raw) => ws.send(raw));
  });
  return {
    calls,
    on: (method, h) => void handlers.set(method, h),
    emit: (event, payload) => route?.send(JSON.stringify({ event, payload })),
  };
}
