/**
 * Complaints and suggestions (docs/service.md): taken at the counter with deadlines from the
 * category's rule in working days, escalated when a deadline nears and again when it passes,
 * replied, resolved with a closing note and closed with the customer's confirmation. Every step is
 * one transaction: the row, its status history, the journal entry and the outbox event.
 */
import { AppError, type ComplaintView, type OperatorView } from '../../contract/index.js';
import { escalationLevel, escalationsDue, isOverdue, type EscalationStage } from '../../domain/service/complaint-deadlines.js';
import { localDateIn, workingDayDeadline } from '../../domain/service/working-days.js';
import {
  allComplaints,
  appendHistory,
  complaintById,
  complaintByRequest,
  historyOf,
  insertComplaint,
  nextDailyNumber,
  unresolvedComplaints,
  updateComplaint,
  type ComplaintRow,
} from '../../store/service.js';
import type { ServiceContext } from './service-context.js';

export interface NewComplaint {
  readonly requestId: string;
  readonly category: string;
  readonly text: string;
  readonly contactName?: string | undefined;
  readonly contactPhone?: string | undefined;
  readonly accountNo?: string | undefined;
  readonly transactionId?: string | undefined;
}

export class Complaints {
  constructor(private readonly ctx: ServiceContext) {}

  create(p: NewComplaint, op: OperatorView): ComplaintView {
    const { db } = this.ctx;
    const rule = this.ctx.deps.rules.complaints.categories.find((c) => c.id === p.category);
    if (!rule) throw new AppError('complaint.unknown_category', { category: p.category });
    const same = complaintByRequest(db, p.requestId);
    if (same) return this.sameRequest(same, p);
    const now = this.ctx.now();
    const { timeZone } = this.ctx.deps.config;
    const cal = this.ctx.deps.rules.calendar;
    const complaintId = this.ctx.newId();
    const at = now.toISOString();
    const prefix = `TS-${localDateIn(now, timeZone).replaceAll('-', '')}-`;
    let row!: ComplaintRow;
    db.transaction(() => {
      const again = complaintByRequest(db, p.requestId);
      if (again) {
        row = again;
        return;
      }
      row = {
        complaint_id: complaintId,
        request_id: p.requestId,
        tracking_no: `${prefix}${String(nextDailyNumber(db, 'complaints', 'tracking_no', prefix)).padStart(4, '0')}`,
        kind: rule.kind,
        category: rule.id,
        text: p.text,
        contact_name: p.contactName || null,
        contact_phone: p.contactPhone || null,
        account_no: p.accountNo ?? null,
        transaction_id: p.transactionId ?? null,
        status: 'open',
        reply_due_at: workingDayDeadline(now, rule.replyWorkingDays, cal, timeZone).toISOString(),
        resolve_due_at: workingDayDeadline(now, rule.resolveWorkingDays, cal, timeZone).toISOString(),
        replied_at: null,
        resolved_at: null,
        closed_at: null,
        escalations_json: '[]',
        closing_note: null,
        customer_satisfied: null,
        operator_id: op.operatorId,
        hall_id: this.ctx.hallId,
        created_at: at,
        updated_at: at,
      };
      insertComplaint(db, row);
      appendHistory(db, { subject_id: complaintId, at, actor: op.operatorId, action: 'created', status: 'open', note: null });
      this.ctx.record('complaint.created', complaintId, op.operatorId, { ...wireOf(row) });
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.view(row);
  }

  /** Escalates what is due, then lists: overdue first, then by the nearest open deadline. */
  list(include: 'open' | 'all'): ComplaintView[] {
    this.sweep();
    const views = allComplaints(this.ctx.db, include === 'open').map((r) => this.view(r));
    const nextDue = (v: ComplaintView) => (v.status === 'open' ? v.replyDueAt : v.status === 'replied' ? v.resolveDueAt : '9999');
    return views.sort((a, b) => Number(b.overdue) - Number(a.overdue) || nextDue(a).localeCompare(nextDue(b)) || a.createdAt.localeCompare(b.createdAt));
  }

  get(complaintId: string): ComplaintView {
    this.sweep();
    return this.view(this.row(complaintId));
  }

  reply(complaintId: string, note: string, op: OperatorView): ComplaintView {
    return this.step(complaintId, op, ['open'], 'replied', 'replied', note, (at) => ({ replied_at: at }));
  }

  resolve(complaintId: string, closingNote: string, op: OperatorView): ComplaintView {
    return this.step(complaintId, op, ['open', 'replied'], 'resolved', 'resolved', closingNote, (at, row) => ({
      resolved_at: at,
      closing_note: closingNote,
      // Resolving answers the customer too: the reply deadline is met by the resolution.
      replied_at: row.replied_at ?? at,
    }));
  }

  confirm(complaintId: string, satisfied: boolean, note: string | undefined, op: OperatorView): ComplaintView {
    return this.step(complaintId, op, ['resolved'], 'closed', satisfied ? 'confirmed_satisfied' : 'confirmed_unsatisfied', note ?? null, (at) => ({
      closed_at: at,
      customer_satisfied: satisfied ? 1 : 0,
    }));
  }

  /**
   * Records every escalation stage that has come and is not recorded yet (each once), each with its
   * history row, journal entry and complaint.escalated event. Runs on the area's timer and before lists.
   */
  sweep(): number {
    const { db } = this.ctx;
    const now = this.ctx.now();
    const before = this.ctx.deps.rules.complaints.escalateBeforeHours;
    let recorded = 0;
    for (const row of unresolvedComplaints(db)) {
      const done = JSON.parse(row.escalations_json) as EscalationStage[];
      const fresh = escalationsDue(clockOf(row), now, before).filter((s) => !done.includes(s));
      if (fresh.length === 0) continue;
      db.transaction(() => {
        const current = complaintById(db, row.complaint_id);
        if (!current) return;
        const have = JSON.parse(current.escalations_json) as EscalationStage[];
        const add = fresh.filter((s) => !have.includes(s));
        if (add.length === 0) return;
        const at = now.toISOString();
        updateComplaint(db, row.complaint_id, { escalations_json: JSON.stringify([...have, ...add]), updated_at: at });
        for (const stage of add) {
          const level = escalationLevel(stage);
          appendHistory(db, { subject_id: row.complaint_id, at, actor: 'system', action: 'escalated', status: current.status, note: stage });
          this.ctx.record('complaint.escalated', row.complaint_id, 'system', {
            complaintId: row.complaint_id,
            trackingNo: row.tracking_no,
            stage,
            level,
            to: level === 1 ? 'supervisor' : 'manager',
            dueAt: stage.startsWith('reply') ? row.reply_due_at : row.resolve_due_at,
            hallId: row.hall_id,
          });
          recorded += 1;
        }
      }).immediate();
    }
    if (recorded > 0) this.ctx.deps.afterCommit();
    return recorded;
  }

  private step(
    complaintId: string,
    op: OperatorView,
    from: readonly ComplaintRow['status'][],
    to: ComplaintRow['status'],
    action: string,
    note: string | null,
    patch: (at: string, row: ComplaintRow) => Partial<ComplaintRow>,
  ): ComplaintView {
    const { db } = this.ctx;
    let row!: ComplaintRow;
    db.transaction(() => {
      const current = this.row(complaintId);
      if (!from.includes(current.status)) throw new AppError('complaint.bad_transition', { status: current.status });
      const at = this.ctx.now().toISOString();
      updateComplaint(db, complaintId, { ...patch(at, current), status: to, updated_at: at });
      appendHistory(db, { subject_id: complaintId, at, actor: op.operatorId, action, status: to, note });
      row = this.row(complaintId);
      this.ctx.record(`complaint.${action === 'replied' ? 'replied' : action === 'resolved' ? 'resolved' : 'closed'}`, complaintId, op.operatorId, { ...wireOf(row), note });
    }).immediate();
    this.ctx.deps.afterCommit();
    return this.view(row);
  }

  private row(complaintId: string): ComplaintRow {
    const row = complaintById(this.ctx.db, complaintId);
    if (!row) throw new AppError('complaint.not_found');
    return row;
  }

  private sameRequest(row: ComplaintRow, p: NewComplaint): ComplaintView {
    // A retried request answers the same complaint; the same id with other content is refused.
    if (row.text !== p.text || row.category !== p.category) throw new AppError('service.request_conflict');
    return this.view(row);
  }

  private view(r: ComplaintRow): ComplaintView {
    const escalations = JSON.parse(r.escalations_json) as EscalationStage[];
    return {
      complaintId: r.complaint_id,
      trackingNo: r.tracking_no,
      kind: r.kind,
      category: r.category,
      text: r.text,
      contactName: r.contact_name,
      contactPhone: r.contact_phone,
      accountNo: r.account_no,
      transactionId: r.transaction_id,
      status: r.status,
      replyDueAt: r.reply_due_at,
      resolveDueAt: r.resolve_due_at,
      repliedAt: r.replied_at,
      resolvedAt: r.resolved_at,
      closedAt: r.closed_at,
      overdue: isOverdue(clockOf(r), this.ctx.now()),
      escalationLevel: escalations.reduce((m, s) => Math.max(m, escalationLevel(s)), 0),
      closingNote: r.closing_note,
      customerSatisfied: r.customer_satisfied === null ? null : r.customer_satisfied === 1,
      operatorId: r.operator_id,
      createdAt: r.created_at,
      history: historyOf(this.ctx.db, r.complaint_id).map((h) => ({ at: h.at, actor: h.actor, action: h.action, status: h.status, note: h.note })),
    };
  }
}

function clockOf(r: ComplaintRow) {
  return { replyDueAt: r.reply_due_at, resolveDueAt: r.resolve_due_at, repliedAt: r.replied_at, resolvedAt: r.resolved_at };
}

/** What the backend keeps of a complaint (each event carries the whole current state). */
function wireOf(r: ComplaintRow): Record<string, unknown> {
  return {
    complaintId: r.complaint_id,
    trackingNo: r.tracking_no,
    kind: r.kind,
    category: r.category,
    text: r.text,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    accountNo: r.account_no,
    transactionId: r.transaction_id,
    status: r.status,
    replyDueAt: r.reply_due_at,
    resolveDueAt: r.resolve_due_at,
    closingNote: r.closing_note,
    customerSatisfied: r.customer_satisfied === null ? null : r.customer_satisfied === 1,
    operatorId: r.operator_id,
    hallId: r.hall_id,
    createdAt: r.created_at,
  };
}
