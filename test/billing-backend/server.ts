/**
 * The reference billing backend: node:http, its own SQLite file, signed /api/*, a payment-gateway
 * simulator and fault knobs. Startable in-process (tests, demo) or from ./main.ts.
 */
import { JOURNAL_ANCHOR_PATH, JournalProofSchema, journalRefusalCode, type JournalHeadWire, type JournalProof } from '../../main/wire/journal-anchor-wire.js';
import { JournalAnchors, type HeadCheck } from './journal-anchor.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  GatewayPayRequestSchema,
  MAX_EVENTS_PER_BATCH,
  SNAPSHOT_STREAM_CONTENT_TYPE,
  SNAPSHOT_STREAM_PATH,
  type ErrorBody,
} from '../../main/wire/backend-wire.js';
import { checkSignedRequest, DEMO_TERMINAL, REPLY_HEADERS, SIGNATURE_HEADERS, signReply, verifySignature } from '../../main/sync/signing.js';
import { SERVER_TIME_PATH } from '../../main/wire/backend-wire.js';
import { AccountStore, DEFAULT_CHANGES_LIMIT, ensureSeeded, MAX_CHANGES_LIMIT, seedKey } from './account-store.js';
import { StoreUnsupportedError, type BackendStore } from './store/backend-store.js';
import { PgBackendStore } from './store/pg-store.js';
import { SqliteBackendStore } from './store/sqlite-store.js';
import { openBackendDb, type BackendDb } from './db.js';
import { GatewaySimulator, type GatewayOutcome } from './gateway.js';
import { InvoiceDesk } from './invoices.js';
import { PaymentEffects } from './payment-effects.js';
import { GatewayRefundRequestSchema, GatewayReverseRequestSchema, INVOICES_PATH, InvoiceRequestSchema } from '../../main/wire/payments-wire.js';
import { EventIntake } from './intake.js';
import { KioskBackend } from './kiosk-backend.js';
import { CollectionDesk } from './collection-desk.js';
import { HEARTBEAT_PATH } from '../../main/wire/kiosk-wire.js';
import { DEFAULT_ACCOUNTS, DEFAULT_SEED, DEFAULT_SEED_DATE, demoOperators, seedAccounts } from './seed.js';
import { STS_ISSUE_PATH, StsIssuer } from './sts-issue.js';
import { StreamSigner } from '../../main/sync/stream-signing.js';
import { ExceptionDesk } from './exception-desk.js';
import { RECEIPT_VERIFY_PATH, ReceiptVerifyRequestSchema, TERMINAL_EXCEPTIONS_PATH } from '../../main/wire/exceptions-wire.js';
import { TERMINAL_LEDGER_PATH } from '../../main/wire/shift-wire.js';
import { RECOVERY_DASHBOARD_PATH } from '../../main/wire/recovery-wire.js';
import { ensureRecoveryRollup } from './recovery-dashboard.js';
import { EnrolmentDesk } from './enrolment.js';
import { adminAuthorized } from './admin-auth.js';
import { DEFAULT_FLEET_RULES, FLEET_DATA_PATH, FLEET_PAGE_PATH, fleetPage, fleetReport, type FleetRules } from './fleet-view.js';
import { HeartbeatSchema } from '../../main/wire/kiosk-wire.js';
import {
  ENROL_PATH,
  ENROLMENT_CODES_PATH,
  ENROLMENT_JOURNAL_PATH,
  ENROLMENT_REFUSAL_STATUS,
  EnrolRequestSchema,
  IssueCodeRequestSchema,
  SITE_ID,
  SiteSettingsSchema,
} from '../../main/wire/enrolment-wire.js';

export interface BackendOptions {
  dbPath: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 20261127. */
  seed?: number;
  /** Default 300. */
  accounts?: number;
  /** terminalId → HMAC secret. Default: the demo terminal T-HALL-01 only. */
  terminals?: Record<string, string>;
  /** The backend's clock (signature freshness, updatedAt, receivedAt). Default: the real clock. */
  now?: () => Date;
  /**
   * The seed's "today" ('YYYY-MM-DD'), which fixes periods and due dates of the demo data.
   * Default: the date of `now()` when `now` is given, else 2026-11-27.
   */
  seedDate?: string;
  /** Accept POST /_knobs over HTTP. Default false. */
  allowKnobs?: boolean;
  /** Request log sink (the CLI prints it); default silent. */
  log?: (line: string) => void;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
  /**
   * Where the sync protocol's data lives (docs/backend.md, "Storage"). Default SQLite at `dbPath`.
   * On PostgreSQL only the routes in PG_ROUTES are served; every other one answers 501
   * not_supported_on_store (`dbPath` is then unused).
   */
  store?: { kind: 'sqlite' } | { kind: 'pg'; url: string; poolSize?: number };
  /**
   * Bearer token of the admin routes (/admin/*: enrolment codes, sites, the fleet view's data).
   * Unset: those routes answer 403 admin_disabled.
   */
  adminToken?: string;
  /** When the fleet view calls a terminal offline, behind on sync or drifting (fleet-view.ts). */
  fleet?: Partial<FleetRules>;
}

