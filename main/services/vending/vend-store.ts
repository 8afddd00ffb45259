/**
 * SQL for vends (migration v2). Every write here runs inside the service's transaction next to
 * its journal entry and outbox event; this module never opens a transaction itself.
 */
import type { VendSplitView, VendState, VendView } from '../../contract/vending.js';
import { createHash } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { formatTokenGroups } from '../../vending/sts/index.js';

export interface StoredSplit {
  readonly split: VendSplitView;
  /** Tier period key ('2026-11' / '2026') the energy counts towards, null for flat/TOU. */
  readonly tierPeriodKey: string | null;
  /** The fixed charges' period keys, recorded as marks when the vend is paid. */
  readonly fixedChargePeriods: readonly { readonly chargeId: string; readonly periodKey: string }[];
}

export interface VendRow {
  vend_id: string;
  request_id: string;
  account_no: string;
  meter_no: string;
  meter_kind: string;
  state: VendState;
  method: 'cash' | 'qr';
  amount_fen: number;
  tendered_fen: number | null;
  change_fen: number;
  out_trade_no: string | null;
  auth_code: string | null;
  external_ref: string | null;
  issuer: 'online' | 'local';
  offline: number;
  tid: number;
  rnd: number;
  amount_tenths: number;
  split_json: string;
  token: string | null;
  delivered_tenths: number | null;
  delivery: 'printed' | 'shown' | 'card' | null;
  reprints: number;
  locale: 'zh-CN' | 'en';
  operator_id: string;
  approved_by: string | null;
  created_at: string;
  updated_at: string;
  // Card vends (migration v3); null for STS vends.
  card_serial: string | null;
  card_generation: number | null;
  card_counter_before: number | null;
  card_amount_fen: number | null;
  card_energy_ckwh: number | null;
  card_counter_after: number | null;
  card_step: string | null;
  /** Print/show attempts journaled (`vend.delivery_attempted`) before the token left the terminal (migration v4). */
  delivery_attempts: number;
}

export function storedSplit(row: VendRow): StoredSplit {
  return JSON.parse(row.split_json) as StoredSplit;
}

export function getVend(db: Db, vendId: string): VendRow | undefined {
  return db.prepare('SELECT * FROM vends WHERE vend_id = ?').get(vendId) as VendRow | undefined;
}

export function getVendByRequest(db: Db, requestId: string): VendRow | undefined {
  return db.prepare('SELECT * FROM vends WHERE request_id = ?').get(requestId) as VendRow | undefined;
}

/** The undelivered card vend of a meter, if any: a card holds one pending purchase at a time. */
export function unfinishedCardVend(db: Db, meterNo: string): VendRow | undefined {
  return db
    .prepare("SELECT * FROM vends WHERE meter_no = ? AND meter_kind = 'card' AND state IN ('created', 'paid', 'token_issued') ORDER BY created_at LIMIT 1")
    .get(meterNo) as VendRow | undefined;
}

/** Card vends waiting for this card (paid or credit issued, not yet on the card). */
export function undeliveredCardVends(db: Db, cardSerial: string): VendRow[] {
  return db
    .prepare("SELECT * FROM vends WHERE card_serial = ? AND state IN ('paid', 'token_issued') ORDER BY created_at")
    .all(cardSerial) as VendRow[];
}

/** An account's vends, newest first (the counter's history list). */
export function accountVends(db: Db, accountNo: string, limit: number): VendRow[] {
  return db.prepare('SELECT * FROM vends WHERE account_no = ? ORDER BY created_at DESC LIMIT ?').all(accountNo, limit) as VendRow[];
}

export function unfinishedVends(db: Db): VendRow[] {
  return db.prepare("SELECT * FROM vends WHERE state IN ('created', 'paid', 'token_issued') ORDER BY created_at").all() as VendRow[];
}

/**
 * TIDs recorded more than this far ahead of now were counted from an EARLIER base date: a 1993
 * meter's last TIDs (about 16.7 million minutes) are far above its TIDs after the key change to base
 * date 2014 (about 5.9 million in 2026). The rollover key change (RO bit) cleared the meter's TID
 * memory, so they no longer bound the sequence; without this cut-off the next TID would be decades
 * ahead. Same-base TIDs are never more than a burst of vends ahead of now.
 */
export const FORMER_BASE_TID_MARGIN = 366 * 24 * 60;

/**
 * The next TID for a meter: now in minutes, but always above every TID this terminal gave the
 * meter under its current base date, credit or management token alike (one per-meter sequence).
 */
export function nextTid(db: Db, meterNo: string, nowTid: number): number {
  const ceiling = nowTid + FORMER_BASE_TID_MARGIN;
  const max = (db
    .prepare(
      `SELECT MAX(t) AS t FROM (SELECT MAX(tid) AS t FROM vends WHERE meter_no = ? AND tid <= ?
       UNION ALL SELECT MAX(tid) FROM sts_management_tokens WHERE meter_no = ? AND tid <= ?)`,
    )
    .get(meterNo, ceiling, meterNo, ceiling) as { t: number | null }).t;
  return max === null ? nowTid : Math.max(nowTid, max + 1);
}

