/**
 * Account lookup: online first (briefly), cache second. A fresh answer refreshes the cache; when
 * the backend is unreachable the cached copy answers with the time it was cached.
 */
import { AppError, type AccountSummary, type AccountView, type BillView } from '../contract/index.js';
import type { Db } from '../store/db.js';
import type { LateFeeComputation } from '../domain/late-fee/index.js';
import { waivedFeesOf } from '../store/payments.js';
import { cacheSnapshot, getCachedAccount, isClosedAccount, type CachedAccount } from '../store/accounts.js';
import { searchAccounts } from '../store/account-search.js';
import { BackendUnavailable, type BackendClient } from '../sync/backend-client.js';
import { localDate, type Clock } from './clock.js';
import { billLateFee } from './late-fees.js';
import { settlementBills, type SettlementBills } from './payment-writer.js';

export interface LateFeeQuote {
  readonly fen: number;
  readonly ruleKey: string;
  /** The day-by-day basis (rule, segments, accrual), when the policy computes one (the explainer shows it). */
  readonly computation?: LateFeeComputation;
}

/** How the late fee of an overdue bill is computed; the rules live in resources/rules. */
export type LateFeePolicy = (input: {
  readonly customerClass: CachedAccount['customerClass'];
  /** Principal unpaid now (after every payment in `payments`). */
  readonly unpaidFen: number;
  readonly period: string;
  readonly dueDate: string;
  readonly asOf: string;
  readonly alreadyPaidFen: number;
  /** The bill's principal payments (date, fen), replayed so each day accrues on that day's principal. */
  readonly payments?: readonly { readonly date: string; readonly principalFen: number }[];
}) => LateFeeQuote;

export interface AccountServiceDeps {
  readonly db: Db;
  readonly client: BackendClient;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly lookupTimeoutMs: number;
  readonly lateFees: LateFeePolicy;
  readonly onBackendState?: (online: boolean) => void;
}

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async lookup(accountNo: string): Promise<AccountView> {
    const { db, client, clock, lookupTimeoutMs } = this.deps;
    try {
      const snap = await client.getAccount(accountNo, lookupTimeoutMs);
      this.deps.onBackendState?.(true);
      if (!snap) throw new AppError('account.not_found', { accountNo });
      cacheSnapshot(db, snap, clock().getTime());
      return this.view(this.cached(accountNo), 'online');
    } catch (err) {
      if (!(err instanceof BackendUnavailable)) throw err;
      this.deps.onBackendState?.(false);
      // Unknown to this terminal is not unknown to the utility: say the backend is out of reach.
      const account = getCachedAccount(this.deps.db, accountNo);
      if (!account) throw new AppError('account.not_cached', { accountNo });
      return this.view(account, 'cache');
    }
  }

  async search(q: string): Promise<{ items: AccountSummary[]; source: 'online' | 'cache' }> {
    const { db, client, clock, lookupTimeoutMs } = this.deps;
    try {
      const snaps = await client.search(q, lookupTimeoutMs);
      this.deps.onBackendState?.(true);
      const at = clock().getTime();
      for (const s of snaps) cacheSnapshot(db, s, at);
      return { items: snaps.map((s) => summary(s)), source: 'online' };
    } catch (err) {
      if (!(err instanceof BackendUnavailable)) throw err;
      this.deps.onBackendState?.(false);
      // The whole area is cached (the initial pull): exact keys, else any part of a name, ranked.
      return { items: searchAccounts(db, q).map((hit) => summary(hit)), source: 'cache' };
    }
  }

  cached(accountNo: string): CachedAccount {
    const account = getCachedAccount(this.deps.db, accountNo);
    if (!account) throw new AppError('account.not_found', { accountNo });
    return account;
  }

  /**
   * The account's open bills as a payment settles them now: from the cache, each with the late
   * fee the policy computes for today's date (the same figure the clerk's view shows).
   */
  settlementBills(accountNo: string): SettlementBills {
    return settlementBills(this.deps.db, accountNo, localDate(this.deps.clock(), this.deps.timeZone), this.deps.lateFees);
  }

  /** The clerk's view: open bills with their late fee as of today, oldest first. */
  view(account: CachedAccount, source: 'online' | 'cache'): AccountView {
    const today = localDate(this.deps.clock(), this.deps.timeZone);
    const waived = waivedFeesOf(this.deps.db, account.accountNo);
    const openBills = account.bills.filter((b) => b.status === 'open').map((b) => this.billView(account, b, today, waived.get(b.billId) ?? 0));
    return {
      accountNo: account.accountNo,
      name: account.name,
      address: account.address,
      phone: account.phone,
      customerClass: account.customerClass,
      paymentMode: account.paymentMode,
      tariffCode: account.tariffCode,
      balanceFen: account.balanceFen,
      creditGrade: account.creditGrade,
      meters: account.meters.map((m) => ({ meterNo: m.meterNo, kind: m.kind })),
      openBills,
      totalDueFen: openBills.reduce((s, b) => s + b.outstandingFen + b.lateFeeFen, 0),
      status: isClosedAccount(this.deps.db, account.accountNo) ? 'closed' : 'active',
      source,
      asOf: new Date(account.cachedAt).toISOString(),
    };
  }

  private billView(account: CachedAccount, b: CachedAccount['bills'][number], today: string, waivedFen: number): BillView {
    const outstandingFen = b.amountFen - b.paidFen;
    const { daysOverdue, ...fee } = billLateFee(this.deps.lateFees, account.customerClass, b, today, waivedFen);
    return {
      billId: b.billId,
      period: b.period,
      consumption: b.consumption,
      amountFen: b.amountFen,
      paidFen: b.paidFen,
      outstandingFen,
      dueDate: b.dueDate,
      daysOverdue,
      lateFeeFen: fee.fen,
      lateFeeRuleKey: fee.ruleKey,
      lateFeeWaivedFen: waivedFen,
      status: b.status,
    };
  }
}

function summary(a: { accountNo: string; name: string; address: string; paymentMode: 'postpaid' | 'prepaid'; status?: 'active' | 'closed' | undefined }): AccountSummary {
  return { accountNo: a.accountNo, name: a.name, address: a.address, paymentMode: a.paymentMode, status: a.status ?? 'active' };
}
