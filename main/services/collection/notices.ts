/**
 * Reminder and disconnection notices (停电通知): the preview (amounts, eligibility, the earliest
 * lawful date and its steps), serving one (one transaction: the notice row with its date and
 * steps, the journal entry and the outbox event), and printing it — A4 PDF or the receipt
 * printer — after the commit, the print itself journaled, so a dead printer never unwrites a
 * served notice and a reprint says exactly what was served.
 */
import { AppError, type NoticeIssued, type NoticePreviewView, type NoticeView, type OperatorView, type PrintOutcome } from '../../contract/index.js';
import { daysBetween, disconnectionNoticeFrom, earliestDisconnection, reminderFrom } from '../../domain/collection/index.js';
import type { Locale } from '../../i18n/locales.js';
import { accountBrief, countNoticesOn, insertNotice, markNoticePrinted, noticeById, noticeByRequest, noticesOf, type NoticeRow } from '../../store/collection.js';
import { uuidv7 } from '../../store/ids.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { localDate } from '../clock.js';
import { toWireError } from '../dispatch.js';
import type { CollectionDeps } from './context.js';
import { noticeDocument } from './notice-document.js';
import { noticePdf } from './notice-pdf.js';
import { noticeReceipt } from './notice-receipt.js';

export const NOTICE_EVENT = 'notice.issued';

export class Notices {
  constructor(private readonly deps: CollectionDeps) {}

  preview(accountNo: string, kind: 'reminder' | 'disconnection'): NoticePreviewView {
    const d = this.deps;
    const today = localDate(d.clock(), d.timeZone);
    const view = d.accounts.view(d.accounts.cached(accountNo), 'cache');
    const overdue = view.openBills.filter((b) => b.outstandingFen > 0 && b.dueDate < today);
    const bills = overdue.map((b) => ({
      billId: b.billId,
      period: b.period,
      dueDate: b.dueDate,
      outstandingFen: b.outstandingFen,
      lateFeeFen: b.lateFeeFen,
      daysOverdue: daysBetween(b.dueDate, today),
    }));
    const oldest = bills.reduce<string | null>((m, b) => (m === null || b.dueDate < m ? b.dueDate : m), null);
    const eligibleFrom = kind === 'disconnection' ? disconnectionNoticeFrom(oldest, view.customerClass, d.rules) : reminderFrom(oldest, d.rules);
    const lawful = kind === 'disconnection' ? earliestDisconnection(today, view.customerClass, d.rules) : null;
    return {
      accountNo: view.accountNo,
      name: view.name,
      address: view.address,
      customerClass: view.customerClass,
      kind,
      servedOn: today,
      bills,
      overdueFen: bills.reduce((s, b) => s + b.outstandingFen, 0),
      lateFeeFen: bills.reduce((s, b) => s + b.lateFeeFen, 0),
      eligible: eligibleFrom !== null && eligibleFrom <= today,
      eligibleFrom,
      earliestDisconnectOn: lawful?.earliest ?? null,
      noticeDays: lawful?.noticeDays ?? null,
      callBeforeHours: lawful?.callBeforeHours ?? null,
      steps: lawful?.steps ?? [],
    };
  }

  async issue(p: { requestId: string; accountNo: string; kind: 'reminder' | 'disconnection'; output: 'pdf' | 'receipt'; locale?: Locale | undefined }, operator: OperatorView): Promise<NoticeIssued> {
    const d = this.deps;
    const earlier = noticeByRequest(d.db, p.requestId);
    if (earlier) {
      if (earlier.accountNo !== p.accountNo || earlier.kind !== p.kind) throw new AppError('collection.request_conflict', { requestId: p.requestId });
      return this.print(earlier.noticeId, p.output, p.locale, operator);
    }
    const pre = this.preview(p.accountNo, p.kind);
    if (pre.bills.length === 0) throw new AppError('collection.nothing_overdue', { accountNo: p.accountNo });
    if (!pre.eligible) {
      const rule = p.kind === 'disconnection' ? d.rules.disconnection[pre.customerClass === 'residential' ? 'residential' : 'other'].overdueDays : d.rules.reminder.overdueDays;
      throw new AppError('collection.not_yet_eligible', { from: pre.eligibleFrom ?? '', days: rule });
    }
    const now = d.clock();
    const noticeId = uuidv7(d.clock);
    d.db.transaction(() => {
      // Numbered per day and terminal, so a customer can quote it on the phone.
      const seq = countNoticesOn(d.db, pre.servedOn) + 1;
      const noticeNo = `${p.kind === 'disconnection' ? 'TD' : 'CJ'}${pre.servedOn.replaceAll('-', '')}-${d.terminalId}-${String(seq).padStart(3, '0')}`;
      const oldest = pre.bills.reduce((m, b) => (b.dueDate < m ? b.dueDate : m), pre.bills[0]?.dueDate ?? pre.servedOn);
      insertNotice(d.db, {
        noticeId,
        requestId: p.requestId,
        noticeNo,
        accountNo: p.accountNo,
        kind: p.kind,
        customerClass: pre.customerClass,
        overdueFen: pre.overdueFen,
        oldestDueDate: oldest,
        servedOn: pre.servedOn,
        earliestDisconnectOn: pre.earliestDisconnectOn,
        stepsJson: JSON.stringify({ steps: pre.steps, noticeDays: pre.noticeDays, callBeforeHours: pre.callBeforeHours }),
        billsJson: JSON.stringify(pre.bills),
        operatorId: operator.operatorId,
        createdAt: now.toISOString(),
      });
      const payload = {
        noticeId,
        noticeNo,
        accountNo: p.accountNo,
        kind: p.kind,
        customerClass: pre.customerClass,
        servedOn: pre.servedOn,
        earliestDisconnectOn: pre.earliestDisconnectOn,
        overdueFen: pre.overdueFen,
        lateFeeFen: pre.lateFeeFen,
        billIds: pre.bills.map((b) => b.billId),
        operatorId: operator.operatorId,
      };
      appendJournal(d.db, { type: NOTICE_EVENT, ref: noticeId, actor: operator.operatorId, at: now.toISOString(), payload });
      enqueueOutbox(d.db, { eventId: noticeId, type: NOTICE_EVENT, occurredAt: now.toISOString(), payload });
    }).immediate();
    d.afterCommit();
    return this.print(noticeId, p.output, p.locale, operator, false);
  }

