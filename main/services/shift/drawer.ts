/**
 * Writes of the drawer that other areas call inside their own transaction: the shift a payment
 * belongs to (checked and read in the payment's commit, so a shift counted meanwhile cannot take
 * it), and cash paid back out of the drawer (a vend reversal refunded in cash).
 */
import { AppError } from '../../contract/index.js';
import type { Db } from '../../store/db.js';
import { uuidv7 } from '../../store/ids.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { insertMovement, unclosedShift } from '../../store/shifts.js';

/** What money-taking services need of the drawer; built by the shift service. */
export interface ShiftGate {
  /**
   * The open shift's id, for a payment or vend being committed now. Throws `shift.not_open` (none)
   * or `shift.already_counted` (its drawer was counted) when shifts are required; otherwise null
   * when there is no open shift.
   */
  shiftForPayment(): string | null;
  /**
   * Cash handed back from the drawer inside the caller's transaction (journal `cash.out`, outbox).
   * Without an open shift it records nothing (returns null) unless shifts are required.
   */
  payOut(p: { readonly amountFen: number; readonly reason: 'refund'; readonly ref: string; readonly operatorId: string; readonly at: string }): string | null;
}

export function createShiftGate(db: Db, terminalId: string, required: boolean): ShiftGate {
  const current = (): string | null => {
    const s = unclosedShift(db, terminalId);
    if (s?.state === 'open') return s.shift_id;
    if (!required) return null;
    throw new AppError(s ? 'shift.already_counted' : 'shift.not_open');
  };
  return {
    shiftForPayment: current,
    payOut(p) {
      if (!db.inTransaction) throw new Error('payOut must run inside the caller\'s transaction');
      const shiftId = current();
      if (shiftId === null) return null;
      const movementId = uuidv7(() => new Date(p.at));
      writeMovement(db, { movementId, requestId: `payout:${p.ref}`, shiftId, kind: 'out', amountFen: p.amountFen, reason: p.reason, note: '', ref: p.ref, operatorId: p.operatorId, at: p.at });
      return movementId;
    },
  };
}

export interface MovementToWrite {
  readonly movementId: string;
  readonly requestId: string;
  readonly shiftId: string;
  readonly kind: 'in' | 'out';
  readonly amountFen: number;
  readonly reason: string;
  readonly note: string;
  readonly ref: string | null;
  readonly operatorId: string;
  readonly at: string;
}

/** The movement row, its journal entry and its outbox event (`cash.in` / `cash.out`), in the caller's transaction. */
export function writeMovement(db: Db, m: MovementToWrite): void {
  insertMovement(db, {
    movement_id: m.movementId,
    request_id: m.requestId,
    shift_id: m.shiftId,
    kind: m.kind,
    amount_fen: m.amountFen,
    reason: m.reason,
    note: m.note,
    ref: m.ref,
    operator_id: m.operatorId,
    created_at: m.at,
  });
  const type = m.kind === 'in' ? 'cash.in' : 'cash.out';
  const payload = {
    eventId: m.movementId,
    movementId: m.movementId,
    shiftId: m.shiftId,
    amountFen: m.amountFen,
    reason: m.reason,
    note: m.note,
    ...(m.ref !== null ? { ref: m.ref } : {}),
    operatorId: m.operatorId,
  };
  appendJournal(db, { type, ref: m.movementId, actor: m.operatorId, at: m.at, payload });
  enqueueOutbox(db, { eventId: m.movementId, type, occurredAt: m.at, payload });
}
