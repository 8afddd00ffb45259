/**
 * One simulated terminal of the fleet: light enough for a thousand in one process, but made of the
 * terminal's real parts where the exactly-once guarantee lives. Its store is an in-memory SQLite
 * database opened by the terminal's own `openDatabase` (every migration), holding a few accounts
 * cached from the seed's snapshots by the real `cacheSnapshot`. A payment is committed by the
 * counter's `commitPayment` (settlement, bills, balance, journal entry and `payment.created`
 * outbox event in one transaction); a vend by a minimal equivalent of the vend commits (journal
 * entry and outbox event together: `vend.created`, then `vend.token_issued`). Its events reach the
 * backend through the real `OutboxPusher`, `BackendClient` (signed requests, signed replies) and
 * `JournalAnchoring`, over node:http with a faulty link in between (./link-faults.ts).
 *
 * What is not real: no UI, devices, shifts, receipts or snapshot pulls (the PostgreSQL backend
 * serves only the sync protocol), and it pushes on a timer, not after every commit — it commits far
 * faster than a clerk, and a push per commit would measure the push overhead, not the intake.
 */
import { randomUUID } from 'node:crypto';
import { commitPayment } from '../../main/services/payments.js';
import { settlementBills } from '../../main/services/payment-writer.js';
import type { LateFeePolicy } from '../../main/services/accounts.js';
import { stepEventId } from '../../main/services/vending/vend-store.js';
import { cacheSnapshot } from '../../main/store/accounts.js';
import { openDatabase, type Db } from '../../main/store/db.js';
import { uuidv7 } from '../../main/store/ids.js';
import { appendJournal } from '../../main/store/journal.js';
import { enqueueOutbox, outboxDepth } from '../../main/store/outbox.js';
import { BackendClient } from '../../main/sync/backend-client.js';
import type { HttpTransport } from '../../main/sync/http-json.js';
import { JournalAnchoring } from '../../main/sync/journal-anchoring.js';
import { OutboxPusher, type PushOutcome } from '../../main/sync/outbox-pusher.js';
import type { AccountSnapshot, EventBatchResult, TerminalEvent } from '../../main/wire/backend-wire.js';
import type { JournalProof } from '../../main/wire/journal-anchor-wire.js';

export interface SimTerminalOptions {
  readonly terminalId: string;
  readonly secret: string;
  readonly baseUrl: string;
  readonly transport: HttpTransport;
  /** Cached at start; payments and vends are drawn among them. */
  readonly accounts: readonly AccountSnapshot[];
  readonly lateFees: LateFeePolicy;
  readonly rng: () => number;
  readonly pushBatchSize: number;
  readonly pushTimeoutMs: number;
  /** The terminal's zone: a payment's local date (late fees, `paidOn`). */
  readonly timeZone: string;
  /** Every push the backend answered, with how long it took (ms). */
  readonly onPush: (ms: number, events: number) => void;
  /** The backend refused the journal chain, or the local chain broke: the fleet reports it. */
  readonly onProblem: (text: string) => void;
}

/** What the terminal committed: its event, by id. */
export interface CommittedEvent {
  readonly type: string;
  /** A payment's amount (the invariant's sums); 0 for other events. */
  readonly amountFen: number;
}

/** A BackendClient that times each push it makes (the fleet's push latency). */
class TimedClient extends BackendClient {
  constructor(
    opts: ConstructorParameters<typeof BackendClient>[0],
    private readonly onPush: (ms: number, events: number) => void,
  ) {
    super(opts);
  }

