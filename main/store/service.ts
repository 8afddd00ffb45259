/**
 * The service area's tables (migration v15; docs/service.md): counter ratings (the kiosk's ratings
 * table, extended), complaints, service applications, their status history, recommendation
 * answers, and the reads the reports and recommendations need. SQL only here; the services in
 * main/services/service/ write through these inside their own transactions with journal and outbox.
 */
import { stmt, type Db } from './db.js';

// ---- ratings ----

export interface CounterRatingRow {
  rating_id: string;
  transaction_id: string;
  transaction_kind: 'payment' | 'vend';
  account_no: string;
  score: number;
  reasons_json: string;
  operator_id: string;
  channel: 'kiosk' | 'counter';
  created_at: string;
  hall_id: string | null;
  terminal_id: string | null;
  outcome_json: string | null;
}

export function ratingExists(db: Db, transactionId: string): boolean {
  return stmt(db, 'SELECT 1 FROM ratings WHERE transaction_id = ?').get(transactionId) !== undefined;
}

export function ratedAt(db: Db, transactionId: string): string | null {
  return (stmt(db, 'SELECT created_at FROM ratings WHERE transaction_id = ?').get(transactionId) as { created_at: string } | undefined)?.created_at ?? null;
}

export function insertCounterRating(db: Db, r: CounterRatingRow): void {
  stmt(
    db,
    `INSERT INTO ratings (rating_id, transaction_id, transaction_kind, account_no, score, reasons_json, operator_id, channel, created_at, hall_id, terminal_id, outcome_json)
     VALUES (@rating_id, @transaction_id, @transaction_kind, @account_no, @score, @reasons_json, @operator_id, @channel, @created_at, @hall_id, @terminal_id, @outcome_json)`,
  ).run(r);
}

/** Ratings given in [fromIso, toIso). */
export function ratingsBetween(db: Db, fromIso: string, toIso: string): CounterRatingRow[] {
  return stmt(db, 'SELECT * FROM ratings WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, rating_id').all(fromIso, toIso) as CounterRatingRow[];
}

export interface CounterTransaction {
  readonly transactionId: string;
  readonly kind: 'payment' | 'vend';
  readonly accountNo: string;
  readonly amountFen: number;
  readonly at: string;
}

/**
 * The clerk's newest counter transaction since `sinceIso`: a completed payment or a delivered vend
 * (a vend is rated once the customer has the credit).
 */
export function latestCounterTransaction(db: Db, operatorId: string, sinceIso: string): CounterTransaction | null {
  const row = stmt(
    db,
    `SELECT * FROM (
       SELECT payment_id AS transactionId, 'payment' AS kind, account_no AS accountNo, amount_fen AS amountFen, created_at AS at
         FROM payments WHERE operator_id = @op AND status = 'completed' AND created_at >= @since
       UNION ALL
       SELECT vend_id, 'vend', account_no, amount_fen, created_at
         FROM vends WHERE operator_id = @op AND state = 'delivered' AND created_at >= @since
     ) ORDER BY at DESC LIMIT 1`,
  ).get({ op: operatorId, since: sinceIso }) as CounterTransaction | undefined;
  return row ?? null;
}

export function counterTransaction(db: Db, transactionId: string): (CounterTransaction & { operatorId: string }) | null {
  const row = stmt(
    db,
    `SELECT payment_id AS transactionId, 'payment' AS kind, account_no AS accountNo, amount_fen AS amountFen, created_at AS at, operator_id AS operatorId
       FROM payments WHERE payment_id = @id AND status = 'completed'
     UNION ALL
     SELECT vend_id, 'vend', account_no, amount_fen, created_at, operator_id FROM vends WHERE vend_id = @id AND state = 'delivered'`,
  ).get({ id: transactionId }) as (CounterTransaction & { operatorId: string }) | undefined;
  return row ?? null;
}

/** Whether a print of the transaction's receipt or token failed (journal receipt.failed / vend.delivery_failed). */
export function printFailedFor(db: Db, transactionId: string): boolean {
  const row = stmt(
    db,
    "SELECT 1 FROM journal WHERE ref = ? AND type IN ('receipt.failed', 'vend.delivery_failed') LIMIT 1",
  ).get(transactionId);
  return row !== undefined;
}