/**
 * What the PostgreSQL store serves (docs/backend.md, "Storage"): the intake and its ledger, journal
 * heads, heartbeats and the fleet view, provisioning (sites, codes, enrolment and the enrolled
 * terminals' secrets), what terminals pull (staff, account snapshots, the change feed, the
 * snapshot stream), a terminal's own ledger for a period (the shift reconciliation's), its
 * exceptions feed, the check of a provisional receipt's verify code, online STS issue, e-invoices,
 * ratings and the recovery dashboard; beside them the gateway simulator (the kiosk's QR orders and
 * the counter's payment codes). Every route is served on pg now; a path not listed answers 501.
 */
export const PG_ROUTES: ReadonlySet<string> = new Set([
  '/health', '/_knobs', SERVER_TIME_PATH, '/api/events', '/api/ledger', '/api/exceptions', JOURNAL_ANCHOR_PATH,
  HEARTBEAT_PATH, '/api/heartbeats', FLEET_PAGE_PATH, FLEET_DATA_PATH,
  ENROL_PATH, ENROLMENT_CODES_PATH, ENROLMENT_JOURNAL_PATH,
  '/api/operators', '/api/accounts', '/api/changes', SNAPSHOT_STREAM_PATH,
  TERMINAL_LEDGER_PATH, RECEIPT_VERIFY_PATH, TERMINAL_EXCEPTIONS_PATH,
  STS_ISSUE_PATH, INVOICES_PATH,
  // The payment gateway's simulator (the kiosk's QR orders, the counter's payment codes) is not the
  // billing system's storage: it keeps its orders in the server's own SQLite (in memory on pg), whatever the store.
  '/gateway/health', '/_knobs/kiosk', '/gateway/pay', '/gateway/reverse', '/gateway/refund',
  '/api/ratings', RECOVERY_DASHBOARD_PATH,
]);
/** Routes with a parameter the PostgreSQL store serves too: one account's snapshot, a site's settings, an invoice and its page, the gateway's orders. */
const PG_ROUTE_PREFIXES: readonly string[] = ['/api/accounts/', '/admin/sites/', `${INVOICES_PATH}/`, '/invoices/', '/gateway/native/', '/gateway/orders/'];
const servedOnPg = (path: string): boolean => PG_ROUTES.has(path) || PG_ROUTE_PREFIXES.some((p) => path.startsWith(p));

export interface Knobs {
  /** Every request gets its socket destroyed, like an unreachable host (POST /_knobs excepted). */
  down: boolean;
  /** Added before handling each request. */
  delayMs: number;
  /** Events with these ids are rejected with reason 'knob'. */
  failEventIds: string[];
  /** Event intake answers 503 (the rest of the API works): the terminal's events wait in its outbox. */
  holdEvents: boolean;
  /** Outcome of the next new gateway order. */
  gatewayOutcome: GatewayOutcome;
  /** The next this many GET /api/operators answer 503 (counts down; the rest of the API works). */
  failOperatorFetches: number;
  /** The tax platform is down: POST /api/invoices answers 503, requests (also from the outbox) stay pending. */
  failInvoices: boolean;
}

export interface RunningBackend {
  url: string;
  port: number;
  close(): Promise<void>;
  setKnobs(k: Partial<Knobs>): void;
  knobs(): Knobs;
  /** Completes a gateway order left pending by the 'timeout' outcome. */
  settleGatewayOrder(outTradeNo: string, status: 'success' | 'declined'): void;
  /** 'seeded' when this start filled an empty file, 'reused' when it found the same seed already there. */
  seedState: 'seeded' | 'reused';
  /** The SQLite file; on the PG store an empty in-memory stand-in that only the refused routes would reach. */
  db: BackendDb;
  /** The sync protocol's storage (intake, ledger, exceptions): SQLite or PostgreSQL. */
  store: BackendStore;
  /** Kiosk side: native QR orders (scan = the customer pays), heartbeats, ratings, and their knobs. */
  kiosk: KioskBackend;
  /** Accounts closed, moved or re-tariffed at the office; each terminal's exceptions and their resolutions (docs/exceptions.md). */
  exceptions: ExceptionDesk;
  /** Collection notices and contacts the terminals synced (docs/recovery.md). */
  collection: CollectionDesk;
  /** Terminals' acknowledged journal heads and the alarms raised against them (docs/audit.md). */
  journal: JournalAnchors;
  /** The SQLite desk (sites, codes, enrolled terminals, journal); on the PG store an unused stand-in — use the admin routes or `store`. */
  enrolment: EnrolmentDesk;
}

