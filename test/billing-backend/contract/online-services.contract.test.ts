/**
 * Online services terminals call beside sync, on both stores (docs/backend.md, "Storage"): STS
 * token issue for vends (the terminal's real OnlineSecureModule and signed requests) and e-invoices
 * (the terminal's real HttpInvoiceClient, the failInvoices knob, the page behind the QR code); and the
 * gateway simulator's kiosk QR orders, which are served on either store (the kiosk's HttpNativeOrders);
 * and customers' ratings the terminals sync (rating.created, pushed by the real BackendClient). The same
 * requests to a server on SQLite and one on PostgreSQL (a throwaway cluster), the same answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { StsParamsSchema, type StsParams } from '../../../main/wire/backend-wire.js';
import { OnlineSecureModule, STS_ISSUE_PATH, type StsIssueRequest } from '../../../main/vending/secure-module/online-secure-module.js';
import { HttpInvoiceClient } from '../../../main/services/invoices.js';
import { BackendUnavailable } from '../../../main/sync/http-json.js';
import { INVOICES_PATH, type Invoice, type InvoiceRequest } from '../../../main/wire/payments-wire.js';
import { HttpNativeOrders } from '../../../main/services/vending/native-orders.js';
import type { NativeOrder } from '../../../main/wire/kiosk-wire.js';
import { BackendClient } from '../../../main/sync/backend-client.js';
import { HttpPaymentGateway } from '../../../main/services/vending/gateway-client.js';
import { createSignedClient, type RawResponse, type SignedClient } from '../signed-client.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, KINDS, type Kind } from './both-stores.js';

const TERMINALS = {
  'T-SVC-01': 'services-secret-0123456789abcdef01234567',
  'T-SVC-02': 'services-secret-0123456789abcdef76543210',
} as const;
type TerminalId = keyof typeof TERMINALS;

const { backends, onBoth } = bothStores({ accounts: 40, terminals: { ...TERMINALS } }, 60_000);
const signed = (kind: Kind, id: TerminalId = 'T-SVC-01'): SignedClient =>
  createSignedClient({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW });
const answer = (r: RawResponse): [number, unknown] => [r.status, r.json];

/** Two STS meters of the seeded area (the same on both stores: one generator). */
let meters: { meterNo: string; sts: StsParams }[];

beforeAll(() => {
  meters = backends.sqlite.backend.db
    .prepare<[], { meter_no: string; sts_json: string }>("SELECT meter_no, sts_json FROM meters WHERE kind = 'sts' AND sts_json IS NOT NULL ORDER BY meter_no LIMIT 2")
    .all()
    .map((m) => ({ meterNo: m.meter_no, sts: StsParamsSchema.parse(JSON.parse(m.sts_json) as unknown) }));
});

let vends = 0;
const vendId = (): string => `01937a2b-0000-7000-8000-${String(0x5a0000 + ++vends).padStart(12, '0')}`;

