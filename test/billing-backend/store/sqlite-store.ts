/**
 * The SQLite store: the backend's own file and the EventIntake it always had (all effects), behind
 * the async interface. Every call runs synchronously inside; better-sqlite3 has no async API.
 * Snapshots, staff and enrolment are the AccountStore's and the EnrolmentDesk's, as they always were.
 */
import type { AccountSnapshot, ChangesPage, EventResult, ExceptionRecord, LedgerEntry, OperatorSnapshot } from '../../../main/wire/backend-wire.js';
import type { EnrolmentJournalEntry, IssuedCode, SiteSettings } from '../../../main/wire/enrolment-wire.js';
import { AccountStore } from '../account-store.js';
import { EnrolmentDesk, type EnrolOutcome } from '../enrolment.js';
import { nextCounter, openBackendDb, type BackendDb } from '../db.js';
import { ExceptionDesk, verifyReceipt } from '../exception-desk.js';
import type { ReceiptVerifyRequest, ReceiptVerifyResult, TerminalException } from '../../../main/wire/exceptions-wire.js';
import { EventIntake, type IntakeContext } from '../intake.js';
import { terminalLedger } from '../terminal-ledger.js';
import { StsIssuer, type StsIssueAnswer } from '../sts-issue.js';
import { InvoiceDesk } from '../invoices.js';
import { KioskBackend } from '../kiosk-backend.js';
import { CollectionDesk } from '../collection-desk.js';
import { ensureRecoveryRollup, recoveryDashboard } from '../recovery-dashboard.js';
import type { RecoveryDashboardWire } from '../../../main/wire/recovery-wire.js';
import type { Invoice, InvoiceRequest } from '../../../main/wire/payments-wire.js';
import type { BackendStore, SeedAccountInput, StoredAccount, StoredBill, StoredHeartbeat, StoredContact, StoredNotice, StoredRating, StoredResolution, TerminalTotals } from './backend-store.js';
import { HeartbeatSchema, type Heartbeat } from '../../../main/wire/kiosk-wire.js';

type EventRow = { event_id: string; terminal_id: string; seq: number; type: string; occurred_at: string; payload_json: string; received_at: string };
type ExceptionRow = {
  id: number; event_id: string; terminal_id: string; kind: ExceptionRecord['kind']; account_no: string | null; bill_id: string | null; fen: number; detail: string; created_at: string;
};

/** Same DDL as kiosk-backend.ts, whose heartbeats() (the kiosk tests') reads the same table. */
const HEARTBEATS_DDL = 'CREATE TABLE IF NOT EXISTS heartbeats (terminal_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, body_json TEXT NOT NULL, count INTEGER NOT NULL)';

/** Same DDL as exception-desk.ts: closures are seeded before the desk may have made its table. */
const CLOSURES_DDL = 'CREATE TABLE IF NOT EXISTS account_closures (account_no TEXT PRIMARY KEY, moved_to TEXT, closed_at TEXT NOT NULL)';

export class SqliteBackendStore implements BackendStore {
  readonly kind = 'sqlite' as const;

  private accountStore: AccountStore | undefined;
  private enrolmentDesk: EnrolmentDesk | undefined;
  private exceptionDesk: ExceptionDesk | undefined;
  private stsIssuer: StsIssuer | undefined;
  private invoiceDesk: InvoiceDesk | undefined;
  private kioskBackend: KioskBackend | undefined;
  private collectionDesk: CollectionDesk | undefined;

  /** `parts`: the server's own AccountStore, EnrolmentDesk, ExceptionDesk, StsIssuer, InvoiceDesk and KioskBackend (made here on first use when not given). */
  constructor(
    readonly db: BackendDb,
    private readonly intake: EventIntake,
    parts: { readonly accounts?: AccountStore; readonly enrolment?: EnrolmentDesk; readonly exceptionDesk?: ExceptionDesk; readonly sts?: StsIssuer; readonly invoices?: InvoiceDesk; readonly kiosk?: KioskBackend; readonly collection?: CollectionDesk } = {},
  ) {
    this.accountStore = parts.accounts;
    this.enrolmentDesk = parts.enrolment;
    this.exceptionDesk = parts.exceptionDesk;
    this.stsIssuer = parts.sts;
    this.invoiceDesk = parts.invoices;
    this.kioskBackend = parts.kiosk;
    this.collectionDesk = parts.collection;
  }

  /** The server's ExceptionDesk, or one made here (with its tables) on first use. */
  private desk(): ExceptionDesk {
    return (this.exceptionDesk ??= new ExceptionDesk(this.db, () => new Date().toISOString()));
  }

  private get accounts(): AccountStore {
    return (this.accountStore ??= new AccountStore(this.db));
  }

