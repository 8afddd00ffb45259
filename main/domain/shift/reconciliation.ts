/**
 * Four-way end-of-day reconciliation, pure: for a day or a shift it sets side by side
 *
 *   1. the drawer — cash counted blind at each close, against what the journal says it should hold;
 *   2. the terminal's journal — every money event it recorded (the hash-chained truth of the terminal);
 *   3. the backend's ledger — what the billing backend received of those events;
 *   4. credit issued — every STS token and card write, each matched to exactly one paid vend;
 *
 * and classifies every difference by its cause, each with what to do (locale keys
 * `shift.recon.cause.<cause>` / `shift.recon.action.<cause>`). The node tier gathers the inputs
 * (services/shift/reconciliation.ts); nothing here reads a clock or a file.
 */

export const DIFFERENCE_CAUSES = [
  /** Counted less cash than the journal says the drawer holds. */
  'counted_short',
  /** Counted more. */
  'counted_over',
  /** A shift of the period is not counted and closed yet. */
  'not_counted',
  /** The shift's expected cash recorded at its count no longer agrees with its journal. */
  'journal_mismatch',
  /** Still in the outbox: the backend has not received it yet. */
  'not_synced',
  /** The backend refused it; it waits in the staff queue. */
  'rejected',
  /** Acknowledged by the backend but absent from its ledger. */
  'missing_at_backend',
  /** In the backend's ledger for this terminal but not in the terminal's journal. */
  'unknown_at_terminal',
  /** Both hold the event, with different amounts. */
  'amount_mismatch',
  /** A payment voided or refunded, a vend reversed: no money or credit expected for it. */
  'void',
  /** A late fee waived with approval: that money is not expected. */
  'waived',
  /** A vend paid with no token or card write yet. */
  'credit_pending',
  /** A token or card write with no paid vend behind it. */
  'credit_without_payment',
  /** One paid vend with more than one credit. */
  'credit_twice',
] as const;
export type DifferenceCause = (typeof DIFFERENCE_CAUSES)[number];

export type Severity = 'info' | 'warning' | 'problem';
export type Way = 'drawer' | 'journal' | 'backend' | 'credits';

/** How much each cause matters: info needs no action beyond the note, a problem needs one today. */
export const CAUSE_SEVERITY: { readonly [C in DifferenceCause]: Severity } = {
  counted_short: 'problem',
  counted_over: 'problem',
  not_counted: 'warning',
  journal_mismatch: 'problem',
  not_synced: 'info',
  rejected: 'warning',
  missing_at_backend: 'problem',
  unknown_at_terminal: 'problem',
  amount_mismatch: 'problem',
  void: 'info',
  waived: 'info',
  credit_pending: 'warning',
  credit_without_payment: 'problem',
  credit_twice: 'problem',
};

const CAUSE_WAY: { readonly [C in DifferenceCause]: Way } = {
  counted_short: 'drawer',
  counted_over: 'drawer',
  not_counted: 'drawer',
  journal_mismatch: 'journal',
  not_synced: 'backend',
  rejected: 'backend',
  missing_at_backend: 'backend',
  unknown_at_terminal: 'backend',
  amount_mismatch: 'backend',
  void: 'journal',
  waived: 'journal',
  credit_pending: 'credits',
  credit_without_payment: 'credits',
  credit_twice: 'credits',
};

export interface ShiftDrawerRecord {
  readonly shiftId: string;
  readonly operatorId: string;
  readonly state: 'open' | 'counted' | 'closed';
  /** From the journal now (shift-totals.ts). */
  readonly journalExpectedFen: number;
  /** Recorded when the drawer was counted; null before. */
  readonly countedExpectedFen: number | null;
  readonly countedFen: number | null;
}

export type SyncState = 'pending' | 'rejected' | 'acknowledged';

/** One event the terminal journaled and sent (or will send) to the backend. */
export interface TerminalEventRecord {
  readonly eventId: string;
  readonly type: string;
  /** Payment, vend, shift or movement id. */
  readonly ref: string;
  /** The money the event moves, when it moves money. */
  readonly amountFen: number | null;
  /** Money taken from a customer (a bill payment, a vend paid): what the money totals add up. */
  readonly takings?: boolean;
  readonly sync: SyncState;
  readonly rejectReason?: string | undefined;
}

export interface LedgerRecord {
  readonly eventId: string;
  readonly type: string;
  readonly ref: string;
  readonly amountFen: number | null;
  readonly takings?: boolean;
}