export function operatorName(db: Db, operatorId: string): string {
  return (stmt(db, 'SELECT name FROM operators WHERE operator_id = ?').get(operatorId) as { name: string } | undefined)?.name ?? operatorId;
}

// ---- complaints ----

export interface ComplaintRow {
  complaint_id: string;
  request_id: string;
  tracking_no: string;
  kind: 'complaint' | 'suggestion';
  category: string;
  text: string;
  contact_name: string | null;
  contact_phone: string | null;
  account_no: string | null;
  transaction_id: string | null;
  status: 'open' | 'replied' | 'resolved' | 'closed';
  reply_due_at: string;
  resolve_due_at: string;
  replied_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  escalations_json: string;
  closing_note: string | null;
  customer_satisfied: number | null;
  operator_id: string;
  hall_id: string;
  created_at: string;
  updated_at: string;
}

export function insertComplaint(db: Db, r: ComplaintRow): void {
  stmt(
    db,
    `INSERT INTO complaints VALUES (@complaint_id, @request_id, @tracking_no, @kind, @category, @text, @contact_name, @contact_phone, @account_no,
       @transaction_id, @status, @reply_due_at, @resolve_due_at, @replied_at, @resolved_at, @closed_at, @escalations_json, @closing_note,
       @customer_satisfied, @operator_id, @hall_id, @created_at, @updated_at)`,
  ).run(r);
}

export function complaintById(db: Db, id: string): ComplaintRow | null {
  return (stmt(db, 'SELECT * FROM complaints WHERE complaint_id = ?').get(id) as ComplaintRow | undefined) ?? null;
}

export function complaintByRequest(db: Db, requestId: string): ComplaintRow | null {
  return (stmt(db, 'SELECT * FROM complaints WHERE request_id = ?').get(requestId) as ComplaintRow | undefined) ?? null;
}

export function updateComplaint(db: Db, id: string, patch: Partial<Omit<ComplaintRow, 'complaint_id'>>): void {
  const keys = Object.keys(patch);
  if (keys.length === 0) return;
  db.prepare(`UPDATE complaints SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE complaint_id = @complaint_id`).run({ ...patch, complaint_id: id });
}

/** Not yet resolved: what the escalation sweep looks at. */
export function unresolvedComplaints(db: Db): ComplaintRow[] {
  return stmt(db, 'SELECT * FROM complaints WHERE resolved_at IS NULL ORDER BY resolve_due_at').all() as ComplaintRow[];
}

export function allComplaints(db: Db, openOnly: boolean): ComplaintRow[] {
  return stmt(db, openOnly ? "SELECT * FROM complaints WHERE status <> 'closed'" : 'SELECT * FROM complaints').all() as ComplaintRow[];
}

/** The next number of the day for a tracking or reference number with this prefix (e.g. 'TS-20261127-'). */
export function nextDailyNumber(db: Db, table: 'complaints' | 'service_applications', column: 'tracking_no' | 'reference_no', prefix: string): number {
  const row = db.prepare(`SELECT ${column} AS n FROM ${table} WHERE ${column} LIKE ? ORDER BY ${column} DESC LIMIT 1`).get(`${prefix}%`) as { n: string } | undefined;
  return row ? Number(row.n.slice(prefix.length)) + 1 : 1;
}

// ---- applications ----

export interface ApplicationRow {
  application_id: string;
  request_id: string;
  reference_no: string;
  type: 'new_connection' | 'capacity_increase' | 'transfer' | 'name_change' | 'closure';
  account_no: string | null;
  fields_json: string;
  documents_json: string;
  status: 'documents_pending' | 'accepted' | 'in_review' | 'approved' | 'completed' | 'rejected';
  operator_id: string;
  hall_id: string;
  created_at: string;
  updated_at: string;
}

export function insertApplication(db: Db, r: ApplicationRow): void {
  stmt(
    db,
    `INSERT INTO service_applications VALUES (@application_id, @request_id, @reference_no, @type, @account_no, @fields_json, @documents_json,
       @status, @operator_id, @hall_id, @created_at, @updated_at)`,
  ).run(r);
}

export function applicationById(db: Db, id: string): ApplicationRow | null {
  return (stmt(db, 'SELECT * FROM service_applications WHERE application_id = ?').get(id) as ApplicationRow | undefined) ?? null;
}