describe('online STS issue on SQLite and on PostgreSQL', () => {
  it('the seed has two STS meters to vend to', () => {
    expect(meters).toHaveLength(2);
  });

  it('a token for a vend through the terminal\'s OnlineSecureModule; the same request again gets the same token, alike on both', async () => {
    const m = meters[0]!;
    const req = { vendId: vendId(), meterNo: m.meterNo, sts: m.sts, amountTenths: 1234, tid: 4_100_001, rnd: 7 };
    const module = (kind: Kind): OnlineSecureModule =>
      new OnlineSecureModule({ baseUrl: backends[kind].backend.url, terminalId: 'T-SVC-01', secret: TERMINALS['T-SVC-01'], timeoutMs: 5000, now: () => TEST_NOW });
    const first = await onBoth((kind) => module(kind).issueCredit(req));
    expect(first.pg).toEqual(first.sqlite);
    expect(first.pg.digits).toMatch(/^\d{20}$/);
    expect(first.pg).toMatchObject({ tid: 4_100_001, rnd: 7, issuer: 'online' });
    const again = await onBoth((kind) => module(kind).issueCredit(req));
    expect(again).toEqual(first);
  });

  it('two requests for one vend racing each other: both get the one token, alike on both', async () => {
    const m = meters[1]!;
    const body: StsIssueRequest = { vendId: vendId(), meterNo: m.meterNo, amountTenths: 500, tid: 4_100_002, rnd: 3 };
    const raced = await onBoth(async (kind) => Promise.all([1, 2, 3, 4].map(() => signed(kind).post(STS_ISSUE_PATH, body))));
    for (const kind of KINDS) {
      expect(raced[kind].map((r) => r.status), kind).toEqual([200, 200, 200, 200]);
      expect(new Set(raced[kind].map((r) => JSON.stringify(r.json))).size, kind).toBe(1);
    }
    expect(raced.pg[0]?.json).toEqual(raced.sqlite[0]?.json);
  });

  it("racing at the store (every request's reads before any insert): one vend asked 8 times gets one token, 8 vends for one TID one token and 7 tid_reused, alike on both", async () => {
    const m = meters[1]!;
    const sameVend = { vendId: vendId(), meterNo: m.meterNo, amountTenths: 700, tid: 4_100_010, rnd: 4 };
    const oneTid = (i: number): StsIssueRequest => ({ vendId: vendId(), meterNo: m.meterNo, amountTenths: 700 + i, tid: 4_100_011, rnd: 4 });
    const raced = await onBoth(async (kind) => {
      const store = backends[kind].backend.store;
      const repeats = await Promise.all(Array.from({ length: 8 }, () => store.stsIssue(sameVend, 'T-SVC-01')));
      const rivals = await Promise.all(Array.from({ length: 8 }, (_, i) => store.stsIssue(oneTid(i), 'T-SVC-02')));
      return { repeats: new Set(repeats.map((a) => JSON.stringify(a))), rivals: rivals.map((a) => [a.status, 'error' in a.body ? a.body.error : 'issued']).sort() };
    });
    expect(raced.pg).toEqual(raced.sqlite);
    expect(raced.pg.repeats.size).toBe(1);
    expect(JSON.parse([...raced.pg.repeats][0]!)).toMatchObject({ status: 200, body: { tid: 4_100_010 } });
    expect(raced.pg.rivals).toEqual([[200, 'issued'], ...Array.from({ length: 7 }, () => [409, 'tid_reused'])]);
  });

  it('one TID for one meter: two vends racing for it — one token, the other tid_reused, alike on both', async () => {
    const m = meters[0]!;
    const raced = await onBoth(async (kind) => {
      const [a, b] = [vendId(), vendId()];
      const answers = await Promise.all([a, b].map((id, i) => signed(kind, i === 0 ? 'T-SVC-01' : 'T-SVC-02').post(STS_ISSUE_PATH, { vendId: id, meterNo: m.meterNo, amountTenths: 100, tid: 4_100_003, rnd: 1 })));
      return answers.map((r) => r.status).sort();
    });
    expect(raced).toEqual({ sqlite: [200, 409], pg: [200, 409] });
  });

  it('refusals: another vend with a used TID, the vend again with other inputs, another key on record, an unknown meter, a bad request — alike on both', async () => {
    const m = meters[0]!;
    const issued: StsIssueRequest = { vendId: vendId(), meterNo: m.meterNo, amountTenths: 2000, tid: 4_100_004, rnd: 2 };
    const cases: [string, unknown, [number, unknown]][] = [
      ['issued', issued, [200, expect.objectContaining({ tid: 4_100_004 }) as unknown]],
      ['a used TID', { ...issued, vendId: vendId() }, [409, { error: 'tid_reused' }]],
      ['the vend with another amount', { ...issued, amountTenths: 2001 }, [409, { error: 'vend_conflict' }]],
      ['another key revision', { ...issued, vendId: vendId(), tid: 4_100_005, sts: { keyType: m.sts.keyType, sgc: m.sts.sgc, ti: m.sts.ti, krn: m.sts.krn === 9 ? 1 : m.sts.krn + 1, baseDate: m.sts.baseDate } }, [409, { error: 'sts_params_mismatch' }]],
      ['an unknown meter', { ...issued, vendId: vendId(), meterNo: '000000000000000000' }, [404, { error: 'meter_not_found' }]],
      ['a bad request', { ...issued, vendId: 'not-a-uuid' }, [400, expect.objectContaining({ error: 'bad_request' }) as unknown]],
    ];
    for (const [name, body, expected] of cases) {
      const got = await onBoth(async (kind) => answer(await signed(kind).post(STS_ISSUE_PATH, body)));
      expect(got.pg, name).toEqual(got.sqlite);
      expect(got.pg, name).toEqual(expected);
    }
  });
});

