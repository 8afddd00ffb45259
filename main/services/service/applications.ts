/**
 * Service applications (业扩/变更, docs/service.md): new connection, capacity increase, transfer of
 * ownership, name change and account closure, each with the minimal form its rule names, the
 * document checklist, status tracking and an acceptance slip with a reference number printed on
 * the receipt printer. Every step is one transaction with history, journal and outbox.
 */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import { layoutReceiptText } from '../../../kiosk-drivers/printer/receipt-model.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { AppError, type ApplicationTypeView, type ApplicationView, type OperatorView, type WireError } from '../../contract/index.js';
import { checkApplicationForm, formCost } from '../../domain/service/applications.js';
import type { ApplicationTypeRule } from '../../domain/service/rules.js';
import { localDateIn } from '../../domain/service/working-days.js';
import type { Locale } from '../../i18n/locales.js';
import {
  accountFacts,
  appendHistory,
  applicationById,
  applicationByRequest,
  historyOf,
  insertApplication,
  listApplications,
  nextDailyNumber,
  openBillCount,
  operatorName,
  updateApplication,
  type ApplicationRow,
} from '../../store/service.js';
import { localDateTime } from '../clock.js';
import { toWireError } from '../dispatch.js';
import type { ServiceContext } from './service-context.js';

type Status = ApplicationRow['status'];