  private get enrolment(): EnrolmentDesk {
    return (this.enrolmentDesk ??= new EnrolmentDesk(this.db, () => new Date().toISOString()));
  }

  ingest(rawEvents: readonly unknown[], ctx: IntakeContext): Promise<EventResult[]> {
    return Promise.resolve(this.ingestNow(rawEvents, ctx));
  }

  /** The same, synchronously: the server keeps the journal check, intake and acknowledgement in one step. */
  ingestNow(rawEvents: readonly unknown[], ctx: IntakeContext): EventResult[] {
    return this.intake.ingest(rawEvents, ctx);
  }

  processedSeq(terminalId: string): Promise<number> {
    const row = this.db.prepare<[string], { processed_seq: number }>('SELECT processed_seq FROM terminal_progress WHERE terminal_id = ?').get(terminalId);
    return Promise.resolve(row?.processed_seq ?? 0);
  }

  ledger(terminalId?: string): Promise<LedgerEntry[]> {
    const rows = this.db
      .prepare<{ terminalId: string | null }, EventRow>('SELECT * FROM events WHERE @terminalId IS NULL OR terminal_id = @terminalId ORDER BY rowid')
      .all({ terminalId: terminalId ?? null });
    return Promise.resolve(rows.map(ledgerEntry));
  }

  exceptions(terminalId?: string): Promise<ExceptionRecord[]> {
    const rows = this.db
      .prepare<{ terminalId: string | null }, ExceptionRow>('SELECT * FROM exceptions WHERE @terminalId IS NULL OR terminal_id = @terminalId ORDER BY id')
      .all({ terminalId: terminalId ?? null });
    return Promise.resolve(rows.map(exceptionRecord));
  }

  account(accountNo: string): Promise<StoredAccount | undefined> {
    this.db.exec(CLOSURES_DDL);
    const row = this.db
      .prepare<[string], { account_no: string; balance_fen: number; closed: number | null; moved_to: string | null }>(
        `SELECT a.account_no, a.balance_fen, c.account_no IS NOT NULL AS closed, c.moved_to
         FROM accounts a LEFT JOIN account_closures c ON c.account_no = a.account_no WHERE a.account_no = ?`,
      )
      .get(accountNo);
    if (row === undefined) return Promise.resolve(undefined);
    const status = row.closed ? (row.moved_to === null ? 'closed' : 'moved') : 'active';
    return Promise.resolve({ accountNo: row.account_no, balanceFen: row.balance_fen, status });
  }

  bills(accountNo: string): Promise<StoredBill[]> {
    const rows = this.db
      .prepare<[string], { bill_id: string; account_no: string; amount_fen: number; paid_fen: number; late_fee_paid_fen: number; status: string }>(
        'SELECT bill_id, account_no, amount_fen, paid_fen, late_fee_paid_fen, status FROM bills WHERE account_no = ? ORDER BY period, bill_id',
      )
      .all(accountNo);
    return Promise.resolve(
      rows.map((r) => ({ billId: r.bill_id, accountNo: r.account_no, amountFen: r.amount_fen, paidFen: r.paid_fen, lateFeePaidFen: r.late_fee_paid_fen, status: r.status })),
    );
  }

  totals(): Promise<TerminalTotals[]> {
    const rows = this.db
      .prepare<[], { terminal_id: string; events: number; payment_fen: number | null }>(
        `SELECT terminal_id, COUNT(*) AS events,
           SUM(CASE WHEN type = 'payment.created' THEN json_extract(payload_json, '$.amountFen') ELSE 0 END) AS payment_fen
         FROM events GROUP BY terminal_id ORDER BY terminal_id`,
      )
      .all();
    return Promise.resolve(rows.map((r) => ({ terminalId: r.terminal_id, events: r.events, paymentFen: r.payment_fen ?? 0 })));
  }

  recordHeartbeat(terminalId: string, heartbeat: Heartbeat, receivedAt: string): Promise<void> {
    this.db.exec(HEARTBEATS_DDL);
    this.db
      .prepare(
        `INSERT INTO heartbeats (terminal_id, received_at, body_json, count) VALUES (?, ?, ?, 1)
         ON CONFLICT (terminal_id) DO UPDATE SET received_at = excluded.received_at, body_json = excluded.body_json, count = count + 1`,
      )
      .run(terminalId, receivedAt, JSON.stringify(heartbeat));
    return Promise.resolve();
  }

  heartbeats(): Promise<StoredHeartbeat[]> {
    this.db.exec(HEARTBEATS_DDL);
    const rows = this.db.prepare<[], { terminal_id: string; received_at: string; body_json: string; count: number }>('SELECT * FROM heartbeats ORDER BY terminal_id').all();
    return Promise.resolve(rows.map((r) => ({ terminalId: r.terminal_id, receivedAt: r.received_at, count: r.count, heartbeat: HeartbeatSchema.parse(JSON.parse(r.body_json)) })));
  }

