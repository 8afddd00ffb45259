/**
 * The core graph, built the same way by every shell (Electron, loopback host, tests): store,
 * services, sync and devices behind one `dispatch`. Shells supply only their adapters.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { ReceiptPrinter } from '../kiosk-drivers/printer/receipt-printer.js';
import type { Receipt } from '../kiosk-drivers/printer/receipt-model.js';
import type { DeviceManager } from '../kiosk-drivers/device-manager/device-manager.js';
import { DeviceError } from '../kiosk-drivers/errors.js';
import { AppError, CLOCK_DEPENDENT_METHODS, type RpcResponse } from './contract/index.js';
import type { EventName, EventPayloads, OperatorView, SyncStatusView, WireError } from './contract/index.js';
import type { TerminalConfig } from './config.js';
import { openDatabase, type Db } from './store/db.js';
import { outboxDepth } from './store/outbox.js';
import type { BackendClient } from './sync/backend-client.js';
import { OutboxPusher } from './sync/outbox-pusher.js';
import { SnapshotPuller, type PullOutcome } from './sync/snapshot-puller.js';
import { initialPullProgress, restartInitialPull } from './sync/initial-pull.js';
import { ClockGuard } from './sync/clock-guard.js';
import { appendJournal } from './store/journal.js';
import { createDispatch, toWireError, type Dispatch, type Handlers, type Session } from './services/dispatch.js';
import { AccountService, type LateFeePolicy } from './services/accounts.js';
import { createPaymentArea } from './services/payment-handlers.js';
import type { InvoiceClient } from './services/invoices.js';
import { signIn } from './services/auth.js';
import { createSessionGuard } from './services/sessions.js';
import { StaffList } from './services/staff-list.js';
import { loadLocale, translator, type Locale, type Translate } from './i18n/locales.js';
import type { Clock } from './services/clock.js';
import { createVendingHandlers, type SecureModules } from './services/vending/handlers.js';
import type { PaymentGateway } from './services/vending/gateway-client.js';
import type { TariffCatalog, VendRules } from './domain/tariff/index.js';
import { createDeviceHandlers } from './services/devices/handlers.js';
import { createShiftArea } from './services/shift/handlers.js';
import { SyncExceptions } from './services/sync-exceptions.js';
import { readExceptionFeed, type ExceptionFeedClient, type HttpReceiptVerifier } from './sync/exception-feed.js';
import { moneyInput } from './services/money-input.js';
import { openSyncExceptionCount } from './store/sync-exceptions.js';
import { receiptVerifyCode } from './sync/receipt-verify.js';
import { createCollectionArea } from './services/collection/handlers.js';
import { noticeFonts } from './services/collection/notice-fonts.js';
import { byGrade } from './services/collection/context.js';
import type { CollectionRules } from './domain/collection/rules.js';
import { loadCollectionRules } from './loaders/collection-rules.js';
import { loadCreditRules } from './loaders/credit-rules.js';
import { resourcesDir as collectionResourcesDir } from './resources-dir.js';
import { createCreditArea } from './services/credit/handlers.js';
import type { CreditRules } from './domain/credit/index.js';
import type { ShiftRules } from './domain/shift/index.js';
import type { RecoveryDashboardRules } from './domain/recovery-dashboard/rules.js';
import { createRecoveryDashboardHandlers } from './services/recovery-dashboard/handlers.js';
import { CounterHeartbeat, type SyncFacts } from './services/fleet/terminal-heartbeat.js';
import { createKioskHandlers, kioskSessionGuard, KioskService, refuseKioskRoleSignIn, refuseSignInOnKiosk } from './services/kiosk/handlers.js';
import type { VendService } from './services/vending/vend-service.js';
import type { AuditRules } from './domain/audit/rules.js';
import { IntegrityGuard } from './services/audit/integrity.js';
import { createAuditHandlers, integrityGated } from './services/audit/handlers.js';
import { JournalAnchoring } from './sync/journal-anchoring.js';
import { createServiceArea } from './services/service/handlers.js';
import type { ServiceRules } from './domain/service/rules.js';
import { loadServiceRules } from './loaders/service-rules.js';
import { resourcesDir } from './resources-dir.js';
import { UpdateService } from './services/updates.js';

export const GRIDDESK_VERSION = '0.1.0';

/** Every implementation the core runs on; chosen only by the composition root (main/compose/). */
export interface CoreAdapters {
  readonly printer: ReceiptPrinter | null;
  /** Device supervision (health, hot-plug, card/scan events); started by the composition root, closed with the core. */
  readonly devices?: DeviceManager | null;
  readonly clock?: Clock;
  readonly lateFees: LateFeePolicy;
  readonly backend: BackendClient;
  readonly secureModules: SecureModules;
  readonly gateway: PaymentGateway;
  readonly tariffs: TariffCatalog;
  readonly vendRules: VendRules;
  /** Where sync reports a refused reply or change page (once per streak). Default console.warn. */
  readonly log?: (line: string) => void;
  /** The backend's e-invoice service (docs/payments.md); null or absent: no e-invoices. */
  readonly invoices?: InvoiceClient | null;
  /** The drawer's denominations and limits (resources/rules/shift.json). */
  readonly shiftRules: ShiftRules;
  /** The backend's feed of this terminal's exceptions (docs/exceptions.md); null or absent: none read. */
  readonly exceptionFeed?: ExceptionFeedClient | null;
  /** Checks provisional receipts' verify codes at the backend; null or absent: `receipt.verify` answers backend.unreachable. */
  readonly receiptVerifier?: Pick<HttpReceiptVerifier, 'verify'> | null;
  /** Notice periods, the calendar and worklist thresholds (resources/rules/collection.json); the shipped ones when absent. */
  readonly collectionRules?: CollectionRules;
  /** The inspection's anomaly rules (resources/rules/audit.json). */
  readonly auditRules: AuditRules;
  /** Service quality rules (resources/rules/service.json); the shipped ones when absent. */
  readonly serviceRules?: ServiceRules;
  /** Arrears-ageing buckets and the dashboard's span (resources/rules/recovery-dashboard.json). */
  readonly recoveryDashboardRules: RecoveryDashboardRules;
  /** The credit model and handling by grade (resources/rules/credit.json); the shipped ones when absent. */
  readonly creditRules?: CreditRules;
}

