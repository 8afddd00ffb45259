/**
 * The collection desk's events on the PG intake, as CollectionDesk (collection-desk.ts) keeps them
 * on SQLite: notices ('notice.issued') and contacts ('contact.logged') checked against the wire
 * schemas and kept once per id, 'worklist.assigned' checked and kept in the ledger only. Refusals
 * use SQLite's words, decided before the claim (a claimed event is never taken back).
 */
import type pg from 'pg';
import type { TerminalEvent } from '../../../main/wire/backend-wire.js';
import {
  ContactLoggedPayloadSchema,
  NoticeIssuedPayloadSchema,
  WorklistAssignedPayloadSchema,
  type ContactLoggedPayload,
  type NoticeIssuedPayload,
} from '../../../main/wire/collection-wire.js';
import type { StoredContact, StoredNotice } from './backend-store.js';

export const COLLECTION_EVENTS: ReadonlySet<string> = new Set(['notice.issued', 'contact.logged', 'worklist.assigned']);

export const PG_COLLECTION_SCHEMA = `
CREATE TABLE IF NOT EXISTS collection_notices (
  notice_id text PRIMARY KEY, notice_no text NOT NULL, account_no text NOT NULL, kind text NOT NULL, served_on text NOT NULL,
  earliest_disconnect_on text, overdue_fen bigint NOT NULL, terminal_id text NOT NULL, operator_id text NOT NULL, received_at text NOT NULL);
CREATE INDEX IF NOT EXISTS collection_notices_account ON collection_notices(account_no, served_on);
CREATE TABLE IF NOT EXISTS collection_contacts (
  contact_id text PRIMARY KEY, account_no text NOT NULL, channel text NOT NULL, outcome text NOT NULL, promise_on text, promise_fen bigint,
  terminal_id text NOT NULL, operator_id text NOT NULL, received_at text NOT NULL);
CREATE INDEX IF NOT EXISTS collection_contacts_account ON collection_contacts(account_no);
`;

export type CollectionItem = { readonly kind: 'notice'; readonly n: NoticeIssuedPayload } | { readonly kind: 'contact'; readonly c: ContactLoggedPayload } | { readonly kind: 'worklist' };

/** SQLite's words (collection-desk.ts's own format: the path, even when empty, then the message). */
function malformed(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return `malformed_payload: ${error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`;
}

/** A collection event's refusal before the claim, its payload kept in `items`; null for other events. */
export function collectionRefusal(event: TerminalEvent, items: Map<string, CollectionItem>): string | null {
  if (!COLLECTION_EVENTS.has(event.type)) return null;
  let item: CollectionItem;
  if (event.type === 'notice.issued') {
    const p = NoticeIssuedPayloadSchema.safeParse(event.payload);
    if (!p.success) return malformed(p.error);
    if ((p.data.kind === 'disconnection') !== (p.data.earliestDisconnectOn !== null)) return 'malformed_payload: earliestDisconnectOn';
    item = { kind: 'notice', n: p.data };
  } else if (event.type === 'contact.logged') {
    const p = ContactLoggedPayloadSchema.safeParse(event.payload);
    if (!p.success) return malformed(p.error);
    if ((p.data.outcome === 'promised') !== (p.data.promiseOn !== null)) return 'malformed_payload: promiseOn';
    item = { kind: 'contact', c: p.data };
  } else {
    const p = WorklistAssignedPayloadSchema.safeParse(event.payload);
    if (!p.success) return malformed(p.error);
    item = { kind: 'worklist' };
  }
  if (!items.has(event.eventId)) items.set(event.eventId, item);
  return null;
}