export function applicationByRequest(db: Db, requestId: string): ApplicationRow | null {
  return (stmt(db, 'SELECT * FROM service_applications WHERE request_id = ?').get(requestId) as ApplicationRow | undefined) ?? null;
}

export function updateApplication(db: Db, id: string, patch: { status?: ApplicationRow['status']; documents_json?: string; updated_at: string }): void {
  const keys = Object.keys(patch);
  db.prepare(`UPDATE service_applications SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE application_id = @application_id`).run({ ...patch, application_id: id });
}

export function listApplications(db: Db, accountNo: string | null): ApplicationRow[] {
  return accountNo === null
    ? (stmt(db, 'SELECT * FROM service_applications ORDER BY created_at DESC LIMIT 200').all() as ApplicationRow[])
    : (stmt(db, 'SELECT * FROM service_applications WHERE account_no = ? ORDER BY created_at DESC').all(accountNo) as ApplicationRow[]);
}

// ---- history ----

export interface HistoryRow {
  subject_id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  status: string;
  note: string | null;
}

export function appendHistory(db: Db, r: Omit<HistoryRow, 'seq'>): void {
  const seq = ((stmt(db, 'SELECT MAX(seq) AS m FROM service_history WHERE subject_id = ?').get(r.subject_id) as { m: number | null }).m ?? 0) + 1;
  stmt(db, 'INSERT INTO service_history VALUES (@subject_id, @seq, @at, @actor, @action, @status, @note)').run({ ...r, seq });
}

export function historyOf(db: Db, subjectId: string): HistoryRow[] {
  return stmt(db, 'SELECT * FROM service_history WHERE subject_id = ? ORDER BY seq').all(subjectId) as HistoryRow[];
}

// ---- recommendations ----

export interface ResponseRow {
  response_id: string;
  account_no: string;
  kind: 'tou' | 'prepaid' | 'ebilling' | 'season_tip';
  response: 'accepted' | 'declined';
  reason_key: string;
  saving_fen: number | null;
  operator_id: string;
  created_at: string;
}

export function insertResponse(db: Db, r: ResponseRow): void {
  stmt(db, 'INSERT INTO recommendation_responses VALUES (@response_id, @account_no, @kind, @response, @reason_key, @saving_fen, @operator_id, @created_at)').run(r);
}

/** The latest answer per kind for an account. */
export function latestResponses(db: Db, accountNo: string): Map<string, ResponseRow> {
  const rows = stmt(db, 'SELECT * FROM recommendation_responses WHERE account_no = ? ORDER BY created_at, response_id').all(accountNo) as ResponseRow[];
  return new Map(rows.map((r) => [r.kind, r]));
}

/** The account's cached facts recommendations need. */
export function accountFacts(db: Db, accountNo: string): { customer_class: string; payment_mode: string; tariff_code: string; credit_grade: string } | null {
  return (
    (stmt(db, 'SELECT customer_class, payment_mode, tariff_code, credit_grade FROM accounts WHERE account_no = ?').get(accountNo) as
      | { customer_class: string; payment_mode: string; tariff_code: string; credit_grade: string }
      | undefined) ?? null
  );
}

/** Consumption per billing period from the cached bills (0.01 kWh). */
export function billedConsumption(db: Db, accountNo: string): Map<string, number> {
  const rows = stmt(db, 'SELECT period, SUM(consumption) AS c FROM bills WHERE account_no = ? GROUP BY period').all(accountNo) as { period: string; c: number }[];
  return new Map(rows.map((r) => [r.period, r.c]));
}

/** Completed counter payments of the account since an instant (any terminal's cashier at this terminal). */
export function counterPaymentsSince(db: Db, accountNo: string, sinceIso: string): number {
  return (stmt(db, "SELECT COUNT(*) AS n FROM payments WHERE account_no = ? AND status = 'completed' AND created_at >= ?").get(accountNo, sinceIso) as { n: number }).n;
}

export function openBillCount(db: Db, accountNo: string): number {
  return (stmt(db, "SELECT COUNT(*) AS n FROM bills WHERE account_no = ? AND status = 'open'").get(accountNo) as { n: number }).n;
}