  view(row: NoticeRow): NoticeView {
    const brief = accountBrief(this.deps.db, row.accountNo);
    const basis = JSON.parse(row.stepsJson) as { steps: NoticeView['steps']; noticeDays: number | null; callBeforeHours: number | null };
    const bills = JSON.parse(row.billsJson) as NoticeView['bills'];
    return {
      noticeId: row.noticeId,
      noticeNo: row.noticeNo,
      accountNo: row.accountNo,
      name: brief?.name ?? '',
      address: brief?.address ?? '',
      customerClass: (brief?.customerClass ?? row.customerClass) as NoticeView['customerClass'],
      kind: row.kind,
      servedOn: row.servedOn,
      bills,
      overdueFen: row.overdueFen,
      lateFeeFen: bills.reduce((s, b) => s + b.lateFeeFen, 0),
      earliestDisconnectOn: row.earliestDisconnectOn,
      noticeDays: basis.noticeDays,
      callBeforeHours: basis.callBeforeHours,
      steps: basis.steps,
      operatorId: row.operatorId,
      createdAt: row.createdAt,
      printedCount: row.printedCount,
    };
  }

  list(accountNo: string): { items: NoticeView[] } {
    return { items: noticesOf(this.deps.db, accountNo).map((r) => this.view(r)) };
  }

  /** Lay the served notice out and print it; `reprint` journals it as such (the first print after serving is not). */
  async print(noticeId: string, output: 'pdf' | 'receipt', locale: Locale | undefined, operator: OperatorView, reprint = true): Promise<NoticeIssued> {
    const d = this.deps;
    const row = noticeById(d.db, noticeId);
    if (!row) throw new AppError('collection.notice_not_found', { noticeId });
    const notice = this.view(row);
    const lng = locale ?? d.defaultLocale;
    const doc = noticeDocument(notice, d.translators[lng], { header: d.receipt.header, hotline: d.receipt.hotline, terminalId: d.terminalId });
    let pdf: NoticeIssued['pdf'] = null;
    let printed: PrintOutcome | null = null;
    let error = null;
    if (output === 'pdf') {
      const bytes = await noticePdf(doc, d.noticeFonts, new Date(row.createdAt));
      pdf = { fileName: `${row.noticeNo}.pdf`, mimeType: 'application/pdf', base64: bytes.toString('base64') };
    } else {
      if (!d.printer) error = toWireError(new DeviceError('device.not_found', { device: 'printer' }));
      else {
        try {
          await d.printer.print(noticeReceipt(doc));
        } catch (err) {
          error = toWireError(err);
        }
      }
      printed = { printed: error === null, error };
    }
    const at = d.clock().toISOString();
    d.db.transaction(() => {
      if (error === null) markNoticePrinted(d.db, noticeId);
      appendJournal(d.db, {
        type: error ? 'notice.print_failed' : reprint ? 'notice.reprinted' : 'notice.printed',
        ref: noticeId,
        actor: operator.operatorId,
        at,
        payload: { output, locale: lng, ...(error ? { code: error.code } : {}) },
      });
    })();
    const after = noticeById(d.db, noticeId);
    return { notice: after ? this.view(after) : notice, pdf, printed };
  }
}