describe('e-invoices on SQLite and on PostgreSQL', () => {
  const invoices = (kind: Kind): HttpInvoiceClient =>
    new HttpInvoiceClient({ baseUrl: backends[kind].backend.url, terminalId: 'T-SVC-01', secret: TERMINALS['T-SVC-01'], now: () => TEST_NOW });
  let payments = 0;
  const request = (): InvoiceRequest => ({ paymentId: `P-INV-${++payments}`, accountNo: '3999999999', amountFen: 12_345, buyerName: '张三 <Zhang>', paidOn: '2026-11-27' });
  /** The link's host is each server's own: compared without it. */
  const hostless = (kind: Kind, i: Invoice | null): unknown => (i === null ? null : { ...i, ...(i.url === undefined ? {} : { url: i.url.replace(backends[kind].backend.url, 'BASE') }) });

  it('a request is issued at once with a number and a link; asked again or read back, the same invoice — alike on both', async () => {
    const req = request();
    const first = await onBoth(async (kind) => hostless(kind, await invoices(kind).request(req, 5000)));
    expect(first.pg).toEqual(first.sqlite);
    expect(first.pg).toEqual({ paymentId: req.paymentId, status: 'issued', invoiceNo: expect.stringMatching(/^FP20261127\d{8}$/) as unknown, url: expect.stringMatching(/^BASE\/invoices\/FP/) as unknown, issuedAt: TEST_NOW.toISOString() });
    const again = await onBoth(async (kind) => hostless(kind, await invoices(kind).request({ ...req, amountFen: 1 }, 5000)));
    expect(again).toEqual(first);
    expect(await onBoth(async (kind) => hostless(kind, await invoices(kind).get(req.paymentId, 5000)))).toEqual(first);
  });

  it("the page behind the receipt's QR code, escaped; an unknown number 404 — alike on both", async () => {
    const req = request();
    const pages = await onBoth(async (kind) => {
      const issued = await invoices(kind).request(req, 5000);
      const page = await fetch(issued.url as string);
      const unknown = await fetch(`${backends[kind].backend.url}/invoices/FP2026112799999999`);
      return { status: page.status, html: await page.text(), unknown: unknown.status };
    });
    expect(pages.pg).toEqual(pages.sqlite);
    expect(pages.pg.status).toBe(200);
    expect(pages.pg.html).toContain('张三 &#60;Zhang&#62; · 3999999999');
    expect(pages.pg.html).toContain('¥123.45 · 2026-11-27');
    expect(pages.pg.unknown).toBe(404);
  });

  it('with the failInvoices knob the request is held (503) and read back pending; once cleared, the next read issues it — alike on both', async () => {
    const req = request();
    const seen = await onBoth(async (kind) => {
      const backend = backends[kind].backend;
      backend.setKnobs({ failInvoices: true });
      try {
        const refused = await invoices(kind).request(req, 5000).then(() => 'answered', (e: unknown) => (e instanceof BackendUnavailable ? e.status : String(e)));
        const held = hostless(kind, await invoices(kind).get(req.paymentId, 5000));
        backend.setKnobs({ failInvoices: false });
        const issued = hostless(kind, await invoices(kind).get(req.paymentId, 5000));
        return { refused, held, issued };
      } finally {
        backend.setKnobs({ failInvoices: false });
      }
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.refused).toBe(503);
    expect(seen.pg.held).toEqual({ paymentId: req.paymentId, status: 'pending' });
    expect(seen.pg.issued).toMatchObject({ paymentId: req.paymentId, status: 'issued', invoiceNo: expect.stringMatching(/^FP/) as unknown });
  });

  it('at the store, six requests for one payment at once, and six reads of one held pending once the platform is up: one invoice each, one number drawn — alike on both', async () => {
    const [req, held] = [request(), request()];
    const raced = await onBoth(async (kind) => {
      const store = backends[kind].backend.store;
      const n = (i: Invoice | undefined): number => Number(i?.invoiceNo?.slice(-8));
      const requested = await Promise.all(Array.from({ length: 6 }, () => store.requestInvoice(req, 'T-SVC-01', false)));
      await store.requestInvoice(held, 'T-SVC-01', true);
      const read = await Promise.all(Array.from({ length: 6 }, () => store.invoice(held.paymentId, false)));
      const next = await store.requestInvoice(request(), 'T-SVC-01', false);
      return {
        requested: new Set(requested.map((a) => a.invoiceNo)).size,
        read: new Set(read.map((a) => a?.invoiceNo)).size,
        numbers: [n(read[0]) - n(requested[0]), n(next) - n(read[0])],
      };
    });
    expect(raced).toEqual({ sqlite: { requested: 1, read: 1, numbers: [1, 1] }, pg: { requested: 1, read: 1, numbers: [1, 1] } });
  });

  it('invoice.requested from the outbox: held and issued at intake (also with the knob on: held pending, issued by the next read once cleared), the batch again no second invoice, after a direct request the same invoice, malformed rejected — alike on both', async () => {
    const push = (kind: Kind, events: unknown[]) =>
      new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: 'T-SVC-01', secret: TERMINALS['T-SVC-01'], now: () => TEST_NOW, log: () => undefined }).pushEvents(events as never, 5000);
    let seq = 100;
    const ev = (payload: unknown) => ({ eventId: `01937a2b-0000-7000-8000-${String(0x1f0000 + seq).padStart(12, '0')}`, seq: seq++, type: 'invoice.requested', occurredAt: TEST_NOW.toISOString(), payload });
    const [issued, held, direct] = [request(), request(), request()];
    const batch = [ev(issued), ev({ ...issued, amountFen: -1 })];
    const heldEvent = ev(held);
    const directEvent = ev(direct);
    const seen = await onBoth(async (kind) => {
      const backend = backends[kind].backend;
      const results = (await push(kind, batch)).results;
      const again = (await push(kind, batch)).results;
      backend.setKnobs({ failInvoices: true });
      const heldResults = (await push(kind, [heldEvent])).results;
      const whileDown = hostless(kind, await invoices(kind).get(held.paymentId, 5000));
      backend.setKnobs({ failInvoices: false });
      const directly = hostless(kind, await invoices(kind).request(direct, 5000));
      await push(kind, [directEvent]);
      return {
        results, again, heldResults, whileDown,
        issued: hostless(kind, await invoices(kind).get(issued.paymentId, 5000)),
        heldNow: hostless(kind, await invoices(kind).get(held.paymentId, 5000)),
        directly, directAfterEvent: hostless(kind, await invoices(kind).get(direct.paymentId, 5000)),
      };
    });
    expect(seen.pg).toEqual(seen.sqlite);
    expect(seen.pg.results.map((r) => [r.status, r.reason?.split(':')[0]])).toEqual([['accepted', undefined], ['rejected', 'malformed_payload']]);
    expect(seen.pg.again.map((r) => r.status)).toEqual(['duplicate', 'rejected']);
    expect(seen.pg.heldResults.map((r) => r.status)).toEqual(['accepted']);
    expect(seen.pg.whileDown).toEqual({ paymentId: held.paymentId, status: 'pending' });
    expect(seen.pg.issued).toMatchObject({ status: 'issued', invoiceNo: expect.stringMatching(/^FP20261127/) as unknown });
    expect(seen.pg.heldNow).toMatchObject({ status: 'issued' });
    expect(seen.pg.directAfterEvent).toEqual(seen.pg.directly);
  });

  it('never requested: 404 (the client says null); a malformed request 400 — alike on both', async () => {
    expect(await onBoth((kind) => invoices(kind).get('P-NEVER', 5000))).toEqual({ sqlite: null, pg: null });
    const bad = await onBoth(async (kind) => answer(await signed(kind).post(INVOICES_PATH, { paymentId: 'P-BAD', accountNo: '12', amountFen: 5 })));
    expect(bad.pg[0]).toBe(400);
    expect(bad.sqlite[0]).toBe(400);
  });
});