/** Where each status may go next (documents_pending → accepted happens by documents alone). */
const NEXT: Readonly<Record<Status, readonly Status[]>> = {
  documents_pending: ['rejected'],
  accepted: ['in_review', 'rejected'],
  in_review: ['approved', 'rejected'],
  approved: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

export interface NewApplication {
  readonly requestId: string;
  readonly type: ApplicationRow['type'];
  readonly accountNo?: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
  readonly documents: readonly string[];
}

export class Applications {
  constructor(private readonly ctx: ServiceContext) {}

  types(): ApplicationTypeView[] {
    return this.ctx.deps.rules.applications.types.map((t) => ({
      id: t.id,
      needsAccount: t.needsAccount,
      fields: t.fields,
      documents: t.documents,
      paperForm: t.paperForm,
      counterForm: formCost(t),
    }));
  }

  create(p: NewApplication, op: OperatorView): ApplicationView {
    const { db } = this.ctx;
    const rule = this.rule(p.type);
    const same = applicationByRequest(db, p.requestId);
    if (same) {
      if (same.type !== p.type || same.account_no !== (p.accountNo ?? null)) throw new AppError('service.request_conflict');
      return this.view(same);
    }
    if (rule.needsAccount && !p.accountNo) throw new AppError('application.account_required');
    // The clerk found the account first (search or lookup), so it is in the cache with its bills.
    if (p.accountNo && !accountFacts(db, p.accountNo)) throw new AppError('account.not_found', { accountNo: p.accountNo });
    const form = checkApplicationForm(rule, p.fields);
    if (!form.ok) throw new AppError('application.field_invalid', { field: form.field, problem: form.problem });
    const documents = this.checklist(rule, p.documents);
    if (p.type === 'closure' && p.accountNo) {
      const open = openBillCount(db, p.accountNo);
      if (open > 0) throw new AppError('application.open_bills', { openBills: open });
    }
    const now = this.ctx.now();
    const at = now.toISOString();
    const applicationId = this.ctx.newId();
    const prefix = `YK-${localDateIn(now, this.ctx.deps.config.timeZone).replaceAll('-', '')}-`;
    const status: Status = documents.every((d) => d.received) ? 'accepted' : 'documents_pending';
    let row!: ApplicationRow;
    db.transaction(() => {
      const again = applicationByRequest(db, p.requestId);
      if (again) {
        row = again;
        return;
      }
      row = {
        application_id: applicationId,
        request_id: p.requestId,
        reference_no: `${prefix}${String(nextDailyNumber(db, 'service_applications', 'reference_no', prefix)).padStart(4, '0')}`,
        type: p.type,
        account_no: p.accountNo ?? null,
        fields_json: JSON.stringify(form.values),
        documents_json: JSON.stringify(documents),
        status,
        operator_id: op.operatorId,
        hall_id: this.ctx.hallId,
        created_at: at,
        updated_at: at,
      };
      insertApplication(db, row);
      appendHistory(db, { subject_id: applicationId, at, actor: op.operatorId, action: 'created', status, note: null });
      this.ctx.record('application.created', applicationId, op.operatorId, wireOf(row));
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.view(row);
  }

  documents(applicationId: string, seen: readonly string[], op: OperatorView): ApplicationView {
    const { db } = this.ctx;
    let row!: ApplicationRow;
    db.transaction(() => {
      const current = this.row(applicationId);
      if (current.status !== 'documents_pending' && current.status !== 'accepted') throw new AppError('application.bad_transition', { status: current.status });
      const rule = this.rule(current.type);
      const had = JSON.parse(current.documents_json) as { id: string; received: boolean }[];
      const now = this.checklist(rule, [...had.filter((d) => d.received).map((d) => d.id), ...seen]);
      const status: Status = now.every((d) => d.received) ? 'accepted' : 'documents_pending';
      const at = this.ctx.now().toISOString();
      updateApplication(db, applicationId, { documents_json: JSON.stringify(now), status, updated_at: at });
      appendHistory(db, { subject_id: applicationId, at, actor: op.operatorId, action: 'documents', status, note: seen.join(',') });
      row = this.row(applicationId);
      this.ctx.record('application.updated', applicationId, op.operatorId, wireOf(row));
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.view(row);
  }

  advance(applicationId: string, to: Status, note: string, op: OperatorView): ApplicationView {
    const { db } = this.ctx;
    let row!: ApplicationRow;
    db.transaction(() => {
      const current = this.row(applicationId);
      if (!NEXT[current.status].includes(to)) throw new AppError('application.bad_transition', { status: current.status });
      const at = this.ctx.now().toISOString();
      updateApplication(db, applicationId, { status: to, updated_at: at });
      appendHistory(db, { subject_id: applicationId, at, actor: op.operatorId, action: 'status', status: to, note });
      row = this.row(applicationId);
      this.ctx.record('application.updated', applicationId, op.operatorId, { ...wireOf(row), note });
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.view(row);
  }

  get(applicationId: string): ApplicationView {
    return this.view(this.row(applicationId));
  }

  list(accountNo: string | null): ApplicationView[] {
    return listApplications(this.ctx.db, accountNo).map((r) => this.view(r));
  }

  /** The acceptance slip on the receipt printer; the attempt and its outcome are journaled. */
  async printSlip(applicationId: string, locale: Locale | undefined, op: OperatorView): Promise<{ printed: boolean; error: WireError | null; lines: string[] }> {
    const row = this.row(applicationId);
    const receipt = this.slip(row, locale ?? this.ctx.deps.config.defaultLocale);
    const lines = layoutReceiptText(receipt);
    let error: WireError | null = null;
    const printer = this.ctx.deps.printer;
    if (!printer) error = toWireError(new DeviceError('device.not_found', { device: 'printer' }));
    else {
      try {
        await printer.print(receipt);
      } catch (err) {
        error = toWireError(err);
      }
    }
    this.ctx.db.transaction(() => {
      this.ctx.journal(error ? 'application.slip_failed' : 'application.slip_printed', applicationId, op.operatorId, error ? { code: error.code } : {});
    })();
    return { printed: error === null, error, lines };
  }

  private slip(row: ApplicationRow, locale: Locale): Receipt {
    const t = this.ctx.deps.translators[locale];
    const { config } = this.ctx.deps;
    const fields = JSON.parse(row.fields_json) as Record<string, string>;
    const documents = JSON.parse(row.documents_json) as { id: string; received: boolean }[];
    const lines: ReceiptLine[] = [
      { kind: 'text', text: config.receipt.header, align: 'center', bold: true },
      { kind: 'text', text: t('service.slip.title'), align: 'center', bold: true, size: 2 },
      { kind: 'rule' },
      { kind: 'pair', left: t('service.slip.reference'), right: row.reference_no, bold: true },
      { kind: 'pair', left: t('service.slip.type'), right: t(`service.application.types.${row.type}`) },
      ...(row.account_no ? [{ kind: 'pair', left: t('service.slip.account'), right: row.account_no } as const] : []),
      ...Object.entries(fields).map(([k, v]) => ({ kind: 'pair', left: t(`service.application.fields.${k}`), right: k === 'idNumber' ? maskId(v) : v }) as const),
      { kind: 'rule' },
      { kind: 'text', text: t('service.slip.documents') },
      ...documents.map((d) => ({ kind: 'pair', left: t(`service.application.documents.${d.id}`), right: d.received ? t('service.slip.received') : t('service.slip.missing') }) as const),
      { kind: 'rule' },
      { kind: 'pair', left: t('service.slip.status'), right: t(`service.application.statuses.${row.status}`) },
      { kind: 'pair', left: t('receipt.operator'), right: `${row.operator_id} ${operatorName(this.ctx.db, row.operator_id)}` },
      { kind: 'pair', left: t('receipt.terminal'), right: config.terminalId },
      { kind: 'pair', left: t('receipt.time'), right: localDateTime(new Date(row.created_at), config.timeZone) },
      { kind: 'barcode', data: row.reference_no },
      { kind: 'text', text: t('service.slip.keep'), align: 'center' },
      { kind: 'text', text: t('receipt.hotline', { hotline: config.receipt.hotline }), align: 'center' },
      { kind: 'feed', lines: 3 },
    ];
    return { lines };
  }

  private checklist(rule: ApplicationTypeRule, seen: readonly string[]): { id: string; received: boolean }[] {
    for (const d of seen) if (!rule.documents.includes(d)) throw new AppError('application.unknown_document', { document: d });
    return rule.documents.map((id) => ({ id, received: seen.includes(id) }));
  }

  private rule(type: string): ApplicationTypeRule {
    const rule = this.ctx.deps.rules.applications.types.find((t) => t.id === type);
    if (!rule) throw new AppError('application.unknown_type', { type });
    return rule;
  }

  private row(applicationId: string): ApplicationRow {
    const row = applicationById(this.ctx.db, applicationId);
    if (!row) throw new AppError('application.not_found');
    return row;
  }

  private view(r: ApplicationRow): ApplicationView {
    return {
      applicationId: r.application_id,
      referenceNo: r.reference_no,
      type: r.type,
      accountNo: r.account_no,
      fields: JSON.parse(r.fields_json) as Record<string, string>,
      documents: JSON.parse(r.documents_json) as { id: string; received: boolean }[],
      status: r.status,
      operatorId: r.operator_id,
      createdAt: r.created_at,
      history: historyOf(this.ctx.db, r.application_id).map((h) => ({ at: h.at, actor: h.actor, action: h.action, status: h.status, note: h.note })),
    };
  }
}

/** An ID number on paper: the first 6 and last 4 characters. */
function maskId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}` : id;
}

function wireOf(r: ApplicationRow): Record<string, unknown> {
  return {
    applicationId: r.application_id,
    referenceNo: r.reference_no,
    type: r.type,
    accountNo: r.account_no,
    fields: JSON.parse(r.fields_json) as unknown,
    documents: JSON.parse(r.documents_json) as unknown,
    status: r.status,
    operatorId: r.operator_id,
    hallId: r.hall_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