/** The statements keeping a batch's notices and contacts, in batch order (the first of one id kept, as INSERT OR IGNORE). */
export function collectionWritesSql(
  items: readonly CollectionItem[],
  terminalId: string,
  nowIso: string,
  h: { lit: (v: string | null) => string; textArray: (v: readonly (string | null)[]) => string; intArray: (v: readonly number[]) => string },
): string[] {
  const out: string[] = [];
  const notices = items.flatMap((i) => (i.kind === 'notice' ? [i.n] : []));
  const contacts = items.flatMap((i) => (i.kind === 'contact' ? [i.c] : []));
  if (notices.length > 0) {
    out.push(
      `INSERT INTO collection_notices (notice_id, notice_no, account_no, kind, served_on, earliest_disconnect_on, overdue_fen, terminal_id, operator_id, received_at)
       SELECT i, no, a, k, s, ed, f, ${h.lit(terminalId)}, op, ${h.lit(nowIso)}
       FROM unnest(${h.textArray(notices.map((n) => n.noticeId))}, ${h.textArray(notices.map((n) => n.noticeNo))}, ${h.textArray(notices.map((n) => n.accountNo))},
         ${h.textArray(notices.map((n) => n.kind))}, ${h.textArray(notices.map((n) => n.servedOn))}, ${h.textArray(notices.map((n) => n.earliestDisconnectOn))},
         ${h.intArray(notices.map((n) => n.overdueFen))}, ${h.textArray(notices.map((n) => n.operatorId))}) WITH ORDINALITY AS t(i, no, a, k, s, ed, f, op, n)
       ORDER BY n
       ON CONFLICT DO NOTHING`,
    );
  }
  if (contacts.length > 0) {
    // A promise's amount may be null: carried as text, so one array holds the nulls.
    out.push(
      `INSERT INTO collection_contacts (contact_id, account_no, channel, outcome, promise_on, promise_fen, terminal_id, operator_id, received_at)
       SELECT i, a, ch, o, po, pf::bigint, ${h.lit(terminalId)}, op, ${h.lit(nowIso)}
       FROM unnest(${h.textArray(contacts.map((c) => c.contactId))}, ${h.textArray(contacts.map((c) => c.accountNo))}, ${h.textArray(contacts.map((c) => c.channel))},
         ${h.textArray(contacts.map((c) => c.outcome))}, ${h.textArray(contacts.map((c) => c.promiseOn))}, ${h.textArray(contacts.map((c) => (c.promiseFen === null ? null : String(c.promiseFen))))},
         ${h.textArray(contacts.map((c) => c.operatorId))}) WITH ORDINALITY AS t(i, a, ch, o, po, pf, op, n)
       ORDER BY n
       ON CONFLICT DO NOTHING`,
    );
  }
  return out;
}

/** As CollectionDesk.notices: by arrival, then id (compared byte-wise, as SQLite compares text). */
export async function readNotices(pool: pg.Pool): Promise<StoredNotice[]> {
  const r = await pool.query<{ notice_id: string; notice_no: string; account_no: string; kind: string; served_on: string; earliest_disconnect_on: string | null; overdue_fen: string; terminal_id: string }>(
    'SELECT * FROM collection_notices ORDER BY received_at COLLATE "C", notice_id COLLATE "C"',
  );
  return r.rows.map((n) => ({
    noticeId: n.notice_id, noticeNo: n.notice_no, accountNo: n.account_no, kind: n.kind, servedOn: n.served_on, earliestDisconnectOn: n.earliest_disconnect_on,
    overdueFen: Number(n.overdue_fen), terminalId: n.terminal_id,
  }));
}

/** As CollectionDesk.contacts: by arrival, then id. */
export async function readContacts(pool: pg.Pool): Promise<StoredContact[]> {
  const r = await pool.query<{ contact_id: string; account_no: string; channel: string; outcome: string; promise_on: string | null; promise_fen: string | null; terminal_id: string }>(
    'SELECT * FROM collection_contacts ORDER BY received_at COLLATE "C", contact_id COLLATE "C"',
  );
  return r.rows.map((c) => ({
    contactId: c.contact_id, accountNo: c.account_no, channel: c.channel, outcome: c.outcome, promiseOn: c.promise_on,
    promiseFen: c.promise_fen === null ? null : Number(c.promise_fen), terminalId: c.terminal_id,
  }));
}