/** The highest TID this terminal gave the meter, up to `ceiling` (to stay within one base date), or null. */
export function newestTid(db: Db, meterNo: string, ceiling = Number.MAX_SAFE_INTEGER): number | null {
  return (db
    .prepare(
      `SELECT MAX(t) AS t FROM (SELECT MAX(tid) AS t FROM vends WHERE meter_no = ? AND tid <= ?
       UNION ALL SELECT MAX(tid) FROM sts_management_tokens WHERE meter_no = ? AND tid <= ?)`,
    )
    .get(meterNo, ceiling, meterNo, ceiling) as { t: number | null }).t;
}

/** Arrears already earmarked by paid vends that have not yet been settled into bills (at delivery). */
export function pendingArrearsFen(db: Db, accountNo: string): number {
  return (db
    .prepare(
      `SELECT COALESCE(SUM(json_extract(split_json, '$.split.arrearsFen')), 0) AS fen FROM vends
       WHERE account_no = ? AND state IN ('paid', 'token_issued')`,
    )
    .get(accountNo) as { fen: number }).fen;
}

/** Energy this terminal vended to the account in a tier period (counts towards the tier position). */
export function vendedCkwhInPeriod(db: Db, accountNo: string, periodKey: string): number {
  return (db
    .prepare(
      `SELECT COALESCE(SUM(json_extract(split_json, '$.split.energyCkwh')), 0) AS ckwh FROM vends
       WHERE account_no = ? AND state IN ('paid', 'token_issued', 'delivered') AND json_extract(split_json, '$.tierPeriodKey') = ?`,
    )
    .get(accountNo, periodKey) as { ckwh: number }).ckwh;
}

export function fixedChargeMarks(db: Db, accountNo: string): { chargeId: string; periodKey: string }[] {
  return db
    .prepare('SELECT charge_id AS chargeId, period_key AS periodKey FROM vend_fixed_charges WHERE account_no = ?')
    .all(accountNo) as { chargeId: string; periodKey: string }[];
}

/**
 * Credit issued without the backend and not yet acknowledged by it: local vends before their
 * token event was pushed (still in the outbox, or not issued yet). This is what the offline limit bounds.
 */
export function offlineExposureFen(db: Db): number {
  return (db
    .prepare(
      `SELECT COALESCE(SUM(v.amount_fen), 0) AS fen FROM vends v
       WHERE (v.issuer = 'local' OR v.offline = 1) AND v.state NOT IN ('reversed', 'cancelled')
         AND (v.state IN ('created', 'paid')
              OR v.vend_id IN (SELECT json_extract(o.payload, '$.vendId') FROM outbox o WHERE o.type = 'vend.token_issued'))`,
    )
    .get() as { fen: number }).fen;
}

/**
 * The outbox event id of one step of a vend: a UUIDv8 derived from the vend id and the step, so
 * the same step always carries the same id (the backend deduplicates on it).
 */
export function stepEventId(vendId: string, step: string): string {
  const h = createHash('sha256').update(`${vendId}:${step}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The vend as the clerk's screen sees it. The token digits are credit: they are only shown once
 * the vend is delivered (printed, or explicitly shown on screen, both journaled). An issued but
 * undelivered token stays inside the core, so the screen can never display a token that is later
 * refunded. `vendReceiptView` is the printer's copy.
 */
export function vendView(row: VendRow): VendView {
  const full = vendReceiptView(row);
  return row.state === 'delivered' ? full : { ...full, token: null, tokenGroups: null };
}

/** With the digits, for the printer (delivery) only. */
export function vendReceiptView(row: VendRow): VendView {
  const issued = row.token !== null;
  return {
    vendId: row.vend_id,
    requestId: row.request_id,
    accountNo: row.account_no,
    meterNo: row.meter_no,
    meterKind: row.meter_kind === 'card' ? 'card' : 'sts',
    card:
      row.meter_kind === 'card' && row.card_serial !== null && row.card_generation !== null && row.card_counter_before !== null
        ? {
            cardSerial: row.card_serial,
            generation: row.card_generation,
            counterBefore: row.card_counter_before,
            counterAfter: row.card_counter_after,
            amountFen: row.card_amount_fen,
            energyCkwh: row.card_energy_ckwh,
            lastStep: row.card_step,
          }
        : null,
    state: row.state,
    method: row.method,
    amountFen: row.amount_fen,
    tenderedFen: row.tendered_fen,
    changeFen: row.change_fen,
    externalRef: row.external_ref,
    split: storedSplit(row).split,
    issuer: row.issuer,
    offline: row.offline === 1,
    tid: row.tid,
    token: row.token,
    tokenGroups: issued && row.token ? formatTokenGroups(row.token) : null,
    deliveredTenths: row.delivered_tenths,
    delivery: row.delivery,
    reprints: row.reprints,
    deliveryAttempted: (row.delivery_attempts ?? 0) > 0,
    operatorId: row.operator_id,
    approvedBy: row.approved_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveryError: null,
  };
}