describe("the kiosk's QR orders (the gateway simulator) on a server on SQLite and on PostgreSQL", () => {
  const gateway = (kind: Kind): HttpNativeOrders => new HttpNativeOrders(backends[kind].backend.url, 5000);
  /** The code is random and the link's host each server's own: compared without them. */
  const plain = (o: NativeOrder): unknown => ({ ...o, ...(o.codeUrl === undefined ? {} : { codeUrl: o.codeUrl.replace(/^.*\/gateway\/native\/qr\/[0-9a-f]{24}$/, 'QR') }) });

  it('create, the customer pays by the code, query, refund (idempotent), close another, health — alike on both', async () => {
    const flow = await onBoth(async (kind) => {
      const g = gateway(kind);
      const reachable = await g.gatewayReachable();
      const created = await g.createNativeOrder({ outTradeNo: 'K-QR-1', amountFen: 5000, subject: '电费缴费 3999999999', expiresInSeconds: 120 });
      const again = await g.createNativeOrder({ outTradeNo: 'K-QR-1', amountFen: 5000, subject: '电费缴费 3999999999', expiresInSeconds: 120 });
      const paid = await fetch(created.codeUrl as string, { method: 'POST' });
      const queried = await g.queryNativeOrder('K-QR-1');
      const refund = await g.refundNativeOrder('K-QR-1', 'K-RF-1', 5000, 'vend failed');
      const refundAgain = await g.refundNativeOrder('K-QR-1', 'K-RF-1', 5000, 'vend failed');
      await g.createNativeOrder({ outTradeNo: 'K-QR-2', amountFen: 700, subject: '电费缴费 3999999999', expiresInSeconds: 120 });
      const closed = await g.closeNativeOrder('K-QR-2');
      const unknown = await g.queryNativeOrder('K-QR-NONE');
      return { reachable, created: plain(created), same: again.codeUrl === created.codeUrl, paid: paid.status, queried: plain(queried), refund, refundAgain, closed: plain(closed), unknown };
    });
    expect(flow.pg).toEqual(flow.sqlite);
    expect(flow.pg).toMatchObject({
      reachable: true,
      created: { outTradeNo: 'K-QR-1', status: 'pending', amountFen: 5000, codeUrl: 'QR' },
      same: true,
      paid: 200,
      queried: { outTradeNo: 'K-QR-1', status: 'paid', tradeNo: expect.stringMatching(/^GW/) as unknown },
      refund: { status: 'refunded', refundNo: expect.stringMatching(/^RF/) as unknown },
      closed: { outTradeNo: 'K-QR-2', status: 'closed', closedReason: 'cancelled' },
      unknown: { outTradeNo: 'K-QR-NONE', status: 'not_found' },
    });
    expect(flow.pg.refundAgain).toEqual(flow.pg.refund);
  });
});

