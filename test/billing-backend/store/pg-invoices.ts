/**
 * The e-invoice desk (invoices.ts) on PostgreSQL: `POST /api/invoices`, `GET /api/invoices/:paymentId`
 * and the page a receipt's QR code opens. A request is held once per payment id and issued unless
 * the tax platform is down (the server's failInvoices knob, passed as `down`); a pending one is
 * issued at the next request or query once it is up. Invoice numbers come from a sequence, as
 * SQLite's counter: the same numbers on both stores for the same requests in the same order.
 *
 * A request or query is one transaction that locks the payment's row before it decides, so two at
 * once issue one invoice with one number (the second waits, then finds it issued).
 */
import type pg from 'pg';
import type { Invoice, InvoiceRequest } from '../../../main/wire/payments-wire.js';
import { invoiceNumber, invoicePage, invoiceView, type InvoiceRow } from '../invoices.js';
import { inTransaction } from './pg-sql.js';

export const PG_INVOICES_SCHEMA = `
CREATE SEQUENCE IF NOT EXISTS invoice_no_seq;
CREATE TABLE IF NOT EXISTS invoices (
  payment_id text PRIMARY KEY, terminal_id text NOT NULL, account_no text NOT NULL, amount_fen bigint NOT NULL,
  buyer_name text NOT NULL, paid_on text NOT NULL, status text NOT NULL CHECK (status IN ('pending', 'issued', 'cancelled')),
  invoice_no text UNIQUE, issued_at text, requested_at text NOT NULL);
`;

export class PgInvoices {
  constructor(
    private readonly pool: pg.Pool,
    private readonly nowIso: () => string,
    /** The backend's public base URL (known once it listens): invoice links point at it. */
    private readonly publicUrl: () => string,
  ) {}

  /** Hold the request (once per payment) and issue it unless the tax platform is down. */
  async request(req: InvoiceRequest, terminalId: string, down: boolean): Promise<Invoice> {
    return this.inTransaction(async (c) => {
      await c.query(
        `INSERT INTO invoices (payment_id, terminal_id, account_no, amount_fen, buyer_name, paid_on, status, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (payment_id) DO NOTHING`,
        [req.paymentId, terminalId, req.accountNo, req.amountFen, req.buyerName, req.paidOn, this.nowIso()],
      );
      return this.view(await this.issueLocked(c, req.paymentId, down));
    });
  }

  /** The invoice of a payment (issued now if it was pending and the platform is up); undefined when never requested. */
  async get(paymentId: string, down: boolean): Promise<Invoice | undefined> {
    return this.inTransaction(async (c) => {
      const row = await this.issueLocked(c, paymentId, down);
      return row === undefined ? undefined : this.view(row);
    });
  }

  async page(invoiceNo: string): Promise<string | undefined> {
    const row = (await this.pool.query<InvoiceRow>('SELECT * FROM invoices WHERE invoice_no = $1', [invoiceNo])).rows[0];
    return row === undefined ? undefined : invoicePage(invoiceNo, row);
  }

  /** The payment's row, locked; a pending one issued first unless `down`. */
  private async issueLocked(c: pg.PoolClient, paymentId: string, down: boolean): Promise<InvoiceRow | undefined> {
    const row = (await c.query<InvoiceRow>('SELECT * FROM invoices WHERE payment_id = $1 FOR UPDATE', [paymentId])).rows[0];
    if (row === undefined || row.status !== 'pending' || down) return row;
    const n = Number((await c.query<{ n: string }>("SELECT nextval('invoice_no_seq') AS n")).rows[0]?.n);
    const at = this.nowIso();
    const issued = await c.query<InvoiceRow>("UPDATE invoices SET status = 'issued', invoice_no = $1, issued_at = $2 WHERE payment_id = $3 RETURNING *", [
      invoiceNumber(at, n), at, paymentId,
    ]);
    return issued.rows[0];
  }

  private view(row: InvoiceRow | undefined): Invoice {
    if (row === undefined) throw new Error('an invoice request held in this transaction is gone');
    return invoiceView(row, this.publicUrl());
  }

  private inTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}
