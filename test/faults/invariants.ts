/**
 * The money invariants after a fault run, read from both SQLite files (read-only): the terminal's
 * journal, payments, vends and outbox against the reference backend's ledger (its events table)
 * and the effects those events had on accounts and bills.
 *
 * - the journal's hash chain is intact (verifyJournal);
 * - the outbox and the staff queue (sync_rejections) are empty;
 * - every event the terminal's journal committed (payments, each vend step, reprints, management
 *   tokens) is in the backend's ledger, and the ledger has nothing the terminal never committed;
 * - every payment row matches its journal entry and its backend event (amount, allocations,
 *   balance part); sums of payments and of paid vends agree on both sides;
 * - each account's effects at the backend (balance, bills paid, late fees, suspense) moved by
 *   exactly the sum of its payment events since the seed: an effect applied twice or lost, or
 *   off by one fen, shows here even when every event row is right;
 * - replayed from the seed in the order the backend took them, this terminal's payments settle the
 *   oldest bill's principal first and a counter payment credits the balance only when no bill
 *   principal is left (a stale or double-counted cached bill shows here);
 * - no bill collected more late fee than it could owe by the terminal's last day (the fee on the
 *   seeded principal, as if nothing had been paid since);
 * - no bill overpaid, no backend exception for this terminal, no vend left paid or issued but
 *   undelivered, every issued STS token on record at the backend exactly once, and every vend
 *   step journaled at most once;
 * - what the clerks were told (acknowledged calls) is in the terminal's database;
 * - optionally, after a final pull, the terminal's cached balances and bills equal the backend's.
 */
import Database from 'better-sqlite3';
import { verifyJournal } from '../../main/store/journal.js';
import { stepEventId } from '../../main/services/vending/vend-store.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { generateSeed, type SeedParams } from '../billing-backend/seed.js';
import { shippedLateFees } from '../support/config.js';

/** Prepaid points earned or taken back in a vend's commit (main/services/vending/vend-points.ts): journal type → its step in the event id. */
const POINTS_STEPS: Readonly<Record<string, string>> = { 'points.accrued': 'points', 'points.reversed': 'points-reversed' };
/** Journal entries of the counter's money events and the payload field holding their outbox event id. */
const PAYMENT_EVENT_IDS: Readonly<Record<string, string>> = {
  'payment.voided': 'reversalId',
  'payment.refunded': 'reversalId',
  'late_fee.waived': 'waiverId',
  'invoice.requested': 'eventId',
};
export interface AcknowledgedPayment {
  readonly requestId: string;
  readonly paymentId: string;
  readonly amountFen: number;
}

export interface AcknowledgedVend {
  readonly requestId: string;
  readonly vendId: string;
  readonly state: string;
}

/** What the clerks were told succeeded (the load's answers), checked against the terminal's database. */
export interface Acknowledged {
  readonly payments: readonly AcknowledgedPayment[];
  readonly vends: readonly AcknowledgedVend[];
}

export interface InvariantInput {
  readonly terminalDbPath: string;
  readonly backendDbPath: string;
  readonly terminalId?: string;
  readonly acknowledged?: Acknowledged;
  /** Compare the terminal's cached balances and bills with the backend's (after a final pull). */
  readonly compareViews?: boolean;
  /** The terminal's zone, for the date late fees accrue to (default Asia/Shanghai, as in tests). */
  readonly timeZone?: string;
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** What was looked at, so a pass is never vacuous. */
  readonly checked: {
    readonly journalEntries: number;
    /** Payment rows, vend settlements included … */
    readonly payments: number;
    /** … of which vend settlements (arrears and remainder of a delivered vend). */
    readonly settlements: number;
    readonly paymentFen: number;
    readonly vends: number;
    readonly paidVendFen: number;
    readonly backendEvents: number;
    readonly accounts: number;
    readonly acknowledged: number;
  };
}

/** Journal types that are vend state transitions; each has an outbox event `stepEventId(vend, to)`. */
const VEND_TRANSITIONS = ['vend.created', 'vend.paid', 'vend.token_issued', 'vend.delivered', 'vend.cancelled', 'vend.reversed'] as const;
const VEND_ORDER: Readonly<Record<string, number>> = { created: 0, paid: 1, token_issued: 2, delivered: 3, reversed: 3, cancelled: 1 };
/** Problems listed per kind before the rest are only counted. */
const MAX_LISTED = 12;

