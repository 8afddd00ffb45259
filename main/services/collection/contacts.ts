/**
 * The contact log per account: a call, visit, SMS or letter with its outcome, and a promise to pay
 * with its date. One transaction each (row, journal, outbox). A promise is followed up by the
 * worklist: the day after its date, not kept, it is on the list (worklist.ts, `lapsedPromises`).
 */
import { AppError, type ContactView, type ContactsView, type OperatorView } from '../../contract/index.js';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from '../../contract/collection.js';
import { addDays, suggestScript, type WorklistReason } from '../../domain/collection/index.js';
import { formatFen } from '../../domain/money.js';
import type { Locale } from '../../i18n/locales.js';
import { accountBrief, contactByRequest, contactsOf, insertContact, noticesOf, paidSince, staffName, type ContactRow } from '../../store/collection.js';
import { uuidv7 } from '../../store/ids.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { localDate } from '../clock.js';
import { moneyInput } from '../money-input.js';
import type { CollectionDeps } from './context.js';
import type { Worklist } from './worklist.js';

export const CONTACT_EVENT = 'contact.logged';
/** A promise further ahead than this is a plan, not a promise: ask for a date within it. */
const MAX_PROMISE_DAYS = 90;

export interface LogContactInput {
  readonly requestId: string;
  readonly accountNo: string;
  readonly channel: (typeof CONTACT_CHANNELS)[number];
  readonly outcome: (typeof CONTACT_OUTCOMES)[number];
  readonly note: string;
  readonly smsText?: string | undefined;
  readonly promiseOn?: string | undefined;
  readonly promiseAmount?: string | undefined;
}

export class Contacts {
  constructor(
    private readonly deps: CollectionDeps,
    private readonly worklist: Worklist,
  ) {}

  log(p: LogContactInput, operator: OperatorView): ContactView {
    const d = this.deps;
    const earlier = contactByRequest(d.db, p.requestId);
    if (earlier) {
      if (earlier.accountNo !== p.accountNo || earlier.channel !== p.channel || earlier.outcome !== p.outcome) throw new AppError('collection.request_conflict', { requestId: p.requestId });
      return this.view(earlier);
    }
    d.accounts.cached(p.accountNo); // account.not_found before anything is written
    const promised = p.outcome === 'promised';
    if (promised !== (p.promiseOn !== undefined) || (!promised && p.promiseAmount !== undefined)) throw new AppError('collection.promise_mismatch', { outcome: p.outcome });
    const today = localDate(d.clock(), d.timeZone);
    const max = addDays(today, MAX_PROMISE_DAYS);
    if (p.promiseOn !== undefined && (p.promiseOn < today || p.promiseOn > max)) throw new AppError('collection.promise_date_invalid', { min: today, max });
    if (p.channel === 'sms' && !p.smsText) throw new AppError('collection.sms_text_required');
    const promiseFen = p.promiseAmount !== undefined ? moneyInput(p.promiseAmount, 'promiseAmount') : null;
    const now = d.clock().toISOString();
    const row: ContactRow = {
      contactId: uuidv7(d.clock),
      requestId: p.requestId,
      accountNo: p.accountNo,
      channel: p.channel,
      outcome: p.outcome,
      note: p.note,
      smsText: p.channel === 'sms' ? (p.smsText ?? null) : null,
      promiseOn: p.promiseOn ?? null,
      promiseFen,
      operatorId: operator.operatorId,
      createdAt: now,
    };
    d.db.transaction(() => {
      insertContact(d.db, row);
      const payload = {
        contactId: row.contactId,
        accountNo: row.accountNo,
        channel: row.channel,
        outcome: row.outcome,
        note: row.note,
        smsText: row.smsText,
        promiseOn: row.promiseOn,
        promiseFen: row.promiseFen,
        operatorId: row.operatorId,
      };
      appendJournal(d.db, { type: CONTACT_EVENT, ref: row.contactId, actor: operator.operatorId, at: now, payload });
      enqueueOutbox(d.db, { eventId: row.contactId, type: CONTACT_EVENT, occurredAt: now, payload });
    }).immediate();
    d.afterCommit();
    return this.view(row);
  }

  view(c: ContactRow): ContactView {
    const d = this.deps;
    let promiseState: ContactView['promiseState'] = null;
    if (c.promiseOn !== null) {
      const paid = paidSince(d.db, c.accountNo, c.createdAt);
      const kept = c.promiseFen === null ? paid > 0 : paid >= c.promiseFen;
      const today = localDate(d.clock(), d.timeZone);
      promiseState = kept ? 'kept' : c.promiseOn < today ? 'lapsed' : 'open';
    }
    return {
      contactId: c.contactId,
      accountNo: c.accountNo,
      channel: c.channel,
      outcome: c.outcome,
      note: c.note,
      smsText: c.smsText,
      promiseOn: c.promiseOn,
      promiseFen: c.promiseFen,
      promiseState,
      operatorId: c.operatorId,
      operatorName: staffName(d.db, c.operatorId) ?? c.operatorId,
      createdAt: c.createdAt,
    };
  }

  list(accountNo: string, locale: Locale | undefined): ContactsView {
    const d = this.deps;
    const brief = accountBrief(d.db, accountNo);
    if (!brief) throw new AppError('account.not_found', { accountNo });
    const reasons = this.worklist.reasonsOf(accountNo);
    const today = localDate(d.clock(), d.timeZone);
    const noticeServed = noticesOf(d.db, accountNo).some((n) => n.kind === 'disconnection' && (n.earliestDisconnectOn ?? '') >= today);
    const cls = brief.customerClass === 'residential' ? 'residential' : 'other';
    const id = suggestScript({ reasons, noticeServed, noticeAfterDays: d.rules.disconnection[cls].overdueDays });
    const t = d.translators[locale ?? d.defaultLocale];
    return {
      accountNo,
      name: brief.name,
      phone: brief.phone,
      items: contactsOf(d.db, accountNo).map((c) => this.view(c)),
      script: { id, text: t(`collection.script.${id}`, scriptVars(brief.name, reasons, d.receipt.hotline)) },
      reasons,
    };
  }
}

function scriptVars(name: string, reasons: readonly WorklistReason[], hotline: string): Record<string, string | number> {
  const vars: Record<string, string | number> = { name, hotline, amount: '', days: 0, dueDate: '', daysLeft: 0, promisedOn: '' };
  for (const r of reasons) {
    if (r.kind === 'overdue') {
      vars.amount = formatFen(r.fen);
      vars.days = r.days;
    } else if (r.kind === 'due_soon_late_payer') {
      if (!vars.amount) vars.amount = formatFen(r.fen);
      vars.dueDate = r.dueDate;
    } else if (r.kind === 'prepaid_running_out') vars.daysLeft = r.daysLeft;
    else if (r.kind === 'promise_lapsed') vars.promisedOn = r.promisedOn;
  }
  return vars;
}
