/**
 * The reference backend's collection desk: the notices and contacts terminals sync
 * ('notice.issued', 'contact.logged'; 'worklist.assigned' is kept in the event ledger only), checked
 * against the wire schemas and kept per account, so area-wide figures (notices sent → paid within N
 * days) and another terminal's follow-up can rest on them. Own tables, created here.
 */
import type { TerminalEvent } from '../../main/wire/backend-wire.js';
import { ContactLoggedPayloadSchema, NoticeIssuedPayloadSchema, WorklistAssignedPayloadSchema } from '../../main/wire/collection-wire.js';
import type { BackendDb } from './db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS collection_notices (
  notice_id TEXT PRIMARY KEY, notice_no TEXT NOT NULL, account_no TEXT NOT NULL, kind TEXT NOT NULL, served_on TEXT NOT NULL,
  earliest_disconnect_on TEXT, overdue_fen INTEGER NOT NULL, terminal_id TEXT NOT NULL, operator_id TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS collection_notices_account ON collection_notices(account_no, served_on);
CREATE TABLE IF NOT EXISTS collection_contacts (
  contact_id TEXT PRIMARY KEY, account_no TEXT NOT NULL, channel TEXT NOT NULL, outcome TEXT NOT NULL, promise_on TEXT, promise_fen INTEGER,
  terminal_id TEXT NOT NULL, operator_id TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS collection_contacts_account ON collection_contacts(account_no);
`;

type Effect = (e: TerminalEvent, ctx: { readonly terminalId: string; readonly nowIso: string }) => { ok: true } | { ok: false; reason: string };

function malformed(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { ok: false; reason: string } {
  return { ok: false, reason: `malformed_payload: ${error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}` };
}

export class CollectionDesk {
  constructor(private readonly db: BackendDb) {
    db.exec(SCHEMA);
  }

  effects(): Record<string, Effect> {
    return {
      'notice.issued': (e, ctx) => {
        const p = NoticeIssuedPayloadSchema.safeParse(e.payload);
        if (!p.success) return malformed(p.error);
        const n = p.data;
        if ((n.kind === 'disconnection') !== (n.earliestDisconnectOn !== null)) return { ok: false, reason: 'malformed_payload: earliestDisconnectOn' };
        this.db
          .prepare('INSERT OR IGNORE INTO collection_notices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(n.noticeId, n.noticeNo, n.accountNo, n.kind, n.servedOn, n.earliestDisconnectOn, n.overdueFen, ctx.terminalId, n.operatorId, ctx.nowIso);
        return { ok: true };
      },
      'contact.logged': (e, ctx) => {
        const p = ContactLoggedPayloadSchema.safeParse(e.payload);
        if (!p.success) return malformed(p.error);
        const c = p.data;
        if ((c.outcome === 'promised') !== (c.promiseOn !== null)) return { ok: false, reason: 'malformed_payload: promiseOn' };
        this.db
          .prepare('INSERT OR IGNORE INTO collection_contacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(c.contactId, c.accountNo, c.channel, c.outcome, c.promiseOn, c.promiseFen, ctx.terminalId, c.operatorId, ctx.nowIso);
        return { ok: true };
      },
      'worklist.assigned': (e) => {
        const p = WorklistAssignedPayloadSchema.safeParse(e.payload);
        return p.success ? { ok: true } : malformed(p.error);
      },
    };
  }

  notices(): { noticeId: string; noticeNo: string; accountNo: string; kind: string; servedOn: string; earliestDisconnectOn: string | null; overdueFen: number; terminalId: string }[] {
    return this.db
      .prepare(
        `SELECT notice_id AS noticeId, notice_no AS noticeNo, account_no AS accountNo, kind, served_on AS servedOn, earliest_disconnect_on AS earliestDisconnectOn,
           overdue_fen AS overdueFen, terminal_id AS terminalId FROM collection_notices ORDER BY received_at, notice_id`,
      )
      .all() as never;
  }

  contacts(): { contactId: string; accountNo: string; channel: string; outcome: string; promiseOn: string | null; promiseFen: number | null; terminalId: string }[] {
    return this.db
      .prepare('SELECT contact_id AS contactId, account_no AS accountNo, channel, outcome, promise_on AS promiseOn, promise_fen AS promiseFen, terminal_id AS terminalId FROM collection_contacts ORDER BY received_at, contact_id')
      .all() as never;
  }
}
