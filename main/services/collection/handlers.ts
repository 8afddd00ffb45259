/**
 * The collection area's handlers for the core's dispatch (core.ts spreads them into its map):
 * worklist, assignment, export, notices, contacts.
 */
import { AppError, type OperatorView } from '../../contract/index.js';
import type { Locale } from '../../i18n/locales.js';
import { activeStaff, assign } from '../../store/collection.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import type { Session } from '../dispatch.js';
import { Contacts, type LogContactInput } from './contacts.js';
import type { CollectionDeps } from './context.js';
import { Notices } from './notices.js';
import { worklistCsv, worklistXlsx } from './worklist-export.js';
import { Worklist, type WorklistFilter } from './worklist.js';

export type { CollectionDeps } from './context.js';
export const ASSIGN_EVENT = 'worklist.assigned';

function requireOperator(s: Session): OperatorView {
  if (!s.operator) throw new Error('dispatch let an anonymous session through');
  return s.operator;
}

type FilterParams = Omit<WorklistFilter, 'sort'> & { sort: WorklistFilter['sort'] };

export function createCollectionArea(deps: CollectionDeps) {
  const worklist = new Worklist(deps);
  const notices = new Notices(deps);
  const contacts = new Contacts(deps, worklist);

  const assignTo = (p: { accountNos: string[]; assigneeId: string | null }, s: Session) => {
    const op = requireOperator(s);
    if (p.assigneeId !== null && !activeStaff(deps.db).some((x) => x.operatorId === p.assigneeId)) throw new AppError('collection.unknown_assignee', { assigneeId: p.assigneeId });
    const accountNos = [...new Set(p.accountNos)];
    for (const no of accountNos) deps.accounts.cached(no);
    const at = deps.clock().toISOString();
    const eventId = uuidv7(deps.clock);
    deps.db.transaction(() => {
      for (const no of accountNos) assign(deps.db, no, p.assigneeId, op.operatorId, at);
      const payload = { accountNos, assigneeId: p.assigneeId, assignedBy: op.operatorId };
      appendJournal(deps.db, { type: ASSIGN_EVENT, ref: eventId, actor: op.operatorId, at, payload });
      enqueueOutbox(deps.db, { eventId, type: ASSIGN_EVENT, occurredAt: at, payload });
    }).immediate();
    deps.afterCommit();
    return { assigned: accountNos.length };
  };

  const exportList = async (p: FilterParams & { format: 'csv' | 'xlsx'; locale?: Locale | undefined }) => {
    const { computed, matching } = await worklist.select(p);
    const all = await worklist.view(p, 0, matching.length);
    const t = deps.translators[p.locale ?? deps.defaultLocale];
    const bounds = deps.rules.worklist.ageBuckets;
    return p.format === 'csv' ? worklistCsv(all.items, computed.date, bounds, t) : worklistXlsx(all.items, computed.date, bounds, t);
  };

  const handlers = {
    'collection.worklist': (p: FilterParams & { offset: number; limit: number }) => worklist.view(p, p.offset, p.limit),
    'collection.assign': assignTo,
    'collection.export': exportList,
    'collection.noticePreview': (p: { accountNo: string; kind: 'reminder' | 'disconnection' }) => notices.preview(p.accountNo, p.kind),
    'collection.issueNotice': (p: { requestId: string; accountNo: string; kind: 'reminder' | 'disconnection'; output: 'pdf' | 'receipt'; locale?: Locale | undefined }, s: Session) =>
      notices.issue(p, requireOperator(s)),
    'collection.printNotice': (p: { noticeId: string; output: 'pdf' | 'receipt'; locale?: Locale | undefined }, s: Session) => notices.print(p.noticeId, p.output, p.locale, requireOperator(s)),
    'collection.notices': (p: { accountNo: string }) => notices.list(p.accountNo),
    'collection.logContact': (p: LogContactInput, s: Session) => contacts.log(p, requireOperator(s)),
    'collection.contacts': (p: { accountNo: string; locale?: Locale | undefined }) => contacts.list(p.accountNo, p.locale),
  } as const;
  return { worklist, notices, contacts, handlers };
}