  override async pushEvents(events: readonly TerminalEvent[], timeoutMs: number, journal?: JournalProof): Promise<EventBatchResult> {
    const t0 = performance.now();
    const answer = await super.pushEvents(events, timeoutMs, journal);
    this.onPush(performance.now() - t0, events.length);
    return answer;
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** 'YYYY-MM-DD' in `timeZone` (main/services/clock.ts's localDate, with the formatter kept). */
function localDate(at: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(at);
}

export class SimTerminal {
  readonly terminalId: string;
  readonly db: Db;
  readonly pusher: OutboxPusher;
  readonly committed = new Map<string, CommittedEvent>();
  private readonly vendAccounts: readonly AccountSnapshot[];

  constructor(private readonly opts: SimTerminalOptions) {
    this.terminalId = opts.terminalId;
    this.db = openDatabase(':memory:');
    const cachedAt = Date.now();
    for (const a of opts.accounts) cacheSnapshot(this.db, a, cachedAt);
    this.vendAccounts = opts.accounts.filter((a) => a.meters.some((m) => m.kind === 'sts'));
    const client = new TimedClient(
      { baseUrl: opts.baseUrl, terminalId: opts.terminalId, secret: opts.secret, transport: opts.transport, log: (line) => opts.onProblem(`${opts.terminalId}: ${line}`) },
      opts.onPush,
    );
    const journal = new JournalAnchoring({
      db: this.db,
      client,
      timeoutMs: opts.pushTimeoutMs,
      onRefused: (reason, detail) => opts.onProblem(`${opts.terminalId}: backend refused the journal (${reason}): ${detail}`),
      onAccepted: () => undefined,
      onLocalBreak: (b) => opts.onProblem(`${opts.terminalId}: local journal break at ${b.seq} (${b.problem})`),
    });
    this.pusher = new OutboxPusher({ db: this.db, client, journal, batchSize: opts.pushBatchSize, timeoutMs: opts.pushTimeoutMs, now: () => new Date() });
  }

  /** One sale: a payment (most of the time) or a vend; returns the events it committed. */
  commitSale(): number {
    return this.vendAccounts.length > 0 && this.opts.rng() < 0.3 ? this.commitVend() : this.commitPayment();
  }

  /** A cash payment of 1–500 yuan through the counter's own commit (bills first, then the balance). */
  commitPayment(): number {
    const { rng, accounts, lateFees, timeZone } = this.opts;
    const account = accounts[Math.floor(rng() * accounts.length)] as AccountSnapshot;
    const now = new Date();
    const amountFen = 100 + Math.floor(rng() * 50_000);
    const paymentId = uuidv7(() => now);
    commitPayment(this.db, {
      paymentId,
      requestId: randomUUID(),
      accountNo: account.accountNo,
      method: 'cash',
      amountFen,
      tenderedFen: amountFen,
      changeFen: 0,
      operatorId: 'C001',
      externalRef: null,
      createdAt: now.toISOString(),
      openBills: () => settlementBills(this.db, account.accountNo, localDate(now, timeZone), lateFees),
    });
    // The payment id is its event id (payment-writer.ts).
    this.committed.set(paymentId, { type: 'payment.created', amountFen });
    return 1;
  }

  /**
   * A cash vend delivered online, as its two commits leave the outbox: `vend.created` (priced under
   * the account's tariff, which the backend checks) and `vend.token_issued`; each commit is its
   * journal entry and outbox event in one transaction, with the vend's step event ids.
   */
  commitVend(): number {
    const { rng } = this.opts;
    const account = this.vendAccounts[Math.floor(rng() * this.vendAccounts.length)] as AccountSnapshot;
    const meter = account.meters.find((m) => m.kind === 'sts') as AccountSnapshot['meters'][number];
    const now = new Date();
    const at = now.toISOString();
    const vendId = uuidv7(() => now);
    const amountFen = 1_000 + Math.floor(rng() * 20_000);
    const tid = Math.floor(now.getTime() / 60_000) % 16_777_216;
    const created = {
      vendId,
      accountNo: account.accountNo,
      meterNo: meter.meterNo,
      meterKind: 'sts',
      method: 'cash',
      amountFen,
      tid,
      issuer: 'online',
      outTradeNo: null,
      split: { tariffId: account.tariffCode, energyCkwh: Math.floor(amountFen * 1.7), energyFen: amountFen, fixedFen: 0, arrearsFen: 0 },
    };
    const step = (type: string, stepName: string, payload: unknown): void => {
      const eventId = stepEventId(vendId, stepName);
      this.db.transaction(() => {
        appendJournal(this.db, { type, ref: vendId, actor: 'C001', at, payload });
        enqueueOutbox(this.db, { eventId, type, occurredAt: at, payload });
      }).immediate();
      this.committed.set(eventId, { type, amountFen: 0 });
    };
    step('vend.created', 'created', created);
    step('vend.token_issued', 'token_issued', { vendId, meterNo: meter.meterNo, tid, issuer: 'online', offline: false, token: String(10n ** 19n + BigInt(Math.floor(rng() * 1e15))) });
    return 2;
  }

  /** One push of everything pending; a local failure (not the link's) is reported, never thrown at a timer. */
  push(): Promise<PushOutcome | null> {
    return this.pusher.pushAll().catch((err: unknown) => {
      this.opts.onProblem(`${this.terminalId}: push failed locally: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    });
  }

  pending(): number {
    return outboxDepth(this.db);
  }

  /** Events the backend rejected (the staff queue): none are expected in a fleet run. */
  rejections(): { eventId: string; reason: string }[] {
    return this.db.prepare('SELECT event_id AS eventId, reason FROM sync_rejections ORDER BY seq').all() as { eventId: string; reason: string }[];
  }

  /** What the terminal's own payments table says it took (the invariant's sum, from its store). */
  paymentsFen(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS fen FROM payments').get() as { fen: number }).fen;
  }

  close(): void {
    this.db.close();
  }
}