describe("the counter's payment codes (the gateway simulator) on a server on SQLite and on PostgreSQL", () => {
  const gateway = (kind: Kind): HttpPaymentGateway => new HttpPaymentGateway(backends[kind].backend.url, 5000);

  it('pay (idempotent, another amount refused), query, part and full refund (idempotent, too much refused), reverse, a declined code, an unknown order — alike on both', async () => {
    const flow = await onBoth(async (kind) => {
      const g = gateway(kind);
      const paid = await g.pay('C-CODE-1', '134567890123456789', 3000);
      const again = await g.pay('C-CODE-1', '134567890123456789', 3000);
      const conflict = await g.pay('C-CODE-1', '134567890123456789', 3100);
      const queried = await g.query('C-CODE-1');
      const part = await g.refund('C-CODE-1', 'C-RF-1', 1000);
      const partAgain = await g.refund('C-CODE-1', 'C-RF-1', 1000);
      const tooMuch = await g.refund('C-CODE-1', 'C-RF-2', 2500);
      await g.pay('C-CODE-2', '134567890123456780', 800);
      const reversed = await g.reverse('C-CODE-2');
      const afterReverse = await g.query('C-CODE-2');
      const closedFirst = await g.reverse('C-CODE-3');
      const lateAfterClose = await g.pay('C-CODE-3', '134567890123456781', 500);
      backends[kind].backend.setKnobs({ gatewayOutcome: 'declined' });
      const declined = await g.pay('C-CODE-4', '134567890123456782', 500);
      backends[kind].backend.setKnobs({ gatewayOutcome: 'success' });
      const unknown = await g.query('C-CODE-NONE');
      return { paid, again, conflict, queried, part, partAgain, tooMuch, reversed, afterReverse, closedFirst, lateAfterClose, declined, unknown };
    });
    expect(flow.pg).toEqual(flow.sqlite);
    expect(flow.pg).toMatchObject({
      paid: { status: 'success', tradeNo: expect.stringMatching(/^GW/) as unknown },
      conflict: { status: 'unknown' },
      queried: { status: 'success', amountFen: 3000 },
      part: { status: 'refunded', refundNo: expect.stringMatching(/^RF/) as unknown },
      tooMuch: { status: 'refused' },
      reversed: 'reversed',
      closedFirst: 'reversed',
      lateAfterClose: { status: 'declined' },
      declined: { status: 'declined' },
      unknown: { status: 'not_found' },
    });
    expect(flow.pg.again).toEqual(flow.pg.paid);
    expect(flow.pg.partAgain).toEqual(flow.pg.part);
  });
});

