/**
 * The backend's side of the exceptions queue (docs/exceptions.md):
 *
 * - account changes made at the backend while terminals may be offline: an account closed (销户)
 *   or moved to another account number (过户/迁户) — `account_closures` —, a tariff changed, a
 *   bill paid through another channel;
 *   each moves the account in the change feed, as the office's own systems would;
 * - the effects that turn those into exceptions: a payment for a closed or moved account is
 *   accepted and held in suspense (`account_closed` / `account_moved`, see EventIntake), a vend
 *   priced under a tariff the account no longer has is accepted with `tariff_changed`;
 * - each terminal's feed of its own exceptions (`GET /api/terminal/exceptions?after=`), with the
 *   facts its text needs (the bill's period, the new account, the tariffs);
 * - `exception.resolved` events: the supervisor's resolution, kept beside the exception;
 * - provisional receipts' verify codes, checked against the issuing terminal's key.
 */
import { z } from 'zod';
import type { TerminalEvent } from '../../main/wire/backend-wire.js';
import {
  EXCEPTION_PAGE_LIMIT,
  ExceptionResolvedPayloadSchema,
  type ReceiptVerifyRequest,
  type ReceiptVerifyResult,
  type TerminalException,
} from '../../main/wire/exceptions-wire.js';
import { checkReceiptVerifyCode } from '../../main/sync/receipt-verify.js';
import { nextCounter, type BackendDb } from './db.js';
import type { IntakeContext } from './intake.js';

