/**
 * The backend's enrolment desk (docs/backend.md, "Provisioning"): sites and their settings,
 * one-time enrolment codes, the terminals enrolled with them and their HMAC secrets, and a journal
 * of every code issued, every enrolment and every refused attempt, on SQLite (the PostgreSQL
 * store's equivalent is store/pg-enrolment.ts: the same tables, codes and refusals).
 *
 * Codes are kept as SHA-256 hashes: the table leaks no usable code. Using one is a single
 * conditional UPDATE inside the enrolment's transaction, so two terminals racing with the same
 * code cannot both enrol.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  ENROLMENT_CODE_RANDOM_SYMBOLS,
  formatEnrolmentCode,
  normalizeEnrolmentCode,
  SiteSettingsSchema,
  type EnrolmentJournalEntry,
  type EnrolmentRefusal,
  type EnrolReply,
  type IssuedCode,
  type SiteSettings,
} from '../../main/wire/enrolment-wire.js';
import type { BackendDb } from './db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS enrolment_sites (site_id TEXT PRIMARY KEY, settings_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes (
  code_hash TEXT PRIMARY KEY, code_hint TEXT NOT NULL, site_id TEXT NOT NULL REFERENCES enrolment_sites (site_id),
  mode TEXT NOT NULL CHECK (mode IN ('counter', 'kiosk')), issued_at TEXT NOT NULL, expires_at TEXT NOT NULL,
  issued_by TEXT NOT NULL, used_at TEXT, terminal_id TEXT);
CREATE TABLE IF NOT EXISTS enrolled_terminals (
  terminal_id TEXT PRIMARY KEY, secret TEXT NOT NULL, site_id TEXT NOT NULL, mode TEXT NOT NULL,
  enrolled_at TEXT NOT NULL, code_hash TEXT NOT NULL UNIQUE, hostname TEXT);
CREATE TABLE IF NOT EXISTS enrolment_journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('code.issued', 'terminal.enrolled', 'enrolment.refused')),
  site_id TEXT, mode TEXT, code_hint TEXT, terminal_id TEXT, reason TEXT, actor TEXT);
`;

/** The demo's hall: what `npm start`'s backend offers before an admin defines sites of its own. */
export const DEMO_SITE: { readonly siteId: string; readonly settings: SiteSettings } = {
  siteId: 'HALL01',
  settings: { receipt: { header: '国网三门峡供电公司 湖滨营业厅', hotline: '95598' }, timeZone: 'Asia/Shanghai', defaultLocale: 'zh-CN', hallId: 'HALL01' },
};

export type EnrolOutcome = { readonly ok: true; readonly reply: EnrolReply } | { readonly ok: false; readonly refusal: EnrolmentRefusal };

/** What the tables keep of a code (its canonical form, normalizeEnrolmentCode). */
export const hashEnrolmentCode = (canonical: string): string => createHash('sha256').update(`griddesk-enrolment-1\n${canonical}`).digest('hex');
const hashCode = hashEnrolmentCode;

/** A fresh one-time code, check symbol included (XXXX-XXXX-XXXX). */
export const newEnrolmentCode = (): string => formatEnrolmentCode(Array.from({ length: ENROLMENT_CODE_RANDOM_SYMBOLS }, () => randomInt(32)));