  seed(accounts: readonly SeedAccountInput[]): Promise<void> {
    this.db.exec(CLOSURES_DDL);
    const insertAccount = this.db.prepare(
      `INSERT INTO accounts (account_no, name, address, phone, customer_class, payment_mode, tariff_code, balance_fen, credit_grade,
         card_no, consumption_this_year, consumption_this_month, version, updated_at, change_seq)
       VALUES (?, ?, '', '', 'residential', 'postpaid', ?, ?, 'B', NULL, 0, 0, 1, '2026-01-01T00:00:00.000Z', ?)`,
    );
    const insertClosure = this.db.prepare('INSERT INTO account_closures (account_no, moved_to, closed_at) VALUES (?, ?, ?)');
    const insertBill = this.db.prepare(
      'INSERT INTO bills (bill_id, account_no, period, consumption, amount_fen, paid_fen, due_date, status) VALUES (?, ?, ?, 0, ?, ?, ?, ?)',
    );
    this.db
      .transaction(() => {
        for (const a of accounts) {
          insertAccount.run(a.accountNo, `Seeded ${a.accountNo}`, a.tariffCode ?? 'R1', a.balanceFen ?? 0, nextCounter(this.db, 'change'));
          if (a.closed) insertClosure.run(a.accountNo, a.closed.movedTo, '2026-01-01T00:00:00.000Z');
          for (const b of a.bills ?? []) {
            const paid = b.paidFen ?? 0;
            insertBill.run(b.billId, a.accountNo, b.period ?? '2026-10', b.amountFen, paid, b.dueDate ?? '2026-11-30', paid >= b.amountFen ? 'paid' : 'open');
          }
        }
      })
      .immediate();
    return Promise.resolve();
  }

  putSite(siteId: string, settings: SiteSettings): Promise<void> {
    this.enrolment.putSite(siteId, settings);
    return Promise.resolve();
  }

  issueEnrolmentCode(req: { siteId: string; mode: 'counter' | 'kiosk'; ttlMinutes: number; issuedBy: string }): Promise<IssuedCode | null> {
    return Promise.resolve(this.enrolment.issue(req));
  }

  enrol(code: string, meta: { hostname?: string | undefined }): Promise<EnrolOutcome> {
    return Promise.resolve(this.enrolment.enrol(code, meta));
  }

  enrolmentJournal(): Promise<EnrolmentJournalEntry[]> {
    return Promise.resolve(this.enrolment.journalEntries());
  }

  enrolledSecret(terminalId: string): Promise<string | undefined> {
    return Promise.resolve(this.enrolment.secretFor(terminalId));
  }

  operators(): Promise<OperatorSnapshot[]> {
    return Promise.resolve(this.accounts.operators());
  }

  // Snapshot and appliedSeq read in one synchronous step: nothing runs between them.
  accountSnapshot(accountNo: string, terminalId: string): Promise<AccountSnapshot | undefined> {
    const snapshot = this.accounts.get(accountNo);
    return Promise.resolve(snapshot === undefined ? undefined : { ...snapshot, appliedSeq: this.accounts.appliedSeq(terminalId) });
  }

  searchAccounts(q: string, terminalId: string): Promise<AccountSnapshot[]> {
    const appliedSeq = this.accounts.appliedSeq(terminalId);
    return Promise.resolve(this.accounts.search(q).map((a) => ({ ...a, appliedSeq })));
  }

  changes(cursor: string, limit: number, terminalId: string): Promise<ChangesPage> {
    const page = this.accounts.changes(cursor, limit);
    const appliedSeq = this.accounts.appliedSeq(terminalId);
    return Promise.resolve({ ...page, items: page.items.map((a) => ({ ...a, appliedSeq })) });
  }

  snapshotStreamBounds(after: number): Promise<{ until: number; total: number }> {
    return Promise.resolve(this.accounts.streamBounds(after));
  }

  snapshotStreamChunk(after: number, until: number, limit: number, terminalId: string): Promise<{ text: string; cursor: number | null; count: number }> {
    return Promise.resolve(this.accounts.streamChunkText(after, until, limit, () => this.accounts.appliedSeq(terminalId)));
  }

  terminalLedger(terminalId: string, search: URLSearchParams): Promise<{ items: LedgerEntry[] } | null> {
    return Promise.resolve(terminalLedger(this.db, terminalId, search));
  }

