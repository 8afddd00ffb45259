/**
 * The reference backend's e-invoice desk (电子发票). A request (`POST /api/invoices`, or an
 * `invoice.requested` event from the outbox) is idempotent per payment id: the first one is held,
 * and issued at once unless the `failInvoices` knob says the tax platform is down — then it stays
 * pending and is issued at the next request or query for it once the knob is cleared. A void or
 * refund of the payment cancels its invoice. `GET /invoices/:invoiceNo` (unsigned) is the page
 * the receipt's QR code links to.
 */
import type { Invoice, InvoiceRequest } from '../../main/wire/payments-wire.js';
import { nextCounter, type BackendDb } from './db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS invoices (
  payment_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, account_no TEXT NOT NULL, amount_fen INTEGER NOT NULL,
  buyer_name TEXT NOT NULL, paid_on TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'cancelled')),
  invoice_no TEXT UNIQUE, issued_at TEXT, requested_at TEXT NOT NULL);
`;

export interface InvoiceRow {
  payment_id: string;
  terminal_id: string;
  account_no: string;
  amount_fen: number;
  buyer_name: string;
  paid_on: string;
  status: 'pending' | 'issued' | 'cancelled';
  invoice_no: string | null;
  issued_at: string | null;
  requested_at: string;
}

export class InvoiceDesk {
  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
    /** The backend's public base URL (known once it listens): invoice links point at it. */
    private readonly publicUrl: () => string,
  ) {
    db.exec(SCHEMA);
  }

  /** Hold the request (once per payment) and issue it unless the tax platform is down. */
  request(req: InvoiceRequest, terminalId: string, down: boolean): Invoice {
    return this.db
      .transaction((): Invoice => {
        if (this.find(req.paymentId) === undefined) {
          this.db
            .prepare("INSERT INTO invoices (payment_id, terminal_id, account_no, amount_fen, buyer_name, paid_on, status, requested_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)")
            .run(req.paymentId, terminalId, req.accountNo, req.amountFen, req.buyerName, req.paidOn, this.nowIso());
        }
        if (!down) this.issuePending(req.paymentId);
        return this.view(this.find(req.paymentId) as InvoiceRow);
      })
      .immediate();
  }

  /** The invoice of a payment (issued now if it was pending and the platform is up); undefined when never requested. */
  get(paymentId: string, down: boolean): Invoice | undefined {
    return this.db
      .transaction((): Invoice | undefined => {
        if (this.find(paymentId) === undefined) return undefined;
        if (!down) this.issuePending(paymentId);
        return this.view(this.find(paymentId) as InvoiceRow);
      })
      .immediate();
  }

  /** A voided or refunded payment's invoice is cancelled (红冲); one never requested is held cancelled. */
  cancel(paymentId: string): void {
    this.db.prepare("UPDATE invoices SET status = 'cancelled' WHERE payment_id = ?").run(paymentId);
  }

  /** The page a receipt's QR code opens. */
  page(invoiceNo: string): string | undefined {
    const row = this.db.prepare<[string], InvoiceRow>('SELECT * FROM invoices WHERE invoice_no = ?').get(invoiceNo);
    return row === undefined ? undefined : invoicePage(invoiceNo, row);
  }

  private issuePending(paymentId: string): void {
    const row = this.find(paymentId);
    if (row?.status !== 'pending') return;
    const invoiceNo = invoiceNumber(this.nowIso(), nextCounter(this.db, 'invoice'));
    this.db.prepare("UPDATE invoices SET status = 'issued', invoice_no = ?, issued_at = ? WHERE payment_id = ?").run(invoiceNo, this.nowIso(), paymentId);
  }

  private find(paymentId: string): InvoiceRow | undefined {
    return this.db.prepare<[string], InvoiceRow>('SELECT * FROM invoices WHERE payment_id = ?').get(paymentId);
  }

  private view(row: InvoiceRow): Invoice {
    return invoiceView(row, this.publicUrl());
  }
}

/** The n-th invoice number: FP, the issue date, n in 8 digits (both stores). */
export function invoiceNumber(nowIso: string, n: number): string {
  return `FP${nowIso.slice(0, 10).replaceAll('-', '')}${String(n).padStart(8, '0')}`;
}

/** A request as the terminal is answered, its link on `publicUrl` (both stores). */
export function invoiceView(row: InvoiceRow, publicUrl: string): Invoice {
  const out: Invoice = { paymentId: row.payment_id, status: row.status };
  if (row.invoice_no !== null) {
    out.invoiceNo = row.invoice_no;
    out.url = `${publicUrl}/invoices/${row.invoice_no}`;
  }
  if (row.issued_at !== null) out.issuedAt = row.issued_at;
  return out;
}

/** The page a receipt's QR code opens (both stores). */
export function invoicePage(invoiceNo: string, row: InvoiceRow): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>电子发票 ${esc(invoiceNo)}</title>
<h1>电子发票 E-invoice</h1><p>No. ${esc(invoiceNo)}${row.status === 'cancelled' ? ' (已作废 cancelled)' : ''}</p>
<p>${esc(row.buyer_name)} · ${esc(row.account_no)}</p><p>¥${(Number(row.amount_fen) / 100).toFixed(2)} · ${esc(row.paid_on)}</p>`;
}
