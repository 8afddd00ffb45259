/**
 * The audit area's handlers for the core's dispatch (core.ts spreads them into its map), and the
 * gate that refuses money while the journal's integrity is in doubt. Inspection is read-only: the
 * only writes are the journal entries that record a verification or an acknowledgement.
 */
import { MONEY_METHODS, type JournalEntryView, type OperatorView } from '../../contract/index.js';
import type { AuditRules } from '../../domain/audit/rules.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import { findEntries } from '../../store/journal-audit.js';
import { appendJournal } from '../../store/journal.js';
import type { Clock } from '../clock.js';
import type { Handlers, Session } from '../dispatch.js';
import { localDayRange } from '../shift/local-day.js';
import { anomalyCsv, anomalyXlsx } from './anomaly-export.js';
import { anomalyReport } from './anomaly-report.js';
import type { IntegrityGuard } from './integrity.js';

export interface AuditAreaDeps {
  readonly db: Db;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly defaultLocale: Locale;
  readonly rules: AuditRules;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly integrity: IntegrityGuard;
}

function operatorOf(s: Session): OperatorView {
  if (!s.operator) throw new Error('dispatch let an anonymous session through');
  return s.operator;
}

function accountOf(payload: string): string | null {
  const m = /"accountNo":"(\d{1,20})"/.exec(payload);
  return m?.[1] ?? null;
}

export function createAuditHandlers(deps: AuditAreaDeps) {
  const { db, integrity } = deps;
  return {
    'audit.status': () => integrity.view(),
    'audit.verify': (_p: object, s: Session) => integrity.verify(operatorOf(s).operatorId),
    'audit.acknowledge': (p: { reason: string }, s: Session) => integrity.acknowledge(operatorOf(s), p.reason),
    'audit.entries': (p: { type?: string | undefined; actor?: string | undefined; accountNo?: string | undefined; from?: string | undefined; to?: string | undefined; afterSeq?: number | undefined; limit: number }) => {
      const rows = findEntries(db, {
        ...(p.type?.endsWith('.') ? { typePrefix: p.type } : { type: p.type }),
        actor: p.actor,
        accountNo: p.accountNo,
        from: p.from ? localDayRange(p.from, deps.timeZone).from : undefined,
        to: p.to ? localDayRange(p.to, deps.timeZone).to : undefined,
        afterSeq: p.afterSeq,
        limit: p.limit + 1,
      });
      const items: JournalEntryView[] = rows.slice(0, p.limit).map((r) => ({ ...r, accountNo: accountOf(r.payload) }));
      return { items, more: rows.length > p.limit };
    },
    'audit.anomalies': (p: { from: string; to: string; actor?: string | undefined; kinds?: Parameters<typeof anomalyReport>[3]['kinds'] }) => {
      const { all: _all, ...view } = anomalyReport(db, deps.rules, deps.timeZone, p);
      return view;
    },
    'audit.export': async (p: { from: string; to: string; actor?: string | undefined; kinds?: Parameters<typeof anomalyReport>[3]['kinds']; format: 'csv' | 'xlsx'; locale?: Locale | undefined }) => {
      const report = anomalyReport(db, deps.rules, deps.timeZone, p);
      const t = deps.translators[p.locale ?? deps.defaultLocale];
      return p.format === 'csv' ? anomalyCsv(report, t, deps.terminalId, deps.timeZone) : anomalyXlsx(report, t, deps.terminalId, deps.timeZone);
    },
  } satisfies Partial<Handlers>;
}

/**
 * The handlers with the audit area's two cross-cutting duties: MONEY_METHODS behind the integrity
 * guard (refused while the chain is in doubt), and every account lookup journaled (no event) —
 * an inspector looks for one account looked up again and again.
 */
export function integrityGated(handlers: Handlers, integrity: IntegrityGuard, db: Db, clock: Clock): Handlers {
  const gated = { ...handlers } as unknown as Record<string, (params: unknown, session: Session) => unknown>;
  for (const name of MONEY_METHODS) {
    const handler = handlers[name] as (params: unknown, session: Session) => unknown;
    gated[name] = (params, session) => {
      integrity.assertMoneyAllowed();
      return handler(params, session);
    };
  }
  const lookup = handlers['account.lookup'];
  gated['account.lookup'] = async (params, session) => {
    const view = await lookup(params as Parameters<typeof lookup>[0], session);
    appendJournal(db, {
      type: 'account.looked_up',
      ref: view.accountNo,
      actor: operatorOf(session).operatorId,
      at: clock().toISOString(),
      payload: { accountNo: view.accountNo, source: view.source },
    });
    return view;
  };
  return gated as unknown as Handlers;
}