  verifyReceipt(req: ReceiptVerifyRequest, secret: string | undefined): Promise<ReceiptVerifyResult> {
    return Promise.resolve(verifyReceipt(this.db, req, () => secret));
  }

  terminalExceptions(terminalId: string, search: URLSearchParams): Promise<{ items: TerminalException[] } | null> {
    return Promise.resolve(this.desk().forTerminal(terminalId, search));
  }

  resolutions(): Promise<StoredResolution[]> {
    this.desk();
    const rows = this.db
      .prepare<[], ResolutionRow>(
        `SELECT * FROM (
           SELECT resolution_id, terminal_id, exception_id, event_id, resolution, note, resolved_by, created_at FROM exception_resolutions
           UNION ALL SELECT resolution_id, terminal_id, NULL, event_id, resolution, note, resolved_by, created_at FROM rejection_resolutions
         ) r ORDER BY exception_id IS NULL, exception_id, resolution_id`,
      )
      .all();
    return Promise.resolve(rows.map(storedResolution));
  }

  stsIssue(raw: unknown, terminalId: string): Promise<StsIssueAnswer> {
    this.stsIssuer ??= new StsIssuer(this.db, () => new Date().toISOString());
    return Promise.resolve(this.stsIssuer.issue(raw, terminalId));
  }

  // Without the server's desk (the contract suite's own store) invoice links have no host.
  private get invoices(): InvoiceDesk {
    return (this.invoiceDesk ??= new InvoiceDesk(this.db, () => new Date().toISOString(), () => ''));
  }

  requestInvoice(req: InvoiceRequest, terminalId: string, down: boolean): Promise<Invoice> {
    return Promise.resolve(this.invoices.request(req, terminalId, down));
  }

  invoice(paymentId: string, down: boolean): Promise<Invoice | undefined> {
    return Promise.resolve(this.invoices.get(paymentId, down));
  }

  invoicePage(invoiceNo: string): Promise<string | undefined> {
    return Promise.resolve(this.invoices.page(invoiceNo));
  }

  collectionNotices(): Promise<StoredNotice[]> {
    this.collectionDesk ??= new CollectionDesk(this.db);
    return Promise.resolve(this.collectionDesk.notices());
  }

  collectionContacts(): Promise<StoredContact[]> {
    this.collectionDesk ??= new CollectionDesk(this.db);
    return Promise.resolve(this.collectionDesk.contacts());
  }

  ratings(): Promise<StoredRating[]> {
    this.kioskBackend ??= new KioskBackend(this.db, () => new Date().toISOString(), () => '');
    return Promise.resolve(this.kioskBackend.ratings());
  }

  ensureRecoveryRollup(asOf: string): Promise<'built' | 'present'> {
    return Promise.resolve(ensureRecoveryRollup(this.db, { asOf }));
  }

  recoveryDashboard(search: URLSearchParams, nowIso: string): Promise<RecoveryDashboardWire | null> {
    return Promise.resolve(recoveryDashboard(this.db, search, nowIso));
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}

export function ledgerEntry(r: EventRow): LedgerEntry {
  return {
    eventId: r.event_id,
    terminalId: r.terminal_id,
    seq: Number(r.seq),
    type: r.type,
    occurredAt: r.occurred_at,
    payload: JSON.parse(r.payload_json) as unknown,
    receivedAt: r.received_at,
  };
}

type ResolutionRow = {
  resolution_id: string; terminal_id: string; exception_id: number | string | null; event_id: string; resolution: string; note: string; resolved_by: string; created_at: string;
};

export function storedResolution(r: ResolutionRow): StoredResolution {
  return {
    resolutionId: r.resolution_id, terminalId: r.terminal_id, exceptionId: r.exception_id === null ? null : Number(r.exception_id), eventId: r.event_id,
    resolution: r.resolution, note: r.note, resolvedBy: r.resolved_by, createdAt: r.created_at,
  };
}

export function exceptionRecord(r: ExceptionRow): ExceptionRecord {
  const x: ExceptionRecord = {
    id: Number(r.id), eventId: r.event_id, terminalId: r.terminal_id, kind: r.kind, fen: Number(r.fen), detail: r.detail, createdAt: r.created_at,
  };
  if (r.account_no !== null) x.accountNo = r.account_no;
  if (r.bill_id !== null) x.billId = r.bill_id;
  return x;
}

/**
 * A SQLite store on its own file with the intake's own effects and the exception desk's (the
 * contract suite's; the server builds its intake with every desk's effects).
 */
export function openSqliteStore(path: string): SqliteBackendStore {
  const db = openBackendDb(path);
  const desk = new ExceptionDesk(db, () => new Date().toISOString());
  return new SqliteBackendStore(db, new EventIntake(db, desk.effects()), { exceptionDesk: desk });
}