interface PaymentPayload {
  readonly paymentId: string;
  /** Set on a vend's settlement (the vend id): only its arrears share goes to bills. */
  readonly externalRef?: string;
  readonly accountNo: string;
  readonly amountFen: number;
  readonly allocations: readonly { billId: string; fen: number }[];
  readonly lateFees?: readonly { billId: string; fen: number }[];
  readonly toBalanceFen: number;
}

interface JournalRow {
  readonly seq: number;
  readonly type: string;
  readonly ref: string;
  readonly payload: string;
}

interface EventRow {
  readonly event_id: string;
  readonly type: string;
  readonly payload_json: string;
}

interface VendRow {
  readonly vend_id: string;
  readonly request_id: string;
  readonly state: string;
  readonly amount_fen: number;
  readonly meter_kind: string;
  readonly token: string | null;
  readonly offline: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export function checkInvariants(input: InvariantInput): InvariantReport {
  const terminalId = input.terminalId ?? DEMO_TERMINAL.id;
  const problems: string[] = [];
  const listed = new Map<string, number>();
  /** One problem; past MAX_LISTED of a kind, only a count. */
  const problem = (kind: string, text: string): void => {
    const n = (listed.get(kind) ?? 0) + 1;
    listed.set(kind, n);
    if (n <= MAX_LISTED) problems.push(`${kind}: ${text}`);
  };

  const t = new Database(input.terminalDbPath, { readonly: true, fileMustExist: true });
  const b = new Database(input.backendDbPath, { readonly: true, fileMustExist: true });
  try {
    // 1. The journal chain.
    const chain = verifyJournal(t);
    if (!chain.ok) problem('journal', `hash chain broken at seq ${chain.brokenAtSeq}`);
    const journal = t.prepare('SELECT seq, type, ref, payload FROM journal ORDER BY seq').all() as JournalRow[];

    // 2. Nothing left to send, nothing refused.
    const outbox = t.prepare('SELECT seq, event_id, type FROM outbox ORDER BY seq').all() as { seq: number; event_id: string; type: string }[];
    if (outbox.length > 0) problem('outbox', `${outbox.length} row(s) never acknowledged, first ${outbox[0]?.type} ${outbox[0]?.event_id}`);
    for (const r of t.prepare('SELECT event_id, type, reason FROM sync_rejections').all() as { event_id: string; type: string; reason: string }[]) {
      problem('rejected', `${r.type} ${r.event_id} was rejected by the backend: ${r.reason}`);
    }

    // 3. Events: what the journal committed ⇔ what the backend's ledger holds.
    const expected = new Map<string, string>();
    const vendSteps = new Map<string, Map<string, number>>();
    for (const j of journal) {
      if (j.type === 'payment.created') expected.set(j.ref, `payment ${j.ref}`);
      else if ((VEND_TRANSITIONS as readonly string[]).includes(j.type)) {
        const step = j.type.slice('vend.'.length);
        expected.set(stepEventId(j.ref, step), `vend ${j.ref} ${step}`);
        const steps = vendSteps.get(j.ref) ?? new Map<string, number>();
        steps.set(step, (steps.get(step) ?? 0) + 1);
        vendSteps.set(j.ref, steps);
      } else if (j.type === 'vend.reprinted') {
        const n = (JSON.parse(j.payload) as { reprint: number }).reprint;
        expected.set(stepEventId(j.ref, `reprint-${n}`), `vend ${j.ref} reprint ${n}`);
      } else if (j.type === 'token.management_issued') expected.set(stepEventId(j.ref, 'management_issued'), `management token ${j.ref}`);
      else if (POINTS_STEPS[j.type]) expected.set(stepEventId(j.ref, POINTS_STEPS[j.type] as string), `${j.type} of vend ${j.ref}`);
      else if (PAYMENT_EVENT_IDS[j.type]) {
        // Voids, refunds, waivers and e-invoice requests journal their event id (docs/payments.md).
        const id = (JSON.parse(j.payload) as Record<string, unknown>)[PAYMENT_EVENT_IDS[j.type] as string];
        if (typeof id === 'string') expected.set(id, `${j.type} ${j.ref}`);
      }
    }
    const payments = t
      .prepare('SELECT payment_id, request_id, account_no, amount_fen, to_balance_fen FROM payments ORDER BY created_at, payment_id')
      .all() as { payment_id: string; request_id: string; account_no: string; amount_fen: number; to_balance_fen: number }[];
    // A vend's settlement payment is committed inside its vend.delivered step.
    for (const p of payments) if (p.request_id.startsWith('vend:')) expected.set(p.payment_id, `settlement ${p.payment_id} of vend ${p.request_id.slice(5)}`);

    const events = b.prepare('SELECT event_id, type, payload_json FROM events WHERE terminal_id = ? ORDER BY rowid').all(terminalId) as EventRow[];
    const eventById = new Map(events.map((e) => [e.event_id, e]));
    for (const [id, what] of expected) if (!eventById.has(id)) problem('missing', `${what} (event ${id}) is not in the backend's ledger`);
    for (const e of events) if (!expected.has(e.event_id)) problem('extra', `the backend's ledger has ${e.type} ${e.event_id}, which the terminal never committed`);

    // 4. Payments: row ⇔ journal ⇔ backend event, field by field.
    const journalPayments = new Map<string, PaymentPayload[]>();
    for (const j of journal) {
      if (j.type !== 'payment.created') continue;
      const list = journalPayments.get(j.ref) ?? [];
      list.push(JSON.parse(j.payload) as PaymentPayload);
      journalPayments.set(j.ref, list);
    }
    const allocated = new Map<string, { principal: number; fee: number }>();
    for (const a of t.prepare('SELECT payment_id, SUM(principal_fen) AS principal, SUM(late_fee_fen) AS fee FROM payment_allocations GROUP BY payment_id').all() as {
      payment_id: string;
      principal: number;
      fee: number;
    }[]) {
      allocated.set(a.payment_id, { principal: a.principal, fee: a.fee });
    }
    const paymentIds = new Set(payments.map((p) => p.payment_id));
    for (const id of journalPayments.keys()) if (!paymentIds.has(id)) problem('payment', `journal has payment.created ${id} but the payments table has no such row`);
    for (const p of payments) {
      const alloc = allocated.get(p.payment_id) ?? { principal: 0, fee: 0 };
      if (alloc.principal + alloc.fee + p.to_balance_fen !== p.amount_fen) {
        problem('payment', `${p.payment_id}: allocations ${alloc.principal + alloc.fee} + balance ${p.to_balance_fen} ≠ amount ${p.amount_fen} fen`);
      }
      if (!p.request_id.startsWith('vend:')) {
        const entries = journalPayments.get(p.payment_id) ?? [];
        if (entries.length !== 1) problem('payment', `${p.payment_id} is journaled ${entries.length} times (expected once)`);
        else if (entries[0]?.amountFen !== p.amount_fen) problem('payment', `${p.payment_id}: journal says ${entries[0]?.amountFen} fen, payments row ${p.amount_fen} fen`);
      }
      const e = eventById.get(p.payment_id);
      if (!e) continue; // reported as missing above
      if (e.type !== 'payment.created') {
        problem('payment', `${p.payment_id} is a ${e.type} at the backend`);
        continue;
      }
      const q = JSON.parse(e.payload_json) as PaymentPayload;
      const qAlloc = sum(q.allocations.map((a) => a.fen));
      const qFees = sum((q.lateFees ?? []).map((a) => a.fen));
      if (q.amountFen !== p.amount_fen || q.toBalanceFen !== p.to_balance_fen || qAlloc !== alloc.principal || qFees !== alloc.fee || q.accountNo !== p.account_no) {
        problem(
          'payment',
          `${p.payment_id}: terminal ${p.amount_fen} fen (bills ${alloc.principal}, fees ${alloc.fee}, balance ${p.to_balance_fen}, ${p.account_no}), ` +
            `backend ${q.amountFen} fen (bills ${qAlloc}, fees ${qFees}, balance ${q.toBalanceFen}, ${q.accountNo})`,
        );
      }
    }
    const paymentFen = sum(payments.map((p) => p.amount_fen));
    const backendPayments = events.filter((e) => e.type === 'payment.created').map((e) => JSON.parse(e.payload_json) as PaymentPayload);
    const backendPaymentFen = sum(backendPayments.map((p) => p.amountFen));
    if (paymentFen !== backendPaymentFen) problem('sum', `payments: terminal ${paymentFen} fen, backend ${backendPaymentFen} fen (difference ${backendPaymentFen - paymentFen})`);
    if (payments.length !== backendPayments.length) problem('sum', `payments: terminal ${payments.length}, backend ${backendPayments.length}`);

    // 5. Vends: steps once each, state consistent, money and tokens on record.
    const vends = t.prepare('SELECT vend_id, request_id, state, amount_fen, meter_kind, token, offline FROM vends').all() as VendRow[];
    let paidVendFen = 0;
    let backendPaidVendFen = 0;
    for (const v of vends) {
      const steps = vendSteps.get(v.vend_id) ?? new Map<string, number>();
      for (const [step, n] of steps) if (n > 1) problem('vend', `${v.vend_id}: vend.${step} journaled ${n} times`);
      if (!steps.has(v.state)) problem('vend', `${v.vend_id} is ${v.state} but vend.${v.state} is not in the journal`);
      const path = v.state === 'cancelled' || v.state === 'reversed' ? ['created'] : ['created', 'paid', 'token_issued', 'delivered'].slice(0, (VEND_ORDER[v.state] ?? 0) + 1);
      for (const step of path) if (!steps.has(step) && step !== v.state) problem('vend', `${v.vend_id} is ${v.state} without vend.${step} in the journal`);
      if (v.state === 'paid' || v.state === 'token_issued') problem('vend', `${v.vend_id} left ${v.state}: money taken, credit not delivered`);
      if ((v.state === 'token_issued' || v.state === 'delivered') && v.meter_kind === 'sts' && v.token === null) problem('vend', `${v.vend_id} is ${v.state} without a token`);
      if (steps.has('paid')) {
        if (v.state !== 'reversed') paidVendFen += v.amount_fen;
        const e = eventById.get(stepEventId(v.vend_id, 'paid'));
        if (e) {
          const fen = (JSON.parse(e.payload_json) as { amountFen?: number }).amountFen ?? -1;
          if (v.state !== 'reversed') backendPaidVendFen += fen;
          if (fen !== v.amount_fen) problem('vend', `${v.vend_id}: paid ${v.amount_fen} fen at the terminal, ${fen} fen at the backend`);
        }
      }
      if (v.token !== null && v.meter_kind === 'sts') {
        const issued = b.prepare('SELECT digits, origin FROM sts_issues WHERE vend_id = ?').all(v.vend_id) as { digits: string; origin: string }[];
        if (issued.length !== 1) problem('token', `${v.vend_id}: ${issued.length} backend issue records for one token`);
        else if (issued[0]?.origin === 'online' && issued[0].digits !== v.token) problem('token', `${v.vend_id}: the backend issued other digits than the terminal holds`);
      }
    }
    for (const vendId of vendSteps.keys()) if (!vends.some((v) => v.vend_id === vendId)) problem('vend', `journal has steps of vend ${vendId} but the vends table has no such row`);
    if (paidVendFen !== backendPaidVendFen) problem('sum', `paid vends: terminal ${paidVendFen} fen, backend ${backendPaidVendFen} fen (difference ${backendPaidVendFen - paidVendFen})`);

    // 6. Effects at the backend since the seed: each account moved by exactly its payment events.
    const seed = seedParams(b);
    const baseline = generateSeed(seed);
    const accountsWithEvents = new Map<string, number>();
    const allPayments = (b.prepare("SELECT payload_json FROM events WHERE type = 'payment.created'").all() as { payload_json: string }[]).map(
      (r) => JSON.parse(r.payload_json) as PaymentPayload,
    );
    for (const p of allPayments) accountsWithEvents.set(p.accountNo, (accountsWithEvents.get(p.accountNo) ?? 0) + p.amountFen);
    const suspense = new Map<string, number>();
    // Held in suspense, not moved: unknown accounts, and accounts closed or moved at the office (docs/exceptions.md).
    for (const x of b.prepare("SELECT account_no, fen FROM exceptions WHERE kind IN ('unknown_account', 'account_closed', 'account_moved')").all() as { account_no: string; fen: number }[]) {
      suspense.set(x.account_no, (suspense.get(x.account_no) ?? 0) + x.fen);
    }
    const balanceOf = b.prepare('SELECT balance_fen AS fen FROM accounts WHERE account_no = ?');
    const billsOf = b.prepare('SELECT bill_id, amount_fen, paid_fen, late_fee_paid_fen FROM bills WHERE account_no = ?');
    let accounts = 0;
    for (const a of baseline.accounts) {
      accounts++;
      const now = balanceOf.get(a.accountNo) as { fen: number } | undefined;
      if (!now) {
        problem('effect', `account ${a.accountNo} is gone from the backend`);
        continue;
      }
      const seededBills = new Map(a.bills.map((x) => [x.billId, x.paidFen]));
      let moved = now.fen - a.balanceFen;
      for (const bill of billsOf.all(a.accountNo) as { bill_id: string; amount_fen: number; paid_fen: number; late_fee_paid_fen: number }[]) {
        moved += bill.paid_fen - (seededBills.get(bill.bill_id) ?? 0) + bill.late_fee_paid_fen;
        if (bill.paid_fen > bill.amount_fen) problem('effect', `bill ${bill.bill_id} paid ${bill.paid_fen} of ${bill.amount_fen} fen`);
      }
      const expectedMove = (accountsWithEvents.get(a.accountNo) ?? 0) - (suspense.get(a.accountNo) ?? 0);
      if (moved !== expectedMove) {
        problem('effect', `account ${a.accountNo}: balance and bills moved ${moved} fen at the backend, its payment events add up to ${expectedMove} fen (difference ${moved - expectedMove})`);
      }
    }
    settlementOrder(baseline.accounts, events, problem);
    lateFeesBounded(t, b, baseline.accounts, input.timeZone ?? 'Asia/Shanghai', problem);
    const seededOpen = new Map(baseline.accounts.flatMap((a) => a.bills.map((x) => [x.billId, x.amountFen - x.paidFen] as const)));
    for (const x of b.prepare('SELECT kind, event_id, bill_id, fen, detail FROM exceptions WHERE terminal_id = ?').all(terminalId) as {
      kind: string;
      event_id: string;
      bill_id: string | null;
      fen: number;
      detail: string;
    }[]) {
      const text = `${x.kind} on ${x.event_id} (${x.fen} fen): ${x.detail}`;
      problem('exception', resettledOwnPrincipal(t, x, seededOpen) ? `${text} — this terminal's own payments put more principal on the bill than it had open: it settled principal twice (forgot a payment?)` : text);
    }

    // 7. What the clerks were told is in the terminal's database.
    const paymentByRequest = t.prepare('SELECT payment_id, amount_fen FROM payments WHERE request_id = ?');
    const vendByRequest = t.prepare('SELECT vend_id, state FROM vends WHERE request_id = ?');
    for (const ack of input.acknowledged?.payments ?? []) {
      const row = paymentByRequest.get(ack.requestId) as { payment_id: string; amount_fen: number } | undefined;
      if (!row || row.payment_id !== ack.paymentId || row.amount_fen !== ack.amountFen) {
        problem('acknowledged', `payment ${ack.paymentId} (${ack.amountFen} fen) was confirmed to the clerk but is ${row ? `${row.payment_id} ${row.amount_fen} fen` : 'not'} in the terminal's database`);
      }
    }
    for (const ack of input.acknowledged?.vends ?? []) {
      const row = vendByRequest.get(ack.requestId) as { vend_id: string; state: string } | undefined;
      if (!row || row.vend_id !== ack.vendId) problem('acknowledged', `vend ${ack.vendId} was answered to the clerk but is not in the terminal's database`);
      else if ((VEND_ORDER[row.state] ?? 0) < (VEND_ORDER[ack.state] ?? 0)) problem('acknowledged', `vend ${ack.vendId} was ${ack.state} for the clerk, now ${row.state}`);
    }

    // 8. Optionally: the terminal's cached view equals the backend's.
    if (input.compareViews === true) {
      const cachedAccounts = t.prepare('SELECT account_no, balance_fen FROM accounts').all() as { account_no: string; balance_fen: number }[];
      const backendBill = b.prepare('SELECT paid_fen, late_fee_paid_fen FROM bills WHERE bill_id = ?');
      for (const c of cachedAccounts) {
        if (!accountsWithEvents.has(c.account_no)) continue;
        const now = balanceOf.get(c.account_no) as { fen: number } | undefined;
        if (now && now.fen !== c.balance_fen) {
          const text = `account ${c.account_no}: terminal shows balance ${c.balance_fen} fen, backend ${now.fen} fen`;
          problem('view', balanceCountedTwice(t, c.account_no, c.balance_fen - now.fen) ? `${text} — the excess is the balance part of consecutive payments of the account: counted twice?` : text);
        }
        for (const bill of t.prepare('SELECT bill_id, paid_fen, late_fee_paid_fen FROM bills WHERE account_no = ?').all(c.account_no) as {
          bill_id: string;
          paid_fen: number;
          late_fee_paid_fen: number;
        }[]) {
          const there = backendBill.get(bill.bill_id) as { paid_fen: number; late_fee_paid_fen: number } | undefined;
          if (there && (there.paid_fen !== bill.paid_fen || there.late_fee_paid_fen !== bill.late_fee_paid_fen)) {
            problem('view', `bill ${bill.bill_id}: terminal shows paid ${bill.paid_fen} + fee ${bill.late_fee_paid_fen} fen, backend ${there.paid_fen} + ${there.late_fee_paid_fen} fen`);
          }
        }
      }
    }

    for (const [kind, n] of listed) if (n > MAX_LISTED) problems.push(`${kind}: … and ${n - MAX_LISTED} more`);
    return {
      ok: listed.size === 0,
      problems,
      checked: {
        journalEntries: journal.length,
        payments: payments.length,
        settlements: payments.filter((p) => p.request_id.startsWith('vend:')).length,
        paymentFen,
        vends: vends.length,
        paidVendFen,
        backendEvents: events.length,
        accounts,
        acknowledged: (input.acknowledged?.payments.length ?? 0) + (input.acknowledged?.vends.length ?? 0),
      },
    };
  } finally {
    t.close();
    b.close();
  }
}

/**
 * The late fee a bill can owe at most by the terminal's last day: the shipped policy on its seeded
 * principal, as if nothing had been paid since (payments only ever lower what accrues). More
 * collected is a fee charged twice; when the excess is no more than what one earlier payment of this
 * terminal collected on the bill, the problem says so (the terminal likely forgot that payment).
 */
function lateFeesBounded(
  t: Database.Database,
  b: Database.Database,
  seeded: readonly { accountNo: string; customerClass: string; bills: readonly { billId: string; period: string; dueDate: string; amountFen: number; paidFen: number }[] }[],
  timeZone: string,
  problem: (kind: string, text: string) => void,
): void {
  const last = t.prepare('SELECT MAX(at) AS at FROM journal').get() as { at: string | null };
  if (last.at === null) return;
  const asOf = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(last.at));
  const policy = shippedLateFees();
  const collected = b.prepare('SELECT late_fee_paid_fen AS fen FROM bills WHERE bill_id = ?');
  const feesOf = t.prepare('SELECT a.late_fee_fen AS fen FROM payment_allocations a JOIN payments p ON p.payment_id = a.payment_id WHERE a.bill_id = ? AND a.late_fee_fen > 0 ORDER BY p.created_at, p.payment_id');
  for (const a of seeded) {
    for (const bill of a.bills) {
      const fen = (collected.get(bill.billId) as { fen: number } | undefined)?.fen ?? 0;
      if (fen === 0) continue;
      const most = policy({
        customerClass: a.customerClass as Parameters<typeof policy>[0]['customerClass'],
        unpaidFen: bill.amountFen - bill.paidFen,
        period: bill.period,
        dueDate: bill.dueDate,
        asOf,
        alreadyPaidFen: 0,
      }).fen;
      if (fen <= most) continue;
      const text = `bill ${bill.billId} collected ${fen} fen of late fee, at most ${most} fen could accrue by ${asOf}`;
      const earlier = (feesOf.all(bill.billId) as { fen: number }[]).slice(0, -1);
      problem('late fee', earlier.some((x) => x.fen >= fen - most) ? `${text} — no more over than an earlier payment of this terminal collected on it: a fee collected twice?` : text);
    }
  }
}

