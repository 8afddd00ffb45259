/** E-invoices of payments (table invoices): requested with the payment, issued once the backend answers. */
import { stmt, type Db } from './db.js';

export interface InvoiceRow {
  readonly payment_id: string;
  readonly state: 'requested' | 'issued' | 'cancelled';
  readonly invoice_no: string | null;
  readonly url: string | null;
  readonly issued_at: string | null;
  readonly requested_at: string;
  readonly checked_at: string | null;
}

export function insertInvoiceRequest(db: Db, paymentId: string, at: string): void {
  stmt(db, "INSERT OR IGNORE INTO invoices (payment_id, state, requested_at) VALUES (?, 'requested', ?)").run(paymentId, at);
}

/** Returns whether this call issued it (false: already issued or cancelled). */
export function markInvoiceIssued(db: Db, paymentId: string, invoiceNo: string, url: string, issuedAt: string): boolean {
  return (
    stmt(db, "UPDATE invoices SET state = 'issued', invoice_no = ?, url = ?, issued_at = ? WHERE payment_id = ? AND state = 'requested'").run(
      invoiceNo,
      url,
      issuedAt,
      paymentId,
    ).changes > 0
  );
}

export function markInvoiceChecked(db: Db, paymentId: string, at: string): void {
  stmt(db, 'UPDATE invoices SET checked_at = ? WHERE payment_id = ?').run(at, paymentId);
}

export function cancelInvoice(db: Db, paymentId: string): void {
  stmt(db, "UPDATE invoices SET state = 'cancelled' WHERE payment_id = ?").run(paymentId);
}

export function invoiceOf(db: Db, paymentId: string): InvoiceRow | undefined {
  return stmt(db, 'SELECT * FROM invoices WHERE payment_id = ?').get(paymentId) as InvoiceRow | undefined;
}

/** Invoices still waiting for the backend, oldest first. */
export function requestedInvoices(db: Db, limit: number): InvoiceRow[] {
  return stmt(db, "SELECT * FROM invoices WHERE state = 'requested' ORDER BY requested_at LIMIT ?").all(limit) as InvoiceRow[];
}