/** A vend of the period with what the journal says happened to it. */
export interface VendRecord {
  readonly vendId: string;
  readonly amountFen: number;
  /** vend.paid entries (0 or 1 when all is well). */
  readonly paid: number;
  /** vend.token_issued entries: the STS token, or the card purchase fixed for the write. */
  readonly credits: number;
  /** Card writes that landed on a card (vend.delivered via card). */
  readonly cardWrites: number;
  readonly reversed: boolean;
  /** Money paid back on reversal. */
  readonly refundFen: number;
}

/** Voids, refunds and waivers the journal records (the other side of a payment). */
export interface AdjustmentRecord {
  readonly kind: 'void' | 'waived';
  readonly type: string;
  readonly ref: string;
  readonly amountFen: number;
}

export interface ReconciliationInput {
  readonly shifts: readonly ShiftDrawerRecord[];
  readonly events: readonly TerminalEventRecord[];
  /** null: the backend could not be asked (offline); the backend column then stays empty. */
  readonly ledger: readonly LedgerRecord[] | null;
  readonly vends: readonly VendRecord[];
  readonly adjustments: readonly AdjustmentRecord[];
}

export interface Difference {
  readonly cause: DifferenceCause;
  readonly severity: Severity;
  readonly way: Way;
  /** What the difference is about: a shift, payment, vend, movement id. */
  readonly ref: string;
  /** The event type concerned, when it is an event. */
  readonly eventType: string | null;
  readonly amountFen: number;
  /** Extra facts for the text, e.g. the backend's reject reason or its amount. */
  readonly detail: string | null;
}

export interface WaySummary {
  readonly count: number;
  readonly fen: number;
}

export interface ReconciliationSummary {
  /** Drawer: what the journal says the counted shifts' drawers held, and what was counted. */
  readonly cashExpectedFen: number;
  readonly cashCountedFen: number;
  readonly shiftsCounted: number;
  readonly shiftsOpen: number;
  /** Journal: events to compare, and the money taken they record (bill payments, vends paid). */
  readonly journal: WaySummary;
  /** Backend: of those, how many the ledger holds and the money taken in them; null when it could not be asked. */
  readonly backend: WaySummary | null;
  readonly pending: number;
  readonly rejected: number;
  /** Credits: vends paid, credits issued, and those matched one to one. */
  readonly vendsPaid: WaySummary;
  readonly creditsIssued: WaySummary;
  readonly creditsMatched: number;
  readonly problems: number;
  readonly warnings: number;
}

export interface ReconciliationResult {
  readonly summary: ReconciliationSummary;
  /** Ordered by severity (problems first), then way, then ref. */
  readonly differences: readonly Difference[];
}

const SEVERITY_ORDER: Record<Severity, number> = { problem: 0, warning: 1, info: 2 };
const WAY_ORDER: Record<Way, number> = { drawer: 0, journal: 1, backend: 2, credits: 3 };