describe('ratings (rating.created) on SQLite and on PostgreSQL', () => {
  const client = (kind: Kind, id: TerminalId): BackendClient =>
    new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: id, secret: TERMINALS[id], now: () => TEST_NOW, log: () => undefined });
  const rating = (ratingId: string, transactionId: string, score: number): unknown => ({
    ratingId, transactionId, transactionKind: 'vend', accountNo: '3999999999', score, reasons: ['fast', '快'], operatorId: 'kiosk:T-SVC-01', channel: 'kiosk', ratedAt: '2026-11-27T01:59:00.000Z',
  });
  let n = 0;
  const ev = (seq: number, payload: unknown) => ({ eventId: `01937a2b-0000-7000-8000-${String(0x7a0000 + ++n).padStart(12, '0')}`, seq, type: 'rating.created', occurredAt: '2026-11-27T01:59:00.000Z', payload });

  it('kept once per transaction: a second rating of it rejected already_rated (in the same batch and in a later one), a malformed one rejected, a batch again duplicate — alike on both', async () => {
    const first = [ev(1, rating('rt-b', 'TX-1', 5)), ev(2, rating('rt-x', 'TX-1', 1)), ev(3, rating('rt-a', 'TX-2', 4)), ev(4, { ...(rating('rt-m', 'TX-3', 9) as object) }), ev(5, 'not a rating')];
    const later = [ev(6, rating('rt-y', 'TX-2', 2)), ev(7, rating('rt-c', 'TX-3', 3))];
    const other = [ev(1, rating('rt-o', 'TX-1', 2))];
    const pushed = await onBoth(async (kind) => ({
      first: (await client(kind, 'T-SVC-01').pushEvents(first, 5000)).results,
      later: (await client(kind, 'T-SVC-01').pushEvents(later, 5000)).results,
      other: (await client(kind, 'T-SVC-02').pushEvents(other, 5000)).results,
      again: (await client(kind, 'T-SVC-01').pushEvents(first, 5000)).results,
      ratings: (await signed(kind).get('/api/ratings')).json,
    }));
    expect(pushed.pg).toEqual(pushed.sqlite);
    const statuses = (rs: readonly { status: string; reason?: string }[]) => rs.map((r) => (r.reason === undefined ? r.status : `${r.status} ${r.reason.split(':')[0]}`));
    expect(statuses(pushed.pg.first)).toEqual(['accepted', 'rejected already_rated', 'accepted', 'rejected malformed_payload', 'rejected malformed_payload']);
    expect(statuses(pushed.pg.later)).toEqual(['rejected already_rated', 'accepted']);
    expect(statuses(pushed.pg.other)).toEqual(['rejected already_rated']);
    expect(statuses(pushed.pg.again)).toEqual(['duplicate', 'rejected already_rated', 'duplicate', 'rejected malformed_payload', 'rejected malformed_payload']);
    expect(pushed.pg.ratings).toEqual({
      items: [
        { ratingId: 'rt-a', transactionId: 'TX-2', score: 4, reasons: ['fast', '快'], terminalId: 'T-SVC-01', channel: 'kiosk' },
        { ratingId: 'rt-b', transactionId: 'TX-1', score: 5, reasons: ['fast', '快'], terminalId: 'T-SVC-01', channel: 'kiosk' },
        { ratingId: 'rt-c', transactionId: 'TX-3', score: 3, reasons: ['fast', '快'], terminalId: 'T-SVC-01', channel: 'kiosk' },
      ],
    });
  });
});
