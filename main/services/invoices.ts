/**
 * E-invoices (电子发票). Every counter payment asks the backend for one: the request is written with
 * the payment (an `invoices` row and an `invoice.requested` outbox event, in the payment's own
 * transaction), so it can never be lost — the outbox carries it to the backend however long the
 * backend is away, and the backend issues it once it can. Right after the commit the terminal also
 * asks directly (`POST /api/invoices`, idempotent per payment id, bounded by the lookup timeout) so
 * the first receipt usually carries the QR code of the invoice link. An invoice not issued then is
 * picked up later (`GET /api/invoices/:paymentId`) after pushes, on a reprint or on a preview; the
 * reprint carries the QR code.
 */
import { BackendRejected, requestJson, type HttpTransport } from '../sync/http-json.js';
import { signedExchange } from '../sync/signed-exchange.js';
import type { Db } from '../store/db.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import { insertInvoiceRequest, invoiceOf, markInvoiceChecked, markInvoiceIssued, requestedInvoices, type InvoiceRow } from '../store/invoices.js';
import { uuidv7 } from '../store/ids.js';
import { INVOICES_PATH, InvoiceSchema, PAYMENT_EVENT_TYPES, type Invoice, type InvoiceRequest } from '../wire/payments-wire.js';
import type { Clock } from './clock.js';

/** The backend's e-invoice service. Both calls throw `BackendUnavailable` when there is no answer that counts. */
export interface InvoiceClient {
  /** Ask for the invoice of a payment (idempotent per payment id): issued now, or pending. */
  request(req: InvoiceRequest, timeoutMs: number): Promise<Invoice>;
  /** The invoice of a payment; null when the backend has no request for it (yet). */
  get(paymentId: string, timeoutMs: number): Promise<Invoice | null>;
}

export interface HttpInvoiceClientOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  readonly now?: () => Date;
  /** The backend's transport (its CA when `backend.caFile` is set); chosen at the composition root. */
  readonly transport?: HttpTransport;
}

/** The reference backend's e-invoice endpoints, signed like every /api/* request; an answer counts only when signed for it. */
export class HttpInvoiceClient implements InvoiceClient {
  constructor(private readonly opts: HttpInvoiceClientOptions) {}

  async request(req: InvoiceRequest, timeoutMs: number): Promise<Invoice> {
    return this.call('POST', INVOICES_PATH, JSON.stringify(req), timeoutMs);
  }

  async get(paymentId: string, timeoutMs: number): Promise<Invoice | null> {
    try {
      return await this.call('GET', `${INVOICES_PATH}/${encodeURIComponent(paymentId)}`, '', timeoutMs);
    } catch (err) {
      if (err instanceof BackendRejected && err.status === 404) return null;
      throw err;
    }
  }

  private async call(method: 'GET' | 'POST', pathWithQuery: string, body: string, timeoutMs: number): Promise<Invoice> {
    const tsMs = (this.opts.now?.() ?? new Date()).getTime();
    const exchange = signedExchange({ terminalId: this.opts.terminalId, secret: this.opts.secret, tsMs, method, pathWithQuery, body });
    return requestJson(
      {
        url: new URL(pathWithQuery, this.opts.baseUrl),
        method,
        headers: exchange.headers,
        ...(body ? { body } : {}),
        timeoutMs,
        answers: (status) => status === 404,
        reply: exchange.reply,
        ...(this.opts.transport ? { transport: this.opts.transport } : {}),
      },
      InvoiceSchema,
    );
  }
}

export interface InvoiceServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** Null: this terminal issues no e-invoices (no invoice rows, nothing on receipts). */
  readonly client: InvoiceClient | null;
  readonly timeoutMs: number;
}

export class InvoiceService {
  constructor(private readonly deps: InvoiceServiceDeps) {}

  get enabled(): boolean {
    return this.deps.client !== null;
  }

  /**
   * Inside the payment's transaction: the invoice row, the `invoice.requested` outbox event (the
   * request that reaches the backend whatever happens to the direct call below) and its journal entry.
   */
  recordRequest(req: InvoiceRequest, at: string): void {
    if (!this.deps.client) return;
    const { db } = this.deps;
    const eventId = uuidv7(() => new Date(at));
    insertInvoiceRequest(db, req.paymentId, at);
    enqueueOutbox(db, { eventId, type: PAYMENT_EVENT_TYPES.invoiceRequested, occurredAt: at, payload: req });
    appendJournal(db, { type: PAYMENT_EVENT_TYPES.invoiceRequested, ref: req.paymentId, actor: 'system', at, payload: { eventId, ...req } });
  }

  /** After the commit: ask now, briefly; whatever the answer, the outbox has the request. */
  async requestNow(req: InvoiceRequest): Promise<InvoiceRow | undefined> {
    const { client } = this.deps;
    if (!client) return undefined;
    try {
      this.apply(await client.request(req, this.deps.timeoutMs));
    } catch {
      // Not now: the outbox event reaches the backend, and a later check picks up the link.
    }
    return invoiceOf(this.deps.db, req.paymentId);
  }

  /** The invoice of a payment, asking the backend first if it is still only requested. */
  async refresh(paymentId: string): Promise<InvoiceRow | undefined> {
    const { client, db } = this.deps;
    const row = invoiceOf(db, paymentId);
    if (!client || !row || row.state !== 'requested') return row;
    try {
      const invoice = await client.get(paymentId, this.deps.timeoutMs);
      if (invoice) this.apply(invoice);
      markInvoiceChecked(db, paymentId, this.deps.clock().toISOString());
    } catch {
      // Still away: try again later.
    }
    return invoiceOf(db, paymentId);
  }

  /** Invoices still requested (oldest first, a few at a time): asked for after pushes. */
  async refreshRequested(limit = 20): Promise<number> {
    if (!this.deps.client) return 0;
    let issued = 0;
    for (const row of requestedInvoices(this.deps.db, limit)) {
      const after = await this.refresh(row.payment_id);
      if (after?.state === 'issued') issued++;
      else break; // the backend is away or not issuing yet: the rest can wait for the next round
    }
    return issued;
  }

  private apply(invoice: Invoice): void {
    if (invoice.status !== 'issued' || !invoice.invoiceNo || !invoice.url) return;
    const { db, clock } = this.deps;
    const at = clock().toISOString();
    db.transaction(() => {
      if (markInvoiceIssued(db, invoice.paymentId, invoice.invoiceNo as string, invoice.url as string, invoice.issuedAt ?? at)) {
        appendJournal(db, { type: 'invoice.issued', ref: invoice.paymentId, actor: 'system', at, payload: { invoiceNo: invoice.invoiceNo, url: invoice.url } });
      }
    }).immediate();
  }
}