export class EnrolmentDesk {
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
  ) {
    db.exec(SCHEMA);
    db.prepare('INSERT OR IGNORE INTO enrolment_sites (site_id, settings_json) VALUES (?, ?)').run(DEMO_SITE.siteId, JSON.stringify(DEMO_SITE.settings));
    for (const r of db.prepare<[], { terminal_id: string; secret: string }>('SELECT terminal_id, secret FROM enrolled_terminals').all()) this.secrets.set(r.terminal_id, r.secret);
  }

  /** The HMAC secret of an enrolled terminal (request signing), or undefined. */
  secretFor(terminalId: string): string | undefined {
    const known = this.secrets.get(terminalId);
    if (known !== undefined) return known;
    // Another server on the same file may have enrolled it since this one started.
    const row = this.db.prepare<[string], { secret: string }>('SELECT secret FROM enrolled_terminals WHERE terminal_id = ?').get(terminalId);
    if (row) this.secrets.set(terminalId, row.secret);
    return row?.secret;
  }

  putSite(siteId: string, settings: SiteSettings): void {
    this.db
      .prepare('INSERT INTO enrolment_sites (site_id, settings_json) VALUES (?, ?) ON CONFLICT (site_id) DO UPDATE SET settings_json = excluded.settings_json')
      .run(siteId, JSON.stringify(SiteSettingsSchema.parse(settings)));
  }

  /** A new one-time code; null when the site is unknown. */
  issue(req: { siteId: string; mode: 'counter' | 'kiosk'; ttlMinutes: number; issuedBy: string }): IssuedCode | null {
    const code = newEnrolmentCode();
    const canonical = normalizeEnrolmentCode(code) as string;
    const issuedAt = this.nowIso();
    const expiresAt = new Date(Date.parse(issuedAt) + req.ttlMinutes * 60_000).toISOString();
    const issued = this.db.transaction((): boolean => {
      if (this.db.prepare('SELECT 1 FROM enrolment_sites WHERE site_id = ?').get(req.siteId) === undefined) return false;
      this.db
        .prepare('INSERT INTO enrolment_codes (code_hash, code_hint, site_id, mode, issued_at, expires_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(hashCode(canonical), canonical.slice(-4), req.siteId, req.mode, issuedAt, expiresAt, req.issuedBy);
      this.journal({ kind: 'code.issued', siteId: req.siteId, mode: req.mode, codeHint: canonical.slice(-4), actor: req.issuedBy });
      return true;
    }).immediate();
    return issued ? { code, siteId: req.siteId, mode: req.mode, expiresAt } : null;
  }

  /** Uses the code once: a terminal id and secret for its site and mode, or why not (journaled either way). */
  enrol(typed: string, meta: { hostname?: string | undefined } = {}): EnrolOutcome {
    const canonical = normalizeEnrolmentCode(typed);
    const actor = meta.hostname ?? null;
    if (canonical === null) {
      this.journal({ kind: 'enrolment.refused', reason: 'code_malformed', actor });
      return { ok: false, refusal: 'code_malformed' };
    }
    const hint = canonical.slice(-4);
    const now = this.nowIso();
    return this.db.transaction((): EnrolOutcome => {
      const row = this.db
        .prepare<[string], { site_id: string; mode: 'counter' | 'kiosk'; expires_at: string; used_at: string | null }>(
          'SELECT site_id, mode, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?',
        )
        .get(hashCode(canonical));
      const refusal: EnrolmentRefusal | null = row === undefined ? 'code_unknown' : row.used_at !== null ? 'code_used' : Date.parse(row.expires_at) <= Date.parse(now) ? 'code_expired' : null;
      if (refusal !== null || row === undefined) {
        this.journal({ kind: 'enrolment.refused', siteId: row?.site_id ?? null, mode: row?.mode ?? null, codeHint: hint, reason: refusal, actor });
        return { ok: false, refusal: refusal ?? 'code_unknown' };
      }
      const terminalId = this.nextTerminalId(row.site_id, row.mode);
      // The one write that decides who got the code: a second user finds used_at set.
      const claimed = this.db.prepare('UPDATE enrolment_codes SET used_at = ?, terminal_id = ? WHERE code_hash = ? AND used_at IS NULL').run(now, terminalId, hashCode(canonical));
      if (claimed.changes !== 1) {
        this.journal({ kind: 'enrolment.refused', siteId: row.site_id, mode: row.mode, codeHint: hint, reason: 'code_used', actor });
        return { ok: false, refusal: 'code_used' };
      }
      const secret = randomBytes(32).toString('hex');
      this.db
        .prepare('INSERT INTO enrolled_terminals (terminal_id, secret, site_id, mode, enrolled_at, code_hash, hostname) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(terminalId, secret, row.site_id, row.mode, now, hashCode(canonical), meta.hostname ?? null);
      this.journal({ kind: 'terminal.enrolled', siteId: row.site_id, mode: row.mode, codeHint: hint, terminalId, actor });
      const settings = this.db.prepare<[string], { settings_json: string }>('SELECT settings_json FROM enrolment_sites WHERE site_id = ?').get(row.site_id);
      this.secrets.set(terminalId, secret);
      return {
        ok: true,
        reply: { terminalId, secret, mode: row.mode, siteId: row.site_id, site: SiteSettingsSchema.parse(JSON.parse(settings?.settings_json ?? '{}')), enrolledAt: now },
      };
      // IMMEDIATE: two servers on one file take the write lock before reading, never both read then race.
    }).immediate();
  }

  journalEntries(): EnrolmentJournalEntry[] {
    return this.db
      .prepare<[], { seq: number; at: string; kind: EnrolmentJournalEntry['kind']; site_id: string | null; mode: string | null; code_hint: string | null; terminal_id: string | null; reason: string | null; actor: string | null }>(
        'SELECT * FROM enrolment_journal ORDER BY seq',
      )
      .all()
      .map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, siteId: r.site_id, mode: r.mode, codeHint: r.code_hint, terminalId: r.terminal_id, reason: r.reason, actor: r.actor }));
  }

  /** T-<site>-C01 for counters, T-<site>-K01 for kiosks, numbered per site and mode. */
  private nextTerminalId(siteId: string, mode: 'counter' | 'kiosk'): string {
    const prefix = `T-${siteId}-${mode === 'kiosk' ? 'K' : 'C'}`;
    const taken = this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM enrolled_terminals WHERE terminal_id LIKE ? || '%'").get(prefix)?.n ?? 0;
    for (let n = taken + 1; ; n++) {
      const id = `${prefix}${String(n).padStart(2, '0')}`;
      if (this.db.prepare('SELECT 1 FROM enrolled_terminals WHERE terminal_id = ?').get(id) === undefined) return id;
    }
  }

  private journal(e: { kind: EnrolmentJournalEntry['kind']; siteId?: string | null; mode?: string | null; codeHint?: string | null; terminalId?: string | null; reason?: string | null; actor?: string | null }): void {
    this.db
      .prepare('INSERT INTO enrolment_journal (at, kind, site_id, mode, code_hint, terminal_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(this.nowIso(), e.kind, e.siteId ?? null, e.mode ?? null, e.codeHint ?? null, e.terminalId ?? null, e.reason ?? null, e.actor ?? null);
  }
}
