/**
 * Customer payment codes (付款码) charged at the gateway for a counter payment: the row is written
 * before the gateway is asked, so a crash or a lost answer always leaves something to resolve by
 * querying the order — never a guess, never a charge without a payment (see
 * main/services/code-payments.ts).
 */
import { stmt, type Db } from './db.js';

export type CodeChargeState = 'requested' | 'paid' | 'committed' | 'declined' | 'reversing' | 'reversed';

export interface CodeChargeRow {
  readonly out_trade_no: string;
  readonly request_id: string;
  readonly payment_id: string;
  readonly account_no: string;
  readonly amount_fen: number;
  readonly auth_code: string;
  readonly state: CodeChargeState;
  readonly trade_no: string | null;
  readonly reason: string | null;
  readonly operator_id: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export function insertCodeCharge(
  db: Db,
  c: { outTradeNo: string; requestId: string; paymentId: string; accountNo: string; amountFen: number; authCode: string; operatorId: string; at: string },
): void {
  stmt(
    db,
    `INSERT INTO code_charges (out_trade_no, request_id, payment_id, account_no, amount_fen, auth_code, state, operator_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?)`,
  ).run(c.outTradeNo, c.requestId, c.paymentId, c.accountNo, c.amountFen, c.authCode, c.operatorId, c.at, c.at);
}

export function setCodeChargeState(db: Db, outTradeNo: string, state: CodeChargeState, at: string, extra: { tradeNo?: string | null; reason?: string } = {}): void {
  stmt(
    db,
    'UPDATE code_charges SET state = ?, updated_at = ?, trade_no = COALESCE(?, trade_no), reason = COALESCE(?, reason) WHERE out_trade_no = ?',
  ).run(state, at, extra.tradeNo ?? null, extra.reason ?? null, outTradeNo);
}

export function codeChargeByRequest(db: Db, requestId: string): CodeChargeRow | undefined {
  return stmt(db, 'SELECT * FROM code_charges WHERE request_id = ?').get(requestId) as CodeChargeRow | undefined;
}

export function codeCharge(db: Db, outTradeNo: string): CodeChargeRow | undefined {
  return stmt(db, 'SELECT * FROM code_charges WHERE out_trade_no = ?').get(outTradeNo) as CodeChargeRow | undefined;
}

/** Charges whose outcome is not settled yet: requested, paid but not written, or being reversed. */
export function unresolvedCodeCharges(db: Db): CodeChargeRow[] {
  return stmt(db, "SELECT * FROM code_charges WHERE state IN ('requested', 'paid', 'reversing') ORDER BY created_at").all() as CodeChargeRow[];
}