/**
 * A diagnosis for a bill_already_paid / bill_overpaid exception: this terminal's own payments, up
 * to and including the one excepted, put more principal on the bill than it had open at the seed —
 * the terminal settled principal it had settled before (found once: a snapshot older than an
 * acknowledgement, docs/faults.md).
 */
function resettledOwnPrincipal(t: Database.Database, x: { kind: string; event_id: string; bill_id: string | null }, seededOpen: ReadonlyMap<string, number>): boolean {
  if ((x.kind !== 'bill_already_paid' && x.kind !== 'bill_overpaid') || x.bill_id === null) return false;
  const open = seededOpen.get(x.bill_id);
  if (open === undefined) return false;
  const rows = t
    .prepare('SELECT a.payment_id AS id, a.principal_fen AS fen FROM payment_allocations a JOIN payments p ON p.payment_id = a.payment_id WHERE a.bill_id = ? ORDER BY p.created_at, p.payment_id')
    .all(x.bill_id) as { id: string; fen: number }[];
  const upTo = rows.findIndex((r) => r.id === x.event_id);
  if (upTo < 0) return false;
  return rows.slice(0, upTo + 1).reduce((n, r) => n + r.fen, 0) > open;
}

/**
 * A diagnosis for a cached balance above the backend's: the excess is exactly the balance part of a
 * run of consecutive payments of the account (found once: payments overlaid on a snapshot that
 * already held them, docs/faults.md).
 */
