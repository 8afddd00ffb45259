/** Late-fee waivers (table late_fee_waivers) and the waived total each cached bill carries. */
import { stmt, type Db } from './db.js';

export interface WaiverRow {
  readonly waiver_id: string;
  readonly request_id: string;
  readonly account_no: string;
  readonly bill_id: string;
  readonly fen: number;
  readonly fee_before_fen: number;
  readonly reason_code: string;
  readonly note: string;
  readonly as_of: string;
  readonly operator_id: string;
  readonly approved_by: string;
  readonly event_seq: number | null;
  readonly created_at: string;
}

export interface NewWaiver {
  readonly waiverId: string;
  readonly requestId: string;
  readonly accountNo: string;
  readonly billId: string;
  readonly fen: number;
  readonly feeBeforeFen: number;
  readonly reasonCode: string;
  readonly note: string;
  readonly asOf: string;
  readonly operatorId: string;
  readonly approvedBy: string;
  readonly createdAt: string;
  readonly eventSeq: number;
}

/** The waiver row and the bill's waived total, inside the caller's transaction. */
export function insertWaiver(db: Db, w: NewWaiver): void {
  stmt(
    db,
    `INSERT INTO late_fee_waivers (waiver_id, request_id, account_no, bill_id, fen, fee_before_fen, reason_code, note, as_of, operator_id,
       approved_by, event_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(w.waiverId, w.requestId, w.accountNo, w.billId, w.fen, w.feeBeforeFen, w.reasonCode, w.note, w.asOf, w.operatorId, w.approvedBy, w.eventSeq, w.createdAt);
  stmt(db, 'UPDATE bills SET late_fee_waived_fen = late_fee_waived_fen + ? WHERE bill_id = ?').run(w.fen, w.billId);
}

export function waiverByRequest(db: Db, requestId: string): WaiverRow | undefined {
  return stmt(db, 'SELECT * FROM late_fee_waivers WHERE request_id = ?').get(requestId) as WaiverRow | undefined;
}

export function waiverById(db: Db, waiverId: string): WaiverRow | undefined {
  return stmt(db, 'SELECT * FROM late_fee_waivers WHERE waiver_id = ?').get(waiverId) as WaiverRow | undefined;
}

/** This terminal's waivers of a bill, oldest first. */
export function waiversOfBill(db: Db, billId: string): WaiverRow[] {
  return stmt(db, 'SELECT * FROM late_fee_waivers WHERE bill_id = ? ORDER BY created_at, waiver_id').all(billId) as WaiverRow[];
}