/** How long a 'timeout' gateway request is held before answering 'pending'. */
export const GATEWAY_HANG_MS = 35_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Accounts read per read transaction of the snapshot stream. */
const STREAM_CHUNK_ACCOUNTS = 500;

const KnobsPatchSchema = z
  .object({
    down: z.boolean(),
    delayMs: z.int().min(0).max(120_000),
    failEventIds: z.array(z.string()),
    holdEvents: z.boolean(),
    gatewayOutcome: z.enum(['success', 'declined', 'timeout', 'unknown']),
    failOperatorFetches: z.int().min(0).max(1000),
    failInvoices: z.boolean(),
  })
  .partial()
  .strict();

const BatchEnvelopeSchema = z.object({
  terminalId: z.string().min(1),
  events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH),
  /** The terminal's journal head (docs/audit.md); absent from clients that predate it. */
  journal: JournalProofSchema.optional(),
});

const AnchorEnvelopeSchema = z.object({ terminalId: z.string().min(1), journal: JournalProofSchema });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error);
  }
}

export async function startBackend(opts: BackendOptions): Promise<RunningBackend> {
  const now = opts.now ?? (() => new Date());
  const nowIso = (): string => now().toISOString();
  const seedParams = {
    seed: opts.seed ?? DEFAULT_SEED,
    accounts: opts.accounts ?? DEFAULT_ACCOUNTS,
    seedDate: opts.seedDate ?? (opts.now === undefined ? DEFAULT_SEED_DATE : now().toISOString().slice(0, 10)),
  };
  const terminals: Record<string, string> = opts.terminals ?? { [DEMO_TERMINAL.id]: DEMO_TERMINAL.secret };
  const log = opts.log ?? ((): void => undefined);

  const pgOptions = opts.store?.kind === 'pg' ? opts.store : undefined;
  // Known once the server listens; invoice and QR links point at it.
  let publicUrl = '';
  const db = openBackendDb(pgOptions ? ':memory:' : opts.dbPath);
  let seedState: 'seeded' | 'reused' = 'reused';
  let pgStore: PgBackendStore | undefined;
  try {
    if (pgOptions) {
      pgStore = await PgBackendStore.open({ url: pgOptions.url, poolSize: pgOptions.poolSize, unportedEffects: [], now, publicUrl: () => publicUrl });
      seedState = await pgStore.ensureSeeded(seedKey(seedParams), () => ({ operators: demoOperators(), accounts: seedAccounts(seedParams) }));
      await pgStore.ensureRecoveryRollup(nowIso().slice(0, 10));
    } else {
      seedState = ensureSeeded(db, seedParams, () => ({ operators: demoOperators(), accounts: seedAccounts(seedParams) }));
      // The area's recovery figures, summed once from the seeded history (recovery-dashboard.ts).
      ensureRecoveryRollup(db, { asOf: nowIso().slice(0, 10) });
    }
  } catch (e) {
    db.close();
    await pgStore?.close();
    throw e;
  }
  const accounts = new AccountStore(db);
  const gateway = new GatewaySimulator(db, nowIso);
  const kiosk = new KioskBackend(db, nowIso, () => publicUrl);
  const invoiceDesk = new InvoiceDesk(db, nowIso, () => publicUrl);
  const paymentEffects = new PaymentEffects(db, invoiceDesk);
  const exceptionDesk = new ExceptionDesk(db, nowIso);
  const journal = new JournalAnchors(db);
  const collectionDesk = new CollectionDesk(db);
  const enrolment = new EnrolmentDesk(db, nowIso);
  const fleetRules: FleetRules = { ...DEFAULT_FLEET_RULES, ...withoutUndefined(opts.fleet ?? {}) };
  const intake = new EventIntake(db, {
    'rating.created': (e, ctx) => kiosk.applyRatingCreated(e, ctx),
    ...collectionDesk.effects(),
    'audit.break_acknowledged': (e, ctx) => journal.acknowledgedBreak(e, ctx),
    ...paymentEffects.effects(() => knobs.failInvoices),
    ...exceptionDesk.effects(),
  });
  pgStore?.refuseEffects(intake.effectTypes);
  const sqliteStore = pgStore ? undefined : new SqliteBackendStore(db, intake, { accounts, enrolment, exceptionDesk, sts: new StsIssuer(db, nowIso), invoices: invoiceDesk, kiosk, collection: collectionDesk });
  const store: BackendStore = pgStore ?? (sqliteStore as SqliteBackendStore);
  let knobs: Knobs = { down: false, delayMs: 0, failEventIds: [], holdEvents: false, gatewayOutcome: 'success', failOperatorFetches: 0, failInvoices: false };
  // invoice.requested on pg reads the knob as the SQLite intake's effect does.
  pgStore?.setInvoicesDown(() => knobs.failInvoices);
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });


  const journalCheckOrThrow = (verdict: HeadCheck): void => {
    if (!verdict.ok) throw new HttpError(409, { error: journalRefusalCode(verdict.reason), detail: verdict.detail });
  };
  const checkJournal = async (terminalId: string, proof: JournalProof): Promise<void> =>
    journalCheckOrThrow(pgStore ? await pgStore.journalCheck(terminalId, proof, nowIso()) : journal.check(terminalId, proof, nowIso()));
  // On pg the heads live in PostgreSQL (store/pg-store.ts); the SQLite JournalAnchors serve the rest.
  const acceptJournal = async (terminalId: string, head: JournalHeadWire): Promise<void> => {
    if (pgStore) await pgStore.journalAccept(terminalId, head, nowIso());
    else journal.accept(terminalId, head, nowIso());
  };
  const journalAnchor = async (terminalId: string): Promise<JournalHeadWire | null> => (pgStore ? pgStore.journalAnchor(terminalId) : journal.anchor(terminalId));

  async function route(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://backend.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    // The kiosk's knob: the billing backend is offline (its gateway and the knobs still answer).
    if (kiosk.knobs.apiDown && !path.startsWith('/gateway/') && !path.startsWith('/_knobs')) {
      req.socket.destroy();
      return undefined;
    }
    if (pgStore && !servedOnPg(path)) throw new StoreUnsupportedError('pg', `${method} ${path}`);
    if (path === '/health') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_knobs' && opts.allowKnobs === true) {
      expectMethod(method, 'POST');
      const patch = KnobsPatchSchema.safeParse(parseJson(body));
      if (!patch.success) throw new HttpError(400, { error: 'bad_request', detail: patch.error.message });
      knobs = { ...knobs, ...withoutUndefined(patch.data) };
      return sendJson(res, 200, knobs);
    }
    if (path.startsWith('/gateway/')) {
      // The kiosk's gateway knob: the gateway is down while the backend answers.
      if (kiosk.knobs.gatewayDown) {
        req.socket.destroy();
        return undefined;
      }
      if (path === '/gateway/health') return sendJson(res, 200, { ok: true });
      const native = kiosk.routeGateway(method, path, () => parseJson(body), opts.allowKnobs === true);
      if (native !== null) return sendJson(res, native.status, native.body);
    }
    if (path === '/_knobs/kiosk' && opts.allowKnobs === true) {
      expectMethod(method, 'POST');
      const patch = z.object({ gatewayDown: z.boolean(), failCloses: z.int().min(0), failRefunds: z.int().min(0), failHeartbeats: z.boolean(), apiDown: z.boolean() }).partial().strict().safeParse(parseJson(body));
      if (!patch.success) throw new HttpError(400, { error: 'bad_request', detail: patch.error.message });
      kiosk.knobs = { ...kiosk.knobs, ...withoutUndefined(patch.data) };
      return sendJson(res, 200, kiosk.knobs);
    }
    if (path === '/gateway/pay') {
      expectMethod(method, 'POST');
      const parsed = GatewayPayRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      const decision = gateway.pay(parsed.data, knobs.gatewayOutcome);
      switch (decision.kind) {
        case 'answer':
          return sendJson(res, 200, decision.tradeNo === undefined ? { status: decision.status } : { status: decision.status, tradeNo: decision.tradeNo });
        case 'conflict':
          throw new HttpError(409, { error: 'out_trade_no_conflict', detail: 'same outTradeNo with another amount or code' });
        case 'drop':
          req.socket.destroy();
          return undefined;
        case 'hang':
          await sleep(GATEWAY_HANG_MS);
          return sendJson(res, 200, { status: 'pending' });
        default: {
          const exhaustive: never = decision;
          throw new Error(`unhandled gateway decision ${JSON.stringify(exhaustive)}`);
        }
      }
    }
    if (path === '/gateway/reverse') {
      expectMethod(method, 'POST');
      const parsed = GatewayReverseRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      gateway.reverse(parsed.data.outTradeNo);
      return sendJson(res, 200, { status: 'reversed' });
    }
    if (path === '/gateway/refund') {
      expectMethod(method, 'POST');
      const parsed = GatewayRefundRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      const refund = gateway.refund(parsed.data);
      if (refund.kind === 'refused') throw new HttpError(409, { error: refund.error });
      return sendJson(res, 200, { status: 'refunded', refundNo: refund.refundNo });
    }
    const invoicePage = /^\/invoices\/([A-Za-z0-9]+)$/.exec(path);
    if (invoicePage !== null) {
      expectMethod(method, 'GET');
      const html = await store.invoicePage(invoicePage[1] as string);
      if (html === undefined) throw new HttpError(404, { error: 'not_found' });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return undefined;
    }
    const order = /^\/gateway\/orders\/([^/]+)$/.exec(path);
    if (order !== null) {
      expectMethod(method, 'GET');
      const outTradeNo = decodeURIComponent(order[1] as string);
      const found = gateway.query(outTradeNo);
      return sendJson(res, 200, found.status === 'not_found' ? (kiosk.legacyStatus(outTradeNo) ?? found) : found);
    }
    if (path === ENROL_PATH) {
      expectMethod(method, 'POST');
      const parsed = EnrolRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      const outcome = await store.enrol(parsed.data.code, { hostname: parsed.data.hostname });
      if (!outcome.ok) throw new HttpError(ENROLMENT_REFUSAL_STATUS[outcome.refusal], { error: outcome.refusal });
      log(`enrolled ${outcome.reply.terminalId} (${outcome.reply.mode}, site ${outcome.reply.siteId})`);
      return sendJson(res, 200, outcome.reply);
    }
    if (path === FLEET_PAGE_PATH) {
      expectMethod(method, 'GET');
      // The page carries no data (its script reads /admin/fleet with the admin token).
      const html = fleetPage(url.searchParams.get('lang') === 'en' ? 'en' : 'zh-CN');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return undefined;
    }
    if (path.startsWith('/admin/')) {
      if (opts.adminToken === undefined) throw new HttpError(403, { error: 'admin_disabled' });
      if (!adminAuthorized(req.headers.authorization, opts.adminToken)) throw new HttpError(401, { error: 'admin_unauthorized' });
      if (path === FLEET_DATA_PATH) {
        expectMethod(method, 'GET');
        return sendJson(res, 200, fleetReport(await store.heartbeats(), nowIso(), fleetRules));
      }
      if (path === ENROLMENT_CODES_PATH) {
        expectMethod(method, 'POST');
        const parsed = IssueCodeRequestSchema.safeParse(parseJson(body));
        if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
        const issued = await store.issueEnrolmentCode(parsed.data);
        if (issued === null) throw new HttpError(404, { error: 'unknown_site' });
        return sendJson(res, 200, issued);
      }
      if (path === ENROLMENT_JOURNAL_PATH) {
        expectMethod(method, 'GET');
        return sendJson(res, 200, { items: await store.enrolmentJournal() });
      }
      const site = /^\/admin\/sites\/([^/]+)$/.exec(path);
      if (site !== null) {
        expectMethod(method, 'PUT');
        const siteId = SITE_ID.safeParse(decodeURIComponent(site[1] as string));
        const settings = SiteSettingsSchema.safeParse(parseJson(body));
        if (!siteId.success || !settings.success) throw new HttpError(400, { error: 'bad_request', detail: (siteId.error ?? settings.error)?.message });
        await store.putSite(siteId.data, settings.data);
        return sendJson(res, 200, { siteId: siteId.data, settings: settings.data });
      }
      throw new HttpError(404, { error: 'not_found' });
    }
    if (!path.startsWith('/api/')) throw new HttpError(404, { error: 'not_found' });

    // Terminals given at start (the demo's, --terminal) and those enrolled with a code — looked up
    // once per request, before the check, since on PostgreSQL the lookup is a query.
    const terminalId = req.headers[SIGNATURE_HEADERS.terminal];
    const secret = typeof terminalId !== 'string' ? undefined : Object.hasOwn(terminals, terminalId) ? terminals[terminalId] : await store.enrolledSecret(terminalId);
    const auth = checkSignedRequest(req.headers, method, target, body, now().getTime(), (id) => (id === terminalId ? secret : undefined));
    // Every reply to an authentic request is signed for it (docs/backend.md, "Reply signing") —
    // a stale but authentic one too: its refusal tells the terminal how far off its clock is.
    const requestSignature = req.headers[SIGNATURE_HEADERS.signature];
    if (
      secret !== undefined &&
      typeof requestSignature === 'string' &&
      (auth.ok || (auth.reason === 'stale_timestamp' && verifySignature(secret, String(req.headers[SIGNATURE_HEADERS.timestamp]), method, target, body, requestSignature)))
    ) {
      const nonce = req.headers[SIGNATURE_HEADERS.nonce];
      replySigners.set(res, { secret, requestSignature, nonce: typeof nonce === 'string' && nonce.length <= 128 ? nonce : '', now });
    }
    if (!auth.ok) throw new HttpError(401, { error: auth.reason });

    if (path === SERVER_TIME_PATH) {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { now: nowIso() });
    }

    if (path === HEARTBEAT_PATH) {
      expectMethod(method, 'POST');
      if (kiosk.knobs.failHeartbeats) throw new HttpError(503, { error: 'heartbeats_held' });
      const parsed = HeartbeatSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      if (parsed.data.terminalId !== auth.terminalId) throw new HttpError(403, { error: 'terminal_mismatch' });
      const receivedAt = nowIso();
      await store.recordHeartbeat(auth.terminalId, parsed.data, receivedAt);
      return sendJson(res, 200, { ok: true, receivedAt });
    }
    if (path === '/api/heartbeats') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { items: await store.heartbeats() });
    }
    if (path === '/api/ratings') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { items: await store.ratings() });
    }
    if (path === INVOICES_PATH) {
      expectMethod(method, 'POST');
      if (knobs.failInvoices) {
        // The request is still held (and issued later), but this answer says unavailable: the
        // terminal relies on its outbox copy of the request.
        const held = InvoiceRequestSchema.safeParse(parseJson(body));
        if (held.success) await store.requestInvoice(held.data, auth.terminalId, true);
        throw new HttpError(503, { error: 'invoices_unavailable' });
      }
      const parsed = InvoiceRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      return sendJson(res, 200, await store.requestInvoice(parsed.data, auth.terminalId, false));
    }
    const invoiceOf = new RegExp(`^${INVOICES_PATH}/([^/]+)$`).exec(path);
    if (invoiceOf !== null) {
      expectMethod(method, 'GET');
      const found = await store.invoice(decodeURIComponent(invoiceOf[1] as string), knobs.failInvoices);
      if (found === undefined) throw new HttpError(404, { error: 'not_found' });
      return sendJson(res, 200, found);
    }
    if (path === '/api/accounts') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { items: await store.searchAccounts(url.searchParams.get('q') ?? '', auth.terminalId) });
    }
    const account = /^\/api\/accounts\/([^/]+)$/.exec(path);
    if (account !== null) {
      expectMethod(method, 'GET');
      const snapshot = await store.accountSnapshot(decodeURIComponent(account[1] as string), auth.terminalId);
      if (snapshot === undefined) throw new HttpError(404, { error: 'not_found' });
      return sendJson(res, 200, snapshot);
    }
    if (path === STS_ISSUE_PATH) {
      expectMethod(method, 'POST');
      const issued = await store.stsIssue(parseJson(body), auth.terminalId);
      return sendJson(res, issued.status, issued.body);
    }
    if (path === '/api/operators') {
      expectMethod(method, 'GET');
      if (knobs.failOperatorFetches > 0) {
        knobs = { ...knobs, failOperatorFetches: knobs.failOperatorFetches - 1 };
        throw new HttpError(503, { error: 'operators_unavailable' });
      }
      return sendJson(res, 200, { items: await store.operators() });
    }
    if (path === '/api/changes') {
      expectMethod(method, 'GET');
      const cursor = url.searchParams.get('cursor') ?? '';
      if (!/^(\d{1,15})?$/.test(cursor)) throw new HttpError(400, { error: 'bad_cursor' });
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? DEFAULT_CHANGES_LIMIT : Number(limitText);
      if (!/^\d+$/.test(limitText ?? '1') || limit < 1 || limit > MAX_CHANGES_LIMIT) {
        throw new HttpError(400, { error: 'bad_limit', detail: `1..${MAX_CHANGES_LIMIT}` });
      }
      return sendJson(res, 200, await store.changes(cursor, limit, auth.terminalId));
    }
    if (path === SNAPSHOT_STREAM_PATH) {
      expectMethod(method, 'GET');
      const after = url.searchParams.get('after') ?? '';
      if (!/^(\d{1,15})?$/.test(after)) throw new HttpError(400, { error: 'bad_cursor' });
      return streamSnapshots(req, res, after, auth.terminalId);
    }
    if (path === '/api/events') {
      expectMethod(method, 'POST');
      if (knobs.holdEvents) throw new HttpError(503, { error: 'events_held' });
      const envelope = BatchEnvelopeSchema.safeParse(parseJson(body));
      if (!envelope.success) throw new HttpError(400, { error: 'bad_request', detail: envelope.error.message });
      if (envelope.data.terminalId !== auth.terminalId) throw new HttpError(403, { error: 'terminal_mismatch' });
      // The journal head rides along (docs/audit.md): a chain that does not extend the acknowledged one takes nothing.
      const proof = envelope.data.journal;
      const ctx = { terminalId: auth.terminalId, nowIso: nowIso(), failEventIds: new Set(knobs.failEventIds) };
      if (sqliteStore) {
        // On SQLite check, intake and acknowledgement stay one synchronous step, as they always were.
        if (proof) journalCheckOrThrow(journal.check(auth.terminalId, proof, nowIso()));
        const results = sqliteStore.ingestNow(envelope.data.events, ctx);
        if (proof) journal.accept(auth.terminalId, proof.head, nowIso());
        return sendJson(res, 200, { results });
      }
      if (pgStore) {
        // On PostgreSQL too the head's check, the intake and its acknowledgement are one transaction.
        const taken = await pgStore.ingestJournaled(envelope.data.events, ctx, proof ?? null);
        if ('refused' in taken) journalCheckOrThrow(taken.refused);
        return sendJson(res, 200, { results: 'results' in taken ? taken.results : [] });
      }
      if (proof) await checkJournal(auth.terminalId, proof);
      const results = await store.ingest(envelope.data.events, ctx);
      if (proof) await acceptJournal(auth.terminalId, proof.head);
      return sendJson(res, 200, { results });
    }
    if (path === JOURNAL_ANCHOR_PATH) {
      if (method === 'GET') return sendJson(res, 200, { anchor: await journalAnchor(auth.terminalId) });
      expectMethod(method, 'POST');
      const anchored = AnchorEnvelopeSchema.safeParse(parseJson(body));
      if (!anchored.success) throw new HttpError(400, { error: 'bad_request', detail: anchored.error.message });
      if (anchored.data.terminalId !== auth.terminalId) throw new HttpError(403, { error: 'terminal_mismatch' });
      await checkJournal(auth.terminalId, anchored.data.journal);
      await acceptJournal(auth.terminalId, anchored.data.journal.head);
      return sendJson(res, 200, { anchor: await journalAnchor(auth.terminalId) });
    }
    if (path === RECOVERY_DASHBOARD_PATH) {
      expectMethod(method, 'GET');
      const dashboard = await store.recoveryDashboard(url.searchParams, nowIso());
      if (dashboard === null) throw new HttpError(400, { error: 'bad_range' });
      return sendJson(res, 200, dashboard);
    }
    if (path === TERMINAL_EXCEPTIONS_PATH) {
      expectMethod(method, 'GET');
      const page = await store.terminalExceptions(auth.terminalId, url.searchParams);
      if (page === null) throw new HttpError(400, { error: 'bad_cursor' });
      return sendJson(res, 200, page);
    }
    if (path === RECEIPT_VERIFY_PATH) {
      expectMethod(method, 'POST');
      const parsed = ReceiptVerifyRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.message });
      // Receipts name any terminal: one given at start, or one enrolled with a code (the store's).
      const issuer = parsed.data.terminalId;
      const issuerSecret = Object.hasOwn(terminals, issuer) ? terminals[issuer] : await store.enrolledSecret(issuer);
      return sendJson(res, 200, await store.verifyReceipt(parsed.data, issuerSecret));
    }
    if (path === TERMINAL_LEDGER_PATH) {
      expectMethod(method, 'GET');
      const ledger = await store.terminalLedger(auth.terminalId, url.searchParams);
      if (ledger === null) throw new HttpError(400, { error: 'bad_range' });
      return sendJson(res, 200, ledger);
    }
    if (path === '/api/ledger') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { items: await store.ledger(url.searchParams.get('terminalId') ?? undefined) });
    }
    if (path === '/api/exceptions') {
      expectMethod(method, 'GET');
      return sendJson(res, 200, { items: await store.exceptions() });
    }
    throw new HttpError(404, { error: 'not_found' });
  }

  /**
   * The snapshot stream (docs/backend.md): a begin line, the accounts in change order, read a chunk
   * at a time in short read transactions and written as the socket drains (a slow terminal slows
   * the reading, never grows the backend's memory), then an end line.
   */
  async function streamSnapshots(req: IncomingMessage, res: ServerResponse, afterText: string, terminalId: string): Promise<void> {
    const after = afterText === '' ? 0 : Number(afterText);
    const { until, total } = await store.snapshotStreamBounds(after);
    // Signed a chunk at a time, each signature chained to the last (main/sync/stream-signing.ts).
    const replier = replySigners.get(res);
    const replyTs = String(now().getTime());
    const signer = replier ? new StreamSigner({ secret: replier.secret, requestSignature: replier.requestSignature, nonce: replier.nonce, replyTs }) : null;
    res.writeHead(200, {
      'content-type': `${SNAPSHOT_STREAM_CONTENT_TYPE}; charset=utf-8`,
      'cache-control': 'no-store',
      ...(signer ? { [REPLY_HEADERS.timestamp]: replyTs } : {}),
    });
    let gone = false;
    res.on('close', () => (gone = true));
    const drained = (): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    const write = async (text: string): Promise<void> => {
      if (!res.write(signer ? text + signer.seal(text) : text)) await drained();
    };
    await write(`${JSON.stringify({ kind: 'begin', after: afterText, until: String(until), total })}\n`);
    let at = after;
    let count = 0;
    try {
      while (!gone && !req.socket.destroyed) {
        if (knobs.down) {
          req.socket.destroy();
          return;
        }
        const chunk = await store.snapshotStreamChunk(at, until, STREAM_CHUNK_ACCOUNTS, terminalId);
        if (chunk.cursor === null) break;
        at = chunk.cursor;
        count += chunk.count;
        await write(chunk.text);
      }
    } catch (e) {
      // The status is sent: the only way left to say "failed" is a stream without its end line.
      log(`error in snapshot stream after ${count} accounts: ${e instanceof Error ? e.message : String(e)}`);
      res.destroy();
      return;
    }
    if (gone) return;
    const end = `${JSON.stringify({ kind: 'end', cursor: String(until), count })}\n`;
    res.end(signer ? end + signer.seal(end) : end);
  }

  const server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
        void handle(req, res);
      })
    : createServer((req, res) => {
        void handle(req, res);
      });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const isKnobs = opts.allowKnobs === true && (req.url ?? '').split('?')[0] === '/_knobs';
    try {
      if (knobs.down && !isKnobs) {
        req.socket.destroy();
        return;
      }
      if (knobs.delayMs > 0 && !isKnobs) await sleep(knobs.delayMs);
      const body = await readBody(req);
      await route(req, res, body);
    } catch (e) {
      if (res.headersSent || req.socket.destroyed) return;
      if (e instanceof HttpError) sendJson(res, e.status, e.body);
      else if (e instanceof StoreUnsupportedError) sendJson(res, 501, { error: 'not_supported_on_store', detail: e.message });
      else {
        log(`error ${req.method} ${req.url}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        sendJson(res, 500, { error: 'internal' });
      }
    } finally {
      log(`${req.method} ${req.url} ${res.headersSent ? res.statusCode : 'dropped'} ${Date.now() - started}ms`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  publicUrl = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    seedState,
    db,
    store,
    kiosk,
    collection: collectionDesk,
    journal,
    enrolment,
    exceptions: exceptionDesk,
    setKnobs(k) {
      knobs = { ...knobs, ...withoutUndefined(k) };
    },
    knobs: () => ({ ...knobs, failEventIds: [...knobs.failEventIds] }),
    settleGatewayOrder(outTradeNo, status) {
      gateway.settle(outTradeNo, status);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => {
          db.close();
          void (pgStore?.close() ?? Promise.resolve()).finally(resolve);
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function withoutUndefined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function expectMethod(actual: string, expected: string): void {
  if (actual !== expected) throw new HttpError(405, { error: 'method_not_allowed' });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new HttpError(400, { error: 'bad_json' });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Keep draining an oversized body rather than destroying the socket, so the 413 reaches the client.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, { error: 'too_large' }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** How to sign the reply to an authentic request: the terminal's secret and what binds it to the request. */
interface ReplySigner {
  readonly secret: string;
  readonly requestSignature: string;
  readonly nonce: string;
  readonly now: () => Date;
}
const replySigners = new WeakMap<ServerResponse, ReplySigner>();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  const signer = replySigners.get(res);
  if (signer) {
    const ts = String(signer.now().getTime());
    headers[REPLY_HEADERS.timestamp] = ts;
    headers[REPLY_HEADERS.signature] = signReply(signer.secret, status, signer.requestSignature, signer.nonce, ts, text);
  }
  res.writeHead(status, headers);
  res.end(text);
}