function balanceCountedTwice(t: Database.Database, accountNo: string, excessFen: number): boolean {
  if (excessFen <= 0) return false;
  const parts = (t.prepare('SELECT to_balance_fen AS fen FROM payments WHERE account_no = ? ORDER BY created_at, payment_id').all(accountNo) as { fen: number }[]).map((r) => r.fen);
  for (let i = 0; i < parts.length; i++) {
    let run = 0;
    for (let j = i; j < parts.length && run < excessFen; j++) {
      run += parts[j] as number;
      if (run === excessFen) return true;
    }
  }
  return false;
}

interface ReplayedBill {
  readonly billId: string;
  readonly order: string;
  readonly amountFen: number;
  paidFen: number;
}

/**
 * Replays this terminal's payment events over the seeded bills in the order the backend took them
 * (with one terminal, the order it committed them): each must pay the oldest bills' principal
 * before a later bill's, and a counter payment may credit the balance only when no principal is
 * left. The terminal settles from its cache, so a cached bill counted twice (a snapshot laid over
 * a payment it already holds) or missing a payment shows as money put past an unpaid bill.
 */
function settlementOrder(
  seeded: readonly { accountNo: string; bills: readonly { billId: string; period: string; dueDate: string; amountFen: number; paidFen: number }[] }[],
  events: readonly EventRow[],
  problem: (kind: string, text: string) => void,
): void {
  const bills = new Map<string, ReplayedBill[]>();
  for (const a of seeded) {
    bills.set(
      a.accountNo,
      a.bills
        .map((x) => ({ billId: x.billId, order: `${x.dueDate} ${x.period} ${x.billId}`, amountFen: x.amountFen, paidFen: x.paidFen }))
        .sort((x, y) => x.order.localeCompare(y.order)),
    );
  }
  for (const e of events) {
    if (e.type !== 'payment.created') continue;
    const p = JSON.parse(e.payload_json) as PaymentPayload;
    const own = bills.get(p.accountNo) ?? [];
    const principal = new Map(p.allocations.map((x) => [x.billId, x.fen]));
    const touched = new Set([...principal.keys(), ...(p.lateFees ?? []).map((x) => x.billId)]);
    const lastTouched = own.reduce((last, x, i) => (touched.has(x.billId) ? i : last), -1);
    for (const bill of own) bill.paidFen = Math.min(bill.amountFen, bill.paidFen + (principal.get(bill.billId) ?? 0));
    const unpaidBefore = own.slice(0, Math.max(0, lastTouched)).find((x) => x.paidFen < x.amountFen);
    if (unpaidBefore) {
      problem('settlement', `payment ${p.paymentId} paid bill ${own[lastTouched]?.billId} while the older bill ${unpaidBefore.billId} kept ${unpaidBefore.amountFen - unpaidBefore.paidFen} fen of principal unpaid`);
    }
    const unpaid = own.find((x) => x.paidFen < x.amountFen);
    if (p.externalRef === undefined && p.toBalanceFen > 0 && unpaid) {
      problem('settlement', `payment ${p.paymentId} put ${p.toBalanceFen} fen to the balance while bill ${unpaid.billId} kept ${unpaid.amountFen - unpaid.paidFen} fen of principal unpaid`);
    }
  }
}

/** The seed parameters the backend file was filled with (its meta row), to rebuild the baseline. */
function seedParams(b: Database.Database): SeedParams {
  const row = b.prepare("SELECT value FROM meta WHERE key = 'seed'").get() as { value: string } | undefined;
  if (!row) throw new Error('backend database has no seed record');
  const meta = JSON.parse(row.value) as { seed: number; accounts: number; seedDate: string };
  return { seed: meta.seed, accounts: meta.accounts, seedDate: meta.seedDate };
}