export interface Core {
  readonly dispatch: Dispatch;
  readonly db: Db;
  readonly config: TerminalConfig;
  readonly pusher: OutboxPusher;
  /** The supervised devices (null when the composition has none). */
  readonly devices: DeviceManager | null;
  /** The terminal's clock against the backend's (sync/clock-guard.ts). */
  readonly clockGuard: ClockGuard;
  /** Software updates: the Electron shell's updater reports here and asks for its next step (services/updates.ts). */
  readonly updates: UpdateService;
  newSession(id: string): Session;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /**
   * Fetch the staff list now (best effort; the core also fetches it at start, retries with backoff
   * and refreshes it on `config.staff`'s interval) so clerks can sign in, also offline later.
   */
  refreshOperators(): Promise<boolean>;
  syncNow(): Promise<SyncStatusView>;
  /** Pull account snapshots changed since the stored cursor; null when the backend is unreachable. */
  pullNow(): Promise<PullOutcome | null>;
  close(): Promise<void>;
}

export function createCore(config: TerminalConfig, adapters: CoreAdapters): Core {
  const clock = adapters.clock ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(path.join(config.dataDir, `${config.terminalId}.db`));
  const events = new EventEmitter();
  const emit = <E extends EventName>(e: E, payload: EventPayloads[E]) => events.emit(e, payload);

  const translators: Record<Locale, Translate> = {
    'zh-CN': translator(loadLocale('zh-CN')),
    en: translator(loadLocale('en')),
  };
  const client = adapters.backend;
  // The journal walked at start: a broken chain puts the terminal in its safe state (services/audit/integrity.ts).
  const integrity = new IntegrityGuard({ db, clock, afterCommit: () => nudgeSync() });
  const journal = new JournalAnchoring({
    db,
    client,
    timeoutMs: config.backend.pushTimeoutMs,
    onRefused: (reason, detail) => integrity.refused(reason, detail),
    onAccepted: () => integrity.accepted(),
    onLocalBreak: (b) => integrity.localBreak(b),
  });
  const pusher = new OutboxPusher({
    journal,
    db,
    client,
    batchSize: config.backend.pushBatchSize,
    timeoutMs: config.backend.pushTimeoutMs,
    now: clock,
  });

  let syncState: SyncStatusView = { pending: outboxDepth(db), online: false, lastPushAt: null, lastError: null, initialPull: initialPullProgress(db) };
  const setSync = (patch: Partial<SyncStatusView>) => {
    syncState = { ...syncState, ...patch, pending: outboxDepth(db) };
    emit('sync.progressed', syncState);
  };

  // The clock guard reads the backend's clock from every verified reply; entering and leaving
  // drift is journaled once each and pushed to the UI (the counter's clock banner).
  const clockGuard = new ClockGuard({
    db,
    clock,
    maxDriftMs: config.backend.maxClockDriftMs,
    onChange: (next, previous) => {
      if (next.state !== previous.state && (next.state === 'drift' || previous.state === 'drift')) {
        appendJournal(db, {
          type: next.state === 'drift' ? 'clock.drift_detected' : 'clock.drift_cleared',
          ref: 'clock',
          actor: 'system',
          at: clock().toISOString(),
          payload: { driftMs: next.driftMs, maxDriftMs: next.maxDriftMs, measuredAt: next.measuredAt, basis: next.basis },
        });
      }
      emit('clock.checked', next);
    },
  });
  const stopClockSamples = client.observeClock((sample) => clockGuard.observe(sample));
  /**
   * Before a clock-dependent call: while drifting, read the backend's clock once more, then decide
   * (null — go on at once, not a tick later — when the clock is fine).
   */
  const clockGate = (): Promise<void> | null => {
    if (clockGuard.status().state !== 'drift') return null;
    return client
      .time(config.backend.lookupTimeoutMs)
      .catch(() => undefined)
      .then(() => clockGuard.assertTrusted());
  };

  // The exceptions queue (docs/exceptions.md): rejected events, queued as the pusher records them,
  // and the exceptions the backend recorded while accepting ours, read from its feed after a pull.
  const syncExceptions = new SyncExceptions({
    db,
    clock,
    onChanged: (openCount) => emit('exceptions.changed', { openCount }),
    afterCommit: () => nudgeSync(),
  });
  const readExceptions = async (): Promise<void> => {
    if (!adapters.exceptionFeed) return;
    try {
      const { added } = await readExceptionFeed(db, adapters.exceptionFeed, clock, config.backend.pushTimeoutMs);
      if (added > 0) emit('exceptions.changed', { openCount: openSyncExceptionCount(db) });
    } catch (err) {
      // Read again next cycle (the cursor stayed); shown like any other sync failure.
      setSync({ lastError: err instanceof Error ? err.message : String(err) });
    }
  };

  const puller = new SnapshotPuller({
    db,
    client,
    pageSize: 200,
    timeoutMs: config.backend.pushTimeoutMs,
    now: clock,
    maxPages: 50,
    // The initial pull's progress (accounts so far, rate, time left) rides on sync.progressed.
    onProgress: (initialPull) => setSync({ initialPull }),
    ...(adapters.log ? { log: adapters.log } : {}),
  });
  const pullNow = async (): Promise<PullOutcome | null> => {
    try {
      const outcome = await puller.pull();
      await readExceptions();
      return outcome;
    } catch (err) {
      setSync({ lastError: err instanceof Error ? err.message : String(err) });
      return null;
    }
  };

  const syncNow = async (): Promise<SyncStatusView> => {
    try {
      const outcome = await pusher.pushAll();
      if (outcome.rejected > 0) emit('exceptions.changed', { openCount: openSyncExceptionCount(db) });
      setSync({
        online: outcome.online && outcome.error === null,
        lastError: outcome.error,
        ...(outcome.error === null ? { lastPushAt: clock().toISOString() } : {}),
      });
    } catch (err) {
      // A local failure (not the network) must not kill the interval or the process; it is shown.
      setSync({ lastError: err instanceof Error ? err.message : String(err) });
    }
    return syncState;
  };

  const accounts = new AccountService({
    db,
    client,
    clock,
    timeZone: config.timeZone,
    lookupTimeoutMs: config.backend.lookupTimeoutMs,
    lateFees: adapters.lateFees,
    onBackendState: (online) => {
      if (online !== syncState.online) setSync({ online });
    },
  });

  // The staff list: fetched now, retried with backoff, refreshed on an interval (services/staff-list.ts).
  const staff = new StaffList({
    db,
    clock,
    fetch: () => client.operators(config.backend.lookupTimeoutMs),
    ...config.staff,
  });
  staff.start();

  const operatorNames = (id: string) =>
    (db.prepare('SELECT name FROM operators WHERE operator_id = ?').get(id) as { name: string } | undefined)?.name ?? '';

  // Arrears worklist, collection notices and the contact log (recovery desk, docs/recovery.md).
  const collectionArea = createCollectionArea({
    db,
    clock,
    terminalId: config.terminalId,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
    translators,
    receipt: config.receipt,
    rules: adapters.collectionRules ?? loadCollectionRules(path.join(collectionResourcesDir(), 'rules', 'collection.json')),
    tariffs: adapters.tariffs,
    accounts,
    printer: adapters.printer,
    noticeFonts: noticeFonts(collectionResourcesDir()),
    // Poor grades are reminded earlier and followed up sooner (credit.json treatment).
    ...byGrade(adapters.creditRules ?? loadCreditRules(path.join(collectionResourcesDir(), 'rules', 'credit.json'))),
    afterCommit: () => nudgeSync(),
  });

  // What every money receipt starts from; the printer prints the same document the screen previews.
  const receiptContext = (receiptLocale: Locale, operatorId: string, accountNo: string) => ({
    t: translators[receiptLocale],
    header: config.receipt.header,
    hotline: config.receipt.hotline,
    terminalId: config.terminalId,
    timeZone: config.timeZone,
    operatorName: operatorNames(operatorId),
    accountName: accounts.cached(accountNo).name,
    reprint: false,
  });

  const printDocument = async (receipt: Receipt): Promise<WireError | null> => {
    if (!adapters.printer) return toWireError(new DeviceError('device.not_found', { device: 'printer' }));
    try {
      await adapters.printer.print(receipt);
      return null;
    } catch (err) {
      return toWireError(err);
    }
  };

  // A payment's receipt is provisional while its event waits in the outbox (docs/exceptions.md): it
  // says so and carries a verify code the backend can check. Online, the push the commit started
  // gets a moment first, so a connected counter prints final receipts.
  const provisionalReceipt = async (p: { paymentId: string; amountFen: number }, settle: boolean): Promise<{ verifyCode: string } | null> => {
    const waiting = () => db.prepare('SELECT 1 FROM outbox WHERE event_id = ?').get(p.paymentId) !== undefined;
    // No printer, nothing to print: no reason to hold the payment's answer for the push.
    if (waiting() && settle && syncState.online && adapters.printer) {
      await Promise.race([pusher.pushAll().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, config.backend.lookupTimeoutMs).unref())]);
    }
    return waiting() ? { verifyCode: receiptVerifyCode(config.backend.terminalSecret, config.terminalId, p.paymentId, p.amountFen) } : null;
  };

  // After every money commit: show the new outbox depth and push now rather than at the next tick.
  const nudgeSync = () => {
    setSync({});
    void syncNow();
  };

  // Shifts and the drawer: payments and vends ask its gate for the open shift inside their commit.
  const shiftArea = createShiftArea({
    db,
    clock,
    terminalId: config.terminalId,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
    receipt: config.receipt,
    required: config.mode === 'counter' && config.shift.required,
    rules: adapters.shiftRules,
    translators,
    printer: adapters.printer,
    ledger: async (from, to) => (await client.terminalLedger(from, to, config.backend.pushTimeoutMs)).items,
    afterCommit: () => nudgeSync(),
  });

  // Payments by every method, voids and refunds, late-fee waivers, e-invoices (services/payment-handlers.ts).
  const paymentArea = createPaymentArea({
    db,
    clock,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
    accounts,
    lateFees: adapters.lateFees,
    gateway: adapters.gateway,
    codeTiming: { queryIntervalMs: config.payments.codeQueryIntervalMs, confirmWithinMs: config.payments.codeConfirmWithinMs },
    invoiceClient: config.payments.invoices ? (adapters.invoices ?? null) : null,
    invoiceTimeoutMs: config.backend.lookupTimeoutMs,
    print: printDocument,
    receiptContext,
    provisional: provisionalReceipt,
    shifts: shiftArea.gate,
    afterCommit: nudgeSync,
  });
  // Charges and reversals a crash or an unreachable gateway left: finished now and after pushes.
  void paymentArea.resume().catch(() => undefined);

  const requireOperator = (s: Session): OperatorView => {
    if (!s.operator) throw new Error('dispatch let an anonymous session through');
    return s.operator;
  };

  // Vending's handlers (prepaid top-up, token help desk) are built in services/vending.
  let vendService: VendService | null = null;
  const vendingHandlers = createVendingHandlers({
    db,
    clock,
    config,
    accounts,
    translators,
    printer: adapters.printer,
    devices: adapters.devices ?? null,
    secureModules: adapters.secureModules,
    gateway: adapters.gateway,
    tariffs: adapters.tariffs,
    vendRules: adapters.vendRules,
    onBuilt: (vends) => (vendService = vends),
    shifts: shiftArea.gate,
    afterCommit: nudgeSync,
  });

  // Device handlers (health, diagnostics) are built in services/devices.
  const deviceHandlers = createDeviceHandlers({ db, clock, config, translators, printer: adapters.printer, devices: adapters.devices ?? null, emit });

  // Kiosk handlers (the self-service visit) are built in services/kiosk.
  if (!vendService) throw new Error('the vend service was not built');
  const syncFacts = (): SyncFacts => ({ clockDriftMs: clockGuard.status().driftMs, lastPushAt: syncState.lastPushAt });
  const kiosk = new KioskService({
    db,
    clock,
    config,
    accounts,
    vends: vendService,
    gateway: adapters.gateway,
    heartbeat: (beat, timeoutMs) => client.heartbeat(beat, timeoutMs),
    printer: adapters.printer,
    devices: adapters.devices ?? null,
    tariffs: adapters.tariffs,
    vendRules: adapters.vendRules,
    translators,
    emit,
    backendOnline: () => syncState.online,
    outboxDepth: () => outboxDepth(db),
    afterCommit: nudgeSync,
    version: GRIDDESK_VERSION,
    syncFacts,
  });
  const kioskHandlers = createKioskHandlers(kiosk);
  // Counters report to the fleet view too (the kiosk's beat goes with its sweeper, above).
  const counterBeat =
    config.mode === 'counter'
      ? new CounterHeartbeat({ db, clock, config, devices: adapters.devices ?? null, version: GRIDDESK_VERSION, outboxDepth: () => outboxDepth(db), syncFacts, send: (beat, timeoutMs) => client.heartbeat(beat, timeoutMs), ...(adapters.log ? { log: adapters.log } : {}) })
      : null;
  // A counter installs a downloaded update at its next quit (electron-updater); a kiosk when no customer needs it.
  const updates = new UpdateService({
    db,
    clock,
    currentVersion: GRIDDESK_VERSION,
    checkIntervalMs: config.updates.checkIntervalMs,
    idle: () => config.mode === 'kiosk' && kiosk.idleForUpdate(),
  });
  kiosk.start();
  counterBeat?.start();

  // Service quality (ratings on the customer display, complaints, applications, recommendations): services/service.
  const serviceArea = createServiceArea({
    db,
    clock,
    config,
    rules: adapters.serviceRules ?? loadServiceRules(path.join(resourcesDir(), 'rules', 'service.json')),
    tariffs: adapters.tariffs,
    translators,
    printer: adapters.printer,
    fetchAccount: (accountNo) => client.getAccount(accountNo, config.backend.lookupTimeoutMs),
    afterCommit: nudgeSync,
  });
  serviceArea.start(config.service?.escalationSweepMs ?? 60_000);

  // Credit grades (services/credit): re-graded when read, after this terminal's money for an account, and monthly.
  const creditArea = createCreditArea({
    db,
    clock,
    timeZone: config.timeZone,
    operatorName: operatorNames,
    ...(adapters.creditRules ? { rules: adapters.creditRules } : {}),
    ...(adapters.log ? { log: adapters.log } : {}),
  });
  creditArea.start(60 * 60 * 1000);

  const auditHandlers = createAuditHandlers({
    db,
    terminalId: config.terminalId,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
    rules: adapters.auditRules,
    translators,
    integrity,
  });

  const handle = createDispatch(
    integrityGated(clockGated({
      'system.info': () => ({
        terminalId: config.terminalId,
        mode: config.mode,
        defaultLocale: config.defaultLocale,
        timeZone: config.timeZone,
        version: GRIDDESK_VERSION,
        sessionIdleTimeoutMs: config.session.idleTimeoutMs,
      }),
      'session.signIn': (p, s) => {
        refuseSignInOnKiosk(kiosk);
        s.operator = refuseKioskRoleSignIn(signIn({ db, clock }, p.operatorId, p.pin));
        return s.operator;
      },
      'session.signOut': (_p, s) => {
        serviceArea.display.endFor(s.id);
        // On a kiosk the session returns to the kiosk's own.
        s.operator = kiosk.sessionOperator();
        return { signedOut: true as const };
      },
      'session.current': (_p, s) => s.operator,
      'account.lookup': (p, s) => {
        // The start of serving this customer, for the rating's "long service" outcome.
        serviceArea.display.noteLookup(s, p.accountNo);
        return accounts.lookup(p.accountNo);
      },
      'account.search': (p) => accounts.search(p.q),
      ...creditArea.regradeAfter(paymentArea.handlers),
      'sync.status': () => ({ ...syncState, pending: outboxDepth(db) }),
      // A supervisor's "sync now": push at once, then pull in the background (progress comes as events).
      'sync.force': async (p, s) => {
        const actor = requireOperator(s).operatorId;
        db.transaction(() => {
          if (p.full) restartInitialPull(db);
          appendJournal(db, { type: 'sync.forced', ref: 'sync', actor, at: clock().toISOString(), payload: { full: p.full } });
        })();
        if (p.full) setSync({ initialPull: initialPullProgress(db) });
        const status = await syncNow();
        void pullNow();
        return status;
      },
      ...creditArea.regradeAfter(vendingHandlers),
      ...creditArea.handlers,
      ...deviceHandlers,
      ...shiftArea.handlers,
      ...collectionArea.handlers,
      ...createRecoveryDashboardHandlers({
        db,
        clock,
        timeZone: config.timeZone,
        terminalId: config.terminalId,
        defaultLocale: config.defaultLocale,
        translators,
        rules: adapters.recoveryDashboardRules,
        areaFigures: (from, to) => client.recoveryDashboard(from, to, config.backend.lookupTimeoutMs * 4),
      }),
      ...kioskHandlers,
      'updates.status': () => updates.status(),
      'updates.defer': (p, s) => updates.defer(p.requestId, p.hours, p.reason, requireOperator(s).operatorId),
      ...serviceArea.handlers,
      'clock.status': () => clockGuard.status(),
      'exceptions.list': (p) => syncExceptions.list(p.status),
      'exceptions.resolve': (p, s) => syncExceptions.resolve(p, requireOperator(s)),
      'receipt.verify': async (p) => {
        if (!adapters.receiptVerifier) throw new AppError('backend.unreachable');
        const amountFen = moneyInput(p.amount, 'amount');
        try {
          return await adapters.receiptVerifier.verify(
            { terminalId: p.terminalId ?? config.terminalId, paymentId: p.paymentId, amountFen, code: p.code },
            // Staff wait for this answer at the desk; not a lookup racing the cache.
            config.backend.pushTimeoutMs,
          );
        } catch (err) {
          throw err instanceof AppError ? err : new AppError('backend.unreachable');
        }
      },
      ...auditHandlers,
    }, clockGate), integrity, db, clock),
    {
      onInternalError: (method, err) => console.error(`[core] ${method} failed:`, err),
      sessions: kioskSessionGuard(kiosk, createSessionGuard({ db, clock, idleTimeoutMs: config.session.idleTimeoutMs })),
    },
  );

  // Shutdown drains: calls already running finish (their commits and print jobs), new ones are refused.
  const inFlight = new Set<Promise<RpcResponse>>();
  let closing = false;
  const dispatch: Dispatch = (method, params, session) => {
    if (closing) return Promise.resolve({ ok: false, error: new AppError('rpc.shutting_down').toWire() });
    const call = handle(method, params, session);
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    return call;
  };

  const timer = setInterval(
    () =>
      void syncNow()
        .then(() => pullNow())
        .then(() => paymentArea.resume())
        .then(() => paymentArea.afterSync())
        .catch(() => undefined),
    config.backend.pushIntervalMs,
  );
  timer.unref();
  // A wall-clock step since the last reply shows (banner, journal) even with nothing to sync.
  const clockTimer = setInterval(() => clockGuard.status(), config.backend.pushIntervalMs);
  clockTimer.unref();

  let closed: Promise<void> | null = null;
  const shutDown = async (): Promise<void> => {
    closing = true;
    clearInterval(timer);
    clearInterval(clockTimer);
    // A pull in flight (the initial pull's index build yields between steps) ends before the database closes.
    await puller.stop();
    stopClockSamples();
    staff.close();
    creditArea.stop();
    serviceArea.close();
    await kiosk.close();
    await counterBeat?.stop();
    await Promise.allSettled([...inFlight]);
    await pusher.pushAll().catch(() => undefined);
    // Devices first: polling stops before the printer it polls is closed.
    await adapters.devices?.close().catch(() => undefined);
    await adapters.printer?.close().catch(() => undefined);
    db.close();
  };

  return {
    dispatch,
    db,
    config,
    pusher,
    devices: adapters.devices ?? null,
    clockGuard,
    updates,
    // In kiosk mode a new session is the kiosk's customer session (role 'kiosk'); staff come through the staff exit.
    newSession: (id) => ({ id, operator: kiosk.sessionOperator() }),
    on: (event, listener) => {
      events.on(event, listener as (p: unknown) => void);
      return () => events.off(event, listener as (p: unknown) => void);
    },
    refreshOperators: () => staff.refresh(),
    syncNow,
    pullNow,
    close: () => (closed ??= shutDown()),
  };
}

/** The handlers, those of CLOCK_DEPENDENT_METHODS behind `gate` (which throws while the clock is off). */
function clockGated(handlers: Handlers, gate: () => Promise<void> | null): Handlers {
  const gated = { ...handlers } as unknown as Record<string, (params: unknown, session: Session) => unknown>;
  for (const name of CLOCK_DEPENDENT_METHODS) {
    const handler = handlers[name] as (params: unknown, session: Session) => unknown;
    gated[name] = (params, session) => {
      const waiting = gate();
      return waiting ? waiting.then(() => handler(params, session)) : handler(params, session);
    };
  }
  return gated as unknown as Handlers;
}