export function reconcile(input: ReconciliationInput): ReconciliationResult {
  const out: Difference[] = [];
  const diff = (cause: DifferenceCause, ref: string, amountFen: number, eventType: string | null = null, detail: string | null = null) =>
    out.push({ cause, severity: CAUSE_SEVERITY[cause], way: CAUSE_WAY[cause], ref, eventType, amountFen, detail });

  // 1. The drawer.
  let cashExpectedFen = 0;
  let cashCountedFen = 0;
  let shiftsCounted = 0;
  let shiftsOpen = 0;
  for (const s of input.shifts) {
    if (s.countedFen === null || s.state === 'open') {
      shiftsOpen++;
      diff('not_counted', s.shiftId, s.journalExpectedFen, null, s.operatorId);
      continue;
    }
    shiftsCounted++;
    cashExpectedFen += s.journalExpectedFen;
    cashCountedFen += s.countedFen;
    if (s.countedExpectedFen !== null && s.countedExpectedFen !== s.journalExpectedFen) {
      diff('journal_mismatch', s.shiftId, s.journalExpectedFen - s.countedExpectedFen, null, String(s.countedExpectedFen));
    }
    const d = s.countedFen - s.journalExpectedFen;
    if (d < 0) diff('counted_short', s.shiftId, -d, null, s.operatorId);
    else if (d > 0) diff('counted_over', s.shiftId, d, null, s.operatorId);
  }

  // 2 and 3. The journal against the backend's ledger, event by event.
  const ledger = input.ledger === null ? null : new Map(input.ledger.map((l) => [l.eventId, l]));
  let journalCount = 0;
  let journalFen = 0;
  let backendCount = 0;
  let backendFen = 0;
  let pending = 0;
  let rejected = 0;
  const seen = new Set<string>();
  for (const e of input.events) {
    seen.add(e.eventId);
    journalCount++;
    if (e.takings === true) journalFen += e.amountFen ?? 0;
    if (e.sync === 'pending') {
      pending++;
      diff('not_synced', e.ref, e.amountFen ?? 0, e.type);
      continue;
    }
    if (e.sync === 'rejected') {
      rejected++;
      diff('rejected', e.ref, e.amountFen ?? 0, e.type, e.rejectReason ?? null);
      continue;
    }
    if (ledger === null) continue;
    const l = ledger.get(e.eventId);
    if (l === undefined) {
      diff('missing_at_backend', e.ref, e.amountFen ?? 0, e.type, e.eventId);
      continue;
    }
    backendCount++;
    if (l.takings === true) backendFen += l.amountFen ?? 0;
    if ((e.amountFen ?? null) !== (l.amountFen ?? null)) diff('amount_mismatch', e.ref, e.amountFen ?? 0, e.type, String(l.amountFen ?? ''));
  }
  if (ledger !== null) {
    for (const l of ledger.values()) if (!seen.has(l.eventId)) diff('unknown_at_terminal', l.ref, l.amountFen ?? 0, l.type, l.eventId);
  }

  // Voids and waivers: no money expected for them; listed so the totals explain themselves.
  for (const a of input.adjustments) diff(a.kind, a.ref, a.amountFen, a.type);

  // 4. Credit issued, each matched to exactly one paid vend.
  let vendsPaid = { count: 0, fen: 0 };
  let creditsIssued = { count: 0, fen: 0 };
  let creditsMatched = 0;
  for (const v of input.vends) {
    if (v.paid > 0) vendsPaid = { count: vendsPaid.count + 1, fen: vendsPaid.fen + v.amountFen };
    if (v.credits > 0) creditsIssued = { count: creditsIssued.count + v.credits, fen: creditsIssued.fen + v.credits * v.amountFen };
    if (v.reversed) {
      diff('void', v.vendId, v.refundFen, 'vend.reversed');
      if (v.credits > 0 && v.cardWrites > 0) diff('credit_without_payment', v.vendId, v.amountFen, 'vend.reversed', 'card write after reversal');
      continue;
    }
    if (v.credits > 0 && v.paid === 0) diff('credit_without_payment', v.vendId, v.amountFen, 'vend.token_issued');
    else if (v.credits > 1 || v.cardWrites > 1 || v.paid > 1) diff('credit_twice', v.vendId, v.amountFen, 'vend.token_issued', `${v.paid}/${v.credits}/${v.cardWrites}`);
    else if (v.paid === 1 && v.credits === 0) diff('credit_pending', v.vendId, v.amountFen, 'vend.paid');
    else if (v.paid === 1 && v.credits === 1) creditsMatched++;
  }

  out.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      WAY_ORDER[a.way] - WAY_ORDER[b.way] ||
      a.cause.localeCompare(b.cause) ||
      a.ref.localeCompare(b.ref),
  );
  return {
    summary: {
      cashExpectedFen,
      cashCountedFen,
      shiftsCounted,
      shiftsOpen,
      journal: { count: journalCount, fen: journalFen },
      backend: ledger === null ? null : { count: backendCount, fen: backendFen },
      pending,
      rejected,
      vendsPaid,
      creditsIssued,
      creditsMatched,
      problems: out.filter((d) => d.severity === 'problem').length,
      warnings: out.filter((d) => d.severity === 'warning').length,
    },
    differences: out,
  };
}

/**
 * The money an event moves, read the same way from the terminal's journal and the backend's
 * ledger, so the two are compared like for like. Steps that move no money (a vend created or
 * delivered, a shift counted) count as null.
 */
export function eventMoneyFen(type: string, payload: unknown): number | null {
  const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const pick = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
  switch (type) {
    case 'payment.created':
    case 'vend.paid':
    case 'cash.in':
    case 'cash.out':
      return pick(p.amountFen);
    case 'vend.reversed':
      return pick(p.refundFen);
    case 'late_fee.waived':
      return pick(p.fen);
    case 'shift.opened':
      return pick(p.floatFen);
    case 'shift.counted':
      return pick(p.countedFen);
    default:
      return pick(p.amountFen) !== null && /(void|refund|waive)/.test(type) ? pick(p.amountFen) : null;
  }
}