type Outcome = { ok: true } | { ok: false; reason: string };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS account_closures (
  account_no TEXT PRIMARY KEY, moved_to TEXT, closed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exception_resolutions (
  exception_id INTEGER PRIMARY KEY, resolution_id TEXT NOT NULL, terminal_id TEXT NOT NULL, resolution TEXT NOT NULL,
  note TEXT NOT NULL, resolved_by TEXT NOT NULL, event_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejection_resolutions (
  resolution_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, event_id TEXT NOT NULL, resolution TEXT NOT NULL,
  note TEXT NOT NULL, resolved_by TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS exceptions_terminal ON exceptions(terminal_id, id);
`;

/** The part of a vend.created payload the tariff check reads. */
const VendCreatedSchema = z.object({
  vendId: z.string().min(1),
  accountNo: z.string().min(1),
  amountFen: z.int().nonnegative(),
  split: z.object({ tariffId: z.string().min(1) }),
});

export interface AccountClosure {
  readonly movedTo: string | null;
}

const closureStatements = new WeakMap<BackendDb, (accountNo: string) => AccountClosure | undefined>();

/** The closure the backend recorded for an account (closed or moved), if any. */
export function accountClosure(db: BackendDb, accountNo: string): AccountClosure | undefined {
  let read = closureStatements.get(db);
  if (!read) {
    db.exec(SCHEMA);
    const stmt = db.prepare<[string], { moved_to: string | null }>('SELECT moved_to FROM account_closures WHERE account_no = ?');
    read = (no) => {
      const row = stmt.get(no);
      return row === undefined ? undefined : { movedTo: row.moved_to };
    };
    closureStatements.set(db, read);
  }
  return read(accountNo);
}

export class ExceptionDesk {
  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
  ) {
    db.exec(SCHEMA);
  }

  /** The office closes an account (`movedTo`: it moved to that account number). */
  closeAccount(accountNo: string, movedTo: string | null = null): void {
    this.db.transaction(() => {
      const at = this.nowIso();
      const changed = this.db
        .prepare("UPDATE accounts SET status = 'closed', version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?")
        .run(at, nextCounter(this.db, 'change'), accountNo);
      if (changed.changes !== 1) throw new Error(`no account ${accountNo}`);
      this.db.prepare('INSERT OR REPLACE INTO account_closures (account_no, moved_to, closed_at) VALUES (?, ?, ?)').run(accountNo, movedTo, at);
    })();
  }

  /** The bill is paid through another channel (a bank, another hall) — e.g. while a terminal is offline. */
  payBillElsewhere(billId: string): void {
    this.db.transaction(() => {
      const bill = this.db.prepare<[string], { account_no: string }>('SELECT account_no FROM bills WHERE bill_id = ?').get(billId);
      if (bill === undefined) throw new Error(`no bill ${billId}`);
      this.db.prepare("UPDATE bills SET paid_fen = amount_fen, status = 'paid' WHERE bill_id = ?").run(billId);
      this.db
        .prepare('UPDATE accounts SET version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?')
        .run(this.nowIso(), nextCounter(this.db, 'change'), bill.account_no);
    })();
  }

  /** The office changes an account's tariff. */
  changeTariff(accountNo: string, tariffCode: string): void {
    const changed = this.db
      .prepare('UPDATE accounts SET tariff_code = ?, version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ?')
      .run(tariffCode, this.nowIso(), nextCounter(this.db, 'change'), accountNo);
    if (changed.changes !== 1) throw new Error(`no account ${accountNo}`);
  }

  /** The requesting terminal's exceptions with an id above `after`, oldest first, a page at a time; null for a bad cursor. */
  forTerminal(terminalId: string, search: URLSearchParams): { items: TerminalException[] } | null {
    const afterText = search.get('after') ?? '0';
    if (!/^\d{1,15}$/.test(afterText)) return null;
    const rows = this.db
      .prepare<[string, number, number], ExceptionRow>(
        `SELECT x.*, e.type AS event_type, b.period AS bill_period, c.moved_to AS moved_to,
           (SELECT payload_json FROM events v WHERE v.event_id = x.event_id AND v.type = 'vend.created') AS vend_json,
           a.tariff_code AS tariff_now
         FROM exceptions x
         LEFT JOIN events e ON e.event_id = x.event_id
         LEFT JOIN bills b ON b.bill_id = x.bill_id
         LEFT JOIN account_closures c ON c.account_no = x.account_no
         LEFT JOIN accounts a ON a.account_no = x.account_no
         WHERE x.terminal_id = ? AND x.id > ? ORDER BY x.id LIMIT ?`,
      )
      .all(terminalId, Number(afterText), EXCEPTION_PAGE_LIMIT);
    return { items: rows.map(toTerminalException) };
  }

  /** Effects to register with EventIntake. */
  effects(): Record<string, (event: TerminalEvent, ctx: IntakeContext) => Outcome> {
    return {
      'vend.created': (e, ctx) => this.checkVendTariff(e, ctx),
      'exception.resolved': (e, ctx) => this.resolve(e, ctx),
    };
  }

  /** A vend priced under another tariff than the account's now: the token stands; staff are told. */
  private checkVendTariff(event: TerminalEvent, ctx: IntakeContext): Outcome {
    const parsed = VendCreatedSchema.safeParse(event.payload);
    if (!parsed.success) return { ok: true }; // older payloads carry no split: nothing to check
    const v = parsed.data;
    const account = this.db.prepare<[string], { tariff_code: string }>('SELECT tariff_code FROM accounts WHERE account_no = ?').get(v.accountNo);
    if (account === undefined || account.tariff_code === v.split.tariffId) return { ok: true };
    this.db
      .prepare('INSERT INTO exceptions(event_id, terminal_id, kind, account_no, bill_id, fen, detail, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)')
      .run(
        event.eventId,
        ctx.terminalId,
        'tariff_changed',
        v.accountNo,
        v.amountFen,
        `vend ${v.vendId} was priced under tariff ${v.split.tariffId}; the account's tariff is ${account.tariff_code}`,
        ctx.nowIso,
      );
    return { ok: true };
  }

  private resolve(event: TerminalEvent, ctx: IntakeContext): Outcome {
    const parsed = ExceptionResolvedPayloadSchema.safeParse(event.payload);
    if (!parsed.success) {
      return { ok: false, reason: `malformed_payload: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}` };
    }
    const r = parsed.data;
    if (r.backendId === null) {
      this.db
        .prepare('INSERT OR IGNORE INTO rejection_resolutions VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.resolutionId, ctx.terminalId, r.eventId, r.resolution, r.note, r.resolvedBy, ctx.nowIso);
      return { ok: true };
    }
    const x = this.db.prepare<[number], { terminal_id: string }>('SELECT terminal_id FROM exceptions WHERE id = ?').get(r.backendId);
    if (x?.terminal_id !== ctx.terminalId) return { ok: false, reason: `unknown_exception: ${r.backendId} is not an exception of ${ctx.terminalId}` };
    this.db
      .prepare('INSERT OR IGNORE INTO exception_resolutions VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.backendId, r.resolutionId, ctx.terminalId, r.resolution, r.note, r.resolvedBy, event.eventId, ctx.nowIso);
    return { ok: true };
  }
}

/** An exception as the feed's query reads it, with the facts' columns (also PostgreSQL's, pg-store.ts). */
export interface ExceptionRow {
  id: number;
  event_id: string;
  kind: string;
  account_no: string | null;
  bill_id: string | null;
  fen: number;
  detail: string;
  created_at: string;
  event_type: string | null;
  bill_period: string | null;
  moved_to: string | null;
  vend_json: string | null;
  tariff_now: string | null;
}

export function toTerminalException(r: ExceptionRow): TerminalException {
  const facts: Record<string, string | number> = {};
  if (r.bill_period !== null) facts.period = r.bill_period;
  if (r.kind === 'account_moved' && r.moved_to !== null) facts.movedTo = r.moved_to;
  if (r.kind === 'tariff_changed' && r.vend_json !== null) {
    const vend = VendCreatedSchema.safeParse(JSON.parse(r.vend_json));
    if (vend.success) facts.tariffFrom = vend.data.split.tariffId;
    if (r.tariff_now !== null) facts.tariffTo = r.tariff_now;
  }
  return {
    id: r.id,
    eventId: r.event_id,
    ...(r.event_type !== null ? { eventType: r.event_type } : {}),
    kind: r.kind,
    ...(r.account_no !== null ? { accountNo: r.account_no } : {}),
    ...(r.bill_id !== null ? { billId: r.bill_id } : {}),
    fen: r.fen,
    detail: r.detail,
    facts,
    createdAt: r.created_at,
  };
}

/**
 * A provisional receipt's check: the code against the issuing terminal's key (an unknown terminal's
 * receipt is not valid), and whether its payment has arrived with that amount.
 */
export function verifyReceipt(db: BackendDb, req: ReceiptVerifyRequest, secretFor: (terminalId: string) => string | undefined): ReceiptVerifyResult {
  const row = db
    .prepare<[string, string], { payload_json: string }>("SELECT payload_json FROM events WHERE event_id = ? AND terminal_id = ? AND type = 'payment.created'")
    .get(req.paymentId, req.terminalId);
  return receiptVerdict(req, secretFor(req.terminalId), row?.payload_json);
}

/**
 * The verdict given the issuing terminal's secret (undefined: unknown terminal) and the stored
 * payload of the payment.created event with the receipt's payment id from that terminal, if any.
 */
export function receiptVerdict(req: ReceiptVerifyRequest, secret: string | undefined, paymentPayloadJson: string | undefined): ReceiptVerifyResult {
  const valid = secret !== undefined && checkReceiptVerifyCode(secret, req.terminalId, req.paymentId, req.amountFen, req.code);
  const synced = paymentPayloadJson !== undefined && (JSON.parse(paymentPayloadJson) as { amountFen?: unknown }).amountFen === req.amountFen;
  return { valid, synced: valid && synced };
}
